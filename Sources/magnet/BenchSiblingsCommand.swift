import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

extension BenchCommand {
    /// `magnet bench siblings`: whole networks mapped with and without sibling starts, each
    /// layer's result against the best known mapping of that layer.
    struct Siblings: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per design: a network mapped with and without sibling starts, each layer against its best known EDP.",
            discussion: """
            For each --design, maps every unique layer shape of --network with the sampled search (one thread, seeds 0 to --seeds − 1, --budget candidates per layer), once without and once with sibling starts (each layer's search starts from the best of the layers mapped before it, reshaped to it; each layer takes another's reshaped mapping where that beats its own; docs/mapper.md, "Sibling starts"), the two alternated. The best known EDP of a layer is the lowest any run found, --reference-budget runs (seeds 0 to --reference-seeds − 1, both ways) included. Prints the share of layers within 1% of it, the 90th percentile and geometric mean of EDP / best known, and the median seconds per network.

            Example:
              swift build -c release && .build/release/magnet bench siblings --design examples/simba-like.yaml \\
                  --design examples/eyeriss-like.yaml --seeds 8
            """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Design files (repeat the option for several).")
        var design: [String] = ["examples/simba-like.yaml"]
        @Option(help: "A built-in network name or a network file.")
        var network = "resnet50"
        @Option(help: "Candidates per layer of the compared runs.")
        var budget = 1_500
        @Option(help: "Seeds of the compared runs (0, 1, …).")
        var seeds = 4
        @Option(help: "Candidates per layer of the reference runs that set the best known EDPs (0: none).")
        var referenceBudget = 20_000
        @Option(help: "Seeds of the reference runs.")
        var referenceSeeds = 2
        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if budget < 1 { throw ValidationError("--budget must be at least 1") }
            if seeds < 1 { throw ValidationError("--seeds must be at least 1") }
            if referenceBudget < 0 { throw ValidationError("--reference-budget must be 0 or more") }
            if referenceSeeds < 1 { throw ValidationError("--reference-seeds must be at least 1") }
        }

        /// One network mapping's per-layer EDPs and its seconds.
        private struct Run {
            var seed: Int
            var siblingStarts: Bool
            var reference: Bool
            var edpByLayer: [String: Double]
            var seconds: Double

            /// The run under `--json`'s `runs` (per design): enough to compare the runs of several
            /// invocations against one best known.
            var json: JSONValue {
                let layers = edpByLayer.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.double($0.value)) }
                return .object([("seed", .int(seed)), ("sibling_starts", .bool(siblingStarts)),
                                ("reference", .bool(reference)), ("edp_by_layer", .object(layers))])
            }
        }

        func run() throws {
            let net = try NetworkFile.resolve(network)
            var rows: [JSONValue] = []
            var runsByDesign: [(String, JSONValue)] = []
            var table = TextTable(["design", "sibling starts", "within 1%", "p90", "geomean", "median s"],
                                  alignments: [.left, .left, .right, .right, .right, .right])
            var everyRatio: [Bool: [Double]] = [false: [], true: []]
            for file in design {
                let point = try DesignFile.load(path: file)
                let hardware = try point.elaborate()
                var runs: [Run] = []
                func mapOnce(budget: Int, seed: Int, siblingStarts: Bool, reference: Bool) throws {
                    let began = DispatchTime.now().uptimeNanoseconds
                    let result = try NetworkMapping.map(network: net, design: point, hardware: hardware,
                                                        method: .sampled(budget: budget, seed: UInt64(seed)),
                                                        siblingStarts: siblingStarts)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
                    let edps = result.layers.map { entry in
                        (entry.layer.name, entry.evaluation.energyPJ * Double(entry.evaluation.cycles))
                    }
                    runs.append(Run(seed: seed, siblingStarts: siblingStarts, reference: reference,
                                    edpByLayer: Dictionary(uniqueKeysWithValues: edps), seconds: seconds))
                }
                for seed in 0..<seeds {
                    // Alternated, so that the machine's noise falls on both alike.
                    for siblingStarts in seed % 2 == 0 ? [false, true] : [true, false] {
                        try mapOnce(budget: budget, seed: seed, siblingStarts: siblingStarts, reference: false)
                    }
                }
                if referenceBudget > 0 {
                    for seed in 0..<referenceSeeds {
                        for siblingStarts in [false, true] {
                            try mapOnce(budget: referenceBudget, seed: seed, siblingStarts: siblingStarts,
                                        reference: true)
                        }
                    }
                }
                runsByDesign.append((point.name, .array(runs.map(\.json))))
                var bestKnown: [String: Double] = [:]
                for run in runs {
                    for (layer, edp) in run.edpByLayer { bestKnown[layer] = min(bestKnown[layer] ?? edp, edp) }
                }
                for siblingStarts in [false, true] {
                    let compared = runs.filter { !$0.reference && $0.siblingStarts == siblingStarts }
                    let ratios = compared.flatMap { run in run.edpByLayer.map { $0.value / bestKnown[$0.key]! } }
                    everyRatio[siblingStarts, default: []] += ratios
                    let summary = RatioSummary(ratios)
                    let seconds = BenchCommand.Tuner.median(compared.map(\.seconds))
                    table.append([point.name, siblingStarts ? "yes" : "no", summary.withinText, summary.p90Text,
                                  summary.geomeanText, NumberText.fixed(seconds, 3)])
                    rows.append(.object([("design", .string(point.name)), ("sibling_starts", .bool(siblingStarts)),
                                         ("layers", .int(ratios.count))] + summary.json
                                        + [("median_seconds", .double(seconds))]))
                }
            }
            let overall = [false, true].map { RatioSummary(everyRatio[$0] ?? []) }
            for (siblingStarts, summary) in zip([false, true], overall) {
                table.append(["all", siblingStarts ? "yes" : "no", summary.withinText, summary.p90Text,
                              summary.geomeanText, ""])
            }
            if json {
                print(JSONValue.object([
                    ("network", .string(net.name)), ("budget", .int(budget)), ("seeds", .int(seeds)),
                    ("reference_budget", .int(referenceBudget)), ("designs", .array(rows)),
                    ("all", .array(zip([false, true], overall).map { siblingStarts, summary in
                        .object([("sibling_starts", .bool(siblingStarts))] + summary.json)
                    })),
                    ("runs", .object(runsByDesign)),
                ]).rendered())
            } else {
                print("\(net.name), \(budget) candidates per layer, seeds 0–\(seeds - 1); EDP / best known per layer")
                print(table.rendered())
            }
        }
    }
}
