// The evaluator's scratch buffers under the names its equations use. Each is a pointer into
// `scratch`: element writes are plain stores (see ``EvaluatorScratch``).
extension Evaluator {
    var loopDimension: UnsafeMutableBufferPointer<Int> { scratch.loopDimension }
    var loopBound: UnsafeMutableBufferPointer<Int> { scratch.loopBound }
    var loopScale: UnsafeMutableBufferPointer<Int> { scratch.loopScale }
    var loopSpatial: UnsafeMutableBufferPointer<Bool> { scratch.loopSpatial }
    var levelFirst: UnsafeMutableBufferPointer<Int> { scratch.levelFirst }
    var levelBoundary: UnsafeMutableBufferPointer<Int> { scratch.levelBoundary }
    var levelMaster: UnsafeMutableBufferPointer<Int> { scratch.levelMaster }
    var levelFanout: UnsafeMutableBufferPointer<Int> { scratch.levelFanout }
    var spatialOutside: UnsafeMutableBufferPointer<Int> { scratch.spatialOutside }
    /// `levelCount × dimensionCount`: extents at each level's outermost loop.
    var boundaryExtent: UnsafeMutableBufferPointer<Int> { scratch.boundaryExtent }
    /// Extents at each level's outermost spatial loop.
    var masterExtent: UnsafeMutableBufferPointer<Int> { scratch.masterExtent }
    var running: UnsafeMutableBufferPointer<Int> { scratch.running }
    var recordSize: UnsafeMutableBufferPointer<Int> { scratch.recordSize }
    /// −1 when the level does not fan out.
    var recordUnion: UnsafeMutableBufferPointer<Int> { scratch.recordUnion }
    var recordContent: UnsafeMutableBufferPointer<Double> { scratch.recordContent }
    var recordWeighted: UnsafeMutableBufferPointer<Double> { scratch.recordWeighted }
    var recordLink: UnsafeMutableBufferPointer<Double> { scratch.recordLink }
    /// Per temporal loop with ≥ 2 iterations: its step along every rank.
    var steps: UnsafeMutableBufferPointer<Int> { scratch.steps }
    var stepBound: UnsafeMutableBufferPointer<Int> { scratch.stepBound }
    var stepLoop: UnsafeMutableBufferPointer<Int> { scratch.stepLoop }
    var moves: UnsafeMutableBufferPointer<Int> { scratch.moves }
    var moveBound: UnsafeMutableBufferPointer<Int> { scratch.moveBound }
    var extent: UnsafeMutableBufferPointer<Int> { scratch.extent }
    var shift: UnsafeMutableBufferPointer<Int> { scratch.shift }
    var memoCount: UnsafeMutableBufferPointer<Int> { scratch.memoCount }
    var memoKey: UnsafeMutableBufferPointer<Int> { scratch.memoKey }
    var memoEnd: UnsafeMutableBufferPointer<Int> { scratch.memoEnd }
    /// Three sums per memo slot.
    var memoSums: UnsafeMutableBufferPointer<Double> { scratch.memoSums }
    var rankMoved: UnsafeMutableBufferPointer<Int> { scratch.rankMoved }
    var codes: UnsafeMutableBufferPointer<Int> { scratch.codes }
    var radix: UnsafeMutableBufferPointer<Int> { scratch.radix }
    var span: UnsafeMutableBufferPointer<Int> { scratch.span }
    var unservedCodes: UnsafeMutableBufferPointer<Int> { scratch.unservedCodes }
    var linkShift: UnsafeMutableBufferPointer<Int> { scratch.linkShift }
    var linkServed: UnsafeMutableBufferPointer<Int> { scratch.linkServed }
    var linkClasses: UnsafeMutableBufferPointer<Int> { scratch.linkClasses }
    var linkUnserved: UnsafeMutableBufferPointer<Int> { scratch.linkUnserved }
    var countSize: UnsafeMutableBufferPointer<Int> { scratch.countSize }
    var countInstances: UnsafeMutableBufferPointer<Int> { scratch.countInstances }
    var countReads: UnsafeMutableBufferPointer<Double> { scratch.countReads }
    var countFills: UnsafeMutableBufferPointer<Double> { scratch.countFills }
    var countUpdates: UnsafeMutableBufferPointer<Double> { scratch.countUpdates }
    var countKept: UnsafeMutableBufferPointer<Bool> { scratch.countKept }
    var tileSize: UnsafeMutableBufferPointer<Int> { scratch.tileSize }
    var tileContent: UnsafeMutableBufferPointer<Double> { scratch.tileContent }
    var tileWeighted: UnsafeMutableBufferPointer<Double> { scratch.tileWeighted }
    var tileLink: UnsafeMutableBufferPointer<Double> { scratch.tileLink }
    var tileReplication: UnsafeMutableBufferPointer<Int> { scratch.tileReplication }
    var tileFanout: UnsafeMutableBufferPointer<Int> { scratch.tileFanout }
    var tilePartition: UnsafeMutableBufferPointer<Int> { scratch.tilePartition }
    var tileDenominator: UnsafeMutableBufferPointer<Int> { scratch.tileDenominator }
    var tileShare: UnsafeMutableBufferPointer<Double> { scratch.tileShare }
    var tilePeer: UnsafeMutableBufferPointer<Double> { scratch.tilePeer }
}
