import ArgumentParser
import Foundation
import MagnetDesigner
import MagnetCore
import MagnetMapper
import MagnetWorkload

/// `magnet bench`: measure the cost model and (later) the mapper.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure magnet's speed (build with -c release; see docs/performance.md).",
        subcommands: [Model.self, Mapper.self, Bounds.self, Optimal.self, WarmStartBench.self, Siblings.self,
                      StudyQuality.self, Network.self, Tuner.self, Store.self, CoordinatorBench.self, RTL.self])

    struct Network: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seconds and peak memory to map a whole network on a design, on one thread and on all cores.",
            discussion: "Example:\n  .build/release/magnet bench network --design examples/simba-like.yaml --network resnet50")

        @OptionGroup var global: GlobalOptions
        @Option(help: "A magnet design file.")
        var design = "examples/simba-like.yaml"
        @Option(help: "A built-in network name or a network file.")
        var network = "resnet50"
        @Option(help: "Candidates per layer.")
        var budget = 5_000
        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let point = try DesignFile.load(path: design)
            let hardware = try point.elaborate()
            let net = try NetworkFile.resolve(network)
            var rows: [JSONValue] = []
            for threads in Set([1, ProcessInfo.processInfo.activeProcessorCount]).sorted() {
                let start = Date()
                let result = try NetworkMapping.map(network: net, design: point, hardware: hardware, budget: budget, threads: threads, seed: 0)
                let seconds = Date().timeIntervalSince(start)
                var usage = rusage()
                getrusage(RUSAGE_SELF.rawValue, &usage)
                let peakMB = Double(usage.ru_maxrss) / 1024
                rows.append(.object([("threads", .int(threads)), ("seconds", .double(seconds)), ("peak_rss_MB", .double(peakMB)),
                                     ("energy_pJ", .double(result.energyPJ)), ("cycles", .int(result.cycles))]))
                if !json {
                    print("\(net.name) on \(point.name), \(budget) candidates per layer, \(threads) thread(s): \(NumberText.fixed(seconds, 2)) s, peak RSS \(NumberText.fixed(peakMB, 1)) MB, \(NumberText.fixed(result.energyPJ / 1e6, 1)) µJ, \(NumberText.fixed(result.latencyMS, 3)) ms")
                }
            }
            if json { print(JSONValue.array(rows).rendered()) }
        }
    }

    struct Mapper: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mapper speed and search quality on the Timeloop Simba-like and Eyeriss-like conv 3×3 inputs.",
            discussion: """
            For each mapper input, runs one-thread searches with growing budgets (seed 0; the Timeloop-master halo rule, to compare with Timeloop's figures) and reports candidates per second per core and the best EDP against wall time, beside the best EDP Timeloop's mapper reached in 60 s with 2 threads (timeloop-best.json). Then the branch-and-bound search certifies the optimum (at most --optimal-seconds; 0 skips it): its EDP, the proven gap, the exact evaluations and bounds it needed, and the smallest budget at which the sampled search reached it.

            Example:
              swift build -c release && .build/release/magnet bench mapper --json
            """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var fixtures: MapperFixtures
        @Option(help: "The largest budget; budgets grow by 4× from 1,000.")
        var budget = 256_000
        @Option(help: "Seconds for the branch-and-bound search to certify each input's optimum (0: skip).")
        var optimalSeconds = 30.0
        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if !(optimalSeconds >= 0 && optimalSeconds.isFinite) {
                throw ValidationError("--optimal-seconds must be a number of seconds, 0 or more")
            }
        }

        func run() throws {
            var results: [JSONValue] = []
            for name in MapperFixtures.names {
                let (input, ert) = fixtures.files(name)
                let space = try TimeloopInput.loadMapSpace(input: input, ert: ert)
                let bestData = try Data(contentsOf: fixtures.folder(name).appendingPathComponent("timeloop-best.json"))
                let timeloop = ((try JSONSerialization.jsonObject(with: bestData) as? [String: Any])?["best"] as? [String: Any])?["EDP_J_cycle"] as? Double
                let search = MapSearch(space: space, haloReuse: .timeloopMaster, objective: .edp)
                var points: [JSONValue] = []
                var sampled: [(budget: Int, edp: Double?)] = []
                var rate = 0.0
                var firstBeat: (budget: Int, seconds: Double)?
                if !json { print("\(name) (Timeloop's best EDP in 60 s × 2 threads: \(timeloop.map { NumberText.fixed($0, 2) } ?? "?") J·cycle)") }
                var current = 1000
                while current <= budget {
                    let result = search.run(budget: current, threads: 1, seed: 0)
                    let edp = result.summary.map { $0.energyPJ * 1e-12 * Double($0.cycles) }
                    rate = Double(result.considered) / max(result.seconds, 1e-9)
                    if let edp, let timeloop, edp <= timeloop, firstBeat == nil { firstBeat = (current, result.seconds) }
                    sampled.append((current, edp))
                    points.append(.object([("budget", .int(current)), ("seconds", .double(result.seconds)),
                                           ("valid", .int(result.valid)), ("best_edp_J_cycle", .optional(edp))]))
                    if !json {
                        print("  budget \(NumberText.grouped(current)): \(NumberText.fixed(result.seconds, 3)) s, best EDP \(edp.map { NumberText.fixed($0, 2) } ?? "none") J·cycle")
                    }
                    current *= 4
                }
                if !json {
                    print("  \(NumberText.grouped(Int(rate))) candidates/s/core; " + (firstBeat.map { "at or below Timeloop's best after \(NumberText.fixed($0.seconds, 3)) s (budget \(NumberText.grouped($0.budget)))" } ?? "Timeloop's best not reached"))
                }
                let screening = ScreenThroughput.measure(space: space, haloReuse: .timeloopMaster)
                if !json {
                    print("  screen: \(NumberText.grouped(Int(screening.screenedPerSecond))) candidates/s/core "
                          + "(\(ScreenThroughput.lanes)-lane batches), exact evaluation "
                          + "\(NumberText.grouped(Int(screening.evaluatedPerSecond)))/s/core on the same candidates")
                }
                var fields: [(String, JSONValue)] = [
                    ("fixture", .string(name)),
                    ("candidates_per_second_per_core", .double(rate)),
                    ("screened_per_second_per_core", .double(screening.screenedPerSecond)),
                    ("exact_evaluations_per_second_per_core", .double(screening.evaluatedPerSecond)),
                    ("timeloop_best_edp_J_cycle", .optional(timeloop)),
                    ("seconds_to_beat_timeloop", .optional(firstBeat?.seconds)),
                    ("edp_versus_time", .array(points)),
                ]
                if optimalSeconds > 0 { fields.append(("certified", certify(space, sampled: sampled))) }
                results.append(.object(fields))
            }
            if json { print(JSONValue.array(results).rendered()) }
        }

        /// The branch-and-bound search's certificate on `space`, and the smallest of the sampled
        /// search's budgets (`sampled`, as reported) that reached the EDP it found.
        private func certify(_ space: MapSpace, sampled: [(budget: Int, edp: Double?)]) -> JSONValue {
            var bounded = OptimalSearch(space: space, haloReuse: .timeloopMaster, objective: .edp)
            bounded.seconds = optimalSeconds
            let result = bounded.run()
            let certificate = result.certificate
            let edp = result.summary.map { $0.energyPJ * 1e-12 * Double($0.cycles) }
            let budget = sampled.first { point in
                guard let edp, let found = point.edp else { return false }
                return found <= edp * (1 + 1e-9)
            }?.budget
            if !json {
                print("  branch and bound: EDP \(edp.map { NumberText.fixed($0, 2) } ?? "none") J·cycle, "
                      + "\(NetworkMappingText.proof(certificate)), \(NumberText.grouped(certificate.evaluated)) exact "
                      + "evaluations, \(NumberText.grouped(certificate.bounded)) bounds, "
                      + "\(NumberText.fixed(certificate.seconds, 1)) s; "
                      + (budget.map { "the sampled search reached it at budget \(NumberText.grouped($0))" }
                         ?? "the sampled search did not reach it"))
            }
            return .object([
                ("edp_J_cycle", .optional(edp)),
                ("certificate", NetworkMappingText.certificateJSON(certificate)),
                ("sampled_budget_to_reach", .optional(budget)),
            ])
        }
    }

    struct Model: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cost-model evaluations per second per core on the Timeloop Simba-like and Eyeriss-like conv 3×3 fixtures.",
            discussion: """
            Draws random valid mappings of the ResNet conv 3×3 (C = K = 64, 56×56) layer onto each fixture architecture and times the closed-form model and the reference nest walk (the scalar path that mirrors Timeloop), one thread, median of --repeats runs.

            Example:
              swift build -c release && .build/release/magnet bench model --json
            """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var fixtures: MapperFixtures
        @Option(help: "Random mappings per fixture.")
        var mappings = 200
        @Option(help: "Timed repetitions; the median is reported.")
        var repeats = 5
        @Option(help: "Seed for the random mappings.")
        var seed: UInt64 = 1
        @Flag(help: "Print JSON.")
        var json = false
        @Flag(help: "Also check that both paths agree on every sampled mapping.")
        var verify = false
        @Flag(help: "Time only the closed form (the nest walk takes milliseconds per mapping).")
        var skipNestWalk = false

        func run() throws {
            var results: [JSONValue] = []
            for name in MapperFixtures.names {
                let files = fixtures.files(name)
                let input = try TimeloopInput.loadForMapping(input: files.input, ert: files.ert)
                let bench = ModelBenchmark(input: input, mappings: mappings, seed: seed)
                if verify {
                    let bad = bench.disagreements()
                    print("\(name): \(bad.count) disagreements")
                    for mapping in bad.prefix(2) { print(MappingWriter.yaml(mapping, hardware: input.hardware, problem: input.problem)) }
                }
                let result = bench.run(repeats: repeats, nestWalk: !skipNestWalk)
                results.append(.object([
                    ("fixture", .string(name)),
                    ("mappings", .int(result.mappings)),
                    ("evaluations_per_second_per_core", .double(result.closedFormPerSecond)),
                    ("scalar_evaluations_per_second_per_core", .double(result.referencePerSecond)),
                ]))
                if !json {
                    print("\(name): \(result.mappings) random valid mappings")
                    print("  closed form \(NumberText.grouped(Int(result.closedFormPerSecond))) evaluations/s/core")
                    print("  nest walk   \(NumberText.grouped(Int(result.referencePerSecond))) evaluations/s/core")
                }
            }
            if json { print(JSONValue.array(results).rendered()) }
        }
    }
}

/// The Timeloop mapper fixtures `bench mapper` and `bench model` run on.
struct MapperFixtures: ParsableArguments {
    @Option(help: "Folder holding mapper_simba_like_conv3x3/ and mapper_eyeriss_like_conv3x3/.")
    var fixtures = "Tests/MagnetMapperTests/Fixtures/timeloop-cases"

    /// The fixtures, Simba-like first.
    static let names = ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"]

    /// The folder of fixture `name`.
    func folder(_ name: String) -> URL { URL(fileURLWithPath: fixtures).appendingPathComponent(name) }

    /// The mapper input and ERT files of fixture `name`.
    func files(_ name: String) -> (input: String, ert: String) {
        (folder(name).appendingPathComponent("mapper-input.yaml").path, folder(name).appendingPathComponent("ERT.yaml").path)
    }
}
