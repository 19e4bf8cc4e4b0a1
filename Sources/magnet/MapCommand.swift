import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

/// `magnet map`: search for the best mapping of a layer.
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Search for the best mappings of a network (or one layer) onto a design.",
        discussion: """
        With --design, maps every unique layer shape of --network onto the design's template, within its dataflow's constraints (docs/template.md), and prints per-layer and per-network figures. With --timeloop, reads a Timeloop mapper input and searches the map space its architecture_constraints allow. The search: random valid starting points, then hill climbing by single moves, scored by magnet's cost model; --budget candidates per layer. With --optimal: branch and bound to the optimal mapping (or one proven within --gap), stopped by --seconds with the gap proven by then; the proof is printed per layer (docs/mapper.md). Mappings print as Timeloop-style mapping YAML, which `magnet model` reads back.

        Examples:
          magnet map --design examples/simba-like.yaml --network resnet50
          magnet map --design examples/simba-like.yaml --network resnet50 --layer layer1.0.conv2 --json
          magnet map --timeloop mapper-input.yaml --ert ERT.yaml --budget 200000 --threads 2
          magnet map --timeloop mapper-input.yaml --ert ERT.yaml --optimal
          magnet map --design examples/simba-like.yaml --network resnet50 --layer layer3.0.conv2 --optimal --gap 20 --seconds 30
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "A magnet design file.")
    var design: String?
    @Option(help: "With --design: a built-in network name, a network file or an ONNX model.")
    var network: String?
    @OptionGroup var networkOptions: NetworkOptions
    @Option(help: "With --design: map only this layer (its name in `magnet networks show`).")
    var layer: String?
    @Option(help: "A Timeloop mapper input (timeloopfe v0.4 parsed-processed YAML), instead of --design.")
    var timeloop: String?
    @Option(help: "With --timeloop: the energy reference table (Accelergy ERT).")
    var ert: String?
    @Option(help: "The area reference table (Accelergy ART).")
    var art: String?
    @Option(help: "What to minimize: edp, energy, cycles, or mix (energy^w · cycles^(1−w), see --energy-weight).")
    var objective: Objective = .edp
    @Option(help: "With --objective mix: the weight w of energy, in [0, 1].")
    var energyWeight = 0.5
    @Option(help: "Stop a search once this many candidates in a row bring no improvement (default: spend the budget).")
    var stopAfter: Int?
    @Option(help: "Candidates to draw per layer (fitting or not).")
    var budget = 20_000
    @Option(help: "Stop after this many seconds even if the budget is not spent (makes results timing-dependent).")
    var seconds: Double?
    @Option(help: "Threads (default: one per core). Results are deterministic for a given seed, budget and thread count.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seed of the search.")
    var seed: UInt64 = 0
    @Option(help: "Input-halo rule of the cost model: v3 (Timeloop v3.0.3) or master.")
    var halo: CostModel.HaloReuse = .timeloopV3
    @Flag(help: "Branch and bound to the optimal mapping under the cost model (or within --gap), with a certificate.")
    var optimal = false
    @Option(help: "With --optimal: stop once the best mapping is proven within this much of the optimum, in percent (1 or 1%).")
    var gap: GapPercent?
    @Flag(inversion: .prefixedNo,
          help: "With --network: start each layer's search from earlier layers' best mappings, reshaped to it.")
    var siblingStarts = true
    @Flag(help: "Print JSON (energy_pJ, cycles, utilization, edp, considered, valid, seconds, mapping).")
    var json = false

    func validate() throws {
        if budget < 1 { throw ValidationError("--budget must be at least 1") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let seconds, !(seconds > 0 && seconds.isFinite) { throw ValidationError("--seconds must be positive") }
        if !(0...1).contains(energyWeight) { throw ValidationError("--energy-weight must be in [0, 1]") }
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1") }
        if gap != nil && !optimal { throw ValidationError("--gap goes with --optimal") }
        switch (design, timeloop) {
        case (.some, .some): throw ValidationError("give either --design or --timeloop, not both")
        case (nil, nil): throw ValidationError("give --design FILE --network NAME, or --timeloop INPUT.yaml --ert ERT.yaml")
        case (.some, nil):
            if network == nil { throw ValidationError("--design needs --network") }
            if ert != nil || art != nil { throw ValidationError("--ert and --art go with --timeloop") }
        case (nil, .some):
            if ert == nil { throw ValidationError("--timeloop needs --ert") }
            if network != nil || layer != nil { throw ValidationError("--network and --layer go with --design") }
        }
    }

    /// The search the options ask for.
    var method: MappingMethod {
        optimal ? .bounded(gap: gap?.fraction ?? 0, seconds: seconds)
            : .sampled(budget: budget, seconds: seconds, convergence: stopAfter, threads: threads, seed: seed)
    }

    func run() throws {
        if let design, let network { return try mapNetwork(designFile: design, networkName: network) }
        guard let timeloop, let ert else { return }
        let log = global.logger("magnet.map")
        let space = try TimeloopInput.loadMapSpace(input: timeloop, ert: ert, art: art)
        if let problem = space.validate().first { throw ValidationError(problem) }
        log.debug("searching: \(method)")
        let found = method.search(space, haloReuse: halo, objective: objective, energyWeight: energyWeight)
        guard let mapping = found.mapping, let summary = found.summary else {
            throw ValidationError("no valid mapping among \(found.considered) candidates: every candidate overflowed a level's capacity or fan-out; try a larger --budget, or check the architecture's capacities against the layer")
        }
        let yaml = MappingWriter.yaml(mapping, hardware: space.hardware, problem: space.problem)
        let edp = summary.energyPJ * 1e-12 * Double(summary.cycles)
        if json {
            print(JSONValue.object([
                ("energy_pJ", .double(summary.energyPJ)), ("cycles", .int(summary.cycles)),
                ("utilization", .double(summary.utilization)), ("edp_J_cycle", .double(edp)),
                ("considered", .int(found.considered)), ("valid", .int(found.valid)),
                ("seconds", .double(found.seconds)),
                ("certificate", found.certificate.map(NetworkMappingText.certificateJSON) ?? .null),
                ("mapping", .string(yaml)),
            ]).rendered())
        } else {
            print(yaml, terminator: "")
            print("# energy \(NumberText.fixed(summary.energyPJ, 2)) pJ, cycles \(NumberText.grouped(summary.cycles)), utilization \(NumberText.fixed(summary.utilization * 100, 2))%, EDP \(scientificText(edp)) J·cycle")
            if let certificate = found.certificate {
                let counts = "\(NumberText.grouped(certificate.evaluated)) candidates evaluated exactly, "
                    + "\(NumberText.grouped(certificate.bounded)) bounded, \(NumberText.grouped(certificate.pruned)) subtrees cut"
                print("# \(NetworkMappingText.proof(certificate)): \(counts), \(NumberText.fixed(certificate.seconds, 2)) s")
            } else {
                print("# \(NumberText.grouped(found.considered)) candidates considered, \(NumberText.grouped(found.valid)) valid, \(NumberText.fixed(found.seconds, 2)) s")
            }
        }
    }
}

extension MapCommand {
    func mapNetwork(designFile: String, networkName: String) throws {
        let log = global.logger("magnet.map")
        let point = try DesignFile.load(path: designFile)
        let hardware = try point.elaborate()
        var net = try networkOptions.resolve(networkName, logger: log)
        if let layer {
            net.layers = [try NetworkFile.layer(layer, in: net, source: networkName)]
        }
        let terminal = isatty(STDERR_FILENO) != 0 && !json
        let result = try NetworkMapping.map(network: net, design: point, hardware: hardware, objective: objective,
                                            energyWeight: energyWeight, method: method,
                                            siblingStarts: siblingStarts, progress: { index, total, name in
            log.debug("mapping \(name) (\(index + 1)/\(total))")
            if terminal { FileHandle.standardError.write(Data("\rmapping \(index + 1)/\(total): \(name)\u{1B}[K".utf8)) }
        })
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if json {
            print(NetworkMappingText.json(result).rendered())
        } else {
            print(NetworkMappingText.render(result))
        }
    }
}

extension Objective: ExpressibleByArgument {}

/// A relative gap written in percent, `1` or `1%`, strictly between 0 and 100.
struct GapPercent: ExpressibleByArgument {
    /// The gap as a fraction.
    var fraction: Double

    init?(argument: String) {
        let text = argument.hasSuffix("%") ? String(argument.dropLast()) : argument
        guard let percent = Double(text.trimmingCharacters(in: .whitespaces)), percent > 0, percent < 100 else {
            return nil
        }
        fraction = percent / 100
    }
}

func scientificText(_ value: Double) -> String { String(format: "%.4e", value) }
