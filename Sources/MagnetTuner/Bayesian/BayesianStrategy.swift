import Foundation
import MagnetCore

/// Bayesian optimisation over a discrete ``SearchSpace``.
///
/// - **Model**: a ``GaussianProcess`` (Matérn 5/2, ARD) on the unit-cube encoding (log2 for
///   powers of two, position for ordered values, one-hot for categories), refitted on every
///   proposal by maximizing the marginal likelihood.
/// - **Acquisition**: log expected improvement over the best feasible value, plus the log
///   probability that every constraint holds, each constraint's violation having its own GP
///   (the feasibility model). Failed evaluations enter as a further "evaluates" constraint.
///   Before any feasible point is known, the probability of feasibility alone is maximized.
/// - **Several objectives**: ParEGO — each proposal draws random weights on the simplex and
///   minimizes the augmented Chebyshev scalarization of the objectives normalized to [0, 1].
/// - **Batches and pending points**: constant liar — a pending or just-chosen point enters the
///   model with the best value seen so far, which pushes the next choice elsewhere.
/// - **Maximizing the acquisition**: over random points, neighbours of the best observed points
///   at several step sizes, then a few rounds of local refinement; never a point already
///   observed or pending.
///
/// The first `initialTrials` proposals are uniformly random. Each proposal's randomness is
/// seeded by the seed and the number of observations, so the strategy is a function of what it
/// observed.
public struct BayesianStrategy: Strategy {
    let space: SearchSpace
    let seed: UInt64
    /// Random proposals before the model is used.
    public var initialTrials: Int
    /// Random candidates scored per proposal.
    public var randomCandidates = 600
    var observations: [Observation] = []

    /// Creates the strategy.
    public init(space: SearchSpace, seed: UInt64, initialTrials: Int = 10) {
        self.space = space
        self.seed = seed
        self.initialTrials = max(initialTrials, 2)
    }

    public mutating func observe(_ observation: Observation) {
        observations.append(observation)
    }

    public mutating func propose(count: Int, pending: Set<[Parameter.Value]>) -> [[Parameter.Value]] {
        var generator = SeededGenerator(seed: seed &+ UInt64(observations.count) &* 0x9E37_79B9_7F4A_7C15 &+ 17)
        var blocked = Set(observations.map(\.point)).union(pending)
        var result: [[Parameter.Value]] = []
        let evaluated = observations.filter { $0.state != .failed }
        if evaluated.count < initialTrials || space.encodedDimension == 0 {
            while result.count < count, blocked.count < space.size {
                var random = RandomStrategy(space: space, seed: generator.next())
                guard let point = random.propose(count: 1, pending: blocked).first else { break }
                blocked.insert(point)
                result.append(point)
            }
            return result
        }
        // Pending points in a fixed order (a set's order changes from run to run).
        var liars = pending.sorted { space.encode($0).lexicographicallyPrecedes(space.encode($1)) }
        for _ in 0..<count {
            guard blocked.count < space.size, let point = bestCandidate(liars: liars, blocked: blocked, using: &generator) else { break }
            blocked.insert(point)
            liars.append(point)
            result.append(point)
        }
        return result
    }

    // MARK: One proposal

    /// The models for one proposal: the objective (on the scalarized values) and each constraint.
    struct Models {
        var objective: GaussianProcess?
        var best: Double?
        var constraints: [GaussianProcess]
    }

    func bestCandidate(liars: [[Parameter.Value]], blocked: Set<[Parameter.Value]>,
                       using generator: inout SeededGenerator) -> [Parameter.Value]? {
        let models = fitModels(liars: liars, using: &generator)
        func score(_ point: [Parameter.Value]) -> Double {
            let x = space.encode(point)
            var value = 0.0
            for model in models.constraints {
                let (mean, deviation) = model.predict(x)
                value += Acquisition.logDistribution(-mean / max(deviation, 1e-12))
            }
            if let objective = models.objective, let best = models.best {
                let (mean, deviation) = objective.predict(x)
                value += Acquisition.logExpectedImprovement(mean: mean, deviation: deviation, best: best)
            }
            return value
        }
        // Candidates: random points and neighbours of the best observed points.
        var candidates: [[Parameter.Value]] = (0..<randomCandidates).map { _ in space.randomPoint(using: &generator) }
        let ranked = rankedObservations()
        for anchor in ranked.prefix(5) {
            for stepSize in [0.02, 0.08, 0.25] {
                for _ in 0..<30 { candidates.append(perturb(anchor.point, by: stepSize, using: &generator)) }
            }
        }
        var scored = candidates.filter { !blocked.contains($0) }.map { ($0, score($0)) }
        scored.sort { $0.1 > $1.1 }
        // Local refinement of the best few.
        var best = scored.first
        for (start, startScore) in scored.prefix(3) {
            var current = (start, startScore)
            for round in 0..<4 {
                let step = [0.1, 0.05, 0.02, 0.01][round]
                for _ in 0..<20 {
                    let neighbour = perturb(current.0, by: step, using: &generator)
                    guard !blocked.contains(neighbour) else { continue }
                    let value = score(neighbour)
                    if value > current.1 { current = (neighbour, value) }
                }
            }
            if best.map({ current.1 > $0.1 }) ?? true { best = current }
        }
        return best?.0
    }

    /// Observations best first: feasible by scalarized value, then infeasible by violation.
    func rankedObservations() -> [Observation] {
        observations.filter { $0.state != .failed }.sorted { a, b in
            switch (a.isFeasible, b.isFeasible) {
            case (true, false): return true
            case (false, true): return false
            case (false, false): return a.totalViolation < b.totalViolation
            case (true, true): return a.objectives.reduce(0, +) < b.objectives.reduce(0, +)
            }
        }
    }

    func fitModels(liars: [[Parameter.Value]], using generator: inout SeededGenerator) -> Models {
        let evaluated = observations.filter { $0.state != .failed && $0.objectives.allSatisfy(\.isFinite) }
        // Scalarize (ParEGO) when there are several objectives.
        let objectiveCount = evaluated.first?.objectives.count ?? 1
        var weights = [Double](repeating: 1, count: objectiveCount)
        if objectiveCount > 1 {
            let raw = (0..<objectiveCount).map { _ in -log(Double.random(in: 1e-12..<1, using: &generator)) }
            let total = raw.reduce(0, +)
            weights = raw.map { $0 / total }
        }
        let lows = (0..<objectiveCount).map { k in evaluated.map { $0.objectives[k] }.min() ?? 0 }
        let highs = (0..<objectiveCount).map { k in evaluated.map { $0.objectives[k] }.max() ?? 1 }
        func scalar(_ objectives: [Double]) -> Double {
            guard objectiveCount > 1 else { return objectives[0] }
            let normalized = (0..<objectiveCount).map { k in (objectives[k] - lows[k]) / max(highs[k] - lows[k], 1e-12) }
            let weighted = zip(weights, normalized).map { $0 * $1 }
            return weighted.max()! + 0.05 * weighted.reduce(0, +)
        }
        var models = Models(objective: nil, best: nil, constraints: [])
        let feasible = evaluated.filter(\.isFeasible)
        if !feasible.isEmpty {
            // Fit on every evaluated point (infeasible ones still describe the objective).
            var inputs = evaluated.map { space.encode($0.point) }
            var targets = evaluated.map { scalar($0.objectives) }
            let best = feasible.map { scalar($0.objectives) }.min()!
            if let fitted = GaussianProcess(inputs: inputs, targets: targets) {
                var model = fitted
                if !liars.isEmpty {
                    inputs += liars.map(space.encode)
                    targets += liars.map { _ in best }
                    model = GaussianProcess(inputs: inputs, targets: targets, start: fitted.hyperparameters,
                                            fitHyperparameters: false) ?? fitted
                }
                models.objective = model
                models.best = best
            }
        }
        // Feasibility: one model per constraint that some observation violated, plus one for failures.
        let all = observations
        let constraintCount = all.first { !$0.violations.isEmpty }?.violations.count ?? 0
        for c in 0..<constraintCount where all.contains(where: { $0.violations.count > c && $0.violations[c] > 0 }) {
            let usable = all.filter { $0.violations.count > c }
            let values = usable.map { min(max($0.violations[c], -1), 1) }
            let clipped = values.map { $0.isFinite ? $0 : 1 }
            if let model = GaussianProcess(inputs: usable.map { space.encode($0.point) }, targets: clipped, iterations: 30) {
                models.constraints.append(model)
            }
        }
        if all.contains(where: { $0.state == .failed }) {
            let targets = all.map { $0.state == .failed ? 1.0 : -1.0 }
            if let model = GaussianProcess(inputs: all.map { space.encode($0.point) }, targets: targets, iterations: 30) {
                models.constraints.append(model)
            }
        }
        return models
    }

    /// A neighbour of `point`: each ordered parameter moves by a normal step of about `step`
    /// of its range (at least one position for some parameter), a category changes with
    /// probability `step`.
    func perturb(_ point: [Parameter.Value], by step: Double, using generator: inout SeededGenerator) -> [Parameter.Value] {
        var result = point
        let movable = space.parameters.indices.filter { space.parameters[$0].cardinality > 1 }
        guard !movable.isEmpty else { return point }
        let forced = movable[Int.random(in: 0..<movable.count, using: &generator)]
        for k in movable {
            let parameter = space.parameters[k]
            let index = parameter.index(of: point[k]) ?? 0
            let count = parameter.cardinality
            if case .categorical = parameter.domain {
                if k == forced || Double.random(in: 0..<1, using: &generator) < step {
                    result[k] = parameter.value(at: (index + Int.random(in: 1..<count, using: &generator)) % count)
                }
                continue
            }
            // Box–Muller normal step.
            let u1 = Double.random(in: 1e-12..<1, using: &generator), u2 = Double.random(in: 0..<1, using: &generator)
            let normal = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            var move = Int((normal * step * Double(count - 1)).rounded())
            if move == 0 && k == forced { move = normal < 0 ? -1 : 1 }
            result[k] = parameter.value(at: min(max(index + move, 0), count - 1))
        }
        return result
    }
}
