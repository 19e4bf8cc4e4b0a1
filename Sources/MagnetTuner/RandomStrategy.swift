import MagnetCore

/// Uniform random points, never repeating an observed or pending one while unseen points remain.
/// Each proposal is seeded by the seed and the number of observations, so the proposals are a
/// function of what was observed.
public struct RandomStrategy: Strategy {
    let space: SearchSpace
    let seed: UInt64
    var seen: Set<[Parameter.Value]> = []
    var observed = 0

    /// Creates the strategy.
    public init(space: SearchSpace, seed: UInt64) {
        self.space = space
        self.seed = seed
    }

    public mutating func propose(count: Int, pending: Set<[Parameter.Value]>) -> [[Parameter.Value]] {
        var generator = SeededGenerator(seed: seed &+ UInt64(observed) &* 0x9E37_79B9_7F4A_7C15)
        // Blocked = seen ∪ pending ∪ chosen, without copying `seen` (it grows with the study).
        var chosen = Set<[Parameter.Value]>()
        var result: [[Parameter.Value]] = []
        for _ in 0..<count {
            guard seen.count + pending.count + chosen.count < space.size else { break }
            func blocked(_ point: [Parameter.Value]) -> Bool {
                seen.contains(point) || chosen.contains(point) || pending.contains(point)
            }
            var point = space.randomPoint(using: &generator)
            var tries = 0
            while blocked(point) && tries < 64 {
                point = space.randomPoint(using: &generator)
                tries += 1
            }
            if blocked(point) {
                // Few points left: scan the space from a random position for a free one.
                let size = space.size
                let start = Int.random(in: 0..<size, using: &generator)
                for offset in 0..<size {
                    let candidate = space.point(linearIndex: (start + offset) % size)
                    if !blocked(candidate) { point = candidate; break }
                }
                if blocked(point) { break }
            }
            chosen.insert(point)
            result.append(point)
        }
        return result
    }

    public mutating func observe(_ observation: Observation) {
        seen.insert(observation.point)
        observed += 1
    }
}

/// Every point of the space in a fixed order (the last parameter changing fastest), skipping
/// observed and pending ones.
public struct GridStrategy: Strategy {
    let space: SearchSpace
    var next = 0
    var seen: Set<[Parameter.Value]> = []

    /// Creates the strategy.
    public init(space: SearchSpace) {
        self.space = space
    }

    public mutating func propose(count: Int, pending: Set<[Parameter.Value]>) -> [[Parameter.Value]] {
        let blocked = seen.union(pending)
        var result: [[Parameter.Value]] = []
        while result.count < count && next < space.size {
            let point = space.point(linearIndex: next)
            next += 1
            if !blocked.contains(point) { result.append(point) }
        }
        return result
    }

    public mutating func observe(_ observation: Observation) {
        seen.insert(observation.point)
    }
}
