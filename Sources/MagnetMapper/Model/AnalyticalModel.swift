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
            let steps = self.steps(pv, nest: nest)
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
                    sums = innermostAccesses(pv, spatial: spatial, steps: steps, computeCycles: computeCycles)
                } else {
                    sums = childAccesses(pv, childBoundary: boundary[level - 1], spatial: spatial, steps: steps, nest: nest)
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

    /// The moves of a tile, one per temporal loop with two or more iterations above a loop:
    /// per data-space rank, the loop's step minus the return of the loops inside it; flat,
    /// `rankCount` entries per move.
    struct Moves {
        var values: [Int]
        var rankCount: Int
        var bounds: [Int]
        var count: Int { bounds.count }
        subscript(move: Int, rank: Int) -> Int { values[move * rankCount + rank] }
    }

    /// Per data space, the data-space step of every temporal loop with two or more iterations.
    struct Steps {
        var loops: [Int]        // loop indices, inner to outer
        var bounds: [Int]
        var values: [Int]       // rankCount per loop
        var rankCount: Int
    }

    func steps(_ pv: Int, nest: FlatNest) -> Steps {
        let ranks = geometry.projections[pv]
        var result = Steps(loops: [], bounds: [], values: [], rankCount: ranks.count)
        for (loopIndex, loop) in nest.loops.enumerated() where !loop.isSpatial && loop.bound >= 2 {
            let scale = nest.strides[loopIndex][loop.dimension]
            result.loops.append(loopIndex)
            result.bounds.append(loop.bound)
            for terms in ranks {
                var move = 0
                for term in terms where term.dimension == loop.dimension { move += term.coefficient * scale }
                result.values.append(move)
            }
        }
        return result
    }

    /// The moves above loop `below`: each loop's step minus the steps of the loops inside it.
    func moves(_ steps: Steps, above below: Int) -> Moves {
        let r = steps.rankCount
        guard let start = steps.loops.firstIndex(where: { $0 > below }) else {
            return Moves(values: [], rankCount: r, bounds: [])
        }
        var values = Array(repeating: 0, count: (steps.loops.count - start) * r)
        var reset = Array(repeating: 0, count: r)
        for k in start..<steps.loops.count {
            for rank in 0..<r {
                let step = steps.values[k * r + rank]
                values[(k - start) * r + rank] = step - reset[rank]
                reset[rank] += step
            }
        }
        return Moves(values: values, rankCount: r, bounds: Array(steps.bounds[start...]))
    }

    /// Residual states: 0 no direction, 1 stayed in place (strict rule only), 2 + 2·rank + (0 up,
    /// 1 down) sliding. One step by move `m`: the words needed and the next state.
    private func transition(state: Int, moves: Moves, _ m: Int, extent: [Int], full: Int) -> (words: Int, state: Int) {
        var nonzero = 0, axis = 0
        for rank in 0..<moves.rankCount where moves[m, rank] != 0 {
            nonzero += 1
            axis = rank
        }
        if nonzero == 0 {
            return (0, residualRule == .resetOnStrideChangeStrict ? 1 : 0)
        }
        let diff = moves[m, axis]
        if nonzero == 1 && abs(diff) < extent[axis] {
            let sliding = 2 + 2 * axis + (diff < 0 ? 1 : 0)
            let accept: Bool
            switch residualRule {
            case .keepAlways: accept = true
            case .resetOnStrideChange: accept = state <= 1 || state == sliding
            case .resetOnStrideChangeStrict: accept = state == 0 || state == sliding
            }
            if accept {
                return (full / extent[axis] * abs(diff), residualRule == .keepAlways ? 0 : sliding)
            }
        }
        return (full, 0)
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

    struct MemoEntry {
        var key: Int
        var sums: Sums
        var end: SequenceState
    }

    struct SequenceState: Hashable {
        var residual: Int
        var shape: DeltaShape

        /// The state as one integer (residual < 64, kind < 4, rank < 16, width < 2^40).
        var key: Int {
            residual | shape.kind << 6 | shape.rank << 8 | (shape.negative ? 1 << 12 : 0) | shape.width << 13
        }
    }

    /// Accesses at the innermost level: one per MAC step, multicast over its spatial children.
    func innermostAccesses(_ pv: Int, spatial: SpatialRun?, steps: Steps, computeCycles: Int) -> Sums {
        guard let spatial else { return Sums(content: Double(computeCycles), weighted: Double(computeCycles)) }
        // Children receive whole points; every step moves them by the carried loop's move.
        var sums = Sums(content: Double(spatial.classes), weighted: Double(spatial.count))
        let moves = self.moves(steps, above: spatial.outermost)
        var shift = Array(repeating: 0, count: moves.rankCount)
        var later = 1.0
        for k in stride(from: moves.count - 1, through: 0, by: -1) {
            for rank in 0..<moves.rankCount { shift[rank] = moves[k, rank] }
            sums = sums + (Double(moves.bounds[k] - 1) * later) * spatial.step(words: 1, shift: shift)
            later *= Double(moves.bounds[k])
        }
        return sums
    }

    /// Accesses at a level for the deltas of its child's tile (boundary loop `childBoundary`).
    func childAccesses(_ pv: Int, childBoundary: Int, spatial: SpatialRun?, steps: Steps, nest: FlatNest) -> Sums {
        let ranks = geometry.projections[pv]
        let high = nest.moldHigh[childBoundary]
        let extent = ranks.map { terms in terms.reduce(1) { $0 + $1.coefficient * high[$1.dimension] } }
        let full = extent.reduce(1, *)
        let moves = self.moves(steps, above: childBoundary)
        var shift = Array(repeating: 0, count: ranks.count)

        /// One step: the residual rule, then what the parent is read for.
        func step(from state: SequenceState, move m: Int) -> (Sums, SequenceState) {
            let (words, residual) = transition(state: state.residual, moves: moves, m, extent: extent, full: full)
            var shape = DeltaShape(kind: words == 0 ? 0 : 1)
            if words != 0 && words != full {
                // An accepted slide: a slab at the end the tile moved towards.
                let axis = (residual - 2) / 2
                shape = DeltaShape(kind: 2, rank: axis, negative: (residual - 2) % 2 == 1, width: abs(moves[m, axis]))
            }
            let next = SequenceState(residual: residual, shape: shape)
            guard words > 0 else { return (Sums(), next) }
            guard let spatial else { return (Sums(content: Double(words), weighted: Double(words)), next) }
            // Children may take this delta from a neighbour that got the same slab one step before.
            let before = state.shape
            if before.kind != 0 && before.kind == shape.kind && before.rank == shape.rank && before.width == shape.width {
                for rank in 0..<ranks.count { shift[rank] = moves[m, rank] }
                if shape.kind == 2 {
                    // Slabs sit at the high end after an upward slide, at the low end after a downward one.
                    let end = extent[shape.rank] - shape.width
                    shift[shape.rank] += (shape.negative ? 0 : end) - (before.negative ? 0 : end)
                }
                return (spatial.step(words: words, shift: shift), next)
            }
            return (spatial.step(words: words, shift: nil), next)
        }

        // Memo per block size j: the few states seen, searched linearly (keys are small ints).
        var memo = Array(repeating: [MemoEntry](), count: moves.count + 1)
        func block(_ j: Int, _ state: SequenceState) -> (Sums, SequenceState) {
            if j == 0 { return (Sums(), state) }
            let key = state.key
            for entry in memo[j] where entry.key == key { return (entry.sums, entry.end) }
            let (first, end) = block(j - 1, state)
            let (carried, after) = step(from: end, move: j - 1)
            let (second, last) = block(j - 1, after)
            let sums = first + Double(moves.bounds[j - 1] - 1) * (carried + second)
            memo[j].append(MemoEntry(key: key, sums: sums, end: last))
            return (sums, last)
        }
        let start = spatial.map { Sums(content: Double(full * $0.classes), weighted: Double(full * $0.count)) }
            ?? Sums(content: Double(full), weighted: Double(full))
        let (rest, _) = block(moves.count, SequenceState(residual: 0, shape: DeltaShape(kind: 1)))
        return start + rest
    }
}

/// The children of one spatial run: their data-space offsets, multicast groups, and which of them
/// can take a delta from a mesh neighbour for a given shift between consecutive deltas.
///
/// Offsets are kept as one integer per child (a mixed-radix code of the rank offsets), so groups
/// and comparisons are integer operations.
final class SpatialRun {
    let count: Int
    let classes: Int
    let outermost: Int
    private let codes: [Int]
    private let radix: [Int]
    private let span: [Int]
    private let mesh: (x: Int, y: Int)
    private var cache: [(shift: Int, served: Int, unservedClasses: Int, unserved: Int)] = []

    init(model: AnalyticalModel, pv: Int, run: [Int], mesh: (x: Int, y: Int), nest: FlatNest) {
        let ranks = model.geometry.projections[pv]
        outermost = run.last!
        self.mesh = mesh
        var count = 1
        for position in run { count *= nest.loops[position].bound }
        self.count = count
        // Offsets per rank lie in [0, span); shifts between them in (−span, span): radix 2·span + 1,
        // with the code of an offset taken at +span so that differences encode uniquely.
        var span = Array(repeating: 1, count: ranks.count)
        for (rank, terms) in ranks.enumerated() {
            for term in terms {
                for position in run where nest.loops[position].dimension == term.dimension {
                    span[rank] += term.coefficient * nest.strides[position][term.dimension] * (nest.loops[position].bound - 1)
                }
            }
        }
        var radix = Array(repeating: 1, count: ranks.count)
        var multiplier = 1
        for rank in 0..<ranks.count {
            radix[rank] = multiplier
            multiplier *= 2 * span[rank] + 1
        }
        self.radix = radix
        self.span = span
        var codes = Array(repeating: 0, count: count)
        var dimensionOffset = Array(repeating: 0, count: model.geometry.dimensionCount)
        for index in 0..<count {
            var rest = index
            for d in 0..<dimensionOffset.count { dimensionOffset[d] = 0 }
            for position in run {
                let loop = nest.loops[position]
                dimensionOffset[loop.dimension] += (rest % loop.bound) * nest.strides[position][loop.dimension]
                rest /= loop.bound
            }
            var code = 0
            for (rank, terms) in ranks.enumerated() {
                var offset = 0
                for term in terms { offset += term.coefficient * dimensionOffset[term.dimension] }
                code += (offset + span[rank]) * radix[rank]
            }
            codes[index] = code
        }
        self.codes = codes
        classes = SpatialRun.distinct(codes)
    }

    static func distinct(_ values: [Int]) -> Int {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        var result = 1
        for i in 1..<sorted.count where sorted[i] != sorted[i - 1] { result += 1 }
        return result
    }

    /// Parent reads for one step in which every child needs `words`, when the delta moved by
    /// `shift` since the previous step (`nil`: no neighbour can have it).
    func step(words: Int, shift: [Int]?) -> AnalyticalModel.Sums {
        let w = Double(words)
        let without = AnalyticalModel.Sums(content: w * Double(classes), weighted: w * Double(count))
        guard let shift else { return without }
        var encoded = 0
        for rank in 0..<shift.count {
            // Neighbour differences lie strictly within ±span; anything else matches no one.
            guard abs(shift[rank]) < span[rank] else { return without }
            encoded += shift[rank] * radix[rank]
        }
        var outcome: (served: Int, unservedClasses: Int, unserved: Int)?
        for entry in cache where entry.shift == encoded {
            outcome = (entry.served, entry.unservedClasses, entry.unserved)
            break
        }
        if outcome == nil {
            // Child i is served when a neighbour's code minus its own equals the shift's code.
            var unservedCodes: [Int] = []
            var served = 0
            for index in 0..<count {
                let x = index % mesh.x, y = index / mesh.x
                var hit = false
                func check(_ neighbour: Int) { if neighbour < count && codes[neighbour] - codes[index] == encoded { hit = true } }
                if mesh.y > 1 {
                    if y >= 1 { check((y - 1) * mesh.x + x) }
                    if !hit && y + 1 < mesh.y { check((y + 1) * mesh.x + x) }
                }
                if mesh.x > 1 && !hit {
                    if x >= 1 { check(y * mesh.x + x - 1) }
                    if !hit && x + 1 < mesh.x { check(y * mesh.x + x + 1) }
                }
                if hit { served += 1 } else { unservedCodes.append(codes[index]) }
            }
            outcome = (served, SpatialRun.distinct(unservedCodes), unservedCodes.count)
            cache.append((encoded, outcome!.served, outcome!.unservedClasses, outcome!.unserved))
        }
        let result = outcome!
        guard result.served > 0, result.unservedClasses < classes else { return without }
        return AnalyticalModel.Sums(content: w * Double(result.unservedClasses), weighted: w * Double(result.unserved),
                                    link: w * Double(result.served))
    }
}
