import MagnetCore

/// A point of a ``MapSpace``: the factor of every dimension in every slot, a loop order per
/// level, and the data spaces each level keeps. Cheap to copy and to change by one move.
struct Candidate: Equatable {
    /// `factors[(level * 3 + slot) * dimensions + dimension]`.
    var factors: [Int]
    /// Every level's loop order, innermost first, each dimension once per level:
    /// `orders[level * dimensions + position]` (one flat array, so that copying a candidate into
    /// another's storage is two block copies; ``order(_:)`` reads one level's).
    var orders: [Int]
    /// Per level, a bit per data space kept (bit `d`: data space `d`).
    var keepMasks: [Int]
    let dimensions: Int

    /// Per level, the data spaces kept (``keepMasks`` as sets).
    var keeps: [Set<Int>] {
        get { keepMasks.map { mask in Set((0..<Int.bitWidth).filter { mask >> $0 & 1 == 1 }) } }
        set { keepMasks = Self.masks(newValue) }
    }

    /// Creates a candidate.
    /// `orders`: per level, every dimension once, innermost first.
    init(factors: [Int], orders: [[Int]], keeps: [Set<Int>], dimensions: Int) {
        self.factors = factors
        self.orders = Self.flattened(orders, dimensions: dimensions)
        keepMasks = Self.masks(keeps)
        self.dimensions = dimensions
    }

    static func masks(_ keeps: [Set<Int>]) -> [Int] { keeps.map { $0.reduce(0) { $0 | 1 << $1 } } }

    /// Keeps `dataSpace` at `level` if it bypassed it, or bypasses it if it kept it.
    mutating func flipKeep(_ level: Int, _ dataSpace: Int) { keepMasks[level] ^= 1 << dataSpace }

    func factor(_ level: Int, _ slot: Int, _ dimension: Int) -> Int {
        factors[(level * 3 + slot) * dimensions + dimension]
    }

    /// The loop order of `level`: every dimension once, innermost first.
    func order(_ level: Int) -> ArraySlice<Int> { orders[level * dimensions..<(level + 1) * dimensions] }

    /// The dimension at position `place` (0: innermost) of `level`'s loop order.
    func loop(_ level: Int, at place: Int) -> Int { orders[level * dimensions + place] }

    /// Gives `level` the loop order `order` (every dimension once, innermost first).
    mutating func setOrder(_ level: Int, to order: [Int]) {
        precondition(order.count == dimensions, "a loop order holds every dimension once")
        orders.replaceSubrange(level * dimensions..<(level + 1) * dimensions, with: order)
    }

    /// Swaps the loops at positions `first` and `second` of `level`'s order.
    mutating func swapLoops(_ level: Int, _ first: Int, _ second: Int) {
        orders.swapAt(level * dimensions + first, level * dimensions + second)
    }

    /// Gives every level its loop order (`orders[level]`: every dimension once, innermost first).
    mutating func setOrders(_ orders: [[Int]]) { self.orders = Self.flattened(orders, dimensions: dimensions) }

    private static func flattened(_ orders: [[Int]], dimensions: Int) -> [Int] {
        precondition(orders.allSatisfy { $0.count == dimensions }, "a loop order holds every dimension once")
        return orders.flatMap { $0 }
    }

    /// Becomes a copy of `other` (of the same space), writing into this candidate's own storage
    /// where it owns it alone, so that a search drawing neighbour after neighbour into the same
    /// candidates allocates nothing.
    mutating func assign(_ other: Candidate) {
        guard factors.count == other.factors.count, orders.count == other.orders.count else {
            self = other
            return
        }
        Self.copy(other.factors, into: &factors)
        Self.copy(other.orders, into: &orders)
        if keepMasks.count == other.keepMasks.count {
            Self.copy(other.keepMasks, into: &keepMasks)
        } else {
            keepMasks = other.keepMasks
        }
    }

    /// Copies `source` into `target` of the same count, in place when `target` owns its storage.
    private static func copy(_ source: [Int], into target: inout [Int]) {
        target.withUnsafeMutableBufferPointer { target in
            source.withUnsafeBufferPointer { source in _ = target.update(fromContentsOf: source) }
        }
    }

    /// The candidate a mapping stands for, or `nil` when a level has two loops over one
    /// dimension in one slot (candidates hold one factor per dimension, level and slot).
    init?(_ mapping: Mapping, dimensions: Int) {
        self.dimensions = dimensions
        factors = Array(repeating: 1, count: mapping.levels.count * 3 * dimensions)
        orders = []
        orders.reserveCapacity(mapping.levels.count * dimensions)
        keepMasks = Self.masks(mapping.levels.map(\.keeps))
        for (level, levelMapping) in mapping.levels.enumerated() {
            for (slot, loops) in [levelMapping.temporal, levelMapping.spatialX, levelMapping.spatialY].enumerated() {
                for loop in loops where loop.bound > 1 {
                    let i = (level * 3 + slot) * dimensions + loop.dimension
                    guard factors[i] == 1 else { return nil }
                    factors[i] = loop.bound
                }
            }
            let ordered = levelMapping.temporal.filter { $0.bound > 1 }.map(\.dimension)
            orders += ordered + (0..<dimensions).filter { !ordered.contains($0) }
        }
    }

    /// The mapping this candidate stands for.
    func mapping() -> Mapping {
        let keeps = self.keeps
        return Mapping(levels: keeps.indices.map { level in
            LevelMapping(
                temporal: order(level).compactMap { d in factor(level, 0, d) > 1 ? Loop(dimension: d, bound: factor(level, 0, d)) : nil },
                spatialX: (0..<dimensions).compactMap { d in factor(level, 1, d) > 1 ? Loop(dimension: d, bound: factor(level, 1, d)) : nil },
                spatialY: (0..<dimensions).compactMap { d in factor(level, 2, d) > 1 ? Loop(dimension: d, bound: factor(level, 2, d)) : nil },
                keeps: keeps[level])
        })
    }
}

/// Draws candidates and neighbours of candidates in a ``MapSpace``.
struct CandidateSampler {
    let space: MapSpace
    let levels: Int
    let dimensions: Int
    let primes: [[Int]]           // remaining prime factors per dimension after the fixed ones
    let freeSlots: [[Int]]        // per dimension: indices level * 3 + slot that may take factors
    /// `takes[slot * dimensions + d]`: whether `slot` (`level * 3 + slot`) is among `freeSlots[d]`.
    let takes: [Bool]
    let fanoutX: [Int]
    let fanoutY: [Int]
    /// Every (level, data space) whose keep/bypass is searched.
    let keepChoices: [(level: Int, dataSpace: Int)]
    let hasMaxFactors: Bool
    /// Chance that a filled start leaves a level's temporal slot empty (``filledSkipChance``).
    var temporalSkipChance = CandidateSampler.filledSkipChance

    init(space: MapSpace) {
        self.space = space
        levels = space.hardware.storage.count
        dimensions = space.problem.dimensions.count
        var primes: [[Int]] = []
        var free: [[Int]] = []
        for d in 0..<dimensions {
            var fixedProduct = 1
            for level in 0..<levels { for slot in 0..<3 { if let f = space.fixed[level][slot][d] { fixedProduct *= f } } }
            primes.append(Factorization.primes(space.problem.bounds[d] / max(fixedProduct, 1)))
            free.append((0..<levels).flatMap { level in (0..<3).compactMap { slot in
                space.allowed[level][slot][d] && space.fixed[level][slot][d] == nil ? level * 3 + slot : nil } })
        }
        self.primes = primes
        freeSlots = free
        var takes = Array(repeating: false, count: levels * 3 * dimensions)
        for (d, slots) in free.enumerated() { for slot in slots { takes[slot * dimensions + d] = true } }
        self.takes = takes
        fanoutX = (0..<levels).map { space.hardware.fanout(of: $0).x }
        fanoutY = (0..<levels).map { space.hardware.fanout(of: $0).y }
        keepChoices = space.keepChoices
        hasMaxFactors = space.maxFactor.contains { $0.contains { $0.contains { $0 != nil } } }
    }

    func product(_ candidate: Candidate, level: Int, slot: Int) -> Int {
        var result = 1
        for d in 0..<dimensions { result *= candidate.factor(level, slot, d) }
        return result
    }

    /// Whether a factor `p` more fits the fan-out of `level`'s `slot`.
    func room(_ candidate: Candidate, _ index: Int, _ p: Int) -> Bool {
        let level = index / 3, slot = index % 3
        if slot == 0 { return true }
        return product(candidate, level: level, slot: slot) * p <= (slot == 1 ? fanoutX[level] : fanoutY[level])
    }

    /// A random candidate (not necessarily fitting the capacities).
    func random(using generator: inout SeededGenerator) -> Candidate {
        var candidate = Candidate(factors: Array(repeating: 1, count: levels * 3 * dimensions),
                                  orders: Array(repeating: Array(0..<dimensions), count: levels), keeps: space.keeps,
                                  dimensions: dimensions)
        for (level, dataSpace) in keepChoices where Bool.random(using: &generator) { candidate.flipKeep(level, dataSpace) }
        for level in 0..<levels { for slot in 0..<3 { for d in 0..<dimensions {
            if let f = space.fixed[level][slot][d] { candidate.factors[(level * 3 + slot) * dimensions + d] = f }
        } } }
        for d in 0..<dimensions {
            let slots = freeSlots[d]
            for p in primes[d] {
                var target = slots.isEmpty ? (levels - 1) * 3 : slots[Int.random(in: 0..<slots.count, using: &generator)]
                if !room(candidate, target, p) {
                    let temporal = slots.filter { $0 % 3 == 0 }
                    target = temporal.isEmpty ? (levels - 1) * 3 : temporal[Int.random(in: 0..<temporal.count, using: &generator)]
                }
                candidate.factors[target * dimensions + d] *= p
            }
        }
        candidate.setOrders((0..<levels).map { level in
            let fixedOrder = space.innermostOrder[level]
            var inner = (0..<dimensions).filter { !fixedOrder.contains($0) && space.innermostSet[level].contains($0) }
            var rest = (0..<dimensions).filter { !fixedOrder.contains($0) && !space.innermostSet[level].contains($0) }
            inner.shuffle(using: &generator)
            rest.shuffle(using: &generator)
            return fixedOrder + inner + rest
        })
        return candidate
    }

    /// How many moves ``neighbour(of:using:)`` draws at most until one changes the candidate (a
    /// move drawn for a dimension of size 1 or a level with one loop changes nothing).
    static let moveAttempts = 16

    /// A neighbour: one prime factor moved to another slot, two prime factors of different
    /// dimensions exchanging their slots (``exchange(in:using:)``), two loops of a level swapped
    /// (only loops with factors above 1: swapping a loop of factor 1 changes nothing), or, where
    /// the space leaves keep/bypass open, one data space's choice at one level flipped. Moves
    /// that would change nothing are drawn again (up to ``moveAttempts``), so that the budget is
    /// not spent on the same candidate twice (docs/mapper.md, "Moves that change nothing").
    func neighbour(of candidate: Candidate, using generator: inout SeededGenerator) -> Candidate {
        var next = candidate
        for _ in 0..<Self.moveAttempts where move(&next, using: &generator) { break }
        return next
    }

    /// Draws a neighbour of `candidate` as ``neighbour(of:using:)`` does (the same draws), into
    /// `next`'s storage (``Candidate/assign(_:)``).
    func neighbour(of candidate: Candidate, into next: inout Candidate, using generator: inout SeededGenerator) {
        next.assign(candidate)
        for _ in 0..<Self.moveAttempts where move(&next, using: &generator) { break }
    }

    /// A random element of `elements` that meets `condition`, drawn exactly as
    /// `elements.filter(condition).randomElement(using:)` draws it (one draw below the count of
    /// such elements, none when there is none) without building the filtered array.
    static func randomElement<Elements: Collection>(
        of elements: Elements, where condition: (Elements.Element) -> Bool, using generator: inout SeededGenerator
    ) -> Elements.Element? {
        var count = 0
        for element in elements where condition(element) { count += 1 }
        guard count > 0 else { return nil }
        var remaining = Int.random(in: 0..<count, using: &generator)
        for element in elements where condition(element) {
            if remaining == 0 { return element }
            remaining -= 1
        }
        return nil
    }

    /// One random move; whether it changed the candidate.
    private func move(_ next: inout Candidate, using generator: inout SeededGenerator) -> Bool {
        let move = Int.random(in: 0..<(keepChoices.isEmpty ? 4 : 5), using: &generator)
        if move == 3 {
            return exchange(in: &next, using: &generator)
        } else if move < 2 {
            let d = Int.random(in: 0..<dimensions, using: &generator)
            let slots = freeSlots[d]
            guard slots.count > 1,
                  let from = Self.randomElement(of: slots, where: { next.factors[$0 * dimensions + d] > 1 },
                                                using: &generator) else { return false }
            let p = smallestPrime(of: d, dividing: next.factors[from * dimensions + d])
            guard let to = Self.randomElement(of: slots, where: { $0 != from && room(next, $0, p) },
                                              using: &generator) else { return false }
            apply(.shift(dimension: d, prime: p, from: from, to: to), to: &next)
        } else if move == 2 {
            let level = Int.random(in: 0..<levels, using: &generator)
            // As drawing among the groups of two or more, inner first.
            let innerSize = swapGroupSize(of: next, level: level, group: .inner)
            let outerSize = swapGroupSize(of: next, level: level, group: .outer)
            let eligible = (innerSize >= 2 ? 1 : 0) + (outerSize >= 2 ? 1 : 0)
            guard eligible > 0 else { return false }
            let drawn = Int.random(in: 0..<eligible, using: &generator)
            let group: SwapGroup = innerSize >= 2 && drawn == 0 ? .inner : .outer
            let size = group == .inner ? innerSize : outerSize
            let i = Int.random(in: 0..<size, using: &generator)
            var j = Int.random(in: 0..<(size - 1), using: &generator)
            if j >= i { j += 1 }
            apply(.swap(level: level, first: swapPosition(i, of: next, level: level, group: group),
                        second: swapPosition(j, of: next, level: level, group: group)), to: &next)
        } else {
            let (level, dataSpace) = keepChoices[Int.random(in: 0..<keepChoices.count, using: &generator)]
            apply(.flip(level: level, dataSpace: dataSpace), to: &next)
        }
        return true
    }

    /// Exchanges two prime factors of different dimensions between two slots: a prime of a
    /// random dimension leaves a slot that holds it for another slot that takes it, and a prime
    /// of another dimension searched in both slots comes back in its place, when both slots'
    /// fan-outs take the trade (fixed factors stay). A full spatial slot can so trade one
    /// spatial factor for another in one step, which single moves can only do through a worse
    /// candidate (docs/mapper.md, "Exchanges"). Leaves the candidate unchanged when the drawn
    /// dimension has no such trade; whether it changed it.
    @discardableResult
    func exchange(in candidate: inout Candidate, using generator: inout SeededGenerator) -> Bool {
        let d = Int.random(in: 0..<dimensions, using: &generator)
        guard let from = Self.randomElement(of: freeSlots[d], where: { candidate.factors[$0 * dimensions + d] > 1 },
                                            using: &generator) else { return false }
        let p = smallestPrime(of: d, dividing: candidate.factors[from * dimensions + d])
        // The trades (target slot, other dimension), counted, then the drawn one found again.
        func forEachTrade(_ body: (_ to: Int, _ other: Int) -> Bool) {
            for to in freeSlots[d] where to != from {
                for e in 0..<dimensions where e != d && candidate.factors[to * dimensions + e] > 1
                    && takes[from * dimensions + e] && takes[to * dimensions + e] {
                    if !body(to, e) { return }
                }
            }
        }
        var trades = 0
        forEachTrade { _, _ in trades += 1; return true }
        guard trades > 0 else { return false }
        var remaining = Int.random(in: 0..<trades, using: &generator)
        var to = 0, e = 0
        forEachTrade { slot, other in
            (to, e) = (slot, other)
            remaining -= 1
            return remaining >= 0
        }
        let q = smallestPrime(of: e, dividing: candidate.factors[to * dimensions + e])
        let trade = Move.exchange(dimension: d, prime: p, other: e, otherPrime: q, from: from, to: to)
        apply(trade, to: &candidate)
        guard room(candidate, from, 1), room(candidate, to, 1) else {
            // Undone: the same trade the other way.
            apply(.exchange(dimension: d, prime: p, other: e, otherPrime: q, from: to, to: from), to: &candidate)
            return false
        }
        return true
    }

    /// The smallest searched prime of dimension `d` that divides `factor` (or `factor` itself).
    private func smallestPrime(of d: Int, dividing factor: Int) -> Int {
        primes[d].first { factor % $0 == 0 } ?? factor
    }

    /// Whether a candidate meets the space's factor bounds and minimum parallelism (fan-out
    /// limits are kept by construction; capacities are the evaluator's ``Evaluator/fits(_:)``).
    func admissible(_ candidate: Candidate) -> Bool {
        if hasMaxFactors {
            for level in 0..<levels {
                for d in 0..<dimensions where !Self.withinBound(candidate, level: level, slot: .temporal, dimension: d,
                                                                 space: space) {
                    return false
                }
            }
        }
        return Self.admissibleSpatially(candidate, space: space)
    }

    /// Whether the factor of dimension `d` at `level` in `slot` stays within the space's bound
    /// on it: the temporal factor's, or for either spatial slot the X × Y product's.
    static func withinBound(_ candidate: Candidate, level: Int, slot: MapSpace.Slot, dimension d: Int,
                            space: MapSpace) -> Bool {
        switch slot {
        case .temporal:
            guard let bound = space.maxFactor[level][0][d] else { return true }
            return candidate.factor(level, 0, d) <= bound
        case .spatialX, .spatialY:
            guard let bound = space.maxFactor[level][1][d] else { return true }
            return candidate.factor(level, 1, d) * candidate.factor(level, 2, d) <= bound
        }
    }

    /// Whether a candidate's spatial factors meet the space's bounds on them and its minimum
    /// parallelism.
    static func admissibleSpatially(_ candidate: Candidate, space: MapSpace) -> Bool {
        let levels = space.hardware.storage.count
        for level in 0..<levels {
            for d in 0..<candidate.dimensions where !withinBound(candidate, level: level, slot: .spatialX, dimension: d,
                                                                  space: space) {
                return false
            }
        }
        if let minimum = space.minimumParallelism {
            var utilization = 1.0
            for level in 0..<levels {
                let fanout = space.hardware.fanout(of: level)
                guard fanout.x * fanout.y > 1 else { continue }
                var used = 1
                for d in 0..<candidate.dimensions {
                    used *= candidate.factor(level, 1, d) * candidate.factor(level, 2, d)
                }
                utilization *= Double(used) / Double(fanout.x * fanout.y)
            }
            if utilization < minimum { return false }
        }
        return true
    }
}
