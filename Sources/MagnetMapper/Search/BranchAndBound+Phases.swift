// The levels of the tree: keep choices (in `run`), spatial factors, temporal factors level by
// level from the outermost inward (the innermost level takes what is left), loop orders from the
// outermost level inward, and the exact evaluation of complete candidates.
extension BranchAndBound {
    /// A partial decision waiting in a list of siblings, with its bound.
    struct Node {
        var factors: [Int]
        /// ``Candidate/orders``: every level's loop order in one flat array.
        var orders: [Int]
        var remaining: [Int]
        var lower: Double
    }

    // MARK: Spatial factors

    mutating func spatialPhase() {
        visit(spatialNodes()) { engine in engine.temporalPhase() }
    }

    /// Every assignment of spatial factors (with the space's fixed factors), bounded.
    mutating func spatialNodes() -> [Node] {
        for i in candidate.factors.indices { candidate.factors[i] = 1 }
        remaining = space.problem.bounds
        for level in 0..<levelCount {
            for slot in 0..<3 {
                for d in 0..<dimensionCount {
                    guard let factor = space.fixed[level][slot][d] else { continue }
                    guard remaining[d] % factor == 0 else { return [] }
                    candidate.factors[index(level, slot, d)] = factor
                    remaining[d] /= factor
                }
            }
        }
        var slots: [(level: Int, slot: Int)] = []
        for level in 0..<levelCount { for slot in 1...2 where fanout[level][slot] > 1 { slots.append((level, slot)) } }
        var nodes: [Node] = []
        enumerateSpatial(slots, 0, 0, into: &nodes)
        return nodes
    }

    /// Every assignment of spatial factors within the fan-outs and bounds, with its bound.
    private mutating func enumerateSpatial(_ slots: [(level: Int, slot: Int)], _ s: Int, _ d: Int,
                                           into nodes: inout [Node]) {
        guard s < slots.count else {
            guard CandidateSampler.admissibleSpatially(candidate, space: space) else { return }
            record(lowerBound(Decisions(temporalThrough: -1, ordersFrom: levelCount)), into: &nodes)
            return
        }
        guard d < dimensionCount else { return enumerateSpatial(slots, s + 1, 0, into: &nodes) }
        let (level, slot) = slots[s]
        guard space.allowed[level][slot][d], space.fixed[level][slot][d] == nil, remaining[d] > 1 else {
            return enumerateSpatial(slots, s, d + 1, into: &nodes)
        }
        var used = 1
        for other in 0..<dimensionCount { used *= candidate.factors[index(level, slot, other)] }
        let i = index(level, slot, d)
        let otherAxis = candidate.factors[index(level, 3 - slot, d)]
        for factor in divisors(remaining[d]) {
            if used * factor > fanout[level][slot] { break }
            if let maximum = space.maxFactor[level][1][d], factor * otherAxis > maximum { break }
            candidate.factors[i] = factor
            remaining[d] /= factor
            enumerateSpatial(slots, s, d + 1, into: &nodes)
            remaining[d] *= factor
            candidate.factors[i] = 1
        }
    }

    /// Keeps a node unless its bound cuts it.
    private mutating func record(_ lower: Double, into nodes: inout [Node]) {
        if cut(lower) {
            certificate.pruned += 1
        } else {
            nodes.append(Node(factors: candidate.factors, orders: candidate.orders, remaining: remaining, lower: lower))
        }
    }

    /// Visits siblings in order of their bounds, cutting those the best score found meanwhile
    /// makes hopeless, and abandoning the rest at the time limit.
    private mutating func visit(_ nodes: [Node], _ body: (inout BranchAndBound) -> Void) {
        let savedFactors = candidate.factors, savedOrders = candidate.orders, savedRemaining = remaining
        visitInOrder(nodes.map { ($0, $0.lower) }) { engine, node in
            engine.candidate.factors = node.factors
            engine.candidate.orders = node.orders
            engine.remaining = node.remaining
            body(&engine)
        }
        candidate.factors = savedFactors
        candidate.orders = savedOrders
        remaining = savedRemaining
    }

    /// The rule of every sibling list: in order of their bounds; once one is cut, all the later
    /// ones are (and none lower); at the time limit, the rest are abandoned with their bounds.
    mutating func visitInOrder<Child>(_ children: [(Child, Double)], _ body: (inout BranchAndBound, Child) -> Void) {
        let sorted = children.sorted { $0.1 < $1.1 }
        for (position, (child, lower)) in sorted.enumerated() {
            if timeUp() {
                for rest in sorted[position...] { abandon(rest.1) }
                return
            }
            if cut(lower) {
                certificate.pruned += sorted.count - position
                return
            }
            body(&self, child)
        }
    }

    // MARK: Temporal factors

    /// After the spatial factors: the temporal factors from the outermost level inward, the
    /// innermost level taking what is left (a single level takes everything).
    mutating func temporalPhase() {
        if top >= 1 { return outsideInPhase(top) }
        guard placeRemainder(at: top) else { return }
        for first in innermostChoices(top) {
            setInnermost(top, first)
            orderPhase(top)
        }
    }

    /// Outside in: `level`'s temporal factors and innermost loop, which fix the tile of the level
    /// below; the innermost level takes what is left.
    mutating func outsideInPhase(_ level: Int) {
        var nodes: [Node] = []
        enumerateOutside(level, 0, into: &nodes)
        visit(nodes) { engine in
            if level == 1 { engine.orderPhase(engine.top) } else { engine.outsideInPhase(level - 1) }
        }
    }

    mutating func enumerateOutside(_ level: Int, _ d: Int, into nodes: inout [Node]) {
        guard d < dimensionCount else {
            guard fits(level, fromAbove: true), fits(level - 1, fromAbove: true) else { return }
            let saved = remaining
            for other in 0..<dimensionCount { remaining[other] /= candidate.factor(level, 0, other) }
            defer { remaining = saved }
            guard level == 1 else {
                for first in innermostChoices(level) {
                    setInnermost(level, first)
                    record(lowerBound(Decisions(temporalThrough: -1, ordersFrom: levelCount, decidedFrom: level)),
                           into: &nodes)
                }
                return
            }
            let savedFactors = candidate.factors
            defer { candidate.factors = savedFactors }
            guard placeRemainder(at: 0) else { return }
            for other in 0..<dimensionCount { remaining[other] = 1 }
            for first in innermostChoices(level) {
                setInnermost(level, first)
                for innerFirst in innermostChoices(0) {
                    setInnermost(0, innerFirst)
                    record(lowerBound(Decisions(temporalThrough: top, ordersFrom: levelCount, innermostThrough: top)),
                           into: &nodes)
                }
            }
            return
        }
        let i = index(level, 0, d)
        for factor in factorChoices(level, d) {
            candidate.factors[i] = factor
            enumerateOutside(level, d + 1, into: &nodes)
        }
        candidate.factors[i] = 1
    }

    /// The temporal factors dimension `d` may take at `level`, ascending: the space's fixed one,
    /// else every divisor of what is left within the space's bound (1 where it may take none).
    mutating func factorChoices(_ level: Int, _ d: Int) -> [Int] {
        if let fixed = space.fixed[level][0][d] { return [fixed] }
        guard space.allowed[level][0][d], remaining[d] > 1 else { return [1] }
        let all = divisors(remaining[d])
        guard let maximum = space.maxFactor[level][0][d] else { return all }
        return all.filter { $0 <= maximum }
    }

    /// The loops that may be innermost at `level` (factors above 1, within its order
    /// constraints); `[-1]` when it has none.
    func innermostChoices(_ level: Int) -> [Int] {
        let groups = orderGroups(level)
        if let first = groups.prefix.first { return [first] }
        if !groups.set.isEmpty { return groups.set }
        if !groups.rest.isEmpty { return groups.rest }
        return [-1]
    }

    /// Puts `first` innermost in `level`'s order (−1: leaves it).
    mutating func setInnermost(_ level: Int, _ first: Int) {
        guard first >= 0 else { return }
        candidate.setOrder(level, to: [first] + (0..<dimensionCount).filter { $0 != first })
    }

    /// Gives `level` every factor not placed yet; false when it may not take one of them or its
    /// tiles overflow. (The caller restores `candidate.factors` if needed.)
    mutating func placeRemainder(at level: Int) -> Bool {
        for d in 0..<dimensionCount {
            let i = index(level, 0, d)
            let factor = remaining[d] * (space.fixed[level][0][d] ?? 1)
            if factor > 1 && !space.allowed[level][0][d] && space.fixed[level][0][d] != factor { return false }
            if let maximum = space.maxFactor[level][0][d], factor > maximum { return false }
            candidate.factors[i] = factor
        }
        return fits(level)
    }

    /// Whether the tiles `level` keeps fit its capacity, with the factors decided so far: those of
    /// the levels inside it, or (`fromAbove`) the whole problem over those of the levels outside it.
    mutating func fits(_ level: Int, fromAbove: Bool = false) -> Bool {
        guard let capacity = space.hardware.storage[level].capacityWords else { return true }
        for d in 0..<dimensionCount {
            var extent = 1
            if fromAbove {
                for outer in (level + 1)..<levelCount { for slot in 0..<3 { extent *= candidate.factor(outer, slot,
                    d) } }
                extent = space.problem.bounds[d] / extent
            } else {
                for inner in 0...level { for slot in 0..<3 { extent *= candidate.factor(inner, slot, d) } }
            }
            tileExtent[d] = extent
        }
        var used = 0
        for dataSpace in 0..<bound.spaceCount where candidate.keepMasks[level] & (1 << dataSpace) != 0 {
            used += bound.shape.boxSize(dataSpace, tileExtent, base: 0)
        }
        if used > capacity { certificate.overflowed += 1 }
        return used <= capacity
    }

    // MARK: Loop orders

    /// Chooses the loop order of `level` and of every level inside it: position by position from
    /// the innermost loop, each partial order bounded with the rest of the level free (within its
    /// constraints), so that most orders are cut after their first loops.
    mutating func orderPhase(_ level: Int) {
        guard level >= 0 else { return leaf() }
        let groups = orderGroups(level)
        // The innermost loop was decided with the level's factors (and the fixed prefix with it).
        var order = groups.prefix
        if order.isEmpty, let first = candidate.order(level).first(where: { candidate.factor(level, 0,
            $0) > 1 }) { order = [first] }
        orderPosition(level, groups, &order)
    }

    /// The loops of `level` with factors above 1: those required innermost (in order), those that
    /// must stay inside the others, and the rest; and the loops of factor 1 (their place changes
    /// nothing).
    func orderGroups(_ level: Int) -> (prefix: [Int], set: [Int], rest: [Int], trivial: [Int]) {
        var nontrivial = 0
        for d in 0..<dimensionCount where candidate.factor(level, 0, d) > 1 { nontrivial |= 1 << d }
        var prefix: [Int] = [], set: [Int] = [], rest: [Int] = [], trivial: [Int] = []
        var placed = 0
        for d in space.innermostOrder[level] where nontrivial & (1 << d) != 0 {
            prefix.append(d)
            placed |= 1 << d
        }
        let inside = space.innermostSet[level]
        for d in 0..<dimensionCount {
            if nontrivial & (1 << d) == 0 {
                trivial.append(d)
            } else if placed & (1 << d) == 0 {
                if inside.contains(d) { set.append(d) } else { rest.append(d) }
            }
        }
        return (prefix, set, rest, trivial)
    }

    private mutating func orderPosition(_ level: Int, _ groups: (prefix: [Int], set: [Int], rest: [Int],
                                                                 trivial: [Int]),
                                        _ order: inout [Int]) {
        let placedSet = groups.set.filter { order.contains($0) }.count
        let pool = placedSet < groups.set.count ? groups.set : groups.rest
        let open = pool.filter { !order.contains($0) }
        guard open.count > 1 else {
            // One loop (or none) left to place: the order is decided.
            let complete = order + (groups.set + groups.rest).filter { !order.contains($0) }
            candidate.setOrder(level, to: complete + groups.trivial)
            return orderPhase(level - 1)
        }
        var children: [(Int, Double)] = []
        for loop in open {
            let partial = order + [loop]
            candidate.setOrder(level, to: partial + (0..<dimensionCount).filter { !partial.contains($0) })
            let lower = lowerBound(Decisions(temporalThrough: top, ordersFrom: level + 1, orderedLoops: partial.count,
                                             innermostThrough: top))
            if cut(lower) { certificate.pruned += 1 } else { children.append((loop, lower)) }
        }
        visitInOrder(children) { engine, loop in
            order.append(loop)
            engine.orderPosition(level, groups, &order)
            order.removeLast()
        }
    }

    /// Scores a complete candidate with the exact model.
    mutating func leaf() {
        // Every level's tiles were checked as its factors were decided; the evaluator's own check
        // guards the result against any gap in that.
        guard let summary = evaluator.summaryIfFits(candidate) else {
            assertionFailure("a complete candidate overflows a level: \(candidate.mapping())")
            return
        }
        certificate.evaluated += 1
        consider(candidate, summary)
    }
}
