// Lower bounds on delta sums: the words a child tile receives as the loops above it run, in tiles
// (docs/cost-model.md, section 2; docs/mapper.md, "Bounds").
//
// Facts of the model they rest on. A transition carried by loop j moves the tile by j's step minus
// the steps of the loops inside it (Timeloop's representative iterations). A move that changes a
// non-sliding coordinate, or two coordinates, fetches the whole tile; a move of m along one
// sliding coordinate of extent e fetches at least min(m, e)/e of it (more if the halo rule
// refuses the slide); no move fetches nothing. Along a non-sliding coordinate a loop's step is
// never cancelled by the loops inside it (their steps sum to less), along a sliding one it can be.
extension MappingBound {
    /// A lower bound on `1 + Σ |Δ| / tile` for the child tile of `space` below level `start`
    /// (`unit`: on the number of steps that move it at all, for the MACs' operand reads), over
    /// every completion of the decisions.
    mutating func deltaMultiplier(_ space: Int, from start: Int, child: Int, unit: Bool) -> Double {
        guard shape.isSliding[space] else { return chainProduct(shape.relevant[space], from: start) }
        let byFirstLoop = firstLoopSteps(space, from: start, child: child, unit: unit)
        let walked = walkedSteps(space, from: start, child: child, unit: unit)
        return 1 + max(byFirstLoop, walked)
    }

    /// A lower bound on the MAC steps that move `space`'s operand at all (the first included).
    mutating func unitSteps(_ space: Int) -> Double {
        deltaMultiplier(space, from: 0, child: 0, unit: true)
    }

    /// Π of the loop bounds at or outside the innermost loop over a dimension in `mask`, above
    /// level `start − 1`, with every undecided order putting the other loops inside it. For a
    /// non-sliding data space and its relevant dimensions: exactly the transitions that move its
    /// tile, plus one.
    func chainProduct(_ mask: Int, from start: Int) -> Double {
        var product = 1.0
        var open = true
        var b = firstBlock(from: start)
        while b < blockCount {
            if open {
                if ordered(b) {
                    if let k = innermostPosition(b, mask) { product *= productFrom(b, k); open = false }
                } else {
                    let relevantProduct = blockProduct(b, mask)
                    if relevantProduct > 1 { product *= Double(relevantProduct); open = false }
                }
            } else {
                product *= Double(blockProduct(b, allDimensions))
            }
            b += 1
        }
        return product
    }

    /// Steps that move a non-sliding coordinate fetch the whole tile (all transitions at or outside
    /// the innermost loop over such a dimension), and the steps carried by the innermost relevant
    /// loop, which moves the tile by its own step, at least their share; over the choices of that
    /// loop where the order is not decided.
    private func firstLoopSteps(_ space: Int, from start: Int, child: Int, unit: Bool) -> Double {
        let relevant = shape.relevant[space], nonSliding = shape.nonSliding[space]
        var first = firstBlock(from: start)
        while first < blockCount && blockProduct(first, relevant) == 1 { first += 1 }
        guard first < blockCount else { return 0 }
        let outside = blockOutside[first]
        let nonSlidingChain = chainProduct(nonSliding, from: start)
        if ordered(first) {
            let k = innermostPosition(first, relevant)!
            let d = blockDims[k]
            if nonSliding & (1 << d) != 0 { return productFrom(first, k) * outside - 1 }
            return (nonSlidingChain - 1) + transitions(first, d, position: k) * ownStepShare(space, d, block: first,
                child: child, unit: unit)
        }
        let relevantProduct = blockProduct(first, relevant)
        var best = Double.infinity
        if blockProduct(first, nonSliding) > 1 { best = Double(relevantProduct) * outside - 1 }
        for k in blockStart[first]..<blockEnd[first] {
            let d = blockDims[k]
            guard relevant & (1 << d) != 0, nonSliding & (1 << d) == 0 else { continue }
            let others = Double(relevantProduct / blockFactor(first, d))
            best = min(best, (nonSlidingChain - 1)
                       + transitions(first, d, position: k) * others * ownStepShare(space, d, block: first,
                                                                                    child: child, unit: unit))
        }
        return best
    }

    /// The share of the child tile that a step of a loop over `d` with no relevant loop inside it
    /// brings: its own step along its one sliding coordinate, within that coordinate's extent
    /// (the whole tile when it moves two).
    private func ownStepShare(_ space: Int, _ d: Int, block: Int, child: Int, unit: Bool) -> Double {
        if unit { return 1 }
        let rank = shape.slidingRank(space, d)
        guard rank >= 0 else { return 1 }
        let rankExtent = childExtent(rank, child: child)
        let move = shape.coefficient(of: d, in: rank) * loopStride(block, d)
        return Double(min(move, rankExtent)) / Double(rankExtent)
    }

    /// The child tile's extent along `rank`.
    @inline(__always)
    private func childExtent(_ rank: Int, child: Int) -> Int {
        var span = 1
        for term in shape.terms(rank) {
            span += term.coefficient * (extent[child * dimensionCount + term.dimension] - 1)
        }
        return span
    }

    // MARK: The walk

    /// Σ over the loops above the child of their transitions times the least share of the tile
    /// each brings, from what is surely inside each loop: exact moves where the order is decided
    /// all the way in, sure lower bounds on them past loops whose place is open.
    private mutating func walkedSteps(_ space: Int, from start: Int, child: Int, unit: Bool) -> Double {
        let relevant = shape.relevant[space]
        for rank in shape.ranks(space) {
            rankSum[rank] = 0
            rankUncertain[rank] = false
        }
        var innerNonSliding = false
        var exact = true
        var relevantInside = false
        var total = 0.0
        var b = firstBlock(from: start)
        while b < blockCount {
            // The undecided levels' strides are lower bounds: no exact moves from them on.
            if blockLevel[b] < 0 { exact = false }
            if ordered(b) {
                for k in blockStart[b]..<blockEnd[b] {
                    let d = blockDims[k]
                    let stride = loopStride(b, d)
                    let alone = !relevantInside && relevant & (1 << d) != 0
                    let share = moveShare(space, d, stride: stride, innerNonSliding: innerNonSliding, exact: exact,
                                          child: child,
                                          unit: unit, alone: alone)
                    total += transitions(b, d, position: k) * share
                    absorb(space, d, stride: stride, &innerNonSliding)
                    if relevant & (1 << d) != 0 { relevantInside = true }
                }
            } else {
                // The block's loops may be inside one another: on the coordinates they move, more
                // may be inside a loop than the sums say.
                for k in blockStart[b]..<blockEnd[b] { markUncertain(space, blockDims[k]) }
                if !relevantInside && blockProduct(b, relevant) > 1 {
                    total += firstRelevantBlock(space, b, innerNonSliding: innerNonSliding, child: child, unit: unit)
                } else {
                    for k in blockStart[b]..<blockEnd[b] {
                        let d = blockDims[k]
                        let share = moveShare(space, d, stride: loopStride(b, d), innerNonSliding: innerNonSliding,
                                              exact: false,
                                              child: child, unit: unit)
                        total += transitions(b, d, position: k) * share
                    }
                }
                for rank in shape.ranks(space) { rankUncertain[rank] = false }
                for k in blockStart[b]..<blockEnd[b] {
                    let d = blockDims[k]
                    absorb(space, d, stride: loopStride(b, d), &innerNonSliding)
                    if relevant & (1 << d) != 0 { relevantInside = true }
                }
            }
            b += 1
        }
        return total
    }

    /// The first block with a relevant loop, its order open: the least over which relevant loop
    /// is innermost of that loop's transitions at its own step and the other relevant loops'
    /// transitions with it inside (irrelevant loops may be inside it: nothing).
    private mutating func firstRelevantBlock(_ space: Int, _ b: Int, innerNonSliding: Bool, child: Int,
                                             unit: Bool) -> Double {
        let relevant = shape.relevant[space]
        var best = Double.infinity
        for first in blockStart[b]..<blockEnd[b] {
            let d1 = blockDims[first]
            guard relevant & (1 << d1) != 0 else { continue }
            let stride1 = loopStride(b, d1)
            // Nothing relevant is inside it: its move is its own step.
            var sum = transitions(b, d1, position: first)
                * moveShare(space, d1, stride: stride1, innerNonSliding: innerNonSliding, exact: true, child: child,
                            unit: unit, alone: true)
            var inner = innerNonSliding
            for rank in shape.ranks(space) { savedSums[rank] = rankSum[rank] }
            absorb(space, d1, stride: stride1, &inner)
            for k in blockStart[b]..<blockEnd[b] where k != first {
                let d = blockDims[k]
                guard relevant & (1 << d) != 0 else { continue }
                let share = moveShare(space, d, stride: loopStride(b, d), innerNonSliding: inner, exact: false,
                                      child: child, unit: unit)
                sum += transitions(b, d, position: k) * share
            }
            for rank in shape.ranks(space) { rankSum[rank] = savedSums[rank] }
            best = min(best, sum)
        }
        return best
    }

    /// The least share of the child tile one transition of a loop over `d` (step `stride` in `d`)
    /// brings, given the sums of the steps surely inside it per coordinate. `exact`: the sums are
    /// exactly what is inside; `alone`: nothing relevant is inside at all.
    private func moveShare(_ space: Int, _ d: Int, stride: Int, innerNonSliding: Bool, exact: Bool, child: Int,
                           unit: Bool,
                           alone: Bool = false) -> Double {
        if shape.nonSliding[space] & (1 << d) != 0 || innerNonSliding { return 1 }
        var sure = 0
        var magnitude = 0
        var sureRank = -1
        for rank in shape.ranks(space) where shape.rankSlides[rank] {
            let coefficient = shape.coefficient(of: d, in: rank)
            if alone || (exact && !rankUncertain[rank]) {
                let move = coefficient * stride - (alone ? 0 : rankSum[rank])
                if move != 0 { sure += 1; magnitude = abs(move); sureRank = rank }
            } else if coefficient == 0 {
                // Inner loops' steps, undone: at least their sum.
                if rankSum[rank] > 0 { sure += 1; magnitude = rankSum[rank]; sureRank = rank }
            } else if rankSum[rank] == 0 && !rankUncertain[rank] {
                // Nothing on this coordinate inside: the loop's own step.
                sure += 1
                magnitude = coefficient * stride
                sureRank = rank
            }
        }
        if sure >= 2 { return 1 }
        if sure == 0 { return 0 }
        if unit { return 1 }
        let rankExtent = childExtent(sureRank, child: child)
        return Double(min(magnitude, rankExtent)) / Double(rankExtent)
    }

    /// Adds a loop's steps to the sums inside (and notes a non-sliding one).
    @inline(__always)
    private mutating func absorb(_ space: Int, _ d: Int, stride: Int, _ innerNonSliding: inout Bool) {
        if shape.nonSliding[space] & (1 << d) != 0 { innerNonSliding = true }
        for rank in shape.ranks(space) where shape.rankSlides[rank] {
            rankSum[rank] += shape.coefficient(of: d, in: rank) * stride
        }
    }

    @inline(__always)
    private mutating func markUncertain(_ space: Int, _ d: Int) {
        for rank in shape.ranks(space) where shape.rankSlides[rank] && shape.coefficient(of: d, in: rank) != 0 {
            rankUncertain[rank] = true
        }
    }

    // MARK: Undecided tiles

    /// For a child level whose tile is not decided: its delta sum is at least the words of the data
    /// space one instance ever needs along plain coordinates (`size / spatial split`), times the
    /// smallest extent along the others; times, when the outermost level is decided, its loops
    /// over other dimensions that are surely outside the first one over these.
    func compulsoryDelta(_ space: Int, child: Int) -> Double {
        let counted = shape.isSliding[space] ? shape.nonSliding[space] : shape.relevant[space]
        var words = 1.0
        var used = 0
        for rank in shape.ranks(space) {
            let terms = shape.terms(rank)
            if terms.count == 1, let term = terms.first, term.coefficient == 1, counted & (1 << term.dimension) != 0,
               used & (1 << term.dimension) == 0 {
                let d = term.dimension
                used |= 1 << d
                var split = 1
                for level in (child + 1)..<levelCount { split *= spatial[level * dimensionCount + d] }
                words *= Double(problem.bounds[d] / split)
            } else {
                var span = 1
                for term in terms { span += term.coefficient * (extent[child * dimensionCount + term.dimension] - 1) }
                words *= Double(span)
            }
        }
        if decided.decidedFrom < levelCount && used != 0 {
            // Loops of the decided outer levels over other dimensions, outside the first of them
            // over these (whose loops are all at or outside it, and counted above).
            var countedThere = 1
            for b in firstBlock(from: decided.decidedFrom)..<blockCount { countedThere *= blockProduct(b, used) }
            words *= chainProduct(used, from: decided.decidedFrom) / Double(countedThere)
        }
        return words
    }
}
