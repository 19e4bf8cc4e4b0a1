/// How a layer's loop nest is laid onto a hardware hierarchy, in Timeloop's terms.
///
/// For every storage level (same indexing as ``Hardware/storage``: 0 is the level next to the
/// compute units) a mapping gives the temporal loops that iterate over that level's tile, the
/// spatial loops that spread the tile over the level's children (mesh X and Y), and which data
/// spaces the level keeps (the rest bypass it).
public struct Mapping: Hashable, Sendable {
    /// One entry per storage level, inner to outer.
    public var levels: [LevelMapping]

    /// Creates a mapping.
    public init(levels: [LevelMapping]) {
        self.levels = levels
    }
}

/// One loop: a problem dimension (index into ``Problem/dimensions``) and its trip count.
public struct Loop: Hashable, Sendable {
    /// The problem dimension the loop walks.
    public var dimension: Int
    /// Trip count (≥ 1).
    public var bound: Int

    /// Creates a loop.
    public init(dimension: Int, bound: Int) {
        self.dimension = dimension
        self.bound = bound
    }
}

/// The loops and keep/bypass choices of one storage level.
public struct LevelMapping: Hashable, Sendable {
    /// Temporal loops, innermost first (Timeloop's permutation order).
    public var temporal: [Loop]
    /// Spatial loops over mesh X, innermost first.
    public var spatialX: [Loop]
    /// Spatial loops over mesh Y, innermost first.
    public var spatialY: [Loop]
    /// Indices of the data spaces this level keeps; the others bypass it.
    public var keeps: Set<Int>

    /// Creates a level mapping.
    public init(temporal: [Loop] = [], spatialX: [Loop] = [], spatialY: [Loop] = [], keeps: Set<Int>) {
        self.temporal = temporal
        self.spatialX = spatialX
        self.spatialY = spatialY
        self.keeps = keeps
    }

    /// Product of the spatial bounds over X.
    public var fanoutX: Int { spatialX.reduce(1) { $0 * $1.bound } }
    /// Product of the spatial bounds over Y.
    public var fanoutY: Int { spatialY.reduce(1) { $0 * $1.bound } }
}
