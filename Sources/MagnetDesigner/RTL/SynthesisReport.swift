/// What yosys's `stat` says about a synthesized design: cells in all, flip-flops, and SRAM
/// macros (kept as black boxes, as an ASIC flow keeps memory-compiler macros).
public struct SynthesisReport: Sendable, Equatable {
    /// Cells after synthesis (gates, flip-flops and macro instances).
    public var cells = 0
    /// Flip-flop cells (`$_DFF…`, `$_SDFF…`, `$_DFFE…`).
    public var flipFlops = 0
    /// Instances of `magnet_sram` (black boxes).
    public var memories = 0
    /// Cell area of each module by name, once (µm² of the library), when `stat` ran with
    /// `-liberty`.
    public var moduleAreasUM2: [String: Double] = [:]
    /// Cell area of the whole design (every instance of every module), when `stat` ran with
    /// `-liberty`.
    public var totalAreaUM2: Double?
    /// Each module's own cells by cell type (one copy; submodule instances included), by module
    /// name.
    public var moduleCells: [String: [String: Int]] = [:]
    /// The whole design's cells by cell type (every instance of every module, flattened: the
    /// `design hierarchy` section, or the only module's when there is one).
    public var designCells: [String: Int] = [:]

    /// Reads the last `Number of cells` section of yosys `stat` output (the design hierarchy's
    /// totals when there are several modules).
    public init(yosysStat text: String) {
        var section: String?, counting = false
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 3, fields.first == "===", fields.last == "===" {
                section = fields.dropFirst().dropLast().joined(separator: " ")
                counting = false
                if section == Self.hierarchySection { designCells = [:] }
            } else if line.contains("Chip area for"), let area = fields.last.flatMap({ Double($0) }),
               let quoted = line.split(separator: "'").dropFirst().first {
                let name = quoted.hasPrefix("\\") ? String(quoted.dropFirst()) : String(quoted)
                if line.contains("for top module") { totalAreaUM2 = area } else { moduleAreasUM2[name] = area }
            } else if line.contains("Number of cells:"), let count = fields.last.flatMap({ Int($0) }) {
                (cells, flipFlops, memories) = (count, 0, 0)
                counting = true
            } else if fields.count == 2, let count = Int(fields[1]) {
                if counting, let section {
                    if section == Self.hierarchySection {
                        designCells[String(fields[0]), default: 0] += count
                    } else {
                        moduleCells[section, default: [:]][String(fields[0]), default: 0] += count
                    }
                }
                if Self.isFlipFlop(fields[0]) { flipFlops += count }
                if fields[0] == Substring(SRAMEmitter.moduleName) || fields[0].hasSuffix(SRAMEmitter.moduleName) {
                    memories += count
                }
            }
        }
        if designCells.isEmpty, moduleCells.count == 1, let only = moduleCells.values.first { designCells = only }
    }

    /// Whether a cell type is a flip-flop (yosys's `$_DFF…`, `$_SDFF…`, `$_DFFE…`, or a library's
    /// `DFF…` cells).
    public static func isFlipFlop<Name: StringProtocol>(_ cell: Name) -> Bool { cell.contains("DFF") }

    /// The name of `stat`'s flattened section.
    private static let hierarchySection = "design hierarchy"

    /// The yosys script: SRAMs as black boxes, the rest synthesized per module (a PE once,
    /// however many the array has), no latches allowed, `stat` written to `statFile`. With a
    /// `liberty` file, flip-flops and logic are mapped onto its cells and `stat` reports their
    /// area.
    public static func script(files: [String], top: String, statFile: String, liberty: String? = nil) -> String {
        var script = "read_verilog \(files.joined(separator: " ")); blackbox \(SRAMEmitter.moduleName); "
            + "synth -top \(top); select -assert-none t:$_DLATCH_* t:$dlatch; "
        if let liberty {
            script += "dfflibmap -liberty \(liberty); abc -liberty \(liberty); opt_clean; "
                + "tee -q -o \(statFile) stat -top \(top) -liberty \(liberty)"
        } else {
            script += "tee -q -o \(statFile) stat"
        }
        return script
    }

    /// One module of the RTL beside the area model's cells for it.
    public struct ModuleComparison: Sendable, Equatable {
        /// The Verilog module.
        public var module: String
        /// Its copies in the design.
        public var copies: Int
        /// Its synthesized cell area, once (µm²), if `stat` reported it.
        public var synthesizedUM2: Double?
        /// The area model's standard cells for one copy (µm²), `nil` for what the model leaves out.
        public var modelUM2: Double?
    }

    /// The RTL's modules beside the model's cells of `report` (docs/technology.md, "Logic from
    /// synthesis"): a lane's dot product against its MACs' area, a PE against its control and
    /// collectors, the controller against the controller, the read-out's requantizer against the
    /// requantizer; the top's read-out multiplexer is not modelled.
    public func compared(with report: DesignReport) -> [ModuleComparison] {
        let point = report.point, hardware = report.hardware
        func term(_ name: String) -> Double? { hardware.otherAreas.first { $0.name == name }?.areaUM2 }
        let collectorsPerPE = hardware.storage.areaUM2(of: .registers) / Double(point.numPEs)
        let rows: [(String, Int, Double?)] = [
            (VectorMACEmitter.dotModuleName, point.numPEs * point.lanes,
             hardware.compute.areaUM2 * Double(point.vectorSize)),
            (PEEmitter.moduleName, point.numPEs, term(AreaTerm.peControl).map { $0 + collectorsPerPE }),
            (ControllerEmitter.moduleName, 1, term(AreaTerm.controller)),
            (RequantizerEmitter.moduleName, 1, term(AreaTerm.requantizer)),
            (TopEmitter.moduleName, 1, nil),
        ]
        return rows.map { module, copies, model in
            ModuleComparison(module: module, copies: copies, synthesizedUM2: moduleAreasUM2[module], modelUM2: model)
        }
    }
}
