import Testing
@testable import MagnetDesigner

/// Energy per bit from datasheet currents, checked against the arithmetic done by hand
/// (docs/technology.md, "DRAM types").
@Suite struct DRAMDeviceTests {
    /// DDR3-1600 ×8: tCK 1.25 ns, 16 bits per clock, VDD 1.5 V.
    @Test func ddr3ReadIsPricedPartByPart() {
        let read = DRAMDevice.micron1GbDDR3x8.energyPerBit(of: .read)
        // (140 − 45) mA · 1.5 V · 1.25 ns / 16 bits
        #expect(abs(read.burstPJ - 11.1328125) < 1e-9)
        // 45 mA · 1.5 V · 1.25 ns / 16
        #expect(abs(read.standbyPJ - 5.2734375) < 1e-9)
        // (170 − 45) mA · 88 / 6240 · 1.5 V · 1.25 ns / 16
        #expect(abs(read.refreshPJ - 125 * 88.0 / 6240 * 1.5 * 1.25 / 16) < 1e-9)
        // (70 · 38 − 45 · 28 − 45 · 10) mA·clocks · 1.5 V · 1.25 ns = 1,781.25 pJ per row of 8,192 bits
        #expect(abs(DRAMDevice.micron1GbDDR3x8.activationPJ - 1781.25) < 1e-9)
        #expect(abs(read.activationPJ - 1781.25 / 8192) < 1e-12)
        // 4.6 mW per pin over 0.625 ns per bit
        #expect(abs(read.interfacePJ - 2.875) < 1e-9)
        #expect(abs(read.totalPJ - 19.71) < 0.005)
    }

    /// The same method lands within 3% of the DDR3 figure the 28–65 nm tables cite (Horowitz,
    /// ISSCC 2014: 1.3 nJ per 64-bit access, 20.3 pJ/bit).
    @Test func ddr3AgreesWithHorowitzsFigure() {
        let type = DRAMType.ddr3
        for energy in [type.pJPerBit(of: .read), type.pJPerBit(of: .write)] {
            #expect(abs(energy / 20.3 - 1) < 0.03)
        }
    }

    /// DDR4-2400 ×8: tCK 0.8333 ns, VDD 1.2 V; VPP 2.5 V charged to activations; POD pins.
    @Test func ddr4PricesVPPAndPseudoOpenDrainPins() {
        let device = DRAMDevice.micron4GbDDR4x8
        let write = device.energyPerBit(of: .write)
        let clockNS = 1000 / 1200.0
        #expect(abs(write.burstPJ - (168.75 - 44) * 1.2 * clockNS / 16) < 1e-9)
        let vdd = (60.75 * 55 - 44 * 39 - 38.25 * 16) * 1.2 * clockNS
        let vpp = 4.05 * 55 * 2.5 * clockNS
        #expect(abs(device.activationPJ - (vdd + vpp)) < 1e-9)
        // Low half the time: 1.2² / (34.29 + 48) Ω / 2 = 8.75 mW per pin, over 0.4167 ns per bit.
        let pinMW = 1.44 / (240.0 / 7 + 48) * 1000 / 2
        #expect(abs(device.interfaceMilliwattsPerPin - pinMW) < 1e-9)
        #expect(abs(write.interfacePJ - pinMW * clockNS / 2) < 1e-9)
        #expect(abs(DRAMType.ddr4.pJPerBit(of: .read) - 15.67) < 0.01)
        #expect(abs(DRAMType.ddr4.pJPerBit(of: .write) - 14.69) < 0.01)
    }

    /// LPDDR4-3200, one 16-bit channel: two core rails and the I/O supply's read current.
    @Test func lpddr4SumsItsRails() {
        let device = DRAMDevice.micron6GbLPDDR4x16
        let read = device.energyPerBit(of: .read)
        let perBit = 0.625 / 32
        // VDD1 draws no more while bursting; VDD2 (275 − 30) mA at 1.1 V.
        #expect(abs(read.burstPJ - 245 * 1.1 * perBit) < 1e-9)
        #expect(abs(read.standbyPJ - (2.25 * 1.8 + 30 * 1.1) * perBit) < 1e-9)
        // (150 − 0.75) mA · 1.1 V over 16 pins, 0.3125 ns per bit
        #expect(abs(read.interfacePJ - 149.25 * 1.1 / 16 * 0.3125) < 1e-9)
        #expect(abs(read.totalPJ - 9.38) < 0.01)
        #expect(DRAMType.lpddr4.pJPerBit(of: .write) < DRAMType.lpddr4.pJPerBit(of: .read))
    }

    /// The types' channels and the order of their energies: HBM2 < LPDDR4 < DDR4 < DDR3.
    @Test func typesHaveTheirChannelsAndOrder() {
        #expect(DRAMType.lpddr4.channelBandwidthGBps == 6.4)
        #expect(DRAMType.ddr4.channelBandwidthGBps == 19.2)
        #expect(DRAMType.ddr3.channelBandwidthGBps == 12.8)
        #expect(DRAMType.hbm2.channelBandwidthGBps == 32)
        let reads = [DRAMType.hbm2, .lpddr4, .ddr4, .ddr3].map { $0.pJPerBit(of: .read) }
        #expect(reads == reads.sorted())
        #expect(DRAMType.hbm2.pJPerBit(of: .read) == 3.9 && DRAMType.hbm2.pJPerBit(of: .write) == 3.9)
    }
}
