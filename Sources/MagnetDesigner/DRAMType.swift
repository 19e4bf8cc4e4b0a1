/// A kind of off-chip memory a design can name (`dram: lpddr4`): its energy per bit read and
/// written, and the peak bandwidth of one channel (docs/technology.md, "DRAM types").
///
/// DDR3, DDR4 and LPDDR4 are priced from one vendor part's datasheet currents by the method of
/// Micron's power notes (``DRAMDevice``); HBM2's figure is O'Connor et al.'s (MICRO 2017), since
/// no stack's currents are published the same way.
public enum DRAMType: String, CaseIterable, Sendable {
    /// DDR3-1600: a 64-bit channel of ×8 devices (Micron 1 Gb DDR3, die G).
    case ddr3
    /// DDR4-2400: a 64-bit channel of ×8 devices (Micron 4 Gb DDR4, die A).
    case ddr4
    /// LPDDR4-3200: one 16-bit channel (Micron 6 Gb LPDDR4, die A; a ×32 die has two).
    case lpddr4
    /// HBM2 at 2 Gb/s per pin: one 128-bit channel (a stack has eight).
    case hbm2

    /// The types' names, for messages: `ddr3, ddr4, lpddr4, hbm2`.
    public static var namesText: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Peak bandwidth of one channel (GB/s, 10⁹ bytes per second): pins × transfers per second.
    public var channelBandwidthGBps: Double {
        switch self {
        case .ddr3: return 64 * 1.6 / 8
        case .ddr4: return 64 * 2.4 / 8
        case .lpddr4: return 16 * 3.2 / 8
        case .hbm2: return 128 * 2.0 / 8
        }
    }

    /// Energy of one bit of `access` (pJ), interface included: a read from the memory into the
    /// chip, or a write from the chip into the memory.
    public func pJPerBit(of access: DRAMDevice.Access) -> Double {
        device?.energyPerBit(of: access).totalPJ ?? DRAMType.hbm2PJPerBit
    }

    /// HBM2's access energy, interface included: 3.9 pJ/bit (O'Connor et al., "Fine-Grained DRAM:
    /// Energy-Efficient DRAM for Extreme Bandwidth Systems", MICRO 2017), reads and writes alike.
    static let hbm2PJPerBit = 3.9

    /// The datasheet part the energy is derived from; `nil` for HBM2.
    public var device: DRAMDevice? {
        switch self {
        case .ddr3: return .micron1GbDDR3x8
        case .ddr4: return .micron4GbDDR4x8
        case .lpddr4: return .micron6GbLPDDR4x16
        case .hbm2: return nil
        }
    }

    /// Where the figures come from, for reports and docs.
    public var source: String {
        guard let device else { return "O'Connor et al., MICRO 2017" }
        return "\(device.part) datasheet currents, derived as in docs/technology.md"
    }
}
