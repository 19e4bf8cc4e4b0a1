import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

extension BenchCommand {
    /// `magnet bench optimal`: per layer, what the sampled search finds at sweep budgets against
    /// what the branch-and-bound search proves.
    struct Optimal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per layer: the sampled search at two budgets against the branch-and-bound search and its proven gap.",
            discussion: """
            For each unique layer shape of --network (every --every-th one), maps it onto each --design with the sampled search (random starts and hill climbing, one thread, seeds 0 to --seeds − 1) at --budgets candidates, and with the branch-and-bound search (--gap, at most --seconds per layer). Prints the EDP of each and what the bounded search proved: the best EDP found is within the proven gap of the optimum. EDPs are in pJ·cycle.

            Example:
              swift build -c release
                  && .build/release/magnet bench optimal --design examples/simba-like.yaml --seconds 20
            """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Design files (repeat the option for several).")
        var design: [String] = ["examples/simba-like.yaml"]
        @Option(help: "A built-in network name or a network file.")
        var network = "resnet50"
        @Option(help: "Take every n-th unique layer shape.")
        var every = 4
        @Option(help: "Budgets of the sampled search, comma-separated.")
        var budgets = "1500,20000"
        @Option(help: "Seeds of the sampled search per budget (0, 1, …).")
        var seeds = 2
        @Option(help: "Relative gap of the bounded search, in percent.")
        var gap: GapPercent?
        @Option(help: "Seconds per layer for the bounded search.")
        var seconds = 20.0
        @Option(help: "Share of each sampled search's budget that polishes its best candidate (default: the search's).")
        var polish: Double?
        @Flag(inversion: .prefixedNo, help: "Whether the sampled searches screen their neighbours before evaluating them.")
        var screening = true
        @Option(help: "Candidates without improvement before a sampled search restarts (default: the search's).")
        var patience: Int?
        @Option(name: .customLong("kick-chance"),
                help: "Chance that a restart past --kick-from kicks the best candidate (default: the search's).")
        var kickChance: Double?
        @Option(name: .customLong("kick-from"),
                help: "Share of the budget after which restarts may kick (default: the search's).")
        var kickFrom: Double?
        @Option(name: .customLong("kick-moves"), help: "Random moves per kick (default: the search's).")
        var kickMoves: Int?
        @Option(name: .customLong("stop-after"),
                help: "End each sampled search after this many candidates in a row without improvement.")
        var stopAfter: Int?
        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if let polish, !(0...1).contains(polish) { throw ValidationError("--polish must be between 0 and 1") }
            if every < 1 { throw ValidationError("--every must be at least 1") }
            for (name, value) in [("--kick-chance", kickChance), ("--kick-from", kickFrom)] {
                if let value, !(0...1).contains(value) { throw ValidationError("\(name) must be between 0 and 1") }
            }
            if let kickMoves, kickMoves < 1 { throw ValidationError("--kick-moves must be at least 1") }
            if let patience, patience < 1 { throw ValidationError("--patience must be at least 1") }
            if seeds < 1 { throw ValidationError("--seeds must be at least 1") }
            if !(seconds > 0 && seconds.isFinite) { throw ValidationError("--seconds must be a positive number") }
            if budgets.split(separator: ",").contains(where: { Int($0).map { $0 < 1 } ?? true }) {
                throw ValidationError("--budgets must be positive whole numbers separated by commas")
            }
        }

        func run() throws {
            let budgetList = budgets.split(separator: ",").compactMap { Int($0) }
            let net = try NetworkFile.resolve(network)
            var rows: [JSONValue] = []
            for file in design {
                let point = try DesignFile.load(path: file)
                let hardware = try point.elaborate()
                let sampledColumns = budgetList.flatMap { budget in
                    ["sampled \(budget) s0"] + (1..<seeds).map { "s\($0)" }
                }
                var table = TextTable(["layer"] + sampledColumns + ["bounded", "proof", "s"],
                                      alignments: [.left] + Array(repeating: .right, count: seeds * budgetList.count + 3))
                for (index, shape) in net.uniqueShapes.enumerated() where index % every == 0 {
                    let layer = shape.representative
                    let space = MapSpace.template(design: point, hardware: hardware, layer: layer)
                    var cells = [layer.name]
                    var sampled: [JSONValue] = []
                    for budget in budgetList {
                        for seed in 0..<UInt64(seeds) {
                            var search = MapSearch(space: space)
                            search.allowExhaustive = false
                            if let polish { search.polishShare = polish }
                            search.screening = screening
                            search.convergence = stopAfter
                            if let patience { search.patience = patience }
                            if let kickChance { search.kickChance = kickChance }
                            if let kickFrom { search.kickFrom = kickFrom }
                            if let kickMoves { search.kickMoves = kickMoves }
                            let result = search.run(budget: budget, threads: 1, seed: seed)
                            let edp = result.summary?.energyDelayProduct
                            cells.append(BenchCommand.edpText(edp))
                            sampled.append(.object([("budget", .int(budget)), ("seed", .int(Int(seed))),
                                                    ("edp", .optional(edp)), ("considered", .int(result.considered)),
                                                    ("seconds", .double(result.seconds))]))
                        }
                    }
                    var bounded = OptimalSearch(space: space)
                    bounded.gap = gap?.fraction ?? 0
                    bounded.seconds = seconds
                    let result = bounded.run()
                    let edp = result.summary?.energyDelayProduct
                    cells += [BenchCommand.edpText(edp),
                              NetworkMappingText.proof(result.certificate),
                              NumberText.fixed(result.certificate.seconds, 1)]
                    table.append(cells)
                    rows.append(.object([("design", .string(point.name)), ("layer", .string(layer.name)),
                                         ("sampled", .array(sampled)), ("bounded_edp", .optional(edp)),
                                         ("certificate", NetworkMappingText.certificateJSON(result.certificate))]))
                    if !json { FileHandle.standardError.write(Data("\(point.name) \(layer.name) done\n".utf8)) }
                }
                if !json {
                    print("\(point.name) (\(point.dataflow.rawValue)), \(net.name), EDP in pJ·cycle")
                    print(table.rendered() + "\n")
                }
            }
            if json { print(JSONValue.array(rows).rendered()) }
        }
    }
}

extension BenchCommand {
    /// An EDP (pJ·cycle) for the benches' tables, or `none` when nothing fitted.
    static func edpText(_ edp: Double?) -> String { edp.map { String(format: "%.3e", $0) } ?? "none" }
}
