/// What yosys's `stat` says about a synthesized design: cells in all, flip-flops, and SRAM
/// macros (kept as black boxes, as an ASIC flow keeps memory-compiler macros).
public struct SynthesisReport: Sendable, Equatable {
    /// Cells after synthesis (gates, flip-flops and macro instances).
    public var cells = 0
    /// Flip-flop cells (`$_DFF…`, `$_SDFF…`, `$_DFFE…`).
    public var flipFlops = 0
    /// Instances of `magnet_sram` (black boxes).
    public var memories = 0

    /// Reads the last `Number of cells` section of yosys `stat` output (the design hierarchy's
    /// totals when there are several modules).
    public init(yosysStat text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.contains("Number of cells:"), let count = fields.last.flatMap({ Int($0) }) {
                (cells, flipFlops, memories) = (count, 0, 0)
            } else if fields.count == 2, let count = Int(fields[1]) {
                if fields[0].contains("DFF") { flipFlops += count }
                if fields[0] == Substring(SRAMEmitter.moduleName) || fields[0].hasSuffix(SRAMEmitter.moduleName) { memories += count }
            }
        }
    }

    /// The yosys script: SRAMs as black boxes, the rest synthesized per module (a PE once,
    /// however many the array has), no latches allowed, `stat` written to `statFile`.
    public static func script(files: [String], top: String, statFile: String) -> String {
        "read_verilog \(files.joined(separator: " ")); blackbox \(SRAMEmitter.moduleName); synth -top \(top); "
            + "select -assert-none t:$_DLATCH_* t:$dlatch; tee -q -o \(statFile) stat"
    }
}
