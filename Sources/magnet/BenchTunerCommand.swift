import ArgumentParser
import Foundation
import MagnetCore
import MagnetTuner

extension BenchCommand {
    /// `magnet bench tuner`: strategies on test problems with known optima.
    struct Tuner: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the search strategies on test problems with known optima (docs/tuner.md).",
            discussion: """
            Runs random search, NSGA-II and Bayesian optimisation on Branin, Branin with a constraint, Hartmann-6 (single objective) and ZDT1, ZDT2 (two objectives), each over --seeds seeds. Reports, per strategy, the median number of evaluations to get within 1% of the optimum (and on how many seeds it got there within the budget), the median best value, and for ZDT the median hypervolume after the budget as a fraction of the true front's.

            Example:
              .build/release/magnet bench tuner --seeds 10
            """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Seeds per problem and strategy.")
        var seeds = 10
        @Option(help: "Evaluations per run (default: 60 for the Branin problems, 100 for Hartmann-6 and ZDT).")
        var budget: Int?
        @Option(help: "Evaluations proposed at once (Bayesian optimisation handles the pending ones by constant liar).")
        var batch = 1
        @Option(parsing: .upToNextOption, help: "Problems: branin, branin-constrained, hartmann6, zdt1, zdt2.")
        var problems: [String] = BenchmarkProblem.all.map(\.name)
        @Option(parsing: .upToNextOption, help: "Strategies: random, nsga2, bayesian.")
        var strategies = ["random", "nsga2", "bayesian"]
        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            for name in problems where !BenchmarkProblem.all.contains(where: { $0.name == name }) {
                throw ValidationError("unknown problem `\(name)`; problems: \(BenchmarkProblem.all.map(\.name).joined(separator: ", "))")
            }
            for name in strategies where !["random", "nsga2", "bayesian"].contains(name) {
                throw ValidationError("unknown strategy `\(name)`; strategies: random, nsga2, bayesian")
            }
            if seeds < 1 || batch < 1 { throw ValidationError("--seeds and --batch must be at least 1") }
        }

        static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }

        func run() throws {
            var rows: [JSONValue] = []
            var table = TextTable(["problem", "strategy", "budget", "evals to 1% (median)", "reached", "best (median)", "HV / true HV (median)", "s/run"],
                                  alignments: [.left, .left, .right, .right, .right, .right, .right, .right])
            for problem in BenchmarkProblem.all where problems.contains(problem.name) {
                let runBudget = budget ?? (problem.name.hasPrefix("branin") ? 60 : 100)
                for name in strategies {
                    var reached: [Int] = []
                    var bests: [Double] = []
                    var volumes: [Double] = []
                    let start = Date()
                    for seed in 0..<seeds {
                        let observations: [Observation]
                        switch name {
                        case "random":
                            var s = RandomStrategy(space: problem.space, seed: UInt64(seed))
                            observations = StrategyRun.run(&s, on: problem, budget: runBudget, batch: batch)
                        case "nsga2":
                            var s = NSGA2Strategy(space: problem.space, seed: UInt64(seed), populationSize: 12)
                            observations = StrategyRun.run(&s, on: problem, budget: runBudget, batch: batch)
                        default:
                            var s = BayesianStrategy(space: problem.space, seed: UInt64(seed), initialTrials: 10)
                            observations = StrategyRun.run(&s, on: problem, budget: runBudget, batch: batch)
                        }
                        if problem.optimum != nil {
                            if let k = StrategyRun.evaluationsToOptimum(observations, problem: problem) { reached.append(k) }
                            bests.append(observations.filter(\.isFeasible).map { $0.objectives[0] }.min() ?? .infinity)
                        } else {
                            volumes.append(problem.hypervolume(observations) / problem.front!.hypervolume)
                        }
                    }
                    let secondsPerRun = Date().timeIntervalSince(start) / Double(seeds)
                    // Seeds that never got within 1% count as "more than the budget" in the median.
                    let toOptimum = reached.map(Double.init) + Array(repeating: Double.infinity, count: problem.optimum == nil ? 0 : seeds - reached.count)
                    let medianEvals = problem.optimum == nil ? nil : Tuner.median(toOptimum)
                    rows.append(.object([
                        ("problem", .string(problem.name)), ("strategy", .string(name)), ("budget", .int(runBudget)),
                        ("seeds", .int(seeds)), ("batch", .int(batch)),
                        ("median_evaluations_to_1_percent", medianEvals.map { $0.isFinite ? .double($0) : .null } ?? .null),
                        ("seeds_reaching_1_percent", problem.optimum == nil ? .null : .int(reached.count)),
                        ("median_best", problem.optimum == nil ? .null : .double(Tuner.median(bests))),
                        ("optimum", .optional(problem.optimum)),
                        ("median_hypervolume_fraction", problem.front == nil ? .null : .double(Tuner.median(volumes))),
                        ("seconds_per_run", .double(secondsPerRun)),
                    ]))
                    table.append([
                        problem.name, name, String(runBudget),
                        medianEvals.map { $0.isFinite ? NumberText.fixed($0, 1) : "> \(runBudget)" } ?? "-",
                        problem.optimum == nil ? "-" : "\(reached.count)/\(seeds)",
                        problem.optimum == nil ? "-" : String(format: "%.5g", Tuner.median(bests)),
                        problem.front == nil ? "-" : NumberText.fixed(Tuner.median(volumes), 3),
                        NumberText.fixed(secondsPerRun, 2),
                    ])
                    if !json { FileHandle.standardError.write(Data("  \(problem.name) / \(name) done\n".utf8)) }
                }
            }
            print(json ? JSONValue.array(rows).rendered() : table.rendered())
        }
    }
}
