import ArgumentParser
import Foundation
import MagnetCore
import MagnetMapper

/// `magnet bench`: measure the cost model and (later) the mapper.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure magnet's speed (build with -c release; see docs/performance.md).",
        subcommands: [Model.self])

    struct Model: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cost-model evaluations per second per core on the Timeloop Simba-like and Eyeriss-like conv 3×3 fixtures.",
            discussion: """
            Draws random valid mappings of the ResNet conv 3×3 (C = K = 64, 56×56) layer onto each
            fixture architecture and times the closed-form model and the reference nest walk (the
            scalar path that mirrors Timeloop), one thread, median of --repeats runs.

            Example:
              swift build -c release && .build/release/magnet bench model --json
            """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Folder holding mapper_simba_like_conv3x3/ and mapper_eyeriss_like_conv3x3/.")
        var fixtures = "Tests/MagnetMapperTests/Fixtures/timeloop-cases"
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
            for name in ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"] {
                let folder = URL(fileURLWithPath: fixtures).appendingPathComponent(name)
                let input = try TimeloopInput.loadForMapping(input: folder.appendingPathComponent("mapper-input.yaml").path,
                                                   ert: folder.appendingPathComponent("ERT.yaml").path)
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
