import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetTuner

@Suite struct SearchSpaceTests {
    let space = SearchSpace([
        Parameter("numPEs", .powerOfTwo(exponents: 2...6)),          // 4 … 64
        Parameter("lanes", .integer(1...8)),
        Parameter("clockGHz", .ordinal([0.5, 1.0, 2.0])),
        Parameter("dataflow", .categorical(["WS", "OS", "OS-LWS"])),
        Parameter("technology", .fixed(.string("16nm"))),
    ])

    @Test func sizesAndValues() {
        #expect(space.size == 5 * 8 * 3 * 3)
        #expect(space.parameters[0].value(at: 0) == .int(4))
        #expect(space.parameters[0].value(at: 4) == .int(64))
        #expect(space.encodedDimension == 1 + 1 + 1 + 3)
    }

    @Test func encodeDecodeRoundTrips() {
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<200 {
            let point = space.randomPoint(using: &generator)
            let encoded = space.encode(point)
            #expect(encoded.allSatisfy { (0...1).contains($0) })
            #expect(space.decode(encoded) == point)
        }
        // log2 scale for powers of two: 16 = 2^4 is halfway between 2^2 and 2^6.
        #expect(space.encode([.int(16), .int(1), .double(0.5), .string("WS"), .string("16nm")]) == [0.5, 0, 0, 1, 0, 0])
    }

    @Test func randomNeverRepeatsAndIsDeterministic() {
        var a = RandomStrategy(space: space, seed: 9), b = RandomStrategy(space: space, seed: 9)
        let first = a.propose(count: 50, pending: [])
        #expect(first == b.propose(count: 50, pending: []))
        #expect(Set(first).count == 50)
        for point in first { a.observe(Observation(point: point, objectives: [0])) }
        let more = a.propose(count: 500, pending: [])
        #expect(Set(more).isDisjoint(with: Set(first)))
        #expect(more.count == space.size - 50)  // it stops when the space is exhausted
    }

    @Test func gridVisitsEveryPointOnce() {
        var grid = GridStrategy(space: space)
        var all: [[Parameter.Value]] = []
        while true {
            let batch = grid.propose(count: 7, pending: [])
            if batch.isEmpty { break }
            all += batch
        }
        #expect(all.count == space.size)
        #expect(Set(all).count == space.size)
    }
}

@Suite struct ParetoAndTestFunctionTests {
    @Test func knownOptima() {
        #expect(abs(TestFunctions.branin(-Double.pi, 12.275) - 0.397887) < 1e-6)
        #expect(abs(TestFunctions.branin(Double.pi, 2.275) - 0.397887) < 1e-6)
        #expect(abs(TestFunctions.branin(9.42478, 2.475) - 0.397887) < 1e-5)
        #expect(abs(TestFunctions.hartmann6([0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]) - (-3.32237)) < 1e-5)
    }

    @Test func dominanceAndFront() {
        #expect(Pareto.dominates([1, 2], [2, 2]))
        #expect(!Pareto.dominates([1, 2], [1, 2]))
        #expect(!Pareto.dominates([1, 3], [2, 2]))
        let points: [[Double]] = [[1, 5], [2, 3], [3, 4], [4, 1], [2, 3]]
        #expect(Pareto.nonDominated(points) == [0, 1, 3])
    }

    @Test func hypervolumeByHand() {
        // Points (1, 3) and (2, 1) against (4, 4): 3·1 + 2·2 = 3 + 4 = 7 (union of rectangles).
        #expect(Pareto.hypervolume2D([[1, 3], [2, 1]], reference: [4, 4]) == 7)
        // A point beyond the reference adds nothing.
        #expect(Pareto.hypervolume2D([[1, 3], [5, 0]], reference: [4, 4]) == 3)
    }

    /// The true fronts' hypervolumes against (1, 1): ZDT1 ∫₀¹ √x dx = 2/3, ZDT2 ∫₀¹ x² dx = 1/3.
    @Test func zdtFrontsHaveTheirKnownHypervolume() {
        let samples = 20_001
        let front1 = (0..<samples).map { TestFunctions.zdt1([Double($0) / Double(samples - 1), 0, 0]) }
        let front2 = (0..<samples).map { TestFunctions.zdt2([Double($0) / Double(samples - 1), 0, 0]) }
        #expect(abs(Pareto.hypervolume2D(front1, reference: [1, 1]) - 2.0 / 3) < 1e-3)
        #expect(abs(Pareto.hypervolume2D(front2, reference: [1, 1]) - 1.0 / 3) < 1e-3)
    }
}

@Suite struct NSGA2Tests {
    /// ZDT1 over 6 variables, each one of 21 levels in [0, 1].
    static let space = SearchSpace((0..<6).map { Parameter("x\($0)", .ordinal((0...20).map { Double($0) / 20 })) })

    static func values(_ point: [Parameter.Value]) -> [Double] {
        point.map { if case .double(let v) = $0 { return v } else { return 0 } }
    }

    static func run<S: Strategy>(_ strategy: inout S, evaluations: Int, batch: Int = 16) -> [[Double]] {
        var results: [[Double]] = []
        while results.count < evaluations {
            let points = strategy.propose(count: batch, pending: [])
            if points.isEmpty { break }
            for point in points {
                let objectives = TestFunctions.zdt1(values(point))
                results.append(objectives)
                strategy.observe(Observation(point: point, objectives: objectives))
            }
        }
        return results
    }

    @Test func beatsRandomOnZDT1() {
        var nsga = NSGA2Strategy(space: Self.space, seed: 1)
        var random = RandomStrategy(space: Self.space, seed: 1)
        let hvNSGA = Pareto.hypervolume2D(Self.run(&nsga, evaluations: 400), reference: [1.1, 1.1])
        let hvRandom = Pareto.hypervolume2D(Self.run(&random, evaluations: 400), reference: [1.1, 1.1])
        // The true front's hypervolume against (1.1, 1.1) is 1.1·1.1 − 1/3 ≈ 0.8767.
        #expect(hvNSGA > hvRandom)
        #expect(hvNSGA > 0.75, "\(hvNSGA) vs random \(hvRandom)")
    }

    @Test func replayGivesTheSameProposals() {
        var a = NSGA2Strategy(space: Self.space, seed: 5)
        _ = Self.run(&a, evaluations: 64)
        var b = NSGA2Strategy(space: Self.space, seed: 5)
        for observation in a.observations { b.observe(observation) }
        #expect(a.propose(count: 8, pending: []) == b.propose(count: 8, pending: []))
    }

    @Test func feasibleBeatsInfeasibleAndViolationOrders() {
        let p: [Parameter.Value] = [.double(0)]
        let feasibleBad = Observation(point: p, objectives: [10, 10], violations: [-1])
        let infeasibleGood = Observation(point: p, objectives: [0, 0], violations: [2])
        let infeasibleLess = Observation(point: p, objectives: [5, 5], violations: [1])
        #expect(NSGA2Strategy.constrainedDominates(feasibleBad, infeasibleGood))
        #expect(NSGA2Strategy.constrainedDominates(infeasibleLess, infeasibleGood))
        let fronts = NSGA2Strategy.fronts([infeasibleGood, feasibleBad, infeasibleLess])
        #expect(fronts == [[1], [2], [0]])
    }
}

@Suite struct BayesianStrategyTests {
    @Test func logAcquisitionsAreStableInTheTail() {
        // h(z) = φ(z) + zΦ(z): at z = 0 it is φ(0) = 1/√(2π).
        #expect(abs(Acquisition.logH(0) - log(1 / (2 * Double.pi).squareRoot())) < 1e-12)
        // The two branches meet at z = −5 (to the asymptotic series' accuracy, 4 terms).
        let z = -5.0
        let direct = log(exp(-z * z / 2) / (2 * Double.pi).squareRoot() + z * 0.5 * erfc(-z / 2.0.squareRoot()))
        #expect(abs(Acquisition.logH(z - 1e-9) - direct) < 2e-3)
        // Far in the tail log EI is finite and still decreasing (plain EI underflows to 0 there).
        #expect(Acquisition.logH(-40).isFinite)
        #expect(Acquisition.logH(-40) < Acquisition.logH(-39))
        // log Φ(−40) ≈ −800 − log(40·√(2π)).
        #expect(abs(Acquisition.logDistribution(-40) - (-800 - log(40 * (2 * Double.pi).squareRoot()))) < 1e-3)
    }

    @Test func gaussianProcessInterpolatesAndFitsLengthScales() throws {
        // y = sin(6 x1), x2 irrelevant: ARD must give x2 the longer length scale.
        var generator = SeededGenerator(seed: 5)
        let inputs = (0..<30).map { _ in [Double.random(in: 0...1, using: &generator), Double.random(in: 0...1, using: &generator)] }
        let targets = inputs.map { sin(6 * $0[0]) }
        let model = try #require(GaussianProcess(inputs: inputs, targets: targets))
        for (x, y) in zip(inputs, targets) {
            let prediction = model.predict(x)
            #expect(abs(prediction.mean - y) < 0.05)
        }
        let probe = model.predict([0.5, 0.5])
        #expect(abs(probe.mean - sin(3)) < 0.1)
        #expect(model.hyperparameters.logLengthScales[1] > model.hyperparameters.logLengthScales[0] + 1)
    }

    @Test func findsBraninsMinimumAndBeatsRandom() {
        let problem = BenchmarkProblem.branin
        // The 301×301 grid holds a point within 0.1% of the continuous optimum.
        #expect(abs(problem.optimum! - 0.397887) < 0.0004)
        var bayesian = BayesianStrategy(space: problem.space, seed: 1, initialTrials: 8)
        bayesian.randomCandidates = 300
        let observed = StrategyRun.run(&bayesian, on: problem, budget: 40)
        let best = observed.map { $0.objectives[0] }.min()!
        #expect(problem.isNearOptimum(best), "best \(best) after 40 evaluations")
        var random = RandomStrategy(space: problem.space, seed: 1)
        let randomBest = StrategyRun.run(&random, on: problem, budget: 40).map { $0.objectives[0] }.min()!
        #expect(best < randomBest)
        // Never proposes a point twice.
        #expect(Set(observed.map(\.point)).count == observed.count)
    }

    @Test func respectsAConstraint() {
        let problem = BenchmarkProblem.constrainedBranin
        var bayesian = BayesianStrategy(space: problem.space, seed: 2, initialTrials: 8)
        bayesian.randomCandidates = 300
        let observed = StrategyRun.run(&bayesian, on: problem, budget: 40)
        let best = observed.filter(\.isFeasible).map { $0.objectives[0] }.min()
        #expect(best.map(problem.isNearOptimum) == true, "best feasible \(String(describing: best)), optimum \(problem.optimum!)")
        // After the initial design, most proposals are feasible.
        #expect(observed.dropFirst(8).filter(\.isFeasible).count >= 20)
    }

    @Test func batchesAvoidPendingPointsAndAreDeterministic() {
        let problem = BenchmarkProblem.branin
        var a = BayesianStrategy(space: problem.space, seed: 3, initialTrials: 4)
        a.randomCandidates = 100
        var b = a
        let first = StrategyRun.run(&a, on: problem, budget: 8, batch: 4)
        #expect(first == StrategyRun.run(&b, on: problem, budget: 8, batch: 4))
        let pending = a.propose(count: 3, pending: [])
        #expect(Set(pending).count == 3)
        #expect(Set(pending).isDisjoint(with: Set(first.map(\.point))))
        let more = a.propose(count: 2, pending: Set(pending))
        #expect(Set(more).isDisjoint(with: Set(pending)))
    }

    @Test func paregoSpreadsOverZDT1sFront() {
        let problem = BenchmarkProblem.zdt1
        var bayesian = BayesianStrategy(space: problem.space, seed: 4, initialTrials: 10)
        bayesian.randomCandidates = 200
        let observed = StrategyRun.run(&bayesian, on: problem, budget: 40)
        var random = RandomStrategy(space: problem.space, seed: 4)
        let randomObserved = StrategyRun.run(&random, on: problem, budget: 40)
        #expect(problem.hypervolume(observed) > problem.hypervolume(randomObserved))
    }
}
