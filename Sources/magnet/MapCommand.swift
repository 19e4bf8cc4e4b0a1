import ArgumentParser
import Foundation
import MagnetCore
import MagnetMapper
import MagnetWorkload

/// `magnet map`: search for the best mapping of a layer.
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Search for the best mapping of a layer onto an architecture.",
        discussion: """
        With --timeloop, reads a Timeloop mapper input (architecture, problem and its
        architecture_constraints) and searches the constrained map space: random valid starting
        points, then hill climbing by single moves, scored by magnet's cost model. Prints the
        best mapping as Timeloop-style mapping YAML (readable by `magnet model`) and its figures.

        Mapping our own template (--design, whole networks, dataflow constraints) is not built
        yet; see docs/mapper.md.

        Examples:
          magnet map --timeloop mapper-input.yaml --ert ERT.yaml --budget 200000 --threads 2
          magnet map --timeloop mapper-input.yaml --ert ERT.yaml --seconds 1 --json
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "A Timeloop mapper input (timeloopfe v0.4 parsed-processed YAML).")
    var timeloop: String
    @Option(help: "The energy reference table (Accelergy ERT).")
    var ert: String
    @Option(help: "The area reference table (Accelergy ART).")
    var art: String?
    @Option(help: "What to minimize: edp, energy or cycles.")
    var objective: Objective = .edp
    @Option(help: "Candidates to draw in all (fitting or not).")
    var budget = 100_000
    @Option(help: "Stop after this many seconds even if the budget is not spent (makes results timing-dependent).")
    var seconds: Double?
    @Option(help: "Threads (default: one per core). Results are deterministic for a given seed, budget and thread count.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seed of the search.")
    var seed: UInt64 = 0
    @Option(help: "Input-halo rule of the cost model: v3 (Timeloop v3.0.3) or master.")
    var halo: CostModel.HaloReuse = .timeloopV3
    @Flag(help: "Print JSON (energy_pJ, cycles, utilization, edp, considered, valid, seconds, mapping).")
    var json = false

    func validate() throws {
        if budget < 1 { throw ValidationError("--budget must be at least 1") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
    }

    func run() throws {
        let log = global.logger("magnet.map")
        let space = try TimeloopInput.loadMapSpace(input: timeloop, ert: ert, art: art)
        if let problem = space.validate().first { throw ValidationError(problem) }
        log.debug("searching with \(threads) threads, budget \(budget)")
        let search = MapSearch(space: space, haloReuse: halo, objective: objective)
        let result = search.run(budget: budget, seconds: seconds, threads: threads, seed: seed)
        guard let mapping = result.mapping, let summary = result.summary else {
            throw ValidationError("no valid mapping among \(result.considered) candidates: every candidate overflowed a level's capacity or fan-out; try a larger --budget, or check the architecture's capacities against the layer")
        }
        let yaml = MappingWriter.yaml(mapping, hardware: space.hardware, problem: space.problem)
        let edp = summary.energyPJ * 1e-12 * Double(summary.cycles)
        if json {
            print(JSONValue.object([
                ("energy_pJ", .double(summary.energyPJ)), ("cycles", .int(summary.cycles)),
                ("utilization", .double(summary.utilization)), ("edp_J_cycle", .double(edp)),
                ("considered", .int(result.considered)), ("valid", .int(result.valid)),
                ("seconds", .double(result.seconds)), ("mapping", .string(yaml)),
            ]).rendered())
        } else {
            print(yaml, terminator: "")
            print("# energy \(NumberText.fixed(summary.energyPJ, 2)) pJ, cycles \(NumberText.grouped(summary.cycles)), utilization \(NumberText.fixed(summary.utilization * 100, 2))%, EDP \(scientificText(edp)) J·cycle")
            print("# \(NumberText.grouped(result.considered)) candidates considered, \(NumberText.grouped(result.valid)) valid, \(NumberText.fixed(result.seconds, 2)) s")
        }
    }
}

extension Objective: ExpressibleByArgument {}

func scientificText(_ value: Double) -> String { String(format: "%.4e", value) }
