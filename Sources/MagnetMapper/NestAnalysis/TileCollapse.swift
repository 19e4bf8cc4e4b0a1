/// Folds the per-loop records of a ``NestAnalysis`` into per-storage-level records for each data
/// space; ``Evaluator`` then applies Timeloop's collapse, bypass and read/fill/update split.
enum TileCollapse {
    /// What the nest analysis (or its closed form) knows about one data space at one storage
    /// level, before bypass and read/fill/update accounting.
    struct LevelRecord: Equatable {
        /// Tile size at the level's outermost loop.
        var size = 0
        /// Words the level sends to its children (one per multicast group).
        var contentAccesses = 0.0
        /// Words delivered counting every multicast destination: `Σ accesses · multicast`.
        var weightedAccesses = 0.0
        /// Words children got from mesh neighbours instead.
        var linkTransfers = 0.0
        /// Spatial instances of the level in use (product of the spatial factors above it).
        var replication = 0
        /// The level's own spatial fan-out in use (1 without spatial loops).
        var fanout = 1
        /// Size of the union of the children's tiles when the level fans out, else `nil`.
        var unionSize: Int?
    }

    /// The per-level records of a finished nest analysis: size from each level's outermost loop,
    /// accesses from its innermost loop (its master spatial loop, if it fans out).
    static func records(nest: FlatNest, loops: [NestAnalysis.LoopRecord], dataSpaceCount: Int, levelCount: Int) -> [[LevelRecord]] {
        let valid = (0..<nest.loops.count).filter { !nest.loops[$0].isSpatial || nest.isMasterSpatial[$0] }
        return (0..<dataSpaceCount).map { pv in
            var result: [LevelRecord] = []
            var position = 0
            while position < valid.count {
                var boundary = position
                while !nest.isBoundary[valid[boundary]] && boundary < valid.count - 1 { boundary += 1 }
                let innermost = valid[position], outermost = valid[boundary]
                let accesses = loops[innermost].accesses[pv]
                result.append(LevelRecord(
                    size: loops[outermost].size[pv],
                    contentAccesses: accesses.values.reduce(0, +),
                    weightedAccesses: accesses.reduce(0.0) { $0 + $1.value * Double($1.key) },
                    linkTransfers: loops[innermost].linkTransfers[pv],
                    replication: nest.spatialElementsOutside[outermost],
                    fanout: nest.fanout[innermost],
                    unionSize: nest.isMasterSpatial[innermost] ? loops[innermost].size[pv] : nil))
                position = boundary + 1
            }
            precondition(result.count == levelCount, "one record per storage level")
            return result
        }
    }

}
