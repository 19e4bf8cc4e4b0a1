import MagnetDesigner
import MagnetWorkload

/// The analytical cost model: counts every access of a mapping on a hardware hierarchy the way
/// Timeloop does, and turns the counts into energy, cycles and utilization.
///
/// This is the reference (scalar) path; docs/cost-model.md gives the equations.
public struct CostModel: Sendable {
    /// How input halos are reused when a tile moves after an irrelevant loop (see docs/cost-model.md).
    public enum HaloReuse: String, Sendable, CaseIterable {
        /// Timeloop v3.0.3: residual data is discarded whenever the tile changes direction.
        case timeloopV3 = "v3"
        /// Timeloop master (2025): the overlap with the previous tile is always reused.
        case timeloopMaster = "master"
    }

    /// The hardware.
    public let hardware: Hardware
    /// The problem.
    public let problem: Problem
    /// Halo behaviour.
    public var haloReuse: HaloReuse
    /// The post-processing of the layer's outputs, the same for every mapping (pJ):
    /// ``Hardware/postProcessingPJPerOutput`` times the words of the read-write data spaces.
    public let postProcessingEnergyPJ: Double

    /// Creates a model for one hardware and problem.
    public init(hardware: Hardware, problem: Problem, haloReuse: HaloReuse = .timeloopV3) {
        self.hardware = hardware
        self.problem = problem
        self.haloReuse = haloReuse
        let outputs = problem.dataSpaces.indices.filter { problem.dataSpaces[$0].isReadWrite }
            .reduce(0) { $0 + problem.size(of: $1) }
        self.postProcessingEnergyPJ = hardware.postProcessingPJPerOutput * Double(outputs)
    }

    var residualRule: HyperRectangle.ResidualRule {
        haloReuse == .timeloopV3 ? .resetOnStrideChangeStrict : .resetOnStrideChange
    }

    /// Evaluates one mapping by walking its loop nest the way Timeloop does (the reference path,
    /// exponential in the number of loops; use ``evaluate(_:)``). The mapping must cover every
    /// dimension exactly (see ``Mapping/problems(on:for:)``).
    public func evaluateByNestWalk(_ mapping: Mapping) -> Evaluation {
        let geometry = ProblemGeometry(problem)
        let nest = FlatNest(mapping: mapping, dimensionCount: geometry.dimensionCount)
        let fanouts = (0..<hardware.storage.count).map { hardware.fanout(of: $0) }
        let analysis = NestAnalysis(nest: nest, geometry: geometry, physicalFanout: fanouts.map { (x: $0.x, y: $0.y) },
                                    residualRule: residualRule)
        let loops = analysis.run()
        let records = TileCollapse.records(nest: nest, loops: loops, dataSpaceCount: geometry.dataSpaceCount, levelCount: hardware.storage.count)
        var evaluator = Evaluator(self)
        return evaluator.evaluate(mapping, records: records, computeCycles: analysis.computeCycles)
    }

    /// Evaluates one mapping with the closed form of the nest walk (see ``Evaluator``); the
    /// result is identical to ``evaluateByNestWalk(_:)``, in time linear in the number of loops.
    /// The mapping must cover every dimension exactly (see ``Mapping/problems(on:for:)``).
    /// For many mappings of one layer, keep an ``Evaluator`` and reuse it.
    public func evaluate(_ mapping: Mapping) -> Evaluation {
        var evaluator = Evaluator(self)
        return evaluator.evaluate(mapping)
    }
}
