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
        Reads a Timeloop model input (architecture, problem, mapping) with its energy and area
        tables and prints the statistics Timeloop would print. With --json the output has the
        schema of the reference cases' expected.json (docs/cost-model.md).

        Examples:
          magnet model --timeloop input.yaml --ert ERT.yaml --art ART.yaml
          magnet model --timeloop input.yaml --ert ERT.yaml --json --halo master
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "A Timeloop model input (timeloopfe v0.4 parsed-processed YAML).")
    var timeloop: String

    @Option(help: "The energy reference table (Accelergy ERT) for --timeloop.")
    var ert: String

    @Option(help: "The area reference table (Accelergy ART) for --timeloop.")
    var art: String?

    @Option(help: "Input-halo reuse: v3 (Timeloop v3.0.3, the default) or master (Timeloop 2025 master).")
    var halo: CostModel.HaloReuse = .timeloopV3

    @Flag(help: "Print JSON in the schema of the reference cases' expected.json.")
    var json = false

    func run() throws {
        let log = global.logger("magnet.model")
        let input = try TimeloopInput.load(input: timeloop, ert: ert, art: art)
        log.debug("loaded \(input.hardware.storage.count) storage levels and \(input.problem.dimensions.count) dimensions")
        let model = CostModel(hardware: input.hardware, problem: input.problem, haloReuse: halo)
        let evaluation = model.evaluate(input.mapping)
        if json {
            print(evaluation.timeloopJSON(hardware: input.hardware, problem: input.problem).rendered())
        } else {
            print(EvaluationText.render(evaluation, hardware: input.hardware, problem: input.problem))
        }
    }
}

extension CostModel.HaloReuse: ExpressibleByArgument {}

/// The text form of an evaluation.
enum EvaluationText {
    static func render(_ evaluation: Evaluation, hardware: Hardware, problem: Problem) -> String {
        var lines: [String] = []
        lines.append("computes \(NumberText.grouped(evaluation.computes)), cycles \(NumberText.grouped(evaluation.cycles)), utilization \(NumberText.fixed(evaluation.utilization * 100, 2))%")
        lines.append("energy \(NumberText.fixed(evaluation.energyPJ, 2)) pJ (\(NumberText.fixed(evaluation.energyPJ / Double(evaluation.computes) * 1000, 2)) fJ/MAC), leakage \(NumberText.fixed(evaluation.leakageEnergyPJ, 2)) pJ, MACs \(NumberText.fixed(evaluation.computeEnergyPJ, 2)) pJ")
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
