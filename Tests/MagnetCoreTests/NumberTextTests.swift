import Testing
@testable import MagnetCore

@Suite struct NumberTextTests {
    @Test func groupsThousands() {
        #expect(NumberText.grouped(4_089_184_256) == "4,089,184,256")
        #expect(NumberText.grouped(999) == "999")
        #expect(NumberText.grouped(-1000) == "-1,000")
    }

    @Test func fixedDigits() {
        #expect(NumberText.fixed(3.14159, 2) == "3.14")
        #expect(NumberText.fixed(2, 2) == "2.00")
        #expect(NumberText.fixed(2.5, 0) == "3")
    }

    @Test func fixedDigitsWithThousandsSeparators() {
        #expect(NumberText.groupedFixed(1190.46, 1) == "1,190.5")
        #expect(NumberText.groupedFixed(18_825.7, 1) == "18,825.7")
        #expect(NumberText.groupedFixed(999.96, 1) == "1,000.0")
        #expect(NumberText.groupedFixed(-1234567.891, 2) == "-1,234,567.89")
        #expect(NumberText.groupedFixed(22.58, 2) == "22.58")
        #expect(NumberText.groupedFixed(1234.6, 0) == "1,235")
    }

    @Test func binaryByteUnits() {
        #expect(NumberText.bytes(32768) == "32 KiB")
        #expect(NumberText.bytes(1536) == "1.50 KiB")
        #expect(NumberText.bytes(100) == "100 B")
    }
}
