/// The closed form of the nest analysis: the same per-level records (tile sizes, accesses with
/// multicast) computed without walking the loop nest.
///
/// - Tile sizes come from the loop extents directly.
/// - The words a child tile receives over time follow from the "ruler sequence" of the loops
///   above it (Timeloop runs iteration 0 and one representative iteration of each loop): a
///   transition carried by loop `j` always moves the tile by the same vector, so a dynamic
///   program over the loops and the few residual states (no direction yet, stayed in place,
///   sliding along one rank in one direction) sums the deltas exactly.
/// - Children of a spatial level receive translates of the same delta; multicast groups are the
///   distinct data-space offsets of the children.
///
/// - Link transfers: a child whose delta equals what a mesh neighbour received one step earlier
///   is served by the neighbour; the step's shift between consecutive deltas (from the move and
///   the two deltas' shapes) decides which children that is, as in Timeloop's comparison.
struct AnalyticalModel {
    let geometry: ProblemGeometry
    let residualRule: HyperRectangle.ResidualRule
    /// Physical mesh fan-out (X, Y) below each storage level.
    let physicalFanout: [(x: Int, y: Int)]

    /// Records per data space and level, and the compute cycles.
    func records(for mapping: Mapping, nest: FlatNest) -> (records: [[TileCollapse.LevelRecord]], computeCycles: Int) {
        let levelCount = mapping.levels.count
        // Loop index ranges per level in the flat nest.
        var first = Array(repeating: 0, count: levelCount)
        var boundary = Array(repeating: 0, count: levelCount)
        var index = 0
        for (level, levelMapping) in mapping.levels.enumerated() {
            first[level] = index
            index += levelMapping.spatialX.count + levelMapping.spatialY.count + max(levelMapping.temporal.count, 1)
            boundary[level] = index - 1
        }
        let computeCycles = nest.loops.reduce(1) { $0 * ($1.isSpatial ? 1 : $1.bound) }
        var result = Array(repeating: [TileCollapse.LevelRecord](), count: geometry.dataSpaceCount)
        for pv in 0..<geometry.dataSpaceCount {
            for level in 0..<levelCount {
                let spatialCount = mapping.levels[level].spatialX.count + mapping.levels[level].spatialY.count
                let master = spatialCount > 0 ? first[level] + spatialCount - 1 : nil
                var record = TileCollapse.LevelRecord()
                record.size = boxSize(pv, extents: nest.moldHigh[boundary[level]])
                record.replication = nest.spatialElementsOutside[boundary[level]]
                record.fanout = master.map { nest.fanout[$0] } ?? 1
                record.unionSize = master.map { boxSize(pv, extents: nest.moldHigh[$0]) }
                let run = master.map { Array(first[level]...$0) } ?? []
                let spatial = run.isEmpty ? nil : SpatialRun(model: self, pv: pv, run: run, mesh: physicalFanout[level], nest: nest)
                let sums: Sums
                if level == 0 {
                    sums = innermostAccesses(pv, spatial: spatial, nest: nest, computeCycles: computeCycles)
                } else {
                    sums = childAccesses(pv, childBoundary: boundary[level - 1], spatial: spatial, nest: nest)
                }
                record.contentAccesses = sums.content
                record.weightedAccesses = sums.weighted
                record.linkTransfers = sums.link
                result[pv].append(record)
            }
        }
        return (result, computeCycles)
    }

    /// Size of the data-space box spanned by op-space extents `high + 1`.
    func boxSize(_ pv: Int, extents high: [Int]) -> Int {
        var size = 1
        for terms in geometry.projections[pv] {
            var span = 1
            for term in terms { span += term.coefficient * high[term.dimension] }
            size *= span
        }
        return size
    }

    // MARK: Deltas over time

    /// Residual states: 0 no direction, 1 stayed in place (strict rule only), 2 + 2·rank + (0 up, 1 down) sliding.
    private func transition(state: Int, diff: [Int], extent: [Int], full: Int) -> (words: Int, state: Int) {
        var nonzero = 0, axis = 0
        for rank in 0..<diff.count where diff[rank] != 0 {
            nonzero += 1
            axis = rank
        }
        if nonzero == 0 {
            return (0, residualRule == .resetOnStrideChangeStrict ? 1 : 0)
        }
        if nonzero == 1 && abs(diff[axis]) < extent[axis] {
            let sliding = 2 + 2 * axis + (diff[axis] < 0 ? 1 : 0)
            let accept: Bool
            switch residualRule {
            case .keepAlways: accept = true
            case .resetOnStrideChange: accept = state <= 1 || state == sliding
            case .resetOnStrideChangeStrict: accept = state == 0 || state == sliding
            }
            if accept {
                return (full / extent[axis] * abs(diff[axis]), residualRule == .keepAlways ? 0 : sliding)
            }
            return (full, 0)
        }
        return (full, 0)
    }

    // MARK: Spatial

    /// The moves (per data-space rank) of a tile, one per temporal loop with two or more
    /// iterations above loop `below`: the loop's step minus the return of the loops inside it.
    func moves(_ pv: Int, above below: Int, nest: FlatNest) -> [[Int]] {
        let ranks = geometry.projections[pv]
        var reset = Array(repeating: 0, count: ranks.count)
        var result: [[Int]] = []
        for loopIndex in (below + 1)..<nest.loops.count {
            let loop = nest.loops[loopIndex]
            guard !loop.isSpatial, loop.bound >= 2 else { continue }
            let scale = nest.strides[loopIndex][loop.dimension]
            var diff = Array(repeating: 0, count: ranks.count)
            for (rank, terms) in ranks.enumerated() {
                var move = 0
                for term in terms where term.dimension == loop.dimension { move += term.coefficient * scale }
                diff[rank] = move - reset[rank]
                reset[rank] += move
            }
            result.append(diff)
        }
        return result
    }

    /// Accesses, multicast-weighted accesses and link transfers over a run.
    struct Sums {
        var content = 0.0
        var weighted = 0.0
        var link = 0.0

        static func + (a: Sums, b: Sums) -> Sums { Sums(content: a.content + b.content, weighted: a.weighted + b.weighted, link: a.link + b.link) }
        static func * (w: Double, a: Sums) -> Sums { Sums(content: w * a.content, weighted: w * a.weighted, link: w * a.link) }
    }

    /// The shape of a delta: empty, the whole tile, or a slab along one rank at one end.
    struct DeltaShape: Hashable {
        var kind: Int          // 0 empty, 1 whole tile, 2 slab
        var rank = 0
        var negative = false
        var width = 0
    }

    struct SequenceState: Hashable {
        var residual: Int
        var shape: DeltaShape
    }

    /// Accesses at the innermost level: one per MAC step, multicast over its spatial children.
    func innermostAccesses(_ pv: Int, spatial: SpatialRun?, nest: FlatNest, computeCycles: Int) -> Sums {
        guard let spatial else { return Sums(content: Double(computeCycles), weighted: Double(computeCycles)) }
        // Children receive whole points; every step moves them by the carried loop's move.
        var sums = Sums(content: Double(spatial.classes), weighted: Double(spatial.count))
        let loops = (0..<nest.loops.count).filter { !nest.loops[$0].isSpatial && nest.loops[$0].bound >= 2 && $0 > spatial.outermost }
        let moves = self.moves(pv, above: spatial.outermost, nest: nest)
        for (k, move) in moves.enumerated() {
            var weight = Double(nest.loops[loops[k]].bound - 1)
            for later in loops[(k + 1)...] { weight *= Double(nest.loops[later].bound) }
            sums = sums + weight * spatial.step(words: 1, shift: move)
        }
        return sums
    }

    /// Accesses at a level for the deltas of its child's tile (boundary loop `childBoundary`).
    func childAccesses(_ pv: Int, childBoundary: Int, spatial: SpatialRun?, nest: FlatNest) -> Sums {
        let ranks = geometry.projections[pv]
        let high = nest.moldHigh[childBoundary]
        let extent = ranks.map { terms in terms.reduce(1) { $0 + $1.coefficient * high[$1.dimension] } }
        let full = extent.reduce(1, *)
        let loops = ((childBoundary + 1)..<nest.loops.count).filter { !nest.loops[$0].isSpatial && nest.loops[$0].bound >= 2 }
        let moves = self.moves(pv, above: childBoundary, nest: nest)

        func offset(_ shape: DeltaShape) -> [Int] {
            var result = Array(repeating: 0, count: ranks.count)
            if shape.kind == 2 && !shape.negative { result[shape.rank] = extent[shape.rank] - shape.width }
            return result
        }
        /// One step: the residual rule, then what the parent is read for.
        func step(from state: SequenceState, move: [Int]) -> (Sums, SequenceState) {
            let (words, residual) = transition(state: state.residual, diff: move, extent: extent, full: full)
            var shape = DeltaShape(kind: words == 0 ? 0 : 1)
            if words != 0 && words != full {
                // An accepted slide: a slab at the end the tile moved towards.
                let axis = (residual - 2) / 2
                shape = DeltaShape(kind: 2, rank: axis, negative: (residual - 2) % 2 == 1, width: abs(move[axis]))
            }
            let next = SequenceState(residual: residual, shape: shape)
            guard words > 0 else { return (Sums(), next) }
            guard let spatial else { return (Sums(content: Double(words), weighted: Double(words)), next) }
            // Children may take this delta from a neighbour that got the same slab one step before.
            if state.shape.kind != 0 && state.shape.kind == shape.kind && state.shape.rank == shape.rank && state.shape.width == shape.width {
                let before = offset(state.shape), now = offset(shape)
                let shift = (0..<ranks.count).map { move[$0] + now[$0] - before[$0] }
                return (spatial.step(words: words, shift: shift), next)
            }
            return (spatial.step(words: words, shift: nil), next)
        }

        var memo: [Int: [SequenceState: (Sums, SequenceState)]] = [:]
        func block(_ j: Int, _ state: SequenceState) -> (Sums, SequenceState) {
            if j == 0 { return (Sums(), state) }
            if let known = memo[j]?[state] { return known }
            let (first, end) = block(j - 1, state)
            let (carried, after) = step(from: end, move: moves[j - 1])
            let (second, last) = block(j - 1, after)
            let result = (first + Double(nest.loops[loops[j - 1]].bound - 1) * (carried + second), last)
            memo[j, default: [:]][state] = result
            return result
        }
        let start = spatial.map { Sums(content: Double(full * $0.classes), weighted: Double(full * $0.count)) }
            ?? Sums(content: Double(full), weighted: Double(full))
        let (rest, _) = block(moves.count, SequenceState(residual: 0, shape: DeltaShape(kind: 1)))
        return start + rest
    }
}

/// The children of one spatial run: their data-space offsets, multicast groups, and which of them
/// can take a delta from a mesh neighbour for a given shift between consecutive deltas.
final class SpatialRun {
    let count: Int
    let classes: Int
    let outermost: Int
    private let offsets: [[Int]]
    private let neighbours: [[Int]]
    private var cache: [[Int]: (served: Int, unservedClasses: Int, unserved: Int)] = [:]

    init(model: AnalyticalModel, pv: Int, run: [Int], mesh: (x: Int, y: Int), nest: FlatNest) {
        let ranks = model.geometry.projections[pv]
        let loops = run.map { nest.loops[$0] }
        outermost = run.last!
        let count = loops.reduce(1) { $0 * $1.bound }
        self.count = count
        var offsets: [[Int]] = []
        offsets.reserveCapacity(count)
        for index in 0..<count {
            var rest = index
            var dimensionOffset = Array(repeating: 0, count: model.geometry.dimensionCount)
            for (k, position) in run.enumerated() {
                let i = rest % loops[k].bound
                rest /= loops[k].bound
                dimensionOffset[loops[k].dimension] += i * nest.strides[position][loops[k].dimension]
            }
            offsets.append(ranks.map { terms in terms.reduce(0) { $0 + $1.coefficient * dimensionOffset[$1.dimension] } })
        }
        self.offsets = offsets
        classes = Set(offsets).count
        // Timeloop's physical neighbours of child `i` on the level's mesh (row-major, X fastest).
        var neighbours: [[Int]] = []
        for index in 0..<count {
            let x = index % mesh.x, y = index / mesh.x
            var list: [Int] = []
            if mesh.y > 1 {
                if y >= 1 { list.append((y - 1) * mesh.x + x) }
                if y + 1 < mesh.y { list.append((y + 1) * mesh.x + x) }
            }
            if mesh.x > 1 {
                if x >= 1 { list.append(y * mesh.x + x - 1) }
                if x + 1 < mesh.x { list.append(y * mesh.x + x + 1) }
            }
            neighbours.append(list.filter { $0 < count })
        }
        self.neighbours = neighbours
    }

    /// Parent reads for one step in which every child needs `words`, when the delta moved by
    /// `shift` since the previous step (`nil`: no neighbour can have it).
    func step(words: Int, shift: [Int]?) -> AnalyticalModel.Sums {
        let w = Double(words)
        let without = AnalyticalModel.Sums(content: w * Double(classes), weighted: w * Double(count))
        guard let shift else { return without }
        let outcome: (served: Int, unservedClasses: Int, unserved: Int)
        if let known = cache[shift] {
            outcome = known
        } else {
            var served = Array(repeating: false, count: count)
            for index in 0..<count {
                for neighbour in neighbours[index]
                where zip(zip(offsets[neighbour], offsets[index]), shift).allSatisfy({ $0.0 - $0.1 == $1 }) {
                    served[index] = true
                    break
                }
            }
            let unservedOffsets = (0..<count).filter { !served[$0] }.map { offsets[$0] }
            outcome = (served.filter { $0 }.count, Set(unservedOffsets).count, unservedOffsets.count)
            cache[shift] = outcome
        }
        guard outcome.served > 0, outcome.unservedClasses < classes else { return without }
        return AnalyticalModel.Sums(content: w * Double(outcome.unservedClasses), weighted: w * Double(outcome.unserved),
                                    link: w * Double(outcome.served))
    }
}
