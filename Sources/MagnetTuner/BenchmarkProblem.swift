import Foundation

/// A test problem on a discrete grid, for testing strategies and comparing them (docs/tuner.md):
/// the space, the objectives of a point, constraint violations, and the known optimum or true
/// front.
public struct BenchmarkProblem: Sendable {
    /// A short name (`branin`, `hartmann6`, …).
    public var name: String
    /// The grid searched: each coordinate is an integer index scaled into the function's box.
    public var space: SearchSpace
    /// Objectives (minimized) and constraint violations (≤ 0 holds) of a point.
    public var evaluate: @Sendable ([Parameter.Value]) -> (objectives: [Double], violations: [Double])
    /// The optimum of a single-objective problem (`nil` for multi-objective ones).
    public var optimum: Double?
    /// Reference point and hypervolume of the true front, for two-objective problems.
    public var front: (reference: [Double], hypervolume: Double)?

    /// The observation of a point.
    public func observe(_ point: [Parameter.Value]) -> Observation {
        let (objectives, violations) = evaluate(point)
        let feasible = violations.allSatisfy { $0 <= 0 }
        return Observation(point: point, objectives: objectives, violations: violations, state: feasible ? .complete : .infeasible)
    }

    /// Coordinates of a grid point, each mapped linearly from its index range onto `box`.
    static func coordinates(_ point: [Parameter.Value], steps: Int, box: [ClosedRange<Double>]) -> [Double] {
        zip(point, box).map { value, range in
            guard case .int(let index) = value else { return range.lowerBound }
            return range.lowerBound + (range.upperBound - range.lowerBound) * Double(index) / Double(steps)
        }
    }

    static func grid(_ dimension: Int, steps: Int) -> SearchSpace {
        SearchSpace((0..<dimension).map { Parameter("x\($0 + 1)", .integer(0...steps)) })
    }

    /// Branin on a 301 × 301 grid over [−5, 10] × [0, 15] (step 0.05, which holds (π, 2.275)
    /// to within 0.01 of each coordinate); grid optimum within 0.1% of 0.397887.
    public static let branin: BenchmarkProblem = {
        let steps = 300, box = [-5.0...10.0, 0.0...15.0]
        let evaluate: @Sendable ([Parameter.Value]) -> ([Double], [Double]) = { point in
            let x = coordinates(point, steps: steps, box: box)
            return ([TestFunctions.branin(x[0], x[1])], [])
        }
        var problem = BenchmarkProblem(name: "branin", space: grid(2, steps: steps), evaluate: evaluate, optimum: nil, front: nil)
        problem.optimum = problem.gridOptimum()
        return problem
    }()

    /// Branin with the constraint `x1 + x2 ≥ 14`, which cuts off all three unconstrained minima;
    /// the optimum is found by enumerating the grid.
    public static let constrainedBranin: BenchmarkProblem = {
        let steps = 300, box = [-5.0...10.0, 0.0...15.0]
        let evaluate: @Sendable ([Parameter.Value]) -> ([Double], [Double]) = { point in
            let x = coordinates(point, steps: steps, box: box)
            return ([TestFunctions.branin(x[0], x[1])], [(14 - x[0] - x[1]) / 14])
        }
        var problem = BenchmarkProblem(name: "branin-constrained", space: grid(2, steps: steps), evaluate: evaluate, optimum: nil, front: nil)
        problem.optimum = problem.gridOptimum()
        return problem
    }()

    /// Hartmann-6 on a grid of step 0.005 over [0, 1]^6; optimum −3.32237 (the grid's best is
    /// within 0.1% of it).
    public static let hartmann6: BenchmarkProblem = {
        let steps = 200, box = Array(repeating: 0.0...1.0, count: 6)
        return BenchmarkProblem(name: "hartmann6", space: grid(6, steps: steps), evaluate: { point in
            ([TestFunctions.hartmann6(coordinates(point, steps: steps, box: box))], [])
        }, optimum: -3.32237, front: nil)
    }()

    /// ZDT1 with 6 variables on a grid of step 0.01; true front hypervolume 2/3 against (1, 1).
    public static let zdt1: BenchmarkProblem = {
        let steps = 100, box = Array(repeating: 0.0...1.0, count: 6)
        return BenchmarkProblem(name: "zdt1", space: grid(6, steps: steps), evaluate: { point in
            (TestFunctions.zdt1(coordinates(point, steps: steps, box: box)), [])
        }, optimum: nil, front: ([1, 1], 2.0 / 3.0))
    }()

    /// ZDT2 with 6 variables on a grid of step 0.01; true front hypervolume 1/3 against (1, 1).
    public static let zdt2: BenchmarkProblem = {
        let steps = 100, box = Array(repeating: 0.0...1.0, count: 6)
        return BenchmarkProblem(name: "zdt2", space: grid(6, steps: steps), evaluate: { point in
            (TestFunctions.zdt2(coordinates(point, steps: steps, box: box)), [])
        }, optimum: nil, front: ([1, 1], 1.0 / 3.0))
    }()

    /// Every problem, single-objective first.
    public static let all: [BenchmarkProblem] = [branin, constrainedBranin, hartmann6, zdt1, zdt2]

    /// The best feasible value on the grid, by enumeration (2-D problems only).
    func gridOptimum() -> Double {
        var best = Double.infinity
        for index in 0..<space.size {
            let observation = observe(space.point(linearIndex: index))
            if observation.isFeasible { best = min(best, observation.objectives[0]) }
        }
        return best
    }

    /// Whether `value` is within 1% of the optimum (relative to |optimum|).
    public func isNearOptimum(_ value: Double) -> Bool {
        guard let optimum else { return false }
        return value - optimum <= 0.01 * abs(optimum)
    }

    /// Hypervolume of the feasible observations' objectives against the front's reference.
    public func hypervolume(_ observations: [Observation]) -> Double {
        guard let front else { return 0 }
        return Pareto.hypervolume2D(observations.filter(\.isFeasible).map(\.objectives), reference: front.reference)
    }
}

/// Runs a strategy on a problem for a number of evaluations, in batches.
public enum StrategyRun {
    /// The observations of `budget` evaluations proposed `batch` at a time.
    public static func run(_ strategy: inout some Strategy, on problem: BenchmarkProblem, budget: Int, batch: Int = 1) -> [Observation] {
        var observations: [Observation] = []
        while observations.count < budget {
            let points = strategy.propose(count: min(batch, budget - observations.count), pending: [])
            if points.isEmpty { break }
            for point in points {
                let observation = problem.observe(point)
                observations.append(observation)
                strategy.observe(observation)
            }
        }
        return observations
    }

    /// The first evaluation (1-based) whose feasible value is within 1% of the optimum, if any.
    public static func evaluationsToOptimum(_ observations: [Observation], problem: BenchmarkProblem) -> Int? {
        observations.firstIndex { $0.isFeasible && problem.isNearOptimum($0.objectives[0]) }.map { $0 + 1 }
    }
}
