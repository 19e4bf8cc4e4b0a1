import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

/// Text and JSON forms of a network mapping.
enum NetworkMappingText {
    static func render(_ result: NetworkMapping) -> String {
        let bounded = result.layers.contains { $0.certificate != nil }
        let counts = bounded ? ["bounded", "evaluated", "proof"] : ["candidates", "valid"]
        var table = TextTable(["layer", "×", "shape", "energy µJ", "cycles", "util %"] + counts,
                              alignments: [.left, .right, .left, .right, .right, .right] + counts.map { _ in .right })
        for entry in result.layers {
            var row = [entry.layer.name, String(entry.layerNames.count), entry.layer.shapeSummary,
                       NumberText.fixed(entry.evaluation.energyPJ / 1e6, 3), NumberText.grouped(entry.evaluation.cycles),
                       NumberText.fixed(entry.evaluation.utilization * 100, 1), NumberText.grouped(entry.considered),
                       NumberText.grouped(entry.valid)]
            if bounded { row.append(entry.certificate.map(proof) ?? "") }
            table.append(row)
        }
        var lines = ["\(result.network.name) on \(result.design.name) (\(result.design.dataflow.rawValue), \(result.design.technology), \(NumberText.fixed(result.design.clockGHz, 2)) GHz)", table.rendered(), ""]
        lines.append("per inference: \(NumberText.fixed(result.energyPJ / 1e6, 2)) µJ, \(NumberText.fixed(result.latencyMS, 3)) ms, utilization \(NumberText.fixed(result.utilization * 100, 1))%")
        lines.append("\(NumberText.fixed(result.femtojoulesPerOp, 1)) fJ/op, \(NumberText.fixed(result.topsPerWatt, 2)) TOPS/W, \(NumberText.fixed(result.inferencesPerSecond, 1)) inferences/s, \(NumberText.fixed(result.topsPerMM2, 2)) TOPS/mm²")
        lines.append("(layers run one after another; each unique shape is mapped once; op = 2 × MAC)")
        if result.layers.count == 1, let entry = result.layers.first {
            lines.append("")
            lines.append(LoopNestText.render(entry.mapping, hardware: result.hardware, problem: entry.layer.problem, evaluation: entry.evaluation))
            lines.append("")
            lines.append(MappingWriter.yaml(entry.mapping, hardware: result.hardware, problem: entry.layer.problem))
        }
        return lines.joined(separator: "\n")
    }

    /// Per level and data space energy (pJ), the MAC energy, the per-level leakage, and the
    /// flip-flops' clock energy and the logic's leakage when the hardware has them.
    static func energyBreakdown(_ evaluation: Evaluation, hardware: Hardware, problem: Problem) -> JSONValue {
        var levels: [(String, JSONValue)] = []
        for (index, level) in evaluation.levels.enumerated() where level.dataSpaces.contains(where: { $0 != nil }) {
            var fields: [(String, JSONValue)] = []
            for (space, value) in level.dataSpaces.enumerated() {
                if let value { fields.append((problem.dataSpaces[space].name, .double(value.energyPJ))) }
            }
            fields.append(("leakage", .double(level.leakageEnergyPJ)))
            levels.append((hardware.storage[index].name, .object(fields)))
        }
        levels += evaluation.logicParts.map { ($0.name, .double($0.energyPJ)) }
        return .object([("MAC", .double(evaluation.computeEnergyPJ))] + levels)
    }

    /// What a bounded search proved, in a few words: `optimal`, `within 1.0%`, or
    /// `within 35.2% (time limit)`.
    static func proof(_ certificate: OptimalSearch.Certificate) -> String {
        if certificate.gap == 0 && certificate.finished { return "optimal" }
        let within = "within \(NumberText.fixed(certificate.gap * 100, 1))%"
        return certificate.finished ? within : within + " (time limit)"
    }

    /// What a bounded search proves: its counts, the proven gap and whether it ran to its end.
    static func certificateJSON(_ certificate: OptimalSearch.Certificate) -> JSONValue {
        .object([
            ("evaluated", .int(certificate.evaluated)), ("bounded", .int(certificate.bounded)),
            ("pruned", .int(certificate.pruned)), ("overflowed", .int(certificate.overflowed)),
            ("gap", .double(certificate.gap)), ("finished", .bool(certificate.finished)),
            ("seconds", .double(certificate.seconds)), ("seconds_to_best", .double(certificate.secondsToBest)),
        ])
    }

    static func json(_ result: NetworkMapping) -> JSONValue {
        let layers: [JSONValue] = result.layers.map { entry in
            .object([
                ("layer", .string(entry.layer.name)),
                ("layers", .array(entry.layerNames.map(JSONValue.string))),
                ("energy_pJ", .double(entry.evaluation.energyPJ)),
                ("cycles", .int(entry.evaluation.cycles)),
                ("utilization", .double(entry.evaluation.utilization)),
                ("considered", .int(entry.considered)),
                ("valid", .int(entry.valid)),
                ("screened_out", .int(entry.screenedOut)),
                ("adopted_from_sibling", .bool(entry.adoptedFromSibling)),
                ("certificate", entry.certificate.map(certificateJSON) ?? .null),
                ("energy_by_level_pJ", energyBreakdown(entry.evaluation, hardware: result.hardware, problem: entry.layer.problem)),
                ("mapping", .string(MappingWriter.yaml(entry.mapping, hardware: result.hardware, problem: entry.layer.problem))),
                ("loop_nest", .string(LoopNestText.render(entry.mapping, hardware: result.hardware, problem: entry.layer.problem,
                                                          evaluation: entry.evaluation))),
            ])
        }
        return .object([
            ("network", .object([
                ("name", .string(result.network.name)),
                ("energy_pJ", .double(result.energyPJ)),
                ("cycles", .int(result.cycles)),
                ("utilization", .double(result.utilization)),
                ("latency_ms", .double(result.latencyMS)),
                ("fj_per_op", .double(result.femtojoulesPerOp)),
                ("tops_per_w", .double(result.topsPerWatt)),
                ("inferences_per_s", .double(result.inferencesPerSecond)),
                ("tops_per_mm2", .double(result.topsPerMM2)),
            ])),
            ("layers", .array(layers)),
        ])
    }
}
