import MagnetDesigner
import MagnetWorkload

/// A reusable, allocation-free evaluator of the closed-form cost model for one hardware and
/// one layer: everything that depends only on them is prepared once, and every evaluation works
/// in fixed scratch buffers. Results equal ``CostModel/evaluate(_:)`` field for field.
///
/// A value type whose methods mutate its scratch buffers: give each thread its own copy.
public struct Evaluator {
    /// The figures a search ranks mappings by.
    public struct Summary: Equatable, Sendable {
        /// Total energy, leakage included (pJ).
        public var energyPJ: Double
        /// Cycles, bandwidth included.
        public var cycles: Int
        /// `computes / (MAC instances × cycles)`.
        public var utilization: Double
        /// Energy × cycles (pJ·cycles).
        public var energyDelayProduct: Double { energyPJ * Double(cycles) }
    }

    let model: CostModel
    let rule: HyperRectangle.ResidualRule
    let levelCount: Int
    let dimensionCount: Int
    let spaceCount: Int
    // Projections, flattened: for data space s, ranks rankStart[s]..<rankStart[s+1]; for rank q,
    // terms termStart[q]..<termStart[q+1] with termDimension/termCoefficient.
    let rankStart: [Int]
    let termStart: [Int]
    let termDimension: [Int]
    let termCoefficient: [Int]
    let readWrite: [Bool]
    let meshX: [Int]
    let meshY: [Int]
    /// Per level, its capacity in words (−1: unbounded).
    let capacityWords: [Int]

    /// Working memory (see ``EvaluatorScratch``); copied once per evaluation when shared.
    var scratch: EvaluatorScratch
    // The buffers of `scratch`, under the names the equations use (set by `adopt`).
    var loopDimension: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var loopBound: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var loopScale: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var loopSpatial: UnsafeMutableBufferPointer<Bool> = .init(start: nil, count: 0)
    var levelFirst: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var levelBoundary: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var levelMaster: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var levelFanout: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// Per level, a bit per data space it keeps.
    var levelKeeps: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var spatialOutside: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// `levelCount × dimensionCount`: extents at each level's outermost loop.
    var boundaryExtent: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// Extents at each level's outermost spatial loop.
    var masterExtent: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var running: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var recordSize: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// −1 when the level does not fan out.
    var recordUnion: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var recordContent: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var recordWeighted: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var recordLink: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    /// Per temporal loop with ≥ 2 iterations: its step along every rank.
    var steps: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var stepBound: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var stepLoop: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var moves: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var moveBound: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var extent: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var shift: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var memoCount: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var memoKey: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var memoEnd: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// Three sums per memo slot.
    var memoSums: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var rankMoved: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var codes: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var radix: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var span: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var unservedCodes: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var linkShift: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var linkServed: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var linkClasses: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var linkUnserved: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var countSize: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var countInstances: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var countReads: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var countFills: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var countUpdates: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var countKept: UnsafeMutableBufferPointer<Bool> = .init(start: nil, count: 0)
    var tileSize: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var tileContent: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var tileWeighted: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var tileLink: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var tileReplication: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var tileFanout: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var tilePartition: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var tileDenominator: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var tileShare: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var tilePeer: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    /// The distinct counter's open-addressing table: keys, and the generation that wrote each slot.
    var hashKeys: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var hashStamps: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)

    // Lengths and flags of the current evaluation (the buffers live in `scratch`).
    var loopCount = 0
    var computeCycles = 0
    var utilizedMACs = 1
    var stepCount = 0
    var moveCount = 0
    var ranks = 0
    var full = 0
    static let memoSlots = 64
    var hasSpatial = false
    var meshWidth = 1
    var meshHeight = 1
    var spatialSpace = 0
    var spatialLevel = 0
    var codesReady = false
    var childCount = 0
    var classes = 0
    var linkCount = 0
    var hashGeneration = 0

    /// Prepares an evaluator for `model`'s hardware and layer.
    public init(_ model: CostModel) {
        self.model = model
        rule = model.residualRule
        let problem = model.problem
        levelCount = model.hardware.storage.count
        dimensionCount = problem.dimensions.count
        spaceCount = problem.dataSpaces.count
        var rankStart = [0], termStart = [0], termDimension: [Int] = [], termCoefficient: [Int] = []
        for space in problem.dataSpaces {
            for terms in space.projection {
                for term in terms {
                    termDimension.append(term.dimension)
                    termCoefficient.append(term.coefficient)
                }
                termStart.append(termDimension.count)
            }
            rankStart.append(termStart.count - 1)
        }
        self.rankStart = rankStart
        self.termStart = termStart
        self.termDimension = termDimension
        self.termCoefficient = termCoefficient
        readWrite = problem.dataSpaces.map(\.isReadWrite)
        let fanouts = (0..<levelCount).map { model.hardware.fanout(of: $0) }
        meshX = fanouts.map(\.x)
        meshY = fanouts.map(\.y)
        capacityWords = model.hardware.storage.map { $0.capacityWords ?? -1 }
        let maxRanks = (0..<spaceCount).map { rankStart[$0 + 1] - rankStart[$0] }.max() ?? 1
        let maxChildren = max(1, fanouts.map { $0.x * $0.y }.max() ?? 1)
        let scratch = EvaluatorScratch(.init(levels: levelCount, dimensions: dimensionCount, spaces: spaceCount, maxRanks: maxRanks,
                                             maxChildren: maxChildren, loops: levelCount * (3 * dimensionCount + 1)))
        self.scratch = scratch
        adopt(scratch)
    }

    /// Gives this evaluator its own scratch when a copy shares it, and room for `loops` loops.
    mutating func prepareScratch(loops: Int) {
        var layout = scratch.layout
        if loops > layout.loops {
            layout.loops = max(loops, 2 * layout.loops)
        } else if isKnownUniquelyReferenced(&scratch) {
            return
        }
        adopt(EvaluatorScratch(layout))
        hashGeneration = 0
    }

    /// Energy, cycles and utilization of a valid mapping.
    public mutating func summary(_ mapping: Mapping) -> Summary {
        run(mapping)
        return accountedSummary()
    }

    /// The energy, cycles and utilization of a candidate if it fits the hardware (as
    /// ``fits(_:)-(Mapping)`` and ``summary(_:)`` give them for its ``Candidate/mapping()``), else
    /// `nil`; the nest is flattened once for both.
    mutating func summaryIfFits(_ candidate: Candidate) -> Summary? {
        guard fits(nest: candidate) else { return nil }
        runFlattened()
        return accountedSummary()
    }

    /// Energy, cycles and utilization from the count buffers of the nest run last.
    /// `mutating` only so that a call passes the evaluator by reference: as a non-mutating
    /// method, each call first copied the whole evaluator (1,280 bytes) to the stack.
    private mutating func accountedSummary() -> Summary {
        let hardware = model.hardware
        var energy = Double(model.problem.macs) * hardware.compute.energyPerMACPJ + model.postProcessingEnergyPJ
        var cycles = computeCycles
        for level in 0..<levelCount {
            let storage = hardware.storage[level]
            var readWords = 0.0, writeWords = 0.0
            for space in 0..<spaceCount {
                let i = space * levelCount + level
                guard countKept[i] else { continue }
                energy += dataSpaceEnergy(i, storage)
                readWords += countReads[i]
                writeWords += countFills[i] + countUpdates[i]
            }
            cycles = max(cycles, levelCycles(storage, readWords: readWords, writeWords: writeWords))
        }
        for level in 0..<levelCount {
            var utilized = 0
            for space in 0..<spaceCount where countKept[space * levelCount + level] {
                utilized = max(utilized, countInstances[space * levelCount + level])
            }
            energy += hardware.storage[level].leakagePJPerCycle * Double(cycles) * Double(utilized)
        }
        energy += (hardware.clockPJPerCycle + hardware.logicLeakagePJPerCycle) * Double(cycles)
        return Summary(energyPJ: energy, cycles: cycles,
                       utilization: Double(model.problem.macs) / (Double(hardware.compute.instances) * Double(cycles)))
    }

    /// The full evaluation of a valid mapping (allocates the result).
    public mutating func evaluate(_ mapping: Mapping) -> Evaluation {
        run(mapping)
        return evaluation()
    }

    /// The full evaluation from records made elsewhere (the nest walk), with the same collapse,
    /// energy and cycle accounting.
    mutating func evaluate(_ mapping: Mapping, records: [[TileCollapse.LevelRecord]], computeCycles cycles: Int) -> Evaluation {
        flatten(mapping)
        computeCycles = cycles
        for space in 0..<spaceCount {
            for level in 0..<levelCount {
                let record = records[space][level], i = space * levelCount + level
                recordSize[i] = record.size
                recordContent[i] = record.contentAccesses
                recordWeighted[i] = record.weightedAccesses
                recordLink[i] = record.linkTransfers
                recordUnion[i] = record.unionSize ?? -1
                spatialOutside[level] = record.replication
                levelFanout[level] = record.fanout
            }
            collapse(space)
        }
        return evaluation()
    }

    private func evaluation() -> Evaluation {
        let hardware = model.hardware
        var levels: [LevelEvaluation] = []
        var cycles = computeCycles
        for level in 0..<levelCount {
            let storage = hardware.storage[level]
            var spaces: [DataSpaceEvaluation?] = []
            var readWords = 0.0, writeWords = 0.0
            for space in 0..<spaceCount {
                let i = space * levelCount + level
                guard countKept[i] else { spaces.append(nil); continue }
                readWords += countReads[i]
                writeWords += countFills[i] + countUpdates[i]
                spaces.append(DataSpaceEvaluation(
                    utilizedCapacity: countSize[i], utilizedInstances: countInstances[i], reads: Int(countReads[i]),
                    fills: Int(countFills[i]), updates: Int(countUpdates[i]),
                    temporalReductions: readWrite[space] ? Int(countReads[i]) : 0, energyPJ: dataSpaceEnergy(i, storage)))
            }
            let cyclesHere = levelCycles(storage, readWords: readWords, writeWords: writeWords)
            cycles = max(cycles, cyclesHere)
            levels.append(LevelEvaluation(name: storage.name, instances: storage.instances, cycles: cyclesHere, leakageEnergyPJ: 0,
                                          isDummy: storage.technology == .none, dataSpaces: spaces))
        }
        for index in levels.indices {
            let utilized = levels[index].dataSpaces.compactMap { $0?.utilizedInstances }.max() ?? 0
            levels[index].leakageEnergyPJ = hardware.storage[index].leakagePJPerCycle * Double(cycles) * Double(utilized)
        }
        return Evaluation(computes: model.problem.macs, cycles: cycles,
                          utilization: Double(model.problem.macs) / (Double(hardware.compute.instances) * Double(cycles)),
                          utilizedComputeInstances: utilizedMACs,
                          computeEnergyPJ: Double(model.problem.macs) * hardware.compute.energyPerMACPJ, levels: levels,
                          clockEnergyPJ: hardware.clockPJPerCycle * Double(cycles),
                          logicLeakageEnergyPJ: hardware.logicLeakagePJPerCycle * Double(cycles),
                          postProcessingEnergyPJ: model.postProcessingEnergyPJ)
    }

    @inline(__always)
    func dataSpaceEnergy(_ i: Int, _ storage: StorageLevel) -> Double {
        let block = Double(storage.blockSize)
        let perInstance = (countReads[i] / block).rounded(.up) * storage.readEnergyPJ
            + (countFills[i] / block).rounded(.up) * storage.writeEnergyPJ
            + (countUpdates[i] / block).rounded(.up) * storage.updateEnergyPJ
        // A cluster of instances shares one access; utilized instances are taken as spread over
        // all clusters (Timeloop's rule).
        let paid = storage.clusterSize <= 1 ? countInstances[i] : min(countInstances[i], storage.instances / storage.clusterSize)
        return perInstance * Double(paid)
    }

    @inline(__always)
    func levelCycles(_ storage: StorageLevel, readWords: Double, writeWords: Double) -> Int {
        var cycles = computeCycles
        if let bandwidth = storage.readBandwidth, bandwidth > 0 { cycles = max(cycles, Int((readWords / bandwidth).rounded(.up))) }
        if let bandwidth = storage.writeBandwidth, bandwidth > 0 { cycles = max(cycles, Int((writeWords / bandwidth).rounded(.up))) }
        return cycles
    }
}

extension Evaluator {
    /// Distinct values among `values[0..<count]`, without allocating: open addressing in the
    /// scratch hash table, whose slots are marked with a generation stamp instead of cleared.
    mutating func distinctCount(_ values: UnsafeMutableBufferPointer<Int>, _ count: Int) -> Int {
        hashGeneration += 1
        let keys = hashKeys, stamps = hashStamps
        let mask = keys.count - 1
        var distinct = 0
        for i in 0..<count {
            let value = values[i]
            var slot = (value &* -7_046_029_254_386_353_131) >> 7 & mask
            while stamps[slot] == hashGeneration && keys[slot] != value { slot = (slot + 1) & mask }
            if stamps[slot] != hashGeneration {
                stamps[slot] = hashGeneration
                keys[slot] = value
                distinct += 1
            }
        }
        return distinct
    }
}
