import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

/// `magnet dataflows`: the same design and network under each dataflow.
struct DataflowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataflows",
        abstract: "Map a network on a design under each dataflow and compare energy, latency and utilization.",
        discussion: """
        The design's other parameters stay as they are; only `dataflow` changes. Each dataflow gets the same search budget and seed.

        Example:
          magnet dataflows --design examples/simba-like.yaml --network resnet50
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "A magnet design file.")
    var design: String
    @Option(help: "A built-in network name or a network file.")
    var network: String
    @Option(help: "What each search minimizes: edp, energy or cycles.")
    var objective: Objective = .edp
    @Option(help: "Candidates per layer and dataflow.")
    var budget = 5_000
    @Option(help: "Threads per search.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seed.")
    var seed: UInt64 = 0
    @Flag(help: "Print JSON: one object per dataflow with energy_pJ, cycles, utilization, latency_ms, fj_per_op.")
    var json = false

    func run() throws {
        let log = global.logger("magnet.dataflows")
        let base = try DesignFile.load(path: design)
        let net = try NetworkFile.resolve(network)
        var rows: [(Dataflow, NetworkMapping)] = []
        for dataflow in Dataflow.allCases {
            var point = base
            point.dataflow = dataflow
            log.debug("mapping \(net.name) under \(dataflow.rawValue)")
            let result = try NetworkMapping.map(network: net, design: point, hardware: try point.elaborate(), objective: objective,
                                                budget: budget, threads: threads, seed: seed)
            rows.append((dataflow, result))
        }
        if json {
            print(JSONValue.array(rows.map { dataflow, result in
                .object([("dataflow", .string(dataflow.rawValue)), ("energy_pJ", .double(result.energyPJ)),
                         ("cycles", .int(result.cycles)), ("utilization", .double(result.utilization)),
                         ("latency_ms", .double(result.latencyMS)), ("fj_per_op", .double(result.femtojoulesPerOp))])
            }).rendered())
            return
        }
        let best = rows.min { $0.1.energyPJ < $1.1.energyPJ }!.0
        var table = TextTable(["dataflow", "energy µJ", "fJ/op", "latency ms", "utilization %", "EDP µJ·ms"],
                              alignments: [.left, .right, .right, .right, .right, .right])
        for (dataflow, result) in rows {
            table.append([dataflow.rawValue + (dataflow == best ? " *" : ""), NumberText.fixed(result.energyPJ / 1e6, 1),
                          NumberText.fixed(result.femtojoulesPerOp, 1), NumberText.fixed(result.latencyMS, 3),
                          NumberText.fixed(result.utilization * 100, 1),
                          NumberText.fixed(result.energyPJ / 1e6 * result.latencyMS, 1)])
        }
        print("\(net.name) on \(base.name), \(budget) candidates per layer, objective \(objective.rawValue)")
        print(table.rendered())
        print("* lowest energy per inference")
    }
}
