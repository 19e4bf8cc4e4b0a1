import Foundation
import MagnetCore

/// Energy, area and leakage figures of one process node, read from a technology table.
///
/// The tables are data (`Technology/<node>.yaml`, bundled), not constants in code; the source and
/// scaling rule of every number is in docs/technology.md. Helpers turn the primitive figures into
/// the costs of MAC units, SRAM macros, register files, wires and DRAM accesses.
public struct Technology: Sendable, Equatable {
    /// Node name, e.g. `16nm`.
    public var node: String
    /// Supply voltage (V): the node's nominal one in a table, the design's after
    /// ``atVoltage(_:)``.
    public var voltageV: Double
    /// The supplies a design may choose at this node (V).
    public var voltageRangeV: ClosedRange<Double>
    /// Energy (pJ) and area (µm²) of one arithmetic primitive.
    public struct Primitive: Sendable, Equatable {
        /// Energy of one operation (pJ).
        public var energyPJ: Double
        /// Area of one unit (µm²).
        public var areaUM2: Double
    }
    /// 8-bit × 8-bit integer multiplier.
    public var intMultiply8x8: Primitive
    /// 32-bit integer adder.
    public var intAdd32: Primitive
    /// IEEE half-precision multiplier.
    public var fp16Multiply: Primitive
    /// IEEE single-precision adder (the accumulator of floating-point MACs).
    public var fp32Add: Primitive
    /// Where this node's SRAM figures come from: rows of the CACTI 7 table
    /// (``SRAMMacroTable/cacti7``) and the factors that carry them to this node.
    public struct SRAMSource: Sendable, Equatable {
        /// The table's node whose macros are used (22, 32, 45 or 65).
        public var cactiNodeNM: Int
        /// Energy factor for the capacitance (1 at the table's own node; feature-size ratio
        /// from it), applied with the supply ratio squared (``Technology/voltageV`` / CACTI's).
        public var capacitanceScale: Double
        /// Area factor (1 at the table's own node; bitcell-area ratio from it).
        public var areaScale: Double
        /// Leakage factor, applied with the supply ratio.
        public var leakageScale: Double
    }
    /// This node's SRAM.
    public var sram: SRAMSource
    /// Registers: flip-flops, read through a tree of 2:1 multiplexers (docs/technology.md,
    /// "Registers"; figures from a standard-cell library).
    public struct Registers: Sendable, Equatable {
        /// Clocking one free-running flip-flop for one cycle, its data unchanged (pJ).
        public var clockPJPerBitPerCycle: Double
        /// Writing one bit of a clock-gated register (clocked only when written): the clock
        /// edge, the data input and the output driving one load (pJ).
        public var writePJPerBit: Double
        /// One multiplexer level of a read, per bit (pJ).
        public var readPJPerBitPerMuxLevel: Double
        /// One flip-flop (µm²).
        public var flipFlopAreaUM2: Double
        /// One 2:1 multiplexer (µm²).
        public var muxAreaUM2: Double
        /// One flip-flop's leakage (pW).
        public var flipFlopLeakagePW: Double
        /// One multiplexer's leakage (pW).
        public var muxLeakagePW: Double
    }
    /// This node's registers (the collectors).
    public var registers: Registers
    /// Logic beyond the collectors, fitted to synthesis of magnet's RTL (docs/technology.md,
    /// "Logic from synthesis"): standard-cell area for int8 × int8 operands and 24-bit
    /// accumulation, before placement.
    public struct Logic: Sendable, Equatable {
        /// A lane's dot product of one product: its multiplier (µm²).
        public var dotProductUM2: Double
        /// … each further product: a multiplier and an adder of the tree that sums them (µm²).
        public var dotProductUM2PerAddedProduct: Double
        /// A PE's control, multiplexers and read-out beyond its collectors: fixed part (µm²).
        public var peControlUM2: Double
        /// … per lane (accumulator adder, lane control) (µm²).
        public var peControlUM2PerLane: Double
        /// … per vector element of every lane (operand multiplexers) (µm²).
        public var peControlUM2PerLaneElement: Double
        /// The array controller: fixed part (µm²).
        public var controllerUM2: Double
        /// … per PE it sequences (µm²).
        public var controllerUM2PerPE: Double
        /// The read-out's requantizer, per lane of 24-bit sums (µm²): each lane's sum × the output
        /// scale, rounded, shifted and saturated.
        public var requantizerUM2PerLane: Double
        /// Flip-flops of a PE beyond its collectors (pipeline and accumulator registers): fixed.
        public var peFlipFlops: Double
        /// … per lane, × accumulator bits / 24.
        public var peFlipFlopsPerLane: Double
        /// Flip-flops of the controller: fixed.
        public var controllerFlipFlops: Double
        /// … per PE.
        public var controllerFlipFlopsPerPE: Double
        /// Leakage of combinational cells per µm² of their area (pW); the logic's flip-flops leak
        /// as ``Registers/flipFlopLeakagePW``.
        public var leakagePWPerUM2: Double
    }
    /// This node's logic beyond the collectors.
    public var logic: Logic
    /// How cells and macros are placed on the die (docs/technology.md, "Placement"): the area
    /// no tool above counts.
    public struct Floorplan: Sendable, Equatable {
        /// Standard-cell area over the area the cells are placed in (0–1]: the rest is whitespace
        /// for routing, clock tree, power grid and timing repair.
        public var logicUtilisation: Double
        /// Keep-out ring around each SRAM macro (µm), for its pins, power ring and routing.
        public var macroHaloUM: Double
    }
    /// This node's placement rules.
    public var floorplan: Floorplan
    /// On-chip wire energy (pJ per bit per mm).
    public var wirePJPerBitPerMM: Double
    /// DRAM access energy (pJ per bit), interface included.
    public var dramPJPerBit: Double

    // MARK: Loading

    /// Names of the bundled tables.
    public static let bundledNodes = ["65nm", "45nm", "28nm", "16nm", "7nm"]

    /// The bundled table for `node` (`16nm`, …), or a table file if `node` is a path to one.
    public static func named(_ node: String) throws -> Technology {
        if bundledNodes.contains(node) {
            return try bundledTables.table(node) {
                guard let url = bundledTableURL(node) else {
                    throw ConfigError(file: "Technology/\(node).yaml",
                                      message: "the bundled technology table is missing from the installation")
                }
                return try load(path: url.path)
            }
        }
        if node.hasSuffix(".yaml") || node.hasSuffix(".yml") || node.hasSuffix(".json") {
            return try load(path: node)
        }
        var message = "unknown technology node `\(node)`; known: \(bundledNodes.joined(separator: ", ")), "
            + "or a path to a table file"
        if let near = NearestName.suggestion(for: node, among: bundledNodes) { message += "; did you mean `\(near)`?" }
        throw ConfigError(file: node, message: message)
    }

    /// The bundled tables read so far: they are part of the installation, so each is read once per
    /// process (a sweep elaborates every trial's design, and reading the table cost 2% of the
    /// quick start's time).
    private static let bundledTables = BundledTables()

    /// Where the bundled table for `node` is installed.
    public static func bundledTableURL(_ node: String) -> URL? {
        Bundle.module.url(forResource: node, withExtension: "yaml", subdirectory: "Technology")
    }

    /// Reads a technology table file (format: the bundled `Technology/*.yaml`).
    public static func load(path: String) throws -> Technology {
        let root = try ConfigNode.load(path: path).mapping(knownKeys: [
            "node", "feature_nm", "voltage_V", "voltage_range_V", "energy_scale_from_45nm", "area_scale_from_45nm",
            "arithmetic", "sram", "register", "logic", "floorplan", "wire_pJ_per_bit_per_mm", "dram_pJ_per_bit",
        ])
        let arithmetic = try root.required("arithmetic").mapping(knownKeys: [
            "int_multiply_8x8", "int_add_32", "fp16_multiply", "fp32_add",
        ])
        func primitive(_ key: String) throws -> Primitive {
            let map = try arithmetic.required(key).mapping(knownKeys: ["energy_pJ", "area_um2"])
            return Primitive(energyPJ: try map.required("energy_pJ").double(in: 0...1e6),
                             areaUM2: try map.required("area_um2").double(in: 0...1e9))
        }
        let sram = try root.required("sram").mapping(knownKeys: [
            "cacti_node_nm", "capacitance_scale", "area_scale", "leakage_scale",
        ])
        let cactiNode = try sram.required("cacti_node_nm")
        let cactiNodeNM = try cactiNode.int()
        guard SRAMMacroTable.cacti7.nodes[cactiNodeNM] != nil else {
            let known = SRAMMacroTable.cacti7.nodes.keys.sorted().map(String.init).joined(separator: ", ")
            throw cactiNode.error("CACTI 7's SRAM table has no \(cactiNodeNM) nm rows; it has \(known)")
        }
        let register = try root.required("register").mapping(knownKeys: [
            "clock_pJ_per_bit_per_cycle", "write_pJ_per_bit", "read_pJ_per_bit_per_mux_level", "flip_flop_area_um2",
            "mux_area_um2", "flip_flop_leakage_pW", "mux_leakage_pW",
        ])
        let logic = try root.required("logic").mapping(knownKeys: [
            "dot_product_um2", "dot_product_um2_per_added_product", "pe_control_um2", "pe_control_um2_per_lane",
            "pe_control_um2_per_lane_element", "controller_um2", "controller_um2_per_pe", "requantizer_um2_per_lane",
            "pe_flip_flops",
            "pe_flip_flops_per_lane", "controller_flip_flops", "controller_flip_flops_per_pe", "leakage_pW_per_um2",
        ])
        let floorplan = try root.required("floorplan").mapping(knownKeys: ["logic_utilisation", "macro_halo_um"])
        let voltageV = try root.required("voltage_V").double(in: 0.1...5)
        let rangeNode = try root.required("voltage_range_V")
        let range = try rangeNode.list().map { try $0.double(in: 0.05...5) }
        guard range.count == 2, range[0] <= voltageV, voltageV <= range[1] else {
            throw rangeNode.error("expected [lowest, highest] volts around voltage_V (\(voltageV))")
        }
        return Technology(
            node: try root.required("node").string(),
            voltageV: voltageV,
            voltageRangeV: range[0]...range[1],
            intMultiply8x8: try primitive("int_multiply_8x8"),
            intAdd32: try primitive("int_add_32"),
            fp16Multiply: try primitive("fp16_multiply"),
            fp32Add: try primitive("fp32_add"),
            sram: SRAMSource(cactiNodeNM: cactiNodeNM,
                             capacitanceScale: try sram.required("capacitance_scale").double(in: 1e-3...100),
                             areaScale: try sram.required("area_scale").double(in: 1e-3...100),
                             leakageScale: try sram.required("leakage_scale").double(in: 0...1e4)),
            registers: Registers(
                clockPJPerBitPerCycle: try register.required("clock_pJ_per_bit_per_cycle").double(in: 0...100),
                writePJPerBit: try register.required("write_pJ_per_bit").double(in: 0...100),
                readPJPerBitPerMuxLevel: try register.required("read_pJ_per_bit_per_mux_level").double(in: 0...100),
                flipFlopAreaUM2: try register.required("flip_flop_area_um2").double(in: 0...1e4),
                muxAreaUM2: try register.required("mux_area_um2").double(in: 0...1e4),
                flipFlopLeakagePW: try register.required("flip_flop_leakage_pW").double(in: 0...1e7),
                muxLeakagePW: try register.required("mux_leakage_pW").double(in: 0...1e7)),
            logic: Logic(
                dotProductUM2: try logic.required("dot_product_um2").double(in: 0...1e6),
                dotProductUM2PerAddedProduct: try logic.required("dot_product_um2_per_added_product")
                    .double(in: 0...1e6),
                peControlUM2: try logic.required("pe_control_um2").double(in: 0...1e8),
                peControlUM2PerLane: try logic.required("pe_control_um2_per_lane").double(in: 0...1e7),
                peControlUM2PerLaneElement: try logic.required("pe_control_um2_per_lane_element").double(in: 0...1e6),
                controllerUM2: try logic.required("controller_um2").double(in: 0...1e9),
                controllerUM2PerPE: try logic.required("controller_um2_per_pe").double(in: 0...1e7),
                requantizerUM2PerLane: try logic.required("requantizer_um2_per_lane").double(in: 0...1e7),
                peFlipFlops: try logic.required("pe_flip_flops").double(in: 0...1e7),
                peFlipFlopsPerLane: try logic.required("pe_flip_flops_per_lane").double(in: 0...1e6),
                controllerFlipFlops: try logic.required("controller_flip_flops").double(in: 0...1e8),
                controllerFlipFlopsPerPE: try logic.required("controller_flip_flops_per_pe").double(in: 0...1e6),
                leakagePWPerUM2: try logic.required("leakage_pW_per_um2").double(in: 0...1e7)),
            floorplan: Floorplan(
                logicUtilisation: try floorplan.required("logic_utilisation").double(in: 0.01...1),
                macroHaloUM: try floorplan.required("macro_halo_um").double(in: 0...1000)),
            wirePJPerBitPerMM: try root.required("wire_pJ_per_bit_per_mm").double(in: 0...100),
            dramPJPerBit: try root.required("dram_pJ_per_bit").double(in: 0...1e4))
    }
}

/// The bundled technology tables read so far, by node.
///
/// `@unchecked Sendable`: `tables` is only touched while `lock` is held.
private final class BundledTables: @unchecked Sendable {
    private let lock = NSLock()
    private var tables: [String: Technology] = [:]

    /// `node`'s table, read by `read` the first time it is asked for. A failed read is not kept.
    func table(_ node: String, read: () throws -> Technology) throws -> Technology {
        try lock.withLock {
            if let table = tables[node] { return table }
            let table = try read()
            tables[node] = table
            return table
        }
    }
}
