import Foundation
import MagnetCore
import MagnetStore
import MagnetSweep

/// Rows of trials as a table, CSV or JSON, shared by `trials`, `pareto` and `export`.
struct TrialColumns {
    let view: StudyView
    /// Metric columns (every metric recorded, in the first trial's order).
    let metrics: [String]

    init(view: StudyView, trials: [TrialRecord]) {
        self.view = view
        var names: [String] = []
        for trial in trials {
            for (name, _) in trial.metrics where !names.contains(name) { names.append(name) }
        }
        metrics = names
    }

    func paramText(_ trial: TrialRecord, _ name: String) -> String {
        switch trial.params[name] {
        case .string(let s)?: return s
        case .int(let v)?: return String(v)
        case .double(let v)?: return Format.number(v)
        default: return ""
        }
    }

    /// JSON object of one trial: trial (its number), state, attempt, worker, seconds, params, metrics,
    /// violations, error.
    func json(_ trial: TrialRecord) -> JSONValue {
        .object([
            ("trial", .int(trial.number)), ("state", .string(trial.state.rawValue)), ("attempt", .int(trial.attempt)),
            ("worker", trial.worker.map(JSONValue.string) ?? .null), ("seconds", .optional(trial.durationSeconds)),
            ("params", trial.params),
            ("metrics", .object(trial.metrics.map { ($0.0, .double($0.1)) })),
            ("violations", .object(zip(view.constraints, trial.violations).map { ($0.0.text, .double($0.1)) })),
            ("error", trial.error.map(JSONValue.string) ?? .null),
        ])
    }

    /// CSV with a header: trial, state, attempt, worker, seconds, each parameter, each metric, error.
    /// Whole-number metrics (cycles, MACs) print as integers.
    func csv(_ trials: [TrialRecord]) -> String {
        var lines = [(["trial", "state", "attempt", "worker", "seconds"] + view.parameterNames + metrics + ["error"])
            .map(TrialColumns.csvField).joined(separator: ",")]
        for trial in trials {
            let seconds: String = trial.durationSeconds.map { String(format: "%.3f", $0) } ?? ""
            var fields: [String] = [String(trial.number), trial.state.rawValue, String(trial.attempt), trial.worker ?? "", seconds]
            fields += view.parameterNames.map { paramText(trial, $0) }
            fields += metrics.map { name -> String in trial.metric(name).map(NumberText.compact) ?? "" }
            fields.append(trial.error ?? "")
            lines.append(fields.map(TrialColumns.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A terminal table with the parameters and the chosen metrics.
    func table(_ trials: [TrialRecord], metrics shown: [String], showError: Bool = true) -> String {
        var table = TextTable(["#", "state"] + view.parameterNames + shown + (showError ? ["note"] : []),
                              alignments: [.right, .left] + view.parameterNames.map { _ in .right } + shown.map { _ in .right }
                                  + (showError ? [.left] : []))
        for trial in trials {
            let note = trial.error.map { $0.count > 70 ? String($0.prefix(67)) + "..." : $0 } ?? ""
            table.append([String(trial.number), trial.state.rawValue] + view.parameterNames.map { paramText(trial, $0) }
                         + shown.map { name in trial.metric(name).map(Format.number) ?? "-" } + (showError ? [note] : []))
        }
        return table.rendered()
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(",") || text.contains("\"") || text.contains("\n") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
