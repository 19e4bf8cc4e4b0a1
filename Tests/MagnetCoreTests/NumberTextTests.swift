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

    @Test func binaryByteUnits() {
        #expect(NumberText.bytes(32768) == "32 KiB")
        #expect(NumberText.bytes(1536) == "1.50 KiB")
        #expect(NumberText.bytes(100) == "100 B")
    }
}
