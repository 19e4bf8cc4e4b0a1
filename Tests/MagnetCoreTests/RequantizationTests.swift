import Testing
@testable import MagnetCore

@Suite struct RequantizationTests {
    /// Worked by hand: 100 · 3 / 4 = 75; −302 / 4 = −75.5 rounds half up to −75; −298 / 4 = −74.5
    /// to −74; 302 / 4 = 75.5 to 76.
    @Test func scalesAndRoundsHalfUp() {
        let quarter = Requantization(scale: 3, shift: 2, relu: false)
        #expect(quarter.output(ofSum: 100, outputBits: 8) == 75)
        let unit = Requantization(scale: 1, shift: 2, relu: false)
        #expect(unit.output(ofSum: -302, outputBits: 16) == -75)
        #expect(unit.output(ofSum: -298, outputBits: 16) == -74)
        #expect(unit.output(ofSum: 302, outputBits: 16) == 76)
        #expect(unit.output(ofSum: -1, outputBits: 8) == 0)
        #expect(unit.output(ofSum: -3, outputBits: 8) == -1)
    }

    @Test func saturatesToTheFormatAndClipsWithReLU() {
        #expect(Requantization.saturation.output(ofSum: 1_000, outputBits: 8) == 127)
        #expect(Requantization.saturation.output(ofSum: -1_000, outputBits: 8) == -128)
        #expect(Requantization.saturation.output(ofSum: -9, outputBits: 4) == -8)
        #expect(Requantization.saturation.output(ofSum: 5, outputBits: 4) == 5)
        let relu = Requantization(scale: 1, shift: 0, relu: true)
        #expect(relu.output(ofSum: -5, outputBits: 8) == 0)
        #expect(relu.output(ofSum: 200, outputBits: 8) == 127)
        #expect(relu.output(ofSum: 17, outputBits: 8) == 17)
    }

    @Test func refusesScalesAndShiftsTheHardwareCannotHold() {
        #expect(Requantization(scale: 65_535, shift: 40, relu: true).problem(accumulationBits: 24) == nil)
        #expect(Requantization(scale: 0, shift: 0, relu: false).problem(accumulationBits: 24)
                    == "scale 0 is outside 1...65535")
        #expect(Requantization(scale: 1, shift: 41, relu: false).problem(accumulationBits: 24)
                    == "shift 41 is outside 0...40 (24-bit sums, 16-bit scale)")
        #expect(Requantization.maximumShift(accumulationBits: 64) == 63)
    }

    /// The spreading choice puts the largest sum at or just under twice the largest output.
    @Test func spreadingPutsTheLargestSumJustPastTheRange() {
        let chosen = Requantization.spreading(largestMagnitude: 100_000, outputBits: 8, accumulationBits: 24,
                                              scale: 40_000, relu: false)
        // 100,000 · 40,000 = 4e9; 4e9 >> 24 = 238 ≤ 254 and 4e9 >> 23 = 476 > 254.
        #expect(chosen.shift == 24)
        #expect(chosen.output(ofSum: 100_000, outputBits: 8) == 127)
        #expect(chosen.output(ofSum: 50_000, outputBits: 8) == 119)
        #expect(Requantization.spreading(largestMagnitude: 0, outputBits: 8, accumulationBits: 24, scale: 5,
                                         relu: true).shift == 0)
    }
}
