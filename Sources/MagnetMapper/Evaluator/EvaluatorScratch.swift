/// The fixed-size working memory of an ``Evaluator``: one allocation per buffer, made when the
/// evaluator is prepared and freed with this object.
///
/// Writing through an `UnsafeMutableBufferPointer` is a plain store: no array uniqueness or
/// bounds check per element (bounds are checked in debug builds), which is what makes the
/// evaluator's inner loops cheap. The evaluator keeps value semantics by copying its scratch
/// once per evaluation when a copy of the evaluator shares it (``Evaluator/makeScratchUnique()``).
final class EvaluatorScratch {
    /// The sizes every buffer is derived from.
    struct Layout: Equatable {
        var levels: Int
        var dimensions: Int
        var spaces: Int
        var maxRanks: Int
        var maxChildren: Int
        /// Loops a flattened nest may hold (temporal, spatial and one placeholder per level).
        var loops: Int
        /// Distinct link shifts cached per spatial run.
        var links: Int { 4 * (loops + 1) }
        /// Slots of the distinct counter's hash table (a power of two ≥ 2 × children, ≥ 16).
        var hashSlots: Int {
            var size = 16
            while size < 2 * maxChildren { size <<= 1 }
            return size
        }
    }

    let layout: Layout
    private var owned: [UnsafeMutableRawPointer] = []

    // The flattened nest.
    let loopDimension, loopBound, loopScale: UnsafeMutableBufferPointer<Int>
    let loopSpatial: UnsafeMutableBufferPointer<Bool>
    let levelFirst, levelBoundary, levelMaster, levelFanout, spatialOutside: UnsafeMutableBufferPointer<Int>
    let boundaryExtent, masterExtent, running: UnsafeMutableBufferPointer<Int>
    // Records per data space and level.
    let recordSize, recordUnion: UnsafeMutableBufferPointer<Int>
    let recordContent, recordWeighted, recordLink: UnsafeMutableBufferPointer<Double>
    // Steps, moves and the dynamic program.
    let steps, stepBound, stepLoop, moves, moveBound: UnsafeMutableBufferPointer<Int>
    let extent, shift: UnsafeMutableBufferPointer<Int>
    let memoCount, memoKey, memoEnd: UnsafeMutableBufferPointer<Int>
    let memoSums: UnsafeMutableBufferPointer<Double>
    // The current spatial run.
    let rankMoved, codes, radix, span, unservedCodes: UnsafeMutableBufferPointer<Int>
    let linkShift, linkServed, linkClasses, linkUnserved: UnsafeMutableBufferPointer<Int>
    let hashKeys, hashStamps: UnsafeMutableBufferPointer<Int>
    // Collapse and counts.
    let countSize, countInstances: UnsafeMutableBufferPointer<Int>
    let countReads, countFills, countUpdates: UnsafeMutableBufferPointer<Double>
    let countKept: UnsafeMutableBufferPointer<Bool>
    let tileSize, tileReplication, tileFanout, tilePartition, tileDenominator: UnsafeMutableBufferPointer<Int>
    let tileContent, tileWeighted, tileLink, tileShare, tilePeer: UnsafeMutableBufferPointer<Double>

    init(_ layout: Layout) {
        self.layout = layout
        var owned: [UnsafeMutableRawPointer] = []
        func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
            let pointer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
            pointer.initialize(repeating: value)
            owned.append(UnsafeMutableRawPointer(pointer.baseAddress!))
            return pointer
        }
        let levels = layout.levels, records = layout.levels * layout.spaces
        let perLevel = levels * layout.dimensions
        let loops = layout.loops, stepsCapacity = layout.loops * layout.maxRanks
        let memo = (layout.loops + 1) * Evaluator.memoSlots
        loopDimension = buffer(loops, 0)
        loopBound = buffer(loops, 1)
        loopScale = buffer(loops, 1)
        loopSpatial = buffer(loops, false)
        levelFirst = buffer(levels, 0)
        levelBoundary = buffer(levels, 0)
        levelMaster = buffer(levels, 0)
        levelFanout = buffer(levels, 1)
        spatialOutside = buffer(levels, 1)
        boundaryExtent = buffer(perLevel, 1)
        masterExtent = buffer(perLevel, 1)
        running = buffer(layout.dimensions, 1)
        recordSize = buffer(records, 0)
        recordUnion = buffer(records, 0)
        recordContent = buffer(records, 0.0)
        recordWeighted = buffer(records, 0.0)
        recordLink = buffer(records, 0.0)
        steps = buffer(stepsCapacity, 0)
        stepBound = buffer(loops, 0)
        stepLoop = buffer(loops, 0)
        moves = buffer(stepsCapacity, 0)
        moveBound = buffer(loops, 0)
        extent = buffer(layout.maxRanks, 1)
        shift = buffer(layout.maxRanks, 0)
        memoCount = buffer(layout.loops + 1, 0)
        memoKey = buffer(memo, 0)
        memoEnd = buffer(memo, 0)
        memoSums = buffer(memo * 3, 0.0)
        rankMoved = buffer(layout.maxRanks, 0)
        codes = buffer(layout.maxChildren, 0)
        radix = buffer(layout.maxRanks, 1)
        span = buffer(layout.maxRanks, 1)
        unservedCodes = buffer(layout.maxChildren, 0)
        linkShift = buffer(layout.links, 0)
        linkServed = buffer(layout.links, 0)
        linkClasses = buffer(layout.links, 0)
        linkUnserved = buffer(layout.links, 0)
        hashKeys = buffer(layout.hashSlots, 0)
        hashStamps = buffer(layout.hashSlots, 0)
        countSize = buffer(records, 0)
        countInstances = buffer(records, 0)
        countReads = buffer(records, 0.0)
        countFills = buffer(records, 0.0)
        countUpdates = buffer(records, 0.0)
        countKept = buffer(records, false)
        tileSize = buffer(levels, 0)
        tileReplication = buffer(levels, 0)
        tileFanout = buffer(levels, 0)
        tilePartition = buffer(levels, 0)
        tileDenominator = buffer(levels, 0)
        tileContent = buffer(levels, 0.0)
        tileWeighted = buffer(levels, 0.0)
        tileLink = buffer(levels, 0.0)
        tileShare = buffer(levels, 0.0)
        tilePeer = buffer(levels, 0.0)
        self.owned = owned
    }

    deinit {
        // Every buffer holds trivial values: freeing the memory is enough.
        for pointer in owned { pointer.deallocate() }
    }
}
