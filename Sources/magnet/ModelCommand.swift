import ArgumentParser
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

/// `magnet model`: evaluate one mapping with the cost model.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Evaluate one mapping: per-level accesses, energy, cycles and utilization.",
        discussion: """
        Either a Timeloop model input (architecture, problem, mapping) with its energy and area tables, or a magnet design, a layer of a network and a mapping file (the same syntax as Timeloop's mapping list; docs/cost-model.md). Prints the per-level statistics; with --json, the schema of the Timeloop reference cases' expected.json.

        Examples:
          magnet model --timeloop input.yaml --ert ERT.yaml --art ART.yaml
          magnet model --timeloop input.yaml --ert ERT.yaml --json --halo master
          magnet model --design examples/simba-like.yaml --network resnet50 --layer layer1.0.conv2 --mapping examples/simba-like-conv3x3.map.yaml
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "A Timeloop model input (timeloopfe v0.4 parsed-processed YAML).")
    var timeloop: String?

    @Option(help: "The energy reference table (Accelergy ERT) for --timeloop.")
    var ert: String?

    @Option(help: "A magnet design file (instead of --timeloop).")
    var design: String?

    @Option(help: "With --design: a built-in network name or a network file.")
    var network: String?

    @Option(help: "With --design: the layer's name in the network (see `magnet networks show`).")
    var layer: String?

    @Option(help: "With --design: the mapping file (Timeloop mapping syntax, levels named as in `magnet design show`).")
    var mapping: String?

    @Option(help: "The area reference table (Accelergy ART) for --timeloop.")
    var art: String?

    @Option(help: "Input-halo reuse: v3 (Timeloop v3.0.3, the default) or master (Timeloop 2025 master).")
    var halo: CostModel.HaloReuse = .timeloopV3

    @Flag(help: "Print JSON in the schema of the reference cases' expected.json.")
    var json = false

    func validate() throws {
        switch (timeloop, design) {
        case (.some, .some):
            throw ValidationError("give either --timeloop or --design, not both")
        case (nil, nil):
            throw ValidationError("give --timeloop INPUT.yaml --ert ERT.yaml, or --design FILE --network NAME --layer LAYER --mapping MAP.yaml")
        case (.some, nil):
            if ert == nil { throw ValidationError("--timeloop needs --ert ERT.yaml") }
            if network != nil || layer != nil || mapping != nil { throw ValidationError("--network, --layer and --mapping go with --design") }
        case (nil, .some):
            if network == nil || layer == nil || mapping == nil { throw ValidationError("--design needs --network, --layer and --mapping") }
            if ert != nil || art != nil { throw ValidationError("--ert and --art go with --timeloop") }
        }
    }

    func run() throws {
        let log = global.logger("magnet.model")
        let hardware: Hardware, problem: Problem, chosen: Mapping
        if let timeloop, let ert {
            let input = try TimeloopInput.load(input: timeloop, ert: ert, art: art)
            (hardware, problem, chosen) = (input.hardware, input.problem, input.mapping)
        } else if let design, let network, let layer, let mapping {
            let point = try DesignFile.load(path: design)
            let net = try NetworkFile.resolve(network)
            let named = try NetworkFile.layer(layer, in: net, source: network)
            problem = named.problem
            // The hardware as this layer uses it, at the formats the design gives it.
            hardware = point.hardware(try point.elaborate(), running: point.formats(ofLayer: named.name))
            chosen = try MappingReader.load(path: mapping, hardware: hardware, problem: problem)
        } else {
            throw ValidationError("nothing to model")
        }
        log.debug("\(hardware.storage.count) storage levels, \(problem.dimensions.count) dimensions")
        let evaluation = CostModel(hardware: hardware, problem: problem, haloReuse: halo).evaluate(chosen)
        if json {
            print(evaluation.timeloopJSON(hardware: hardware, problem: problem).rendered())
        } else {
            print(EvaluationText.render(evaluation, hardware: hardware, problem: problem))
        }
    }
}

extension CostModel.HaloReuse: ExpressibleByArgument {}

/// The text form of an evaluation.
enum EvaluationText {
    static func render(_ evaluation: Evaluation, hardware: Hardware, problem: Problem) -> String {
        var lines: [String] = []
        lines.append("computes \(NumberText.grouped(evaluation.computes)), cycles \(NumberText.grouped(evaluation.cycles)), utilization \(NumberText.fixed(evaluation.utilization * 100, 2))%")
        let perMAC = NumberText.fixed(evaluation.energyPJ / Double(evaluation.computes) * 1000, 2)
        let leakage = NumberText.fixed(evaluation.leakageEnergyPJ, 2)
        var energy = "energy \(NumberText.fixed(evaluation.energyPJ, 2)) pJ (\(perMAC) fJ/MAC), leakage \(leakage) pJ, "
            + "MACs \(NumberText.fixed(evaluation.computeEnergyPJ, 2)) pJ"
        if evaluation.clockEnergyPJ > 0 { energy += ", clock \(NumberText.fixed(evaluation.clockEnergyPJ, 2)) pJ" }
        if evaluation.postProcessingEnergyPJ > 0 {
            energy += ", requantizer \(NumberText.fixed(evaluation.postProcessingEnergyPJ, 2)) pJ"
        }
        lines.append(energy)
        var table = TextTable(["level", "data space", "capacity", "instances", "reads", "fills", "updates", "reductions", "energy pJ"],
                              alignments: [.left, .left, .right, .right, .right, .right, .right, .right, .right])
        for level in evaluation.levels where !level.isDummy {
            for (pv, space) in level.dataSpaces.enumerated() {
                guard let space else { continue }
                table.append([level.name, problem.dataSpaces[pv].name, NumberText.grouped(space.utilizedCapacity), String(space.utilizedInstances),
                              NumberText.grouped(space.reads), NumberText.grouped(space.fills), NumberText.grouped(space.updates),
                              NumberText.grouped(space.temporalReductions), NumberText.fixed(space.energyPJ, 2)])
            }
        }
        lines.append(table.rendered())
        lines.append("counts are per instance; energies cover all utilized instances; levels inner to outer")
        return lines.joined(separator: "\n")
    }
}
