/// Timeloop's nest analysis: walks a flattened loop nest and records, for every loop, the largest
/// tile it holds and the words its inner storage level asks it for.
///
/// The walk follows Timeloop's algorithm. Each loop keeps, per spatial instance, the tile it
/// held at its previous invocation; what a new invocation needs is the difference (``HyperRectangle/delta(from:resetOnStrideChange:)``).
/// A temporal loop runs its first two iterations and scales the second by the remaining trip
/// count; a spatial loop runs three child instances and translates the rest; the children's
/// differences are grouped by equality (multicast) and, where a neighbour held the same data one
/// step earlier, served by link transfers.
final class NestAnalysis {
    /// Per loop, averaged over its spatial instances.
    struct LoopRecord {
        var size: [Int]
        /// Per data space: (multicast factor → words).
        var accesses: [[Int: Double]]
        var scatter: [[Int: Int]]
        var linkTransfers: [Double]
    }

    private struct InstanceState {
        var last: OperationSpace?
        var maxSize: [Int]
        var accesses: [[Int: Double]]
        var scatter: [[Int: Int]]
        var linkTransfers: [Double]
        var previousSpatialDeltas: [Int: OperationSpace] = [:]
    }

    let nest: FlatNest
    let geometry: ProblemGeometry
    let residualRule: HyperRectangle.ResidualRule
    /// Physical mesh fan-out (X, Y) below each storage level, for link transfers.
    let physicalFanout: [(x: Int, y: Int)]

    private var transform: [Int]
    private var indices: [Int]
    private var epochs = 1
    private var spaceStamp: [Int] = []
    private var spatialID = 0
    private var states: [[[Int]: InstanceState]]
    private(set) var computeCycles = 0

    init(nest: FlatNest, geometry: ProblemGeometry, physicalFanout: [(x: Int, y: Int)], residualRule: HyperRectangle.ResidualRule) {
        self.nest = nest
        self.geometry = geometry
        self.physicalFanout = physicalFanout
        self.residualRule = residualRule
        transform = Array(repeating: 0, count: geometry.dimensionCount)
        indices = Array(repeating: 0, count: nest.loops.count)
        states = Array(repeating: [:], count: nest.loops.count)
    }

    /// Runs the analysis and returns one record per loop (inner to outer).
    func run() -> [LoopRecord] {
        _ = deltas(at: nest.loops.count - 1)
        return (0..<nest.loops.count).map(record(for:))
    }

    private func newState() -> InstanceState {
        let n = geometry.dataSpaceCount
        return InstanceState(last: nil, maxSize: Array(repeating: 0, count: n),
                             accesses: Array(repeating: [:], count: n), scatter: Array(repeating: [:], count: n),
                             linkTransfers: Array(repeating: 0, count: n))
    }

    private func record(for loop: Int) -> LoopRecord {
        let n = geometry.dataSpaceCount
        var record = LoopRecord(size: Array(repeating: 0, count: n), accesses: Array(repeating: [:], count: n),
                                scatter: Array(repeating: [:], count: n), linkTransfers: Array(repeating: 0, count: n))
        let instances = states[loop]
        guard !instances.isEmpty else { return record }
        for state in instances.values {
            for pv in 0..<n {
                record.size[pv] += state.maxSize[pv]
                record.linkTransfers[pv] += state.linkTransfers[pv]
                for (multicast, words) in state.accesses[pv] { record.accesses[pv][multicast, default: 0] += words }
                for (multicast, scatter) in state.scatter[pv] { record.scatter[pv][multicast, default: 0] += scatter }
            }
        }
        let count = instances.count
        for pv in 0..<n {
            record.size[pv] /= count
            record.linkTransfers[pv] /= Double(count)
            for key in record.accesses[pv].keys { record.accesses[pv][key]! /= Double(count) }
            for key in record.scatter[pv].keys { record.scatter[pv][key]! /= count }
        }
        return record
    }

    /// The tile difference of loop `level` between this invocation and its previous one.
    private func deltas(at level: Int) -> OperationSpace {
        let boundary = nest.isBoundary[level]
        if boundary { spaceStamp.append(0) }
        let key = Array(spaceStamp.dropLast())
        if states[level][key] == nil { states[level][key] = newState() }

        if nest.loops[level].isSpatial {
            spatialWorkingSet(at: level, key: key)
        } else {
            temporalWorkingSet(at: level, key: key)
        }

        let high = nest.moldHigh[level]
        var highPoint = transform
        for d in 0..<geometry.dimensionCount { highPoint[d] += high[d] }
        var pointSet = OperationSpace(problem: geometry, low: transform, high: highPoint)

        var state = states[level][key]!
        if boundary || nest.isMasterSpatial[level] {
            let sizes = pointSet.sizes
            for pv in 0..<sizes.count { state.maxSize[pv] = max(state.maxSize[pv], sizes[pv]) }
        }
        var delta = OperationSpace(emptyFor: geometry)
        for pv in 0..<geometry.dataSpaceCount {
            let previous = state.last?.parts[pv] ?? HyperRectangle(emptyRank: geometry.ranks[pv])
            delta.parts[pv] = pointSet.parts[pv].delta(from: previous, residualRule: residualRule)
        }
        state.last = pointSet
        states[level][key] = state
        if boundary { spaceStamp.removeLast() }
        return delta
    }

    private func temporalWorkingSet(at level: Int, key: [Int]) {
        let loop = nest.loops[level]
        let iterations = loop.bound
        if level == 0 {
            let body = iterations * epochs
            if spatialID == 0 { computeCycles += body }
            for pv in 0..<geometry.dataSpaceCount {
                states[level][key]!.accesses[pv][1, default: 0] += Double(body)
                states[level][key]!.scatter[pv][1] = 1
            }
            return
        }
        var collected: [(sizes: [Int], scale: Int)] = []
        let dimension = loop.dimension
        let scale = nest.strides[level][dimension]
        let saved = transform[dimension]
        indices[level] = 0
        if iterations >= 1 {
            collected.append((deltas(at: level - 1).sizes, 1))
            transform[dimension] += scale
            indices[level] += 1
        }
        if iterations >= 2 {
            let virtual = iterations - 1
            let savedEpochs = epochs
            epochs *= virtual
            collected.append((deltas(at: level - 1).sizes, virtual))
            epochs = savedEpochs
            transform[dimension] += scale * virtual
            indices[level] += virtual
        }
        transform[dimension] = saved
        if nest.isBoundary[level - 1] {
            for pv in 0..<geometry.dataSpaceCount {
                var total = 0
                for entry in collected { total += entry.sizes[pv] * entry.scale }
                states[level][key]!.accesses[pv][1, default: 0] += Double(total * epochs)
                states[level][key]!.scatter[pv][1] = 1
            }
        }
    }

    private func spatialWorkingSet(at level: Int, key: [Int]) {
        let elements = nest.fanout[level]
        spatialID *= elements
        var spatialDeltas: [Int: OperationSpace] = [:]
        fillSpatialDeltas(at: level, into: &spatialDeltas, base: 0)
        spatialID /= elements

        let n = geometry.dataSpaceCount
        let without = multicastAccesses(spatialDeltas, excluding: Array(repeating: [], count: n))
        let (transfers, served) = linkTransfers(at: level, key: key, deltas: spatialDeltas)
        let with = multicastAccesses(spatialDeltas, excluding: served)
        var state = states[level][key]!
        for pv in 0..<n {
            let totalWithout = without.accesses[pv].values.reduce(0, +)
            let totalWith = with.accesses[pv].values.reduce(0, +)
            let chosen = totalWith < totalWithout ? with : without
            if totalWith < totalWithout { state.linkTransfers[pv] += transfers[pv] }
            for (multicast, words) in chosen.accesses[pv] { state.accesses[pv][multicast, default: 0] += words }
            for (multicast, scatter) in chosen.scatter[pv] { state.scatter[pv][multicast, default: 0] += scatter }
        }
        states[level][key] = state
    }

    /// Groups equal child differences: each group is read once and multicast to its members.
    private func multicastAccesses(_ spatialDeltas: [Int: OperationSpace], excluding served: [Set<Int>])
        -> (accesses: [[Int: Double]], scatter: [[Int: Int]]) {
        let n = geometry.dataSpaceCount
        var accesses = Array(repeating: [Int: Double](), count: n)
        var scatter = Array(repeating: [Int: Int](), count: n)
        let order = spatialDeltas.keys.sorted()
        for pv in 0..<n {
            var accounted = served[pv]
            for (position, index) in order.enumerated() where !accounted.contains(index) {
                accounted.insert(index)
                let part = spatialDeltas[index]!.parts[pv]
                var matches = 1
                for other in order[(position + 1)...] where !accounted.contains(other) {
                    if spatialDeltas[other]!.parts[pv] == part {
                        accounted.insert(other)
                        matches += 1
                    }
                }
                let size = part.size
                if size > 0 {
                    accesses[pv][matches, default: 0] += Double(size * epochs)
                    scatter[pv][matches, default: 0] += 1
                }
            }
        }
        return (accesses, scatter)
    }

    /// Children whose difference equals what a mesh neighbour received at the previous step get
    /// it over the neighbour link instead of from the parent.
    private func linkTransfers(at level: Int, key: [Int], deltas current: [Int: OperationSpace]) -> (words: [Double], served: [Set<Int>]) {
        let n = geometry.dataSpaceCount
        let mesh = physicalFanout[nest.loops[level].level]
        let (h, v) = (mesh.x, mesh.y)
        let previous = states[level][key]!.previousSpatialDeltas
        var reused = Array(repeating: Set<Int>(), count: n)
        func compare(_ index: Int, _ neighbour: Int) {
            guard let now = current[index], let before = previous[neighbour] else { return }
            for pv in 0..<n where now.parts[pv].size > 0 && now.parts[pv] == before.parts[pv] {
                reused[pv].insert(index)
            }
        }
        if v > 1 {
            for x in 0..<h { for y in 1..<v { compare(y * h + x, (y - 1) * h + x) } }
            for x in 0..<h { for y in 0..<(v - 1) { compare(y * h + x, (y + 1) * h + x) } }
        }
        if h > 1 {
            for y in 0..<v { for x in 1..<h { compare(y * h + x, y * h + x - 1) } }
            for y in 0..<v { for x in 0..<(h - 1) { compare(y * h + x, y * h + x + 1) } }
        }
        var words = Array(repeating: 0.0, count: n)
        for pv in 0..<n {
            for index in reused[pv] { words[pv] += Double(current[index]!.parts[pv].size * epochs) }
        }
        states[level][key]!.previousSpatialDeltas = current
        return (words, reused)
    }

    private func fillSpatialDeltas(at level: Int, into spatialDeltas: inout [Int: OperationSpace], base: Int) {
        let loop = nest.loops[level]
        let end = loop.bound
        let base = base * end
        if level == 0 {
            if base == 0 && spatialID == 0 { computeCycles += epochs }
            for index in 0..<end {
                indices[level] = index
                var point = Array(repeating: 0, count: geometry.dimensionCount)
                for l in 0..<nest.loops.count { point[nest.loops[l].dimension] += nest.strides[l][nest.loops[l].dimension] * indices[l] }
                spatialDeltas[base + index] = OperationSpace(problem: geometry, low: point, high: point)
            }
            return
        }
        let dimension = loop.dimension
        let scale = nest.strides[level][dimension]
        let savedTransform = transform[dimension]
        let originalID = spatialID
        if nest.loops[level - 1].isSpatial {
            for index in 0..<end {
                indices[level] = index
                fillSpatialDeltas(at: level - 1, into: &spatialDeltas, base: base + index)
                transform[dimension] += scale
            }
        } else {
            let toRun = min(end, 3)
            var secondLast: Int?
            var last: Int?
            for index in 0..<toRun {
                indices[level] = index
                spatialID = originalID + base + index
                spaceStamp[spaceStamp.count - 1] = base + index
                spatialDeltas[base + index] = deltas(at: level - 1)
                transform[dimension] += scale
                secondLast = last
                last = base + index
            }
            if end > toRun, let secondLast, let last {
                let from = spatialDeltas[secondLast]!, to = spatialDeltas[last]!
                let offsets = (0..<geometry.dataSpaceCount).map { from.parts[$0].translation(to: to.parts[$0]) }
                var previous = to
                for index in toRun..<end {
                    indices[level] = index
                    for pv in 0..<geometry.dataSpaceCount { previous.parts[pv].translate(by: offsets[pv]) }
                    spatialDeltas[base + index] = previous
                }
            }
        }
        transform[dimension] = savedTransform
        spatialID = originalID
    }
}
