import MagnetDesigner
import MagnetWorkload

/// Re-fits a mapping found on one design to another design's map space for the same layer, so
/// that a search there can start from it (a warm start): levels are matched by name, factors
/// the new space does not allow, or that overflow a fan-out or a capacity, move outward until
/// they fit, the loop orders keep their relative order within the new space's constraints, and
/// the keep/bypass choices the new space leaves open are the old mapping's.
///
/// The result is always valid for the new space (its constraints, fan-outs and capacities), or
/// `nil` when no such re-fit exists.
public enum WarmStart {
    /// The best of `seeds` (mappings each made for its own hardware) re-fitted to `space`, by
    /// `objective` under the exact model; `nil` when none re-fits. Several neighbouring designs'
    /// mappings give a search a better start than the nearest one's alone, for a few
    /// evaluations.
    public static func best(of seeds: [(mapping: Mapping, hardware: Hardware)], to space: MapSpace,
                            objective: Objective, energyWeight: Double = 0.5) -> Mapping? {
        best(among: seeds.compactMap { refit($0.mapping, from: $0.hardware, to: space) }, in: space,
             objective: objective, energyWeight: energyWeight)
    }

    /// The best of `mappings` (each valid in `space`) by `objective` under the exact model; the
    /// first of equals; `nil` when there are none.
    public static func best(among mappings: [Mapping], in space: MapSpace, objective: Objective,
                            energyWeight: Double = 0.5) -> Mapping? {
        guard mappings.count > 1 else { return mappings.first }
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var best: (mapping: Mapping, summary: Evaluator.Summary)?
        for mapping in mappings {
            let summary = evaluator.summary(mapping)
            if best.map({ objective.better(summary, than: $0.summary, energyWeight: energyWeight) }) ?? true {
                best = (mapping, summary)
            }
        }
        return best?.mapping
    }

    /// `mapping`, made on `space`'s hardware for another layer (`problem`, with the same
    /// dimensions), re-shaped to `space`'s layer: each loop keeps as much of its factor as the new
    /// dimension's size allows (spatial loops first, inner levels first), what is left of a dimension
    /// goes to the outermost level, and the result is re-fitted (``refit(_:from:to:)``). Layers of
    /// one network often share their best mappings' structure (which dimensions go where), which
    /// a search from random starts may miss. `nil` when the layers' dimensions differ or no valid
    /// re-fit exists.
    public static func reshape(_ mapping: Mapping, of problem: Problem, to space: MapSpace) -> Mapping? {
        reshapedCandidate(mapping, of: problem, to: space).flatMap {
            checked($0, in: space, sampler: CandidateSampler(space: space))
        }
    }

    /// ``reshape(_:of:to:)`` before the final check: the candidate, which may still fail the
    /// space's bounds or parallelism (``CandidateSampler/admissible(_:)``) or not fit
    /// (``Evaluator/summaryIfFits(_:)``), as a search's candidates may.
    static func reshapedCandidate(_ mapping: Mapping, of problem: Problem, to space: MapSpace) -> Candidate? {
        guard problem.dimensions == space.problem.dimensions,
              mapping.levels.count == space.hardware.storage.count, !mapping.levels.isEmpty else { return nil }
        var remaining = space.problem.bounds
        func keep(_ loops: inout [Loop]) {
            for index in loops.indices {
                let d = loops[index].dimension
                let kept = largestDivisor(of: remaining[d], atMost: loops[index].bound)
                loops[index].bound = kept
                remaining[d] /= kept
            }
        }
        var levels = mapping.levels
        for level in levels.indices {
            keep(&levels[level].spatialX)
            keep(&levels[level].spatialY)
            keep(&levels[level].temporal)
        }
        let outermost = levels.count - 1
        for d in remaining.indices where remaining[d] > 1 {
            if let index = levels[outermost].temporal.firstIndex(where: { $0.dimension == d }) {
                levels[outermost].temporal[index].bound *= remaining[d]
            } else {
                levels[outermost].temporal.append(Loop(dimension: d, bound: remaining[d]))
            }
        }
        return refitCandidate(Mapping(levels: levels), from: space.hardware, to: space)
    }

    /// The largest divisor of `value` that is at most `limit`.
    private static func largestDivisor(of value: Int, atMost limit: Int) -> Int {
        var divisor = min(value, max(limit, 1))
        while value % divisor != 0 { divisor -= 1 }
        return divisor
    }

    /// `mapping`, made for `hardware` (whose level names it follows), re-fitted to `space`.
    public static func refit(_ mapping: Mapping, from hardware: Hardware, to space: MapSpace) -> Mapping? {
        refitCandidate(mapping, from: hardware, to: space).flatMap {
            checked($0, in: space, sampler: CandidateSampler(space: space))
        }
    }

    /// `candidate`'s mapping when it is valid in `space` (bounds, parallelism, fan-outs,
    /// capacities), else `nil`.
    private static func checked(_ candidate: Candidate, in space: MapSpace, sampler: CandidateSampler) -> Mapping? {
        let mapping = candidate.mapping()
        guard sampler.admissible(candidate), mapping.problems(on: space.hardware, for: space.problem).isEmpty
        else { return nil }
        return mapping
    }

    /// ``refit(_:from:to:)`` before the final check (``checked(_:in:sampler:)``).
    static func refitCandidate(_ mapping: Mapping, from hardware: Hardware, to space: MapSpace) -> Candidate? {
        let levels = space.hardware.storage.count, dimensions = space.problem.dimensions.count
        guard mapping.levels.count == hardware.storage.count, levels > 0 else { return nil }
        // Fixed factors would have to be matched too: no warm start for such spaces.
        guard !space.fixed.contains(where: { $0.contains { $0.contains { $0 != nil } } }) else { return nil }
        var factors = Array(repeating: 1, count: levels * 3 * dimensions)
        func index(_ level: Int, _ slot: Int, _ d: Int) -> Int { (level * 3 + slot) * dimensions + d }
        // Each old level's factors go to the new level of the same name, or of the next old level
        // outward that has one (the outermost level when none does).
        let names = space.hardware.storage.map(\.name)
        var target = Array(repeating: levels - 1, count: mapping.levels.count)
        var next = levels - 1
        for old in stride(from: mapping.levels.count - 1, through: 0, by: -1) {
            if let level = names.firstIndex(of: hardware.storage[old].name) { next = level }
            target[old] = next
        }
        // The keep/bypass choices the space leaves open follow the old level of the same name.
        var keeps = space.keeps
        for (level, dataSpace) in space.keepChoices {
            guard let old = hardware.storage.firstIndex(where: { $0.name == names[level] }) else { continue }
            if mapping.levels[old].keeps.contains(dataSpace) {
                keeps[level].insert(dataSpace)
            } else {
                keeps[level].remove(dataSpace)
            }
        }
        var orders: [[Int]] = Array(repeating: [], count: levels)
        for (old, levelMapping) in mapping.levels.enumerated() {
            let level = target[old]
            for loop in levelMapping.temporal where loop.bound > 1 {
                factors[index(level, 0, loop.dimension)] *= loop.bound
                if !orders[level].contains(loop.dimension) { orders[level].append(loop.dimension) }
            }
            let same = names[level] == hardware.storage[old].name
            for (slot, loops) in [(1, levelMapping.spatialX), (2, levelMapping.spatialY)] {
                for loop in loops where loop.bound > 1 { factors[index(level, same ? slot : 0,
                                                                       loop.dimension)] *= loop.bound }
            }
        }
        // Moves the smallest prime of a factor to the first level from `start` that takes it as a
        // temporal factor (by default: a spatial factor to its level's temporal slot, a temporal one
        // to the next level out); false when there is none.
        func moveOut(_ level: Int, _ slot: Int, _ d: Int, from start: Int? = nil) -> Bool {
            let value = factors[index(level, slot, d)]
            guard value > 1 else { return false }
            let prime = Factorization.smallestPrime(value)
            factors[index(level, slot, d)] /= prime
            var to = start ?? (slot == 0 ? level + 1 : level)
            while to < levels && !space.allowed[to][0][d] { to += 1 }
            guard to < levels else { return false }
            factors[index(to, 0, d)] *= prime
            if !orders[to].contains(d) { orders[to].append(d) }
            return true
        }
        // Factors the space forbids, beyond a bound or a fan-out: prime by prime, outward.
        for level in 0..<levels {
            let fanout = space.hardware.fanout(of: level)
            for slot in 0..<3 {
                for d in 0..<dimensions {
                    while factors[index(level, slot, d)] > 1 && !space.allowed[level][slot][d] {
                        guard moveOut(level, slot, d) else { return nil }
                    }
                    let kind = slot == 0 ? 0 : 1
                    while let maximum = space.maxFactor[level][kind][d], maximum >= 1,
                          (slot == 0 ? factors[index(level, 0, d)] : factors[index(level, 1, d)] * factors[index(level,
                              2, d)]) > maximum {
                        guard moveOut(level, slot == 0 ? 0 : (factors[index(level, 1, d)] > 1 ? 1 : 2),
                                      d) else { return nil }
                    }
                }
                guard slot > 0 else { continue }
                let limit = slot == 1 ? fanout.x : fanout.y
                while (0..<dimensions).reduce(1, { $0 * factors[index(level, slot, $1)] }) > limit {
                    guard let d = (0..<dimensions).max(by: { factors[index(level, slot, $0)] < factors[index(level,
                        slot, $1)] }),
                          moveOut(level, slot, d) else { return nil }
                }
            }
        }
        // Capacities, innermost level first: move the largest relevant temporal factor at or below an
        // overflowing level to the level above it.
        for level in 0..<(levels - 1) {
            while let capacity = space.hardware.storage[level].capacityWords,
                  tileWords(factors, level: level, keeps: keeps[level], space: space) > capacity {
                var best: (level: Int, d: Int)?
                for inner in stride(from: level, through: 0, by: -1) {
                    for d in 0..<dimensions where factors[index(inner, 0, d)] > 1 {
                        let relevant = keeps[level].contains {
                            space.problem.relevantDimensions(of: $0).contains(d)
                        }
                        guard relevant else { continue }
                        if best == nil || factors[index(inner, 0, d)] > factors[index(best!.level, 0,
                                                                                      best!.d)] { best = (inner, d) }
                    }
                    if best != nil { break }
                }
                // Out of `inner` to the level above the overflowing one.
                guard let (inner, d) = best, moveOut(inner, 0, d, from: level + 1) else { return nil }
            }
        }
        // Orders: the kept relative order, within each level's required innermost loops.
        var ordered: [[Int]] = []
        for level in 0..<levels {
            var order = orders[level].filter { factors[index(level, 0, $0)] > 1 }
            for d in 0..<dimensions where factors[index(level, 0, d)] > 1 && !order.contains(d) { order.append(d) }
            let prefix = space.innermostOrder[level].filter { order.contains($0) }
            let inside = order.filter { space.innermostSet[level].contains($0) && !prefix.contains($0) }
            let rest = order.filter { !space.innermostSet[level].contains($0) && !prefix.contains($0) }
            let all = prefix + inside + rest
            ordered.append(all + (0..<dimensions).filter { !all.contains($0) })
        }
        return Candidate(factors: factors, orders: ordered, keeps: keeps, dimensions: dimensions)
    }

    /// The words of the tiles `level` keeps (`keeps`) under `factors`.
    private static func tileWords(_ factors: [Int], level: Int, keeps: Set<Int>, space: MapSpace) -> Int {
        let dimensions = space.problem.dimensions.count
        var extent = Array(repeating: 1, count: dimensions)
        for inner in 0...level {
            for slot in 0..<3 { for d in 0..<dimensions { extent[d] *= factors[(inner * 3 + slot) * dimensions + d] } }
        }
        return keeps.reduce(0) { $0 + space.problem.tileSize(of: $1, tile: extent) }
    }
}
