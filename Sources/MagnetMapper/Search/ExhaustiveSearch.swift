import MagnetCore

/// Enumerates a small map space completely: every distinct way of splitting each dimension over
/// its free slots, and every order of each level's loops with factors above 1 (loops of factor 1
/// do not change the result, so orders that differ only in them are one), within the order
/// constraints, and every keep/bypass choice the space leaves open.
struct ExhaustiveSearch {
    let sampler: CandidateSampler

    /// Per dimension, every split of its remaining factor over its free slots.
    func splits() -> [[[Int]]] {
        (0..<sampler.dimensions).map { d in
            let slots = sampler.freeSlots[d].count
            var result: [[Int]] = [[]]
            var grouped: [Int: Int] = [:]
            for p in sampler.primes[d] { grouped[p, default: 0] += 1 }
            for (prime, exponent) in grouped.sorted(by: { $0.key < $1.key }) {
                // Distribute `exponent` copies of `prime` over the slots.
                var next: [[Int]] = []
                for partial in result {
                    var counts = Array(repeating: 0, count: slots)
                    func place(_ slot: Int, _ left: Int) {
                        if slot == slots - 1 {
                            counts[slot] = left
                            var factors = partial.isEmpty ? Array(repeating: 1, count: slots) : partial
                            for s in 0..<slots { for _ in 0..<counts[s] { factors[s] *= prime } }
                            next.append(factors)
                            return
                        }
                        for here in 0...left {
                            counts[slot] = here
                            place(slot + 1, left - here)
                        }
                    }
                    if slots == 0 { next.append(partial) } else { place(0, exponent) }
                }
                result = next
            }
            return result.map { $0.isEmpty ? Array(repeating: 1, count: slots) : $0 }
        }
    }

    /// Number of ways to split dimension `d` over its free slots: for each prime `p` with
    /// exponent `e`, `C(e + k − 1, k − 1)` placements over `k` slots. Saturates above `limit`.
    func splitCount(_ d: Int, limit: Int) -> Int {
        let k = sampler.freeSlots[d].count
        guard k > 1 else { return 1 }
        var grouped: [Int: Int] = [:]
        for p in sampler.primes[d] { grouped[p, default: 0] += 1 }
        var count = 1
        for exponent in grouped.values {
            var ways = 1  // C(exponent + k − 1, exponent), built incrementally
            for i in 1...max(exponent, 1) where exponent > 0 {
                ways = ways * (k - 1 + i) / i
                if ways > limit { return limit + 1 }
            }
            count *= ways
            if count > limit { return limit + 1 }
        }
        return count
    }

    /// Number of candidates, or `nil` once it exceeds `limit`.
    func size(limit: Int) -> Int? {
        var splitCount = 1
        for d in 0..<sampler.dimensions {
            splitCount *= self.splitCount(d, limit: limit)
            if splitCount > limit { return nil }
        }
        let all = splits()
        var total = 0
        var exceeded = false
        forEachAssignment(all) { factors in
            total += orderCount(factors) << sampler.keepChoices.count
            if total > limit { exceeded = true }
            return !exceeded
        }
        return exceeded ? nil : total
    }

    /// Visits every factor assignment (flat `factors` as in ``Candidate``); stop by returning false.
    func forEachAssignment(_ all: [[[Int]]], _ body: ([Int]) -> Bool) {
        var factors = Array(repeating: 1, count: sampler.levels * 3 * sampler.dimensions)
        let space = sampler.space
        for level in 0..<sampler.levels { for slot in 0..<3 { for d in 0..<sampler.dimensions {
            if let f = space.fixed[level][slot][d] { factors[(level * 3 + slot) * sampler.dimensions + d] = f }
        } } }
        var keepGoing = true
        func visit(_ d: Int) {
            guard keepGoing else { return }
            if d == sampler.dimensions { keepGoing = body(factors); return }
            let slots = sampler.freeSlots[d]
            for split in all[d] {
                for (k, slot) in slots.enumerated() { factors[slot * sampler.dimensions + d] = split[k] }
                visit(d + 1)
                if !keepGoing { return }
            }
            for slot in slots { factors[slot * sampler.dimensions + d] = 1 }
        }
        visit(0)
    }

    /// The loops of `level` with factor above 1, split into (fixed order, free set, rest).
    func groups(_ factors: [Int], level: Int) -> (fixed: [Int], set: [Int], rest: [Int]) {
        let space = sampler.space
        let nontrivial = (0..<sampler.dimensions).filter { factors[(level * 3) * sampler.dimensions + $0] > 1 }
        let fixed = space.innermostOrder[level]
        let set = nontrivial.filter { !fixed.contains($0) && space.innermostSet[level].contains($0) }
        let rest = nontrivial.filter { !fixed.contains($0) && !space.innermostSet[level].contains($0) }
        return (fixed, set, rest)
    }

    func orderCount(_ factors: [Int]) -> Int {
        func factorial(_ n: Int) -> Int { n <= 1 ? 1 : (2...n).reduce(1, *) }
        var count = 1
        for level in 0..<sampler.levels {
            let (_, set, rest) = groups(factors, level: level)
            count *= factorial(set.count) * factorial(rest.count)
        }
        return count
    }

    /// Every candidate, in a fixed order.
    func forEachCandidate(_ body: (Candidate) -> Void) {
        let all = splits()
        forEachAssignment(all) { factors in
            let perLevel: [[[Int]]] = (0..<sampler.levels).map { level in
                let (fixed, set, rest) = groups(factors, level: level)
                let trivial = (0..<sampler.dimensions).filter { !fixed.contains($0) && !set.contains($0) && !rest.contains($0) }
                var orders: [[Int]] = []
                for inner in permutations(set) { for outer in permutations(rest) { orders.append(fixed + inner + outer + trivial) } }
                return orders
            }
            var choice = Array(repeating: 0, count: sampler.levels)
            while true {
                let orders = (0..<sampler.levels).map { perLevel[$0][choice[$0]] }
                for mask in 0..<(1 << sampler.keepChoices.count) {
                    let keeps = sampler.space.keeps(flipping: mask, of: sampler.keepChoices)
                    body(Candidate(factors: factors, orders: orders, keeps: keeps, dimensions: sampler.dimensions))
                }
                var level = 0
                while level < sampler.levels {
                    choice[level] += 1
                    if choice[level] < perLevel[level].count { break }
                    choice[level] = 0
                    level += 1
                }
                if level == sampler.levels { break }
            }
            return true
        }
    }

    func permutations(_ items: [Int]) -> [[Int]] {
        if items.count <= 1 { return [items] }
        var result: [[Int]] = []
        for (i, item) in items.enumerated() {
            var rest = items
            rest.remove(at: i)
            for tail in permutations(rest) { result.append([item] + tail) }
        }
        return result
    }
}
