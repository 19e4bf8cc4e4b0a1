import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

extension BenchCommand {
    /// `magnet bench warm-start`: the sampled search from random starts against the same search
    /// started from a neighbouring design's mapping, re-fitted.
    struct WarmStartBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "warm-start",
            abstract: "Per layer: the sampled search from random starts against one started from a neighbouring design's mapping.",
            discussion: """
            Maps every unique layer shape of --network onto --neighbour with the sampled search (--source-budget candidates), re-fits each mapping to --design (levels by name; factors that do not fit move outward), and maps --design with --budget candidates twice from random starts (seeds 0 and 1) and once from the re-fitted mapping. Prints the EDPs (pJ·cycle) and the median ratio warm / cold.

            Example:
              .build/release/magnet bench warm-start --design examples/simba-like.yaml --neighbour examples/ws-deep-collectors.yaml
            """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "The design mapped.")
        var design = "examples/simba-like.yaml"
        @Option(help: "The neighbouring design whose mappings seed the search.")
        var neighbour = "examples/ws-deep-collectors.yaml"
        @Option(help: "A built-in network name or a network file.")
        var network = "resnet50"
        @Option(help: "Candidates per layer on --design.")
        var budget = 1_500
        @Option(help: "Candidates per layer on --neighbour.")
        var sourceBudget = 20_000
        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if budget < 1 { throw ValidationError("--budget must be at least 1") }
            if sourceBudget < 1 { throw ValidationError("--source-budget must be at least 1") }
        }

        func run() throws {
            let target = try DesignFile.load(path: design), source = try DesignFile.load(path: neighbour)
            let targetHardware = try target.elaborate(), sourceHardware = try source.elaborate()
            let net = try NetworkFile.resolve(network)
            var table = TextTable(["layer", "cold s0", "cold s1", "warm", "warm / best cold"],
                                  alignments: [.left, .right, .right, .right, .right])
            var ratios: [Double] = [], rows: [JSONValue] = [], refitted = 0
            for (index, shape) in net.uniqueShapes.enumerated() {
                let layer = shape.representative
                let seed = UInt64(index) &* 1_000_003
                let sourceSpace = MapSpace.template(design: source, hardware: sourceHardware, layer: layer)
                let space = MapSpace.template(design: target, hardware: targetHardware, layer: layer)
                let seedMapping = MapSearch(space: sourceSpace).run(budget: sourceBudget, threads: 1,
                                                                    seed: seed).mapping
                let start = seedMapping.flatMap { WarmStart.refit($0, from: sourceHardware, to: space) }
                if start != nil { refitted += 1 }
                var search = MapSearch(space: space)
                search.allowExhaustive = false
                let cold = [seed, seed &+ 1].map { search.run(budget: budget, threads: 1,
                                                              seed: $0).summary?.energyDelayProduct }
                let warm = search.run(budget: budget, threads: 1, seed: seed, start: start).summary?.energyDelayProduct
                let bestCold = cold.compactMap { $0 }.min()
                let ratio = warm.flatMap { w in bestCold.map { w / $0 } }
                if let ratio { ratios.append(ratio) }
                let text = BenchCommand.edpText
                table.append([layer.name, text(cold[0]), text(cold[1]), text(warm) + (start == nil ? " (cold)" : ""),
                              ratio.map { NumberText.fixed($0, 3) } ?? "-"])
                rows.append(.object([("layer", .string(layer.name)), ("cold", .array(cold.map { .optional($0) })),
                                     ("warm", .optional(warm)), ("refitted", .bool(start != nil))]))
            }
            guard !ratios.isEmpty else { throw ValidationError("no layer of \(net.name) could be mapped on \(target.name)") }
            let median = ratios.sorted()[ratios.count / 2]
            if json {
                print(JSONValue.object([("median_warm_over_best_cold", .double(median)), ("refitted", .int(refitted)),
                                        ("layers", .array(rows))]).rendered())
            } else {
                print("\(target.name) seeded from \(source.name), \(net.name), \(budget) candidates per layer")
                print(table.rendered())
                print("re-fitted \(refitted) of \(net.uniqueShapes.count) layers (EDP in pJ·cycle); "
                      + "median warm / best cold: \(NumberText.fixed(median, 3))")
            }
        }
    }
}
