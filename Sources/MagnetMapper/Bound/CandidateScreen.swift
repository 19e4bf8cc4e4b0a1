import MagnetDesigner
import MagnetWorkload

/// Screens complete candidates eight at a time, before the exact evaluation decides between them
/// (docs/mapper.md, "Screening"): in structure-of-arrays SIMD lanes, one candidate per lane,
/// whether each fits the hardware (the ``Evaluator``'s own test: spatial factors within the
/// fan-outs, kept tiles within the capacities) and a lower bound on its energy and cycles.
///
/// The bound is the part of ``MappingBound``'s accounting for a whole candidate that needs no
/// data-dependent branch, so that every lane runs the same instructions (it mirrors
/// `countAccesses` and `energyAndCycles` there, and ``BoundAudit`` holds both to the model): MAC
/// energy; per storage level and data space, reads, fills and updates from the whole-tile delta
/// sums over the coordinates that do not slide (a convolution's weights and outputs, and its
/// inputs' channel and batch coordinates), multiplied through the multicast classes over those
/// coordinates (products of spatial factors); leakage, clock and bandwidth over the bounded
/// counts. What depends on a sliding coordinate (a window's halo, link transfers) counts for
/// nothing, which keeps it a lower bound. Lanes hold `Float`: tile sizes are exact integers
/// below 2²⁴ (capacities above that are not screened), and the bound is lowered by
/// ``floatMargin`` for the rounding of larger counts. Halo rules change only sliding counts, so
/// one screen holds for both.
///
/// Prepared once per map space, with working memory of its own: give each thread
/// its own screen (`init`); copies share the memory.
struct CandidateScreen {
    /// Eight candidates, one per lane.
    typealias Lanes = SIMD8<Float>
    /// Candidates per batch.
    static let width = Lanes.scalarCount
    /// The share the bound is lowered by for `Float` rounding (about 100 operations of relative
    /// error 6e-8 each lie far below it).
    static let floatMargin = 1e-4

    /// A data space the bound counts: one whose coordinates that do not slide are each spread by
    /// one dimension at most (a convolution's weights and outputs; its inputs through their channel
    /// and batch coordinates).
    struct CountedSpace {
        let space: Int
        /// The dimensions of its coordinates that do not slide: a loop over one moves the whole
        /// tile, and the children of a spatial split over them hold distinct data.
        let wholeTileDimensions: [Int]
        /// Whether another coordinate slides (a window's `P + R`): then a step may move the tile by
        /// part of it, and mesh neighbours may pass words on (link transfers).
        let sliding: Bool
        /// Whether every coordinate is one dimension of its own (the partition is then exact).
        let plain: Bool
        let readWrite: Bool
        /// The outermost level that keeps it.
        let outermostKept: Int
    }

    let levelCount: Int
    let dimensionCount: Int
    let spaceCount: Int
    let shape: ProjectionShape
    /// The keep choices the screen is prepared for; a candidate with others is let through.
    let keepMasks: [Int]
    let counted: [CountedSpace]
    let levelTables: [LevelTable]
    /// Per level, its capacity in words where the lanes can test it exactly (`nil`: unbounded
    /// or beyond 2²⁴).
    let capacity: [Float?]
    /// Whether every bounded capacity is in ``capacity``.
    let capacitiesExact: Bool
    let meshX: [Float]
    let meshY: [Float]
    let macEnergyPJ: Float
    /// Clock and logic leakage, paid every cycle.
    let perCycleEnergyPJ: Float

    // Working memory, `level * dimensionCount + dimension` unless said.
    let memory: ScratchMemory
    /// What the candidates are packed into: their temporal, X and Y factors and loop positions,
    /// each `levelCount * dimensionCount` vectors, in that order (views below).
    let inputs: UnsafeMutableBufferPointer<Lanes>
    let temporal: UnsafeMutableBufferPointer<Lanes>
    let spatialX: UnsafeMutableBufferPointer<Lanes>
    let spatialY: UnsafeMutableBufferPointer<Lanes>
    /// Each loop's place in its level's order (0: innermost).
    let position: UnsafeMutableBufferPointer<Lanes>
    let spatial: UnsafeMutableBufferPointer<Lanes>
    let extent: UnsafeMutableBufferPointer<Lanes>
    /// Per level.
    let fanUsed: UnsafeMutableBufferPointer<Lanes>
    let replication: UnsafeMutableBufferPointer<Lanes>
    let readWords: UnsafeMutableBufferPointer<Lanes>
    let writeWords: UnsafeMutableBufferPointer<Lanes>
    /// `level * spaceCount + space`: words of each data space's tile.
    let tileWords: UnsafeMutableBufferPointer<Lanes>
    let classes: UnsafeMutableBufferPointer<Lanes>
    /// Per level `l` (and `levelCount`): Π of the temporal loops at levels `l...` at or outside
    /// the innermost one over a relevant dimension.
    let chain: UnsafeMutableBufferPointer<Lanes>

    /// A factor that can differ between candidates of the space, and the lanes it goes to.
    struct PackedFactor {
        /// Its index in ``Candidate/factors``.
        let factor: Int
        /// Where its lane 0 is in ``inputs`` taken as floats (lane `k` follows at `float + k`).
        let float: Int
    }
    /// Every factor of the space that may be above 1 (the others stay 1 in every lane).
    let packed: [PackedFactor]
    /// Per level, a bit per dimension whose temporal factor there, or whose X or Y factor, may be
    /// above 1; and a bit per dimension of the problem above 1.
    let temporalDimensions: UnsafeMutableBufferPointer<Int>
    let spatialDimensions: UnsafeMutableBufferPointer<Int>
    let activeDimensions: Int
    /// Levels with a temporal factor that may be above 1: their orders are packed.
    let orderedLevels: [Int]

    /// Candidates in the current batch.
    private(set) var count = 0
    /// Per lane: whether its candidate has the keep choices the screen is prepared for.
    private var screened = SIMDMask<SIMD8<Int32>>(repeating: false)
    /// Per lane, after ``run()``: whether the candidate fits, and the bounds.
    var fits = SIMDMask<SIMD8<Int32>>(repeating: true)
    var energyPJ = Lanes(repeating: 0)
    var cycles = Lanes(repeating: 0)

    /// A screen for the candidates of `space`.
    init(space: MapSpace) {
        let hardware = space.hardware, problem = space.problem
        levelCount = hardware.storage.count
        dimensionCount = problem.dimensions.count
        spaceCount = problem.dataSpaces.count
        let shape = ProjectionShape(problem), keepMasks = Candidate.masks(space.keeps)
        let levels = levelCount, dimensions = dimensionCount
        self.shape = shape
        self.keepMasks = keepMasks
        var counted: [CountedSpace] = []
        for s in 0..<spaceCount {
            guard let outermost = (0..<levels).last(where: { keepMasks[$0] & (1 << s) != 0 }) else { continue }
            // Each coordinate that does not slide has one dimension of the problem (above 1) or none,
            // a different one for each.
            var wholeTile: [Int] = [], single = true
            for rank in shape.ranks(s) where !shape.rankSlides[rank] {
                let spread = shape.terms(rank).map(\.dimension).filter { problem.bounds[$0] > 1 }
                if spread.count > 1 || spread.contains(where: wholeTile.contains) { single = false }
                wholeTile += spread
            }
            guard single else { continue }
            counted.append(CountedSpace(space: s, wholeTileDimensions: wholeTile, sliding: shape.isSliding[s],
                                        plain: shape.isPlain(s), readWrite: problem.dataSpaces[s].isReadWrite,
                                        outermostKept: outermost))
        }
        self.counted = counted
        levelTables = hardware.storage.map(LevelTable.init)
        capacity = hardware.storage.map { level in
            level.capacityWords.flatMap { $0 < 1 << 24 ? Float($0) : nil }
        }
        capacitiesExact = hardware.storage.allSatisfy { ($0.capacityWords ?? 0) < 1 << 24 }
        meshX = (0..<levels).map { Float(hardware.fanout(of: $0).x) }
        meshY = (0..<levels).map { Float(hardware.fanout(of: $0).y) }
        macEnergyPJ = Float(Double(problem.macs) * hardware.compute.energyPerMACPJ)
        perCycleEnergyPJ = Float(hardware.clockPJPerCycle + hardware.logicLeakagePJPerCycle)
        let memory = ScratchMemory()
        self.memory = memory
        let perLevel = levelCount * dimensionCount, one = Lanes(repeating: 1)
        let inputs = memory.buffer(4 * perLevel, one)
        self.inputs = inputs
        temporal = UnsafeMutableBufferPointer(rebasing: inputs[0..<perLevel])
        spatialX = UnsafeMutableBufferPointer(rebasing: inputs[perLevel..<(2 * perLevel)])
        spatialY = UnsafeMutableBufferPointer(rebasing: inputs[(2 * perLevel)..<(3 * perLevel)])
        position = UnsafeMutableBufferPointer(rebasing: inputs[(3 * perLevel)..<(4 * perLevel)])
        spatial = memory.buffer(perLevel, one)
        extent = memory.buffer(perLevel, one)
        fanUsed = memory.buffer(levelCount, one)
        replication = memory.buffer(levelCount, one)
        readWords = memory.buffer(levelCount, one)
        writeWords = memory.buffer(levelCount, one)
        tileWords = memory.buffer(levelCount * spaceCount, one)
        classes = memory.buffer(levelCount, one)
        chain = memory.buffer(levelCount + 1, one)
        var packed: [PackedFactor] = []
        var orderedLevels: [Int] = []
        for level in 0..<levels {
            for slot in 0..<3 {
                for d in 0..<dimensions where problem.bounds[d] > 1
                    && (space.allowed[level][slot][d] || (space.fixed[level][slot][d] ?? 1) > 1) {
                    packed.append(PackedFactor(factor: (level * 3 + slot) * dimensions + d,
                                               float: (slot * perLevel + level * dimensions + d) * Self.width))
                    if slot == 0 && orderedLevels.last != level { orderedLevels.append(level) }
                }
            }
        }
        self.packed = packed
        var temporalMasks = Array(repeating: 0, count: levels), spatialMasks = temporalMasks
        for entry in packed {
            let level = entry.factor / (3 * dimensions), slot = entry.factor / dimensions % 3
            let bit = 1 << (entry.factor % dimensions)
            if slot == 0 { temporalMasks[level] |= bit } else { spatialMasks[level] |= bit }
        }
        temporalDimensions = memory.buffer(temporalMasks, orEmpty: 0)
        spatialDimensions = memory.buffer(spatialMasks, orEmpty: 0)
        activeDimensions = (0..<dimensions).reduce(0) { problem.bounds[$1] > 1 ? $0 | 1 << $1 : $0 }
        self.orderedLevels = orderedLevels
    }

    /// Whether the batch has no free lane.
    var isFull: Bool { count == Self.width }

    /// Empties the batch.
    mutating func clear() {
        count = 0
        screened = SIMDMask(repeating: false)
    }

    /// Puts `candidate` into the next free lane (the batch must not be full); its lane.
    @discardableResult
    mutating func add(_ candidate: Candidate) -> Int {
        let lane = count
        count += 1
        let dimensions = dimensionCount, width = Self.width, positions = 3 * levelCount * dimensions
        let packed = self.packed, orderedLevels = self.orderedLevels
        inputs.withMemoryRebound(to: Float.self) { floats in
            candidate.factors.withUnsafeBufferPointer { factors in
                for entry in packed { floats[entry.float &+ lane] = Float(factors[entry.factor]) }
            }
            candidate.orders.withUnsafeBufferPointer { orders in
                for level in orderedLevels {
                    let first = level &* dimensions
                    for place in 0..<dimensions {
                        floats[(positions &+ first &+ orders[first &+ place]) &* width &+ lane] = Float(place)
                    }
                }
            }
        }
        screened[lane] = candidate.keepMasks == keepMasks
        return lane
    }

    /// Per lane, what orders the batch's candidates from the most promising (after ``run()``):
    /// the bound on energy × cycles; 0 for a lane not screened.
    var orderingKeys: Lanes { (energyPJ * cycles).replacing(with: 0, where: .!screened) }

    /// Whether the candidate in `lane` surely does not fit, or surely scores no better than
    /// `current` under `objective` (after ``run()``).
    func rejects(_ lane: Int, against current: Evaluator.Summary, objective: Objective,
                 energyWeight: Double) -> Bool {
        guard screened[lane] else { return false }
        if !fits[lane] { return true }
        let energy = Double(energyPJ[lane]) * (1 - Self.floatMargin)
        let cycles = Double(self.cycles[lane]) * (1 - Self.floatMargin)
        let currentCycles = Double(current.cycles)
        switch objective {
        case .edp: return energy * cycles >= current.energyDelayProduct
        case .energy: return energy > current.energyPJ
        case .cycles: return cycles > currentCycles
        case .mix:
            return objective.score(energyPJ: energy, cycles: cycles, energyWeight: energyWeight)
                >= objective.score(energyPJ: current.energyPJ, cycles: currentCycles, energyWeight: energyWeight)
        }
    }

    /// The lower bounds of the candidate in `lane` (after ``run()``; `nil` when it is not screened).
    func bound(_ lane: Int) -> MappingBound.Value? {
        guard screened[lane] else { return nil }
        return MappingBound.Value(energyPJ: Double(energyPJ[lane]) * (1 - Self.floatMargin),
                                  cycles: Double(cycles[lane]) * (1 - Self.floatMargin))
    }

    /// Whether the candidate in `lane` fits (after ``run()``; `nil` when it is not screened, or
    /// fits as far as the lanes can tell but a capacity is beyond their exact range).
    func fitsHardware(_ lane: Int) -> Bool? {
        guard screened[lane] else { return nil }
        if !fits[lane] { return false }
        return capacitiesExact ? true : nil
    }
}
