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

    /// Creates a model for one hardware and problem.
    public init(hardware: Hardware, problem: Problem, haloReuse: HaloReuse = .timeloopV3) {
        self.hardware = hardware
        self.problem = problem
        self.haloReuse = haloReuse
    }

    /// Instances whose accesses are paid for: a cluster of `clusterSize` instances shares one
    /// access, and utilized instances are assumed spread over all clusters (Timeloop's rule).
    func clusters(_ utilized: Int, _ level: StorageLevel) -> Int {
        level.clusterSize <= 1 ? utilized : min(utilized, level.instances / level.clusterSize)
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
        let (records, cycles) = referenceRecords(mapping, nest: nest, geometry: geometry)
        return finish(mapping, records: records, computeCycles: cycles, geometry: geometry)
    }

    /// Evaluates one mapping with the closed form of the nest walk (``AnalyticalModel``); the
    /// result is identical to ``evaluateByNestWalk(_:)``, in time linear in the number of loops.
    /// The mapping must cover every dimension exactly (see ``Mapping/problems(on:for:)``).
    public func evaluate(_ mapping: Mapping) -> Evaluation {
        let geometry = ProblemGeometry(problem)
        let nest = FlatNest(mapping: mapping, dimensionCount: geometry.dimensionCount)
        let fanouts = (0..<hardware.storage.count).map { hardware.fanout(of: $0) }.map { (x: $0.x, y: $0.y) }
        let (records, cycles) = AnalyticalModel(geometry: geometry, residualRule: residualRule, physicalFanout: fanouts)
            .records(for: mapping, nest: nest)
        return finish(mapping, records: records, computeCycles: cycles, geometry: geometry)
    }

    func referenceRecords(_ mapping: Mapping, nest: FlatNest, geometry: ProblemGeometry) -> ([[TileCollapse.LevelRecord]], Int) {
        let fanouts = (0..<hardware.storage.count).map { hardware.fanout(of: $0) }
        let analysis = NestAnalysis(nest: nest, geometry: geometry, physicalFanout: fanouts.map { (x: $0.x, y: $0.y) },
                                    residualRule: residualRule)
        let loops = analysis.run()
        let records = TileCollapse.records(nest: nest, loops: loops, dataSpaceCount: geometry.dataSpaceCount, levelCount: hardware.storage.count)
        return (records, analysis.computeCycles)
    }

    /// Reads, fills and updates from the records, then energy, cycles and utilization.
    func finish(_ mapping: Mapping, records: [[TileCollapse.LevelRecord]], computeCycles: Int, geometry: ProblemGeometry) -> Evaluation {
        let counts = TileCollapse.collapse(records: records, keeps: mapping.levels.map(\.keeps), geometry: geometry)
        let computes = problem.macs
        let utilizedMACs = mapping.levels.reduce(1) { $0 * $1.fanoutX * $1.fanoutY }

        var levels: [LevelEvaluation] = []
        var cycles = computeCycles
        for (index, level) in hardware.storage.enumerated() {
            var spaces: [DataSpaceEvaluation?] = []
            var readWords = 0.0, writeWords = 0.0
            for pv in 0..<geometry.dataSpaceCount {
                let c = counts[pv][index]
                guard c.kept else { spaces.append(nil); continue }
                let block = Double(level.blockSize)
                func blocks(_ words: Double) -> Double { (words / block).rounded(.up) }
                let perInstance = blocks(c.reads) * level.readEnergyPJ + blocks(c.fills) * level.writeEnergyPJ
                    + blocks(c.updates) * level.updateEnergyPJ
                readWords += c.reads
                writeWords += c.fills + c.updates
                spaces.append(DataSpaceEvaluation(utilizedCapacity: c.size, utilizedInstances: c.instances, reads: Int(c.reads),
                                                  fills: Int(c.fills), updates: Int(c.updates),
                                                  temporalReductions: Int(c.temporalReductions),
                                                  energyPJ: perInstance * Double(clusters(c.instances, level))))
            }
            var levelCycles = computeCycles
            if let bandwidth = level.readBandwidth, bandwidth > 0 { levelCycles = max(levelCycles, Int((readWords / bandwidth).rounded(.up))) }
            if let bandwidth = level.writeBandwidth, bandwidth > 0 { levelCycles = max(levelCycles, Int((writeWords / bandwidth).rounded(.up))) }
            cycles = max(cycles, levelCycles)
            levels.append(LevelEvaluation(name: level.name, instances: level.instances, cycles: levelCycles, leakageEnergyPJ: 0,
                                          isDummy: level.technology == .none, dataSpaces: spaces))
        }
        for index in levels.indices {
            let utilized = levels[index].dataSpaces.compactMap { $0?.utilizedInstances }.max() ?? 0
            levels[index].leakageEnergyPJ = hardware.storage[index].leakagePJPerCycle * Double(cycles) * Double(utilized)
        }
        return Evaluation(computes: computes, cycles: cycles,
                          utilization: Double(computes) / (Double(hardware.compute.instances) * Double(cycles)),
                          utilizedComputeInstances: utilizedMACs,
                          computeEnergyPJ: Double(computes) * hardware.compute.energyPerMACPJ, levels: levels)
    }
}
