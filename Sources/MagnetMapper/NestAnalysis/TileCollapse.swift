/// Folds the per-loop records of a ``NestAnalysis`` into per-storage-level access counts for
/// each data space: Timeloop's tile collapse, bypass masking and read/fill/update split.
enum TileCollapse {
    /// Counts for one data space at one storage level, per instance.
    struct Counts: Equatable {
        /// Words of this data space held by one instance (utilized capacity).
        var size = 0
        /// Instances holding a non-empty tile (the product of the spatial fan-out above).
        var instances = 0
        var reads = 0.0
        var fills = 0.0
        var updates = 0.0
        var temporalReductions = 0.0
        /// Whether the level keeps this data space.
        var kept = false
    }

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

    private struct Tile {
        var size = 0
        var contentAccesses = 0.0
        var weightedAccesses = 0.0
        var linkTransfers = 0.0
        var replication = 0
        var fanout = 1
        var partitionDenominator = 0
        var partition = 0
        var parentShare = 0.0
        var peerAccesses = 0.0
        var peerFills = 0.0
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

    /// Per data space, per storage level (inner to outer).
    static func collapse(records: [[LevelRecord]], keeps: [Set<Int>], geometry: ProblemGeometry) -> [[Counts]] {
        records.enumerated().map { pv, levels in
            var tiles = levels.map { record in
                Tile(size: record.size, contentAccesses: record.contentAccesses, weightedAccesses: record.weightedAccesses,
                     linkTransfers: record.linkTransfers, replication: record.replication, fanout: record.fanout)
            }
            for level in 1..<max(levels.count, 1) {
                tiles[level - 1].partitionDenominator = levels[level].unionSize ?? tiles[level - 1].size
            }
            let levelCount = tiles.count
            computePartitions(&tiles)
            computeParentShares(&tiles)
            let mask = (0..<levelCount).map { keeps[$0].contains(pv) }
            maskBypassed(&tiles, mask: mask)
            // Outermost bypassed levels hold nothing; the outermost kept level has no parent.
            if let outermostKept = mask.lastIndex(of: true) {
                for level in (outermostKept + 1)..<levelCount { tiles[level] = Tile() }
                tiles[outermostKept].parentShare = 0
            }
            computePeerAccesses(&tiles)
            return splitAccesses(tiles, readWrite: geometry.isReadWrite[pv], mask: mask)
        }
    }

    /// The outermost level holds the whole data space; each inner level its share of the parent's.
    private static func computePartitions(_ tiles: inout [Tile]) {
        var partition = tiles[tiles.count - 1].size
        tiles[tiles.count - 1].partition = partition
        for level in stride(from: tiles.count - 2, through: 0, by: -1) {
            if tiles[level].partitionDenominator != 0 {
                partition = partition * tiles[level].size / tiles[level].partitionDenominator
            }
            tiles[level].partition = partition
        }
    }

    /// Words each child instance receives from its parent: `Σ accesses·multicast / fanout`.
    private static func computeParentShares(_ tiles: inout [Tile]) {
        for level in 0..<tiles.count where tiles[level].size != 0 {
            tiles[level].parentShare = level + 1 < tiles.count ? tiles[level + 1].weightedAccesses / Double(tiles[level + 1].fanout) : 0
        }
    }

    /// A bypassed level passes its children's requests straight to the next kept level, scaled
    /// by how many times the children re-read what they received.
    private static func maskBypassed(_ tiles: inout [Tile], mask: [Bool]) {
        for level in 0..<tiles.count where tiles[level].size != 0 && !mask[level] {
            guard let outer = ((level + 1)..<tiles.count).first(where: { tiles[$0].size != 0 }) else {
                tiles[level] = Tile()
                break
            }
            let allChildren = tiles[level].contentAccesses * Double(tiles[outer].fanout)
            let weighted = tiles[outer].weightedAccesses
            let factor = weighted == 0 ? 0 : allChildren / weighted
            tiles[outer].contentAccesses *= factor
            tiles[outer].weightedAccesses *= factor
            tiles[outer].linkTransfers = 0
            let replication = tiles[level].replication, fanout = tiles[level].fanout
            tiles[level] = Tile()
            tiles[level].replication = replication
            tiles[level].fanout = fanout
        }
    }

    private static func computePeerAccesses(_ tiles: inout [Tile]) {
        for level in stride(from: tiles.count - 1, to: 0, by: -1) where tiles[level].linkTransfers != 0 {
            let perElement = tiles[level].linkTransfers / Double(tiles[level - 1].replication)
            tiles[level - 1].peerAccesses += perElement
            tiles[level - 1].peerFills += perElement
        }
    }

    /// Reads, fills, updates and temporal reductions (Timeloop's legacy read-modify-write rules,
    /// with the first read of each partial sum elided).
    private static func splitAccesses(_ tiles: [Tile], readWrite: Bool, mask: [Bool]) -> [Counts] {
        let outermostKept = mask.lastIndex(of: true)
        return tiles.enumerated().map { level, tile in
            var counts = Counts()
            guard tile.size != 0 else { return counts }
            counts.kept = true
            counts.size = tile.size
            counts.instances = tile.replication
            let content = tile.contentAccesses + tile.peerAccesses
            if readWrite {
                counts.updates = tile.contentAccesses.rounded()
                counts.reads = (content - Double(tile.partition)).rounded()
                counts.temporalReductions = counts.reads
                let isOutermost = level == outermostKept
                counts.fills = isOutermost ? (tile.parentShare + tile.peerFills).rounded()
                    : (tile.parentShare + tile.peerFills - Double(tile.partition)).rounded()
            } else {
                counts.reads = content.rounded()
                counts.fills = tile.parentShare + tile.peerFills
            }
            if level == outermostKept { counts.fills = 0 }
            return counts
        }
    }
}
