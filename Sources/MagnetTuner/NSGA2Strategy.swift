import MagnetCore

/// NSGA-II (Deb et al. 2002) over a discrete ``SearchSpace``, with constraint domination: a
/// feasible point beats an infeasible one, infeasible points rank by total violation, feasible
/// points by Pareto rank then crowding distance. Offspring come from binary tournaments,
/// uniform crossover and per-parameter mutation (a step or two along ordered domains, a new
/// name for categories). Each proposal's randomness is seeded by the seed and the number of
/// observations, so the strategy's state is a function of what it observed.
public struct NSGA2Strategy: Strategy {
    let space: SearchSpace
    let seed: UInt64
    /// Parents kept from one generation to the next.
    public var populationSize: Int
    /// Probability that a child mixes two parents.
    public var crossoverProbability = 0.9
    var observations: [Observation] = []

    /// Creates the strategy.
    public init(space: SearchSpace, seed: UInt64, populationSize: Int = 24) {
        self.space = space
        self.seed = seed
        self.populationSize = populationSize
    }

    public mutating func observe(_ observation: Observation) {
        observations.append(observation)
    }

    public mutating func propose(count: Int, pending: Set<[Parameter.Value]>) -> [[Parameter.Value]] {
        var generator = SeededGenerator(seed: seed &+ UInt64(observations.count) &* 0x9E37_79B9_7F4A_7C15)
        var blocked = Set(observations.map(\.point)).union(pending)
        var result: [[Parameter.Value]] = []
        let evaluated = observations.filter { $0.state != .failed }
        let parents = evaluated.count < populationSize ? [] : NSGA2Strategy.select(evaluated, count: populationSize)
        var attempts = 0
        while result.count < count && blocked.count < space.size && attempts < 100 * max(count, 1) {
            attempts += 1
            let child: [Parameter.Value]
            if parents.isEmpty {
                child = space.randomPoint(using: &generator)
            } else {
                let a = tournament(parents, using: &generator), b = tournament(parents, using: &generator)
                child = mutate(crossover(a.point, b.point, using: &generator), using: &generator)
            }
            if blocked.insert(child).inserted { result.append(child) }
        }
        return result
    }

    // MARK: Ranking

    /// Constrained domination: feasibility first, then violation, then Pareto dominance.
    static func constrainedDominates(_ a: Observation, _ b: Observation) -> Bool {
        switch (a.isFeasible, b.isFeasible) {
        case (true, false): return true
        case (false, true): return false
        case (false, false): return a.totalViolation < b.totalViolation
        case (true, true): return Pareto.dominates(a.objectives, b.objectives)
        }
    }

    /// Non-dominated fronts (indices), best first.
    static func fronts(_ population: [Observation]) -> [[Int]] {
        var dominatedBy = Array(repeating: 0, count: population.count)
        var dominates = Array(repeating: [Int](), count: population.count)
        for i in population.indices {
            for j in population.indices where i != j {
                if constrainedDominates(population[i], population[j]) { dominates[i].append(j) }
                else if constrainedDominates(population[j], population[i]) { dominatedBy[i] += 1 }
            }
        }
        var fronts: [[Int]] = []
        var current = population.indices.filter { dominatedBy[$0] == 0 }
        while !current.isEmpty {
            fronts.append(current)
            var next: [Int] = []
            for i in current {
                for j in dominates[i] {
                    dominatedBy[j] -= 1
                    if dominatedBy[j] == 0 { next.append(j) }
                }
            }
            current = next.sorted()
        }
        return fronts
    }

    /// Crowding distance of each member of a front (boundary points infinite).
    static func crowding(_ front: [Int], _ population: [Observation]) -> [Int: Double] {
        var distance = Dictionary(uniqueKeysWithValues: front.map { ($0, 0.0) })
        guard let objectives = front.first.map({ population[$0].objectives.count }), front.count > 2 else {
            for i in front { distance[i] = .infinity }
            return distance
        }
        for m in 0..<objectives {
            let sorted = front.sorted { population[$0].objectives[m] < population[$1].objectives[m] }
            let low = population[sorted.first!].objectives[m], high = population[sorted.last!].objectives[m]
            distance[sorted.first!] = .infinity
            distance[sorted.last!] = .infinity
            guard high > low else { continue }
            for k in 1..<(sorted.count - 1) {
                distance[sorted[k]]! += (population[sorted[k + 1]].objectives[m] - population[sorted[k - 1]].objectives[m]) / (high - low)
            }
        }
        return distance
    }

    /// The best `count` observations by front, then crowding distance (ties by order observed).
    static func select(_ population: [Observation], count: Int) -> [(point: [Parameter.Value], rank: Int, crowding: Double)] {
        var chosen: [(point: [Parameter.Value], rank: Int, crowding: Double)] = []
        for (rank, front) in fronts(population).enumerated() {
            let distance = crowding(front, population)
            let ordered = front.sorted { (distance[$0]!, -$0) > (distance[$1]!, -$1) }
            for i in ordered where chosen.count < count { chosen.append((population[i].point, rank, distance[i]!)) }
            if chosen.count >= count { break }
        }
        return chosen
    }

    // MARK: Variation

    func tournament(_ parents: [(point: [Parameter.Value], rank: Int, crowding: Double)],
                    using generator: inout SeededGenerator) -> (point: [Parameter.Value], rank: Int, crowding: Double) {
        let a = parents[Int.random(in: 0..<parents.count, using: &generator)]
        let b = parents[Int.random(in: 0..<parents.count, using: &generator)]
        if a.rank != b.rank { return a.rank < b.rank ? a : b }
        return a.crowding >= b.crowding ? a : b
    }

    func crossover(_ a: [Parameter.Value], _ b: [Parameter.Value], using generator: inout SeededGenerator) -> [Parameter.Value] {
        guard Double.random(in: 0..<1, using: &generator) < crossoverProbability else { return a }
        return zip(a, b).map { Bool.random(using: &generator) ? $0 : $1 }
    }

    func mutate(_ point: [Parameter.Value], using generator: inout SeededGenerator) -> [Parameter.Value] {
        let searched = space.parameters.filter { $0.cardinality > 1 }.count
        let probability = 1 / Double(max(searched, 1))
        return zip(space.parameters, point).map { parameter, value in
            guard parameter.cardinality > 1, Double.random(in: 0..<1, using: &generator) < probability else { return value }
            let index = parameter.index(of: value) ?? 0
            switch parameter.domain {
            case .categorical:
                return parameter.value(at: Int.random(in: 0..<parameter.cardinality, using: &generator))
            default:
                var step = Int.random(in: 1...2, using: &generator)
                if Bool.random(using: &generator) { step = -step }
                return parameter.value(at: min(max(index + step, 0), parameter.cardinality - 1))
            }
        }
    }
}
