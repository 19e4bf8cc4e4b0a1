import MagnetDesigner
import MagnetWorkload

/// What a branch-and-bound search has decided of a candidate so far.
///
/// Spatial factors and keep choices are always decided. Temporal factors are decided for the
/// innermost levels `0...temporalThrough` and for the outermost levels `decidedFrom...` (which fix
/// the tiles of the levels below them); the levels between are undecided, and only the product of
/// their factors per dimension is known. Loop orders are decided from the outermost level inward;
/// the innermost loop of a level may be decided with its factors.
struct Decisions: Equatable {
    /// Levels `0...temporalThrough` have their final temporal factors (`levelCount − 1`: all).
    var temporalThrough: Int
    /// Levels `ordersFrom..<levelCount` have their final loop order; `levelCount`: none.
    var ordersFrom: Int
    /// The innermost `orderedLoops` loops (factors above 1) of level `ordersFrom − 1` are decided, in
    /// that level's order; the rest of its loops are not.
    var orderedLoops = 0
    /// Levels `0...innermostThrough` (and the outer levels from `decidedFrom`) have their innermost
    /// loop (factor above 1) decided, first in their order.
    var innermostThrough = -1
    /// Levels `decidedFrom...` have their temporal factors and innermost loop decided too
    /// (`Int.max`: none of them).
    var decidedFrom = Int.max

    /// Whether `level`'s temporal factors are decided.
    func decides(_ level: Int) -> Bool { level <= temporalThrough || level >= decidedFrom }

    /// How many of `level`'s innermost loops are decided (`Int.max`: all).
    func orderedCount(_ level: Int) -> Int {
        if level >= ordersFrom { return .max }
        let partial = level == ordersFrom - 1 ? orderedLoops : 0
        let first = level <= innermostThrough || level >= decidedFrom ? 1 : 0
        return max(partial, first)
    }
}

/// An admissible lower bound on the cost model's energy and cycles over every candidate that
/// completes a partly decided one (docs/mapper.md, "Bounds"): never above what ``Evaluator``
/// returns for any completion, whatever the loop orders, the halo rule or link transfers.
///
/// The bound mirrors the model's own accounting (docs/cost-model.md): MAC energy exactly; per
/// storage level and data space, reads, fills and updates from lower bounds on the words each
/// child tile receives (the *delta sums*), multiplied through the multicast classes of the
/// levels between; leakage and bandwidth-limited cycles from those counts. Where orders are not
/// decided, a delta sum is bounded by the orders that favour its data space, except that the
/// innermost loop of the undecided levels, whichever it is, ends the reuse of every data space it
/// indexes: the bound is the least over the choices of that loop.
///
/// Prepared once per hardware and layer, with fixed working memory that copies share: give each
/// thread its own (`init`).
struct MappingBound {
    /// The lower bounds.
    struct Value: Equatable {
        /// Energy (pJ), leakage included.
        var energyPJ: Double
        /// Cycles, bandwidth included.
        var cycles: Double

        /// The bound on an objective's score (``Objective/score(energyPJ:cycles:energyWeight:)``).
        func score(_ objective: Objective, energyWeight: Double) -> Double {
            objective.score(energyPJ: energyPJ, cycles: cycles, energyWeight: energyWeight)
        }
    }

    let hardware: Hardware
    let problem: Problem
    let levelCount: Int
    let dimensionCount: Int
    let spaceCount: Int
    let allDimensions: Int
    let shape: ProjectionShape
    let macEnergyPJ: Double

    // Read-only tables (shared by copies).
    let tables: ScratchMemory
    let readWrite: UnsafeMutableBufferPointer<Bool>
    /// Per level, the numbers the energy and cycle accounting needs (no strings, no sets).
    let levelTables: UnsafeMutableBufferPointer<LevelTable>
    /// Per level, its capacity in words (−1: unbounded).
    let capacity: UnsafeMutableBufferPointer<Int>
    /// Per level, dimensions that must be the innermost loops, in order (`innermostOrderStart[l]..<
    /// innermostOrderStart[l + 1]` of `innermostOrderDims`), and a bit per dimension of those that
    /// must stay inside the others, or are among the required innermost ones.
    let innermostOrderStart: UnsafeMutableBufferPointer<Int>
    let innermostOrderDims: UnsafeMutableBufferPointer<Int>
    let innermostSet: UnsafeMutableBufferPointer<Int>
    let innermostRequired: UnsafeMutableBufferPointer<Int>
    /// Per level, a bit per dimension that may take a temporal factor there, and whether some
    /// temporal factor there is fixed by the space.
    let temporalAllowed: UnsafeMutableBufferPointer<Int>
    let temporalFixed: UnsafeMutableBufferPointer<Bool>
    /// `level * dimensionCount + dimension`: the space's bound on a temporal factor (`Int.max`: none).
    let temporalMaximum: UnsafeMutableBufferPointer<Int>

    // Working memory, `level * dimensionCount + dimension` unless said. Copies share it; every call
    // recomputes what it reads but the multicast classes, which are cached in it with the spatial
    // factors they hold for. Give each thread its own bound (`init`).
    var memory: ScratchMemory
    var spatial: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var temporal: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// Extents at each level's outermost loop: exact where the level's tile is decided, else the
    /// least they can be.
    var extent: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// Per dimension, the product of the undecided levels' factors.
    var remainder: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var fanUsed: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var replication: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// Per level, a bit per data space the level keeps.
    var keptMask: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// `level * spaceCount + space`.
    var tileWords: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var classes: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var classesNonSliding: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var linkable: UnsafeMutableBufferPointer<Bool> = .init(start: nil, count: 0)
    var delta: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var reads: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var fills: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var updates: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    var codes: Set<Int>
    /// The spatial factors the multicast classes were computed for (`prepareSpatial` runs again
    /// only when they change).
    var cachedSpatial: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// Whether the classes in memory hold for `cachedSpatial` whatever the decisions (one flag, in
    /// the shared memory with them).
    var spatialFlag: UnsafeMutableBufferPointer<Bool> = .init(start: nil, count: 0)
    var spatialReady: Bool {
        get { spatialFlag[0] }
        nonmutating set { spatialFlag[0] = newValue }
    }
    /// The decisions of the current call.
    var decided = Decisions(temporalThrough: -1, ordersFrom: 0)
    /// The dimension taken as the innermost loop of the undecided levels (−1: none chosen), one
    /// option of the least `bound` takes over all of them.
    var undecidedInnermost = -1
    // Blocks of loops (see `prepareBlocks`).
    var blockCount = 0
    var blockLevel: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var blockKind: UnsafeMutableBufferPointer<BlockKind> = .init(start: nil, count: 0)
    var blockStart: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var blockEnd: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var blockDims: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// Π of every loop of the blocks after each block.
    var blockOutside: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    /// Per level, the first block at or above it.
    var levelFirstBlock: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// Per rank (indexed as in ``ProjectionShape``): the walk's sums of steps inside, and whether
    /// loops on the rank may be inside without being in the sum.
    var rankSum: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var rankUncertain: UnsafeMutableBufferPointer<Bool> = .init(start: nil, count: 0)
    /// Per dimension with undecided factors: the lowest undecided level that can host one.
    var lowestHost: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    /// While bounding a child inside the undecided levels: dimensions whose undecided factors may
    /// be inside it (their factors are left out of the loops above it), and the child.
    var regionExcluded = 0
    var regionChild = -1
    /// Per (level, data space): whether its delta sum depends on the undecided levels' innermost
    /// loop (else it is computed once per call).
    var optionDependent: UnsafeMutableBufferPointer<Bool> = .init(start: nil, count: 0)
    /// Scratch of `innermostChoices` and of the walk.
    var hosts: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var hostsAbove: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)
    var savedSums: UnsafeMutableBufferPointer<Int> = .init(start: nil, count: 0)

    init(_ model: CostModel, innermostOrder: [[Int]]? = nil, innermostSet: [Set<Int>]? = nil, space: MapSpace? = nil) {
        hardware = model.hardware
        problem = model.problem
        levelCount = hardware.storage.count
        dimensionCount = problem.dimensions.count
        spaceCount = problem.dataSpaces.count
        allDimensions = (1 << dimensionCount) - 1
        shape = ProjectionShape(problem)
        macEnergyPJ = Double(problem.macs) * hardware.compute.energyPerMACPJ
        let levels = levelCount, dimensions = dimensionCount, perLevel = levels * dimensions
        let tables = ScratchMemory()
        self.tables = tables
        readWrite = tables.buffer(problem.dataSpaces.map(\.isReadWrite), orEmpty: false)
        levelTables = tables.buffer(hardware.storage.map(LevelTable.init), orEmpty: LevelTable.none)
        capacity = tables.buffer(hardware.storage.map { $0.capacityWords ?? -1 }, orEmpty: -1)
        let orders = innermostOrder ?? Array(repeating: [], count: levels)
        let sets = (innermostSet ?? Array(repeating: [], count: levels)).map { $0.reduce(0) { $0 | 1 << $1 } }
        var starts = [0]
        for order in orders { starts.append(starts.last! + order.count) }
        innermostOrderStart = tables.buffer(starts, orEmpty: 0)
        innermostOrderDims = tables.buffer(orders.flatMap { $0 }, orEmpty: 0)
        self.innermostSet = tables.buffer(sets, orEmpty: 0)
        innermostRequired = tables.buffer(zip(orders, sets).map { order, set in order.reduce(set) { $0 | 1 << $1 } },
                                          orEmpty: 0)
        temporalAllowed = tables.buffer((0..<levels).map { level in
            (0..<dimensions).reduce(0) { mask, d in
                space.map { $0.allowed[level][0][d] } ?? true ? mask | 1 << d : mask
            }
        }, orEmpty: 0)
        temporalFixed = tables.buffer((0..<levels).map { space?.fixed[$0][0].contains { ($0 ?? 1) > 1 } ?? false },
                                      orEmpty: false)
        temporalMaximum = tables.buffer((0..<perLevel).map {
            space?.maxFactor[$0 / dimensions][0][$0 % dimensions] ?? .max
        },
                                        orEmpty: .max)
        codes = Set(minimumCapacity: 64)
        memory = ScratchMemory()
        allocateWorkingMemory()
    }

    /// Takes fresh working memory.
    mutating func allocateWorkingMemory() {
        let memory = ScratchMemory()
        self.memory = memory
        let perLevel = levelCount * dimensionCount, records = levelCount * spaceCount, blocks = 3 * levelCount + 1
        spatial = memory.buffer(perLevel, 1)
        temporal = memory.buffer(perLevel, 1)
        extent = memory.buffer(perLevel, 1)
        remainder = memory.buffer(dimensionCount, 1)
        fanUsed = memory.buffer(levelCount, 1)
        replication = memory.buffer(levelCount, 1)
        keptMask = memory.buffer(levelCount, 0)
        tileWords = memory.buffer(records, 0.0)
        classes = memory.buffer(records, 1.0)
        classesNonSliding = memory.buffer(records, 1.0)
        linkable = memory.buffer(records, false)
        delta = memory.buffer(records, 0.0)
        reads = memory.buffer(records, 0.0)
        fills = memory.buffer(records, 0.0)
        updates = memory.buffer(records, 0.0)
        cachedSpatial = memory.buffer(levelCount * 2 * dimensionCount, 0)
        spatialFlag = memory.buffer(1, false)
        blockLevel = memory.buffer(blocks, 0)
        blockKind = memory.buffer(blocks, BlockKind.free)
        blockStart = memory.buffer(blocks, 0)
        blockEnd = memory.buffer(blocks, 0)
        blockDims = memory.buffer((levelCount + 1) * dimensionCount, 0)
        blockOutside = memory.buffer(blocks, 1.0)
        levelFirstBlock = memory.buffer(levelCount + 1, 0)
        rankSum = memory.buffer(shape.rankCount, 0)
        rankUncertain = memory.buffer(shape.rankCount, false)
        lowestHost = memory.buffer(dimensionCount, 0)
        optionDependent = memory.buffer(records, true)
        hosts = memory.buffer(levelCount + 1, 0)
        hostsAbove = memory.buffer(levelCount + 2, 0)
        savedSums = memory.buffer(shape.rankCount, 0)
    }

    /// The bound for the order constraints of `space` (its required innermost loops).
    init(space: MapSpace, haloReuse: CostModel.HaloReuse = .timeloopV3) {
        self.init(CostModel(hardware: space.hardware, problem: space.problem, haloReuse: haloReuse),
                  innermostOrder: space.innermostOrder, innermostSet: space.innermostSet, space: space)
    }

    // MARK: The bound

    /// The lower bound over every completion of `candidate` beyond `decided`.
    mutating func bound(_ candidate: Candidate, _ decided: Decisions) -> Value {
        self.decided = decided
        load(candidate)
        var computeCycles = 1
        for d in 0..<dimensionCount {
            var spread = 1
            for level in 0..<levelCount { spread *= spatial[level * dimensionCount + d] }
            computeCycles *= problem.bounds[d] / spread
        }
        if !spatialReady || spatialChanged(candidate) { prepareSpatial(candidate) }
        for level in 0..<levelCount {
            for space in 0..<spaceCount { tileWords[level * spaceCount + space] = Double(boxSize(space, level)) }
        }
        // Whatever loop is innermost among the undecided levels ends the reuse of every data space
        // it indexes: the bound is the least over the choices of that loop that can be.
        let choices = innermostChoices()
        guard choices.feasible else { return Value(energyPJ: .infinity, cycles: .infinity) }
        // Undecided levels below the lowest that can host a factor have none: decided (as 1).
        var lowest = Int.max
        for d in 0..<dimensionCount where remainder[d] > 1 { lowest = min(lowest, lowestHost[d]) }
        if lowest != .max && lowest - 1 > self.decided.temporalThrough { self.decided.temporalThrough = lowest - 1 }
        var result = Value(energyPJ: .infinity, cycles: .infinity)
        var options = 0
        for i in optionDependent.indices { optionDependent[i] = true }
        for d in 0..<dimensionCount where remainder[d] > 1 && choices.dimensions & (1 << d) != 0 {
            undecidedInnermost = d
            prepareBlocks(candidate)
            let value = account(candidate, computeCycles: computeCycles, first: options == 0)
            result = Value(energyPJ: min(result.energyPJ, value.energyPJ), cycles: min(result.cycles, value.cycles))
            options += 1
        }
        if options == 0 {
            undecidedInnermost = -1
            prepareBlocks(candidate)
            result = account(candidate, computeCycles: computeCycles, first: true)
        }
        undecidedInnermost = -1
        return result
    }

    /// Delta sums, counts, energy and cycles for the current option of the undecided levels.
    /// `first`: the first option of this call; later ones recompute only what depends on it.
    private mutating func account(_ candidate: Candidate, computeCycles: Int, first: Bool) -> Value {
        // The undecided blocks' first level: a child below it sees them above.
        let undecidedFrom = decided.temporalThrough + 1
        let undecidedTo = min(decided.decidedFrom, levelCount) - 1
        for space in 0..<spaceCount {
            for child in 0..<(levelCount - 1) {
                let i = child * spaceCount + space
                if !first && !optionDependent[i] { continue }
                if first {
                    optionDependent[i] = undecidedFrom <= undecidedTo && child < undecidedTo
                }
                if tileDecided(child) {
                    delta[i] = tileWords[i] * deltaMultiplier(space, from: child + 1, child: child, unit: false)
                    continue
                }
                // Inside the undecided levels: when the factors that may sit at or below the child are
                // all irrelevant to the data space, its tile of it is the least one, and the loops
                // above it are the undecided ones but those (left out) and the decided outer ones.
                var inside = 0
                for d in 0..<dimensionCount where remainder[d] > 1 && lowestHost[d] <= child { inside |= 1 << d }
                if inside & shape.relevant[space] == 0 {
                    regionExcluded = inside
                    regionChild = child
                    refreshOutside()
                    delta[i] = tileWords[i] * deltaMultiplier(space, from: child + 1, child: child, unit: false)
                    regionExcluded = 0
                    regionChild = -1
                    refreshOutside()
                } else {
                    delta[i] = compulsoryDelta(space, child: child)
                    optionDependent[i] = false
                }
            }
            countAccesses(space, computeCycles: computeCycles)
        }
        return energyAndCycles(computeCycles: computeCycles)
    }

    /// Whether `level`'s tile is decided: all levels inside it are, or all levels outside it are.
    func tileDecided(_ level: Int) -> Bool {
        level <= decided.temporalThrough || level >= levelCount - 1 || level >= decided.decidedFrom - 1
    }

    /// Spatial and temporal factors, extents, the undecided remainder per dimension, fan-outs,
    /// replication and keep masks.
    private mutating func load(_ candidate: Candidate) {
        let top = levelCount - 1
        for level in 0..<levelCount { keptMask[level] = candidate.keepMasks[level] }
        for d in 0..<dimensionCount {
            var running = 1
            var decidedProduct = 1
            for level in 0..<levelCount {
                let i = level * dimensionCount + d
                spatial[i] = candidate.factor(level, 1, d) * candidate.factor(level, 2, d)
                temporal[i] = decided.decides(level) ? candidate.factor(level, 0, d) : 1
                running *= spatial[i] * (level <= decided.temporalThrough ? temporal[i] : 1)
                decidedProduct *= spatial[i] * temporal[i]
                extent[i] = running
            }
            remainder[d] = problem.bounds[d] / decidedProduct
            // The outermost tile is the whole problem; below decided outer levels, what they leave.
            var outer = problem.bounds[d]
            var level = top
            while level >= 0 && (level == top || level >= decided.decidedFrom - 1) && level > decided.temporalThrough {
                extent[level * dimensionCount + d] = outer
                outer /= temporal[level * dimensionCount + d] * spatial[level * dimensionCount + d]
                level -= 1
            }
        }
        var outside = 1
        for level in stride(from: levelCount - 1, through: 0, by: -1) {
            var used = 1
            for d in 0..<dimensionCount { used *= spatial[level * dimensionCount + d] }
            fanUsed[level] = used
            replication[level] = outside
            outside *= used
        }
    }

    @inline(__always)
    func boxSize(_ space: Int, _ level: Int) -> Int {
        shape.boxSize(space, extent, base: level * dimensionCount)
    }

    /// The dimensions whose loop can be the innermost one of the undecided levels, and whether the
    /// undecided factors fit at all. The innermost loop is the first of the lowest undecided level
    /// with loops; every undecided factor goes at or above that level, to a level that allows it
    /// and whose tiles (and those above it, at their least) still fit with its smallest prime; a
    /// level whose required-inner loops must all be there puts one of them first.
    mutating func innermostChoices() -> (dimensions: Int, feasible: Bool) {
        let low = decided.temporalThrough + 1
        let high = min(decided.decidedFrom, levelCount) - 1
        var pending = 0
        for d in 0..<dimensionCount where remainder[d] > 1 { pending |= 1 << d }
        for d in 0..<dimensionCount { lowestHost[d] = low }
        guard pending != 0, low <= high else { return (pending, true) }
        // Fixed factors in the undecided levels: no refinement.
        for level in low...high where temporalFixed[level] { return (pending, true) }
        // hosts[level]: the pending dimensions a factor of which can go to `level`.
        for level in low...high {
            hosts[level - low] = 0
            for d in 0..<dimensionCount where pending & (1 << d) != 0 && temporalAllowed[level] & (1 << d) != 0 {
                let prime = Factorization.smallestPrime(remainder[d])
                guard prime <= temporalMaximum[level * dimensionCount + d] else { continue }
                if fitsWith(d, prime, from: level, through: high) { hosts[level - low] |= 1 << d }
            }
        }
        for d in 0..<dimensionCount where pending & (1 << d) != 0 {
            lowestHost[d] = Int.max
            for level in low...high where hosts[level - low] & (1 << d) != 0 { lowestHost[d] = level; break }
        }
        var choices = 0
        var above = 0
        for level in stride(from: high, through: low, by: -1) {
            above |= hosts[level - low]
            hostsAbove[level - low] = above
        }
        for level in low...high {
            let here = hosts[level - low]
            // Everything pending must have a place at or above this level.
            guard here != 0, hostsAbove[level - low] & pending == pending else { continue }
            let higher = level < high ? hostsAbove[level - low + 1] : 0
            let forcedHere = pending & ~higher
            let required = innermostRequired[level]
            if forcedHere & required != 0 {
                choices |= here & required
            } else {
                choices |= here
            }
        }
        return (choices, choices != 0)
    }

    /// Whether a factor `prime` of `d` at `level` leaves every tile from there to `high` within
    /// its capacity (undecided tiles at their least; a decided tile already holds every factor).
    private func fitsWith(_ d: Int, _ prime: Int, from level: Int, through high: Int) -> Bool {
        for above in level...high where !tileDecided(above) {
            let capacity = capacity[above]
            guard capacity >= 0 else { continue }
            var used = 0
            for space in 0..<spaceCount where keptMask[above] & (1 << space) != 0 {
                used += shape.boxSize(space) { dimension in
                    extent[above * dimensionCount + dimension] * (dimension == d ? prime : 1)
                }
            }
            if used > capacity { return false }
        }
        return true
    }
}
