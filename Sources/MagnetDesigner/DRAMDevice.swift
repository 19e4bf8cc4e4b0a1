/// One DRAM part's datasheet figures, and the energy per bit they imply when a channel of such
/// parts streams at its peak rate (docs/technology.md, "DRAM types").
///
/// The method is Micron's (TN-41-01 for DDR3, TN-40-07 for DDR4), as DRAMPower applies it: a
/// burst costs its current above active standby; an activation with its precharge costs IDD0 over
/// a row cycle less the standby currents over the same time; standby and refresh are time-based
/// and are charged per bit at the peak rate (the least they can be per bit). Each activation
/// serves a whole row (the accelerator streams tiles); a row miss per 64-byte access would share
/// ``activationPJ`` among the bits one device gives that access instead. The currents are
/// datasheet maxima, as DRAMPower uses them.
public struct DRAMDevice: Sendable {
    /// One supply rail's voltage and currents (mA), named as in JEDEC datasheets.
    public struct Rail: Sendable {
        /// Supply voltage (V).
        public var volts: Double
        /// IDD0: one bank activating and precharging every row cycle.
        public var activatePrechargeMA: Double
        /// IDD2N: precharge standby.
        public var prechargeStandbyMA: Double
        /// IDD3N: active standby.
        public var activeStandbyMA: Double
        /// IDD4R: burst reads back to back.
        public var burstReadMA: Double
        /// IDD4W: burst writes back to back.
        public var burstWriteMA: Double
        /// IDD5: refresh, during the refresh cycle.
        public var refreshMA: Double
    }

    /// What one data pin dissipates while transferring, the chip's end and the memory's together.
    public enum Interface: Sendable {
        /// A figure per pin from the vendor's power note (mW).
        case pinPower(milliwatts: Double)
        /// Pseudo-open-drain signalling: a pin driven low draws `VDDQ / (driver + termination)`
        /// from VDDQ, a pin driven high nothing; random data are low half the time.
        case pseudoOpenDrain(vddqV: Double, driverOhms: Double, terminationOhms: Double)
        /// The I/O supply's current above standby while reading, over the device's data pins.
        case ioSupply(vddqV: Double, burstMA: Double, standbyMA: Double)
    }

    /// A read (memory to chip) or a write (chip to memory).
    public enum Access: Sendable {
        case read, write
    }

    /// The energy of one bit streamed at the peak rate, by where it goes (pJ).
    public struct EnergyPerBit: Sendable, Equatable {
        /// The burst's current above active standby.
        public var burstPJ: Double
        /// Active standby over the bit's share of time.
        public var standbyPJ: Double
        /// Refresh over the bit's share of time.
        public var refreshPJ: Double
        /// The bit's share of one activation and precharge (a whole row read or written).
        public var activationPJ: Double
        /// The data pin's signalling.
        public var interfacePJ: Double

        /// The sum of the parts.
        public var totalPJ: Double { burstPJ + standbyPJ + refreshPJ + activationPJ + interfacePJ }
    }

    /// The part and die revision, for citations.
    public var part: String
    /// Data pins of one device.
    public var dataPins: Int
    /// Clock (MHz); data move on both edges.
    public var clockMHz: Double
    /// Columns per row: a row holds `columnsPerRow × dataPins` bits.
    public var columnsPerRow: Int
    /// tRC: activation to activation in one bank (clocks).
    public var rowCycleClocks: Double
    /// tRAS: activation to precharge (clocks).
    public var rowActiveClocks: Double
    /// tRFC: one refresh (clocks).
    public var refreshClocks: Double
    /// tREFI: refresh interval (clocks).
    public var refreshIntervalClocks: Double
    /// The supply rails (the core's; a separate I/O supply is the ``interface``).
    public var rails: [Rail]
    /// The data pins' signalling.
    public var interface: Interface

    /// Bits a data pin moves per clock: data move on both edges (double data rate).
    public static let transfersPerClock = 2.0

    /// Bits one device moves per clock.
    public var bitsPerClock: Double { Double(dataPins) * DRAMDevice.transfersPerClock }

    /// Clock period (ns).
    public var clockNS: Double { 1000 / clockMHz }

    /// One activation and its precharge (pJ): per rail,
    /// `(IDD0 · tRC − IDD3N · tRAS − IDD2N · (tRC − tRAS)) · V · tCK`.
    public var activationPJ: Double {
        rails.reduce(0) { sum, rail in
            let aboveStandby = rail.activatePrechargeMA * rowCycleClocks - rail.activeStandbyMA * rowActiveClocks
                - rail.prechargeStandbyMA * (rowCycleClocks - rowActiveClocks)
            return sum + aboveStandby * rail.volts * clockNS
        }
    }

    /// What one data pin dissipates while transferring (mW).
    public var interfaceMilliwattsPerPin: Double {
        switch interface {
        case .pinPower(let milliwatts):
            return milliwatts
        case let .pseudoOpenDrain(vddqV, driverOhms, terminationOhms):
            return vddqV * vddqV / (driverOhms + terminationOhms) * 1000 / 2
        case let .ioSupply(vddqV, burstMA, standbyMA):
            return (burstMA - standbyMA) * vddqV / Double(dataPins)
        }
    }

    /// The energy of one bit of `access` streamed at the peak rate. The interface costs the same
    /// both ways (the same link, driven from the other end).
    public func energyPerBit(of access: Access) -> EnergyPerBit {
        // mA · V · ns = pJ; per clock, then per bit moved in that clock.
        let perBit = clockNS / bitsPerClock
        let refreshShare = refreshClocks / refreshIntervalClocks
        var energy = EnergyPerBit(burstPJ: 0, standbyPJ: 0, refreshPJ: 0,
                                  activationPJ: activationPJ / Double(columnsPerRow * dataPins),
                                  interfacePJ: interfaceMilliwattsPerPin * clockNS / DRAMDevice.transfersPerClock)
        for rail in rails {
            let burstMA = access == .read ? rail.burstReadMA : rail.burstWriteMA
            energy.burstPJ += (burstMA - rail.activeStandbyMA) * rail.volts * perBit
            energy.standbyPJ += rail.activeStandbyMA * rail.volts * perBit
            energy.refreshPJ += (rail.refreshMA - rail.activeStandbyMA) * refreshShare * rail.volts * perBit
        }
        return energy
    }
}

extension DRAMDevice {
    /// Micron 1 Gb DDR3-1600 ×8, die G (MT41J128M8): datasheet IDD values and timings as in
    /// DRAMPower's memspec `MICRON_1Gb_DDR3-1600_8bit_G`; the pin power (4.6 mW per DQ while
    /// reading) is the one DRAMPower takes from Micron's TN-41-01.
    public static let micron1GbDDR3x8 = DRAMDevice(
        part: "Micron 1 Gb DDR3-1600 x8 (die G)", dataPins: 8, clockMHz: 800, columnsPerRow: 1024,
        rowCycleClocks: 38, rowActiveClocks: 28, refreshClocks: 88, refreshIntervalClocks: 6240,
        rails: [Rail(volts: 1.5, activatePrechargeMA: 70, prechargeStandbyMA: 45, activeStandbyMA: 45,
                     burstReadMA: 140, burstWriteMA: 145, refreshMA: 170)],
        interface: .pinPower(milliwatts: 4.6))

    /// Micron 4 Gb DDR4-2400 ×8, die A (MT40A512M8): datasheet IDD values and timings as in
    /// DRAMPower's memspec `MICRON_4Gb_DDR4-2400_8bit_A`. VPP's standby current is not given
    /// there, so all of IPP0 is charged to activations (an upper bound, 0.06 pJ/bit). The pins:
    /// pseudo-open drain at VDDQ 1.2 V, the 34 Ω driver (RZQ/7) into a 48 Ω termination (RZQ/5),
    /// from Micron's 4 Gb DDR4 datasheet.
    public static let micron4GbDDR4x8 = DRAMDevice(
        part: "Micron 4 Gb DDR4-2400 x8 (die A)", dataPins: 8, clockMHz: 1200, columnsPerRow: 1024,
        rowCycleClocks: 55, rowActiveClocks: 39, refreshClocks: 313, refreshIntervalClocks: 4680,
        rails: [Rail(volts: 1.2, activatePrechargeMA: 60.75, prechargeStandbyMA: 38.25, activeStandbyMA: 44,
                     burstReadMA: 184.5, burstWriteMA: 168.75, refreshMA: 118),
                Rail(volts: 2.5, activatePrechargeMA: 4.05, prechargeStandbyMA: 0, activeStandbyMA: 0,
                     burstReadMA: 0, burstWriteMA: 0, refreshMA: 0)],
        interface: .pseudoOpenDrain(vddqV: 1.2, driverOhms: 240.0 / 7, terminationOhms: 240.0 / 5))

    /// Micron 6 Gb LPDDR4-3200, one 16-bit channel, die A: datasheet IDD values (VDD1 1.8 V,
    /// VDD2 1.1 V, VDDQ 1.1 V) and timings as in DRAMPower's memspec
    /// `MICRON_6Gb_LPDDR4-3200_32bit_A`; the pins are VDDQ's read current above standby
    /// (IDD4RQ 150 mA, IDD3NQ 0.75 mA; VDDQ's standby itself, 0.02 pJ/bit, is not counted).
    public static let micron6GbLPDDR4x16 = DRAMDevice(
        part: "Micron 6 Gb LPDDR4-3200 x16 channel (die A)", dataPins: 16, clockMHz: 1600, columnsPerRow: 1024,
        rowCycleClocks: 97, rowActiveClocks: 68, refreshClocks: 448, refreshIntervalClocks: 6246,
        rails: [Rail(volts: 1.8, activatePrechargeMA: 3.5, prechargeStandbyMA: 2, activeStandbyMA: 2.25,
                     burstReadMA: 2.25, burstWriteMA: 2.25, refreshMA: 10),
                Rail(volts: 1.1, activatePrechargeMA: 45, prechargeStandbyMA: 27, activeStandbyMA: 30,
                     burstReadMA: 275, burstWriteMA: 210, refreshMA: 90)],
        interface: .ioSupply(vddqV: 1.1, burstMA: 150, standbyMA: 0.75))
}
