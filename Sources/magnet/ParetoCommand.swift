import ArgumentParser
import Foundation
import MagnetCore
import MagnetStore
import MagnetSweep

/// `magnet pareto`: the feasible non-dominated designs.
struct ParetoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pareto",
        abstract: "Show the Pareto front of a study: feasible designs no other feasible design beats on every objective.",
        discussion: """
        The front is over the study's objectives (with one objective, the best design and its ties). Sorted by the first objective.

        Examples:
          magnet pareto quickstart.db
          magnet pareto quickstart.db --csv > front.csv
          magnet pareto quickstart.db --svg front.svg                       plot: every trial, the front highlighted
          magnet pareto quickstart.db --svg area.svg --x area_mm2 --y energy_per_inference_uJ
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study file.")
    var db: String
    @Flag(help: "Print CSV (every metric).")
    var csv = false
    @Flag(help: "Print JSON.")
    var json = false
    @Option(help: "Also draw the trials and the front as an SVG plot into this file (open it in a browser).")
    var svg: String?
    @Option(help: "The plot's horizontal metric (default: the first objective).")
    var x: String?
    @Option(help: "The plot's vertical metric (default: the second objective, or area_mm2).")
    var y: String?

    func validate() throws {
        if csv && json { throw ValidationError("choose one of --csv and --json") }
        if (x != nil || y != nil) && svg == nil { throw ValidationError("--x and --y choose the axes of --svg") }
    }

    func run() throws {
        let view = try StudyView.open(path: db)
        let trials = try view.store.trials()
        let first = view.objectives[0]
        let front = view.paretoFront(trials).sorted {
            first.minimized($0.metric(first.metric) ?? .infinity) < first.minimized($1.metric(first.metric) ?? .infinity)
        }
        let columns = TrialColumns(view: view, trials: front)
        if let svg {
            func axis(_ name: String?, option: String, fallback: ObjectiveSpec) throws -> ObjectiveSpec {
                guard let name else { return fallback }
                if let objective = view.objectives.first(where: { $0.metric == name }) { return objective }
                let known = Set(trials.flatMap { $0.metrics.map(\.0) })
                guard known.contains(name) else {
                    var message = "\(option): unknown metric `\(name)`"
                    if let near = NearestName.suggestion(for: name, among: known.sorted()) { message += "; did you mean `\(near)`?" }
                    throw ValidationError(message)
                }
                return ObjectiveSpec(metric: name, direction: Metric.naturalDirection(name))
            }
            let xAxis = try axis(x, option: "--x", fallback: first)
            let second = view.objectives.count > 1 ? view.objectives[1] : ObjectiveSpec(metric: "area_mm2", direction: .minimize)
            let yAxis = try axis(y, option: "--y", fallback: second)
            let plot = ParetoPlot(x: xAxis, y: yAxis).svg(trials, title: "\(view.study.name): \(yAxis.metric) vs \(xAxis.metric)")
            try plot.write(toFile: svg, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("wrote \(svg)\n".utf8))
        }
        if json {
            print(JSONValue.array(front.map(columns.json)).rendered())
        } else if csv {
            print(columns.csv(front), terminator: "")
        } else if front.isEmpty {
            print("no feasible trial yet (\(trials.count) trial(s) in \(db))")
        } else {
            let shown = view.objectives.map(\.metric) + ["area_mm2"].filter { m in !view.objectives.contains { $0.metric == m } }
            print(columns.table(front, metrics: shown, showError: false))
        }
    }
}
