/// A mapping flattened into one list of loops, innermost first, with the facts the nest
/// analysis needs about each loop.
struct FlatNest {
    enum Kind { case temporal, spatialX, spatialY }

    struct Entry {
        var dimension: Int
        var bound: Int
        var kind: Kind
        /// Storage level the loop belongs to.
        var level: Int
        var isSpatial: Bool { kind != .temporal }
    }

    var loops: [Entry] = []
    /// Whether loop `i` is the outermost loop of its storage level.
    var isBoundary: [Bool] = []
    /// Whether loop `i` is the outermost of a run of spatial loops.
    var isMasterSpatial: [Bool] = []
    /// Product of the bounds of the spatial loops outside loop `i`.
    var spatialElementsOutside: [Int] = []
    /// For master spatial loops, the product of the run's bounds; 1 for temporal loops.
    var fanout: [Int] = []
    /// Per loop and dimension: the product of the bounds of the inner loops on that dimension.
    var strides: [[Int]] = []
    /// Per loop and dimension: the inclusive high corner of the loop's operation-space box.
    var moldHigh: [[Int]] = []

    /// Flattens `mapping`: per level, the X then Y spatial loops (inner), then the temporal loops
    /// (outer); every level gets at least one temporal loop so that it has a boundary.
    init(mapping: Mapping, dimensionCount: Int) {
        for (level, levelMapping) in mapping.levels.enumerated() {
            for loop in levelMapping.spatialX { loops.append(Entry(dimension: loop.dimension, bound: loop.bound, kind: .spatialX, level: level)) }
            for loop in levelMapping.spatialY { loops.append(Entry(dimension: loop.dimension, bound: loop.bound, kind: .spatialY, level: level)) }
            let temporal = levelMapping.temporal.isEmpty ? [Loop(dimension: 0, bound: 1)] : levelMapping.temporal
            for loop in temporal { loops.append(Entry(dimension: loop.dimension, bound: loop.bound, kind: .temporal, level: level)) }
            isBoundary += Array(repeating: false, count: levelMapping.spatialX.count + levelMapping.spatialY.count + temporal.count - 1) + [true]
        }
        let count = loops.count
        isMasterSpatial = Array(repeating: false, count: count)
        spatialElementsOutside = Array(repeating: 1, count: count)
        fanout = Array(repeating: 1, count: count)
        var product = 1
        var previousWasSpatial = false
        for index in stride(from: count - 1, through: 0, by: -1) {
            spatialElementsOutside[index] = product
            if loops[index].isSpatial {
                isMasterSpatial[index] = !previousWasSpatial
                product *= loops[index].bound
                previousWasSpatial = true
            } else {
                previousWasSpatial = false
            }
        }
        for index in 0..<count where isMasterSpatial[index] {
            var run = 1
            var inner = index
            while inner >= 0 && loops[inner].isSpatial {
                run *= loops[inner].bound
                inner -= 1
            }
            fanout[index] = run
        }
        var scale = Array(repeating: 1, count: dimensionCount)
        for loop in loops {
            strides.append(scale)
            scale[loop.dimension] *= loop.bound
            moldHigh.append(scale.map { $0 - 1 })
        }
    }
}
