import Foundation
import MagnetCore
import Testing
@testable import MagnetDesigner

@Suite struct TechnologyLogicTests {
    /// One design synthesized with yosys 0.23 onto NanGate45 (docs/technology.md, "Logic from
    /// synthesis"): cell area per module, µm².
    struct Synthesized: Sendable, CustomStringConvertible {
        var pes: Int, lanes: Int, vector: Int
        var weights: DataFormat = .int8, activations: DataFormat = .int8, accumulationBits = 24
        var dotProduct: Double, peOutsideDotProducts: Double, controller: Double, requantizer: Double
        /// Flip-flops (`DFF_X1`) of one PE, collectors included, and of the controller.
        var peFlipFlops: Double, controllerFlipFlops: Double
        var description: String { "\(pes)×\(lanes)×\(vector) \(weights)×\(activations)" }
    }

    static let synthesized: [Synthesized] = [
        Synthesized(pes: 2, lanes: 2, vector: 4, dotProduct: 2_264, peOutsideDotProducts: 2_624, controller: 35_311,
                    requantizer: 7_254, peFlipFlops: 253, controllerFlipFlops: 3_560),
        Synthesized(pes: 4, lanes: 2, vector: 8, dotProduct: 4_589, peOutsideDotProducts: 3_394, controller: 36_272,
                    requantizer: 7_256, peFlipFlops: 349, controllerFlipFlops: 3_689),
        Synthesized(pes: 4, lanes: 4, vector: 8, dotProduct: 4_589, peOutsideDotProducts: 6_067, controller: 36_211,
                    requantizer: 14_261, peFlipFlops: 620, controllerFlipFlops: 3_679),
        Synthesized(pes: 4, lanes: 4, vector: 16, dotProduct: 9_574, peOutsideDotProducts: 8_690, controller: 36_093,
                    requantizer: 14_261, peFlipFlops: 940, controllerFlipFlops: 3_666),
        Synthesized(pes: 8, lanes: 4, vector: 8, dotProduct: 4_615, peOutsideDotProducts: 6_064, controller: 38_572,
                    requantizer: 14_261, peFlipFlops: 620, controllerFlipFlops: 3_959),
        Synthesized(pes: 16, lanes: 8, vector: 8, dotProduct: 4_589, peOutsideDotProducts: 11_520, controller: 43_015,
                    requantizer: 28_700, peFlipFlops: 1_163, controllerFlipFlops: 4_509),
        Synthesized(pes: 4, lanes: 2, vector: 8, weights: .int16, activations: .int16, accumulationBits: 32,
                    dotProduct: 17_480, peOutsideDotProducts: 5_505, controller: 36_334, requantizer: 9_304,
                    peFlipFlops: 589, controllerFlipFlops: 3_676),
        Synthesized(pes: 4, lanes: 2, vector: 8, weights: .int4, dotProduct: 2_123, peOutsideDotProducts: 2_882,
                    controller: 36_096, requantizer: 7_277, peFlipFlops: 285, controllerFlipFlops: 3_691),
    ]

    /// The 45 nm table's logic reproduces every synthesized design within the fits' stated errors:
    /// the dot product within 10% (int8 rows within 2.2%; int16 +6.6%, int4 × int8 +9.7%), a PE
    /// outside its dot products (control plus the collectors' flip-flops) within 2.5%, the
    /// controller within 1%, the requantizer within 3%; the flip-flops of a PE (its collectors
    /// and the rest) within 0.5%, the controller's within 1%.
    @Test(arguments: synthesized)
    func theModelReproducesSynthesis(_ design: Synthesized) throws {
        let point = DesignPoint(numPEs: design.pes, lanes: design.lanes, vectorSize: design.vector,
                                weightBufferBytes: 1024, inputBufferBytes: 512, accumulationBufferBytes: 384,
                                globalBufferBytes: 16 * 1024, dramBandwidthGBps: 25.6, weightFormat: design.weights,
                                activationFormat: design.activations, accumulationBits: design.accumulationBits,
                                technology: "45nm")
        let t = try Technology.named("45nm")
        let hardware = point.elaborate(technology: t)
        let logic = t.templateLogic(numPEs: design.pes, lanes: design.lanes, vectorSize: design.vector,
                                    weights: design.weights, activations: design.activations,
                                    accumulationBits: design.accumulationBits)
        let collectorsPerPE = hardware.storage.filter { $0.technology == .registers }
            .reduce(0) { $0 + $1.areaUM2 * Double($1.instances / design.pes) }
        #expect(close(logic.dotProductLaneUM2, design.dotProduct, relative: 0.10))
        #expect(close(logic.peControlUM2 + collectorsPerPE, design.peOutsideDotProducts, relative: 0.025))
        #expect(close(logic.controllerUM2, design.controller, relative: 0.01))
        #expect(close(logic.requantizerUM2, design.requantizer, relative: 0.03))
        let collectorBitsPerPE = hardware.storage.filter { $0.technology == .registers }
            .reduce(0) { $0 + Double(($1.capacityWords ?? 0) * $1.wordBits * ($1.instances / design.pes)) }
        #expect(close(logic.peFlipFlops + collectorBitsPerPE, design.peFlipFlops, relative: 0.005))
        #expect(close(logic.controllerFlipFlops, design.controllerFlipFlops, relative: 0.01))
    }

    /// 45 nm, 4 PEs × 2 lanes × 8: a lane is 382 + 611 × 7 = 4,659 µm² for int8, × 16·16/64 for
    /// int16, × 4·8/64 for int4 × int8; a PE's control 383.4 + 629 × 2 × acc/24 + 40.5 × 16 ×
    /// (m + n)/16; the controller 34,002 + 562.8 × 4 = 36,253.2 µm² for every format; the
    /// requantizer 3,578 × 2 × acc/24.
    @Test func logicByHand() throws {
        let t = try Technology.named("45nm")
        let int8 = t.templateLogic(numPEs: 4, lanes: 2, vectorSize: 8, weights: .int8, activations: .int8,
                                   accumulationBits: 24)
        #expect(close(int8.dotProductLaneUM2, 4_659))
        #expect(close(int8.peControlUM2, 383.4 + 1_258 + 648))
        #expect(close(int8.controllerUM2, 36_253.2))
        #expect(close(int8.requantizerUM2, 7_156))
        let int16 = t.templateLogic(numPEs: 4, lanes: 2, vectorSize: 8, weights: .int16, activations: .int16,
                                    accumulationBits: 32)
        #expect(close(int16.dotProductLaneUM2, 4 * 4_659))
        let int16Control: Double = 383.4 + 629 * 2 * 32 / 24 + 40.5 * 16 * 2
        #expect(close(int16.peControlUM2, int16Control))
        #expect(int16.controllerUM2 == int8.controllerUM2)
        #expect(close(int16.requantizerUM2, 7_156.0 * 32 / 24))
        let mixed = t.templateLogic(numPEs: 4, lanes: 2, vectorSize: 8, weights: .int4, activations: .int8,
                                    accumulationBits: 24)
        #expect(close(mixed.dotProductLaneUM2, 4_659 / 2))
        // A one-product lane has no adder tree: just the multiplier.
        let single = t.templateLogic(numPEs: 1, lanes: 1, vectorSize: 1, weights: .int8, activations: .int8,
                                     accumulationBits: 24)
        #expect(close(single.dotProductLaneUM2, 382))
        // Floating point (not synthesized): 8 MAC units and 7 fp32 adders.
        let bf16 = t.templateLogic(numPEs: 4, lanes: 2, vectorSize: 8, weights: .bf16, activations: .bf16,
                                   accumulationBits: 32)
        let mac = t.mac(weights: .bf16, activations: .bf16, accumulationBits: 32)
        #expect(close(bf16.dotProductLaneUM2, 8 * mac.areaUM2 + 7 * 4_184))
    }

    /// Placement: cells ÷ utilisation (0.33); a 20 µm × 20 µm macro with 10 µm halos at 45 nm
    /// takes 40 µm × 40 µm, so its ring is 1,600 − 400 = 1,200 µm².
    @Test func placementByHand() throws {
        let t = try Technology.named("45nm")
        #expect(t.floorplan.logicUtilisation == 0.33 && t.floorplan.macroHaloUM == 10)
        #expect(close(t.placedLogicUM2(cellsUM2: 660), 2_000))
        #expect(close(t.macroHaloUM2(macroAreaUM2: 400), 1_200))
        // The halo scales with the feature size: 10 × 16/45 µm at 16 nm.
        #expect(close(try Technology.named("16nm").floorplan.macroHaloUM, 3.556, relative: 1e-3))
    }

    /// A table without its logic section is refused with the file and the missing key.
    @Test func aTableWithoutLogicIsLocated() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-tech-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("no-logic.yaml").path
        let text = try String(contentsOf: try #require(Technology.bundledTableURL("16nm")), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0 == "logic:" })
        let end = try #require(lines[(start + 1)...].firstIndex { !$0.hasPrefix("  ") })
        let kept = lines[..<start] + lines[end...]
        try kept.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try Technology.load(path: path) }
        #expect(error?.description == "\(path):4:1: missing required key `logic`", "\(String(describing: error))")
    }
}
