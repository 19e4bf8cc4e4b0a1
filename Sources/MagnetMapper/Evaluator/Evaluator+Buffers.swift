// The evaluator's scratch buffers under the names its equations use, as stored properties so
// that even an unoptimized build reaches them directly. Each points into the evaluator's
// `scratch`, which owns the memory (see ``EvaluatorScratch``).
extension Evaluator {
    /// Points every buffer at `scratch`.
    mutating func adopt(_ scratch: EvaluatorScratch) {
        self.scratch = scratch
        loopDimension = scratch.loopDimension
        loopBound = scratch.loopBound
        loopScale = scratch.loopScale
        loopSpatial = scratch.loopSpatial
        levelFirst = scratch.levelFirst
        levelBoundary = scratch.levelBoundary
        levelMaster = scratch.levelMaster
        levelFanout = scratch.levelFanout
        spatialOutside = scratch.spatialOutside
        boundaryExtent = scratch.boundaryExtent
        masterExtent = scratch.masterExtent
        running = scratch.running
        recordSize = scratch.recordSize
        recordUnion = scratch.recordUnion
        recordContent = scratch.recordContent
        recordWeighted = scratch.recordWeighted
        recordLink = scratch.recordLink
        steps = scratch.steps
        stepBound = scratch.stepBound
        stepLoop = scratch.stepLoop
        moves = scratch.moves
        moveBound = scratch.moveBound
        extent = scratch.extent
        shift = scratch.shift
        memoCount = scratch.memoCount
        memoKey = scratch.memoKey
        memoEnd = scratch.memoEnd
        memoSums = scratch.memoSums
        rankMoved = scratch.rankMoved
        codes = scratch.codes
        radix = scratch.radix
        span = scratch.span
        unservedCodes = scratch.unservedCodes
        linkShift = scratch.linkShift
        linkServed = scratch.linkServed
        linkClasses = scratch.linkClasses
        linkUnserved = scratch.linkUnserved
        countSize = scratch.countSize
        countInstances = scratch.countInstances
        countReads = scratch.countReads
        countFills = scratch.countFills
        countUpdates = scratch.countUpdates
        countKept = scratch.countKept
        tileSize = scratch.tileSize
        tileContent = scratch.tileContent
        tileWeighted = scratch.tileWeighted
        tileLink = scratch.tileLink
        tileReplication = scratch.tileReplication
        tileFanout = scratch.tileFanout
        tilePartition = scratch.tilePartition
        tileDenominator = scratch.tileDenominator
        tileShare = scratch.tileShare
        tilePeer = scratch.tilePeer
    }
}
