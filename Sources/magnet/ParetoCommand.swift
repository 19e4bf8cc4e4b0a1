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
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study file.")
    var db: String
    @Flag(help: "Print CSV (every metric).")
    var csv = false
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if csv && json { throw ValidationError("choose one of --csv and --json") }
    }

    func run() throws {
        let view = try StudyView.open(path: db)
        let trials = try view.store.trials()
        let first = view.objectives[0]
        let front = view.paretoFront(trials).sorted {
            first.minimized($0.metric(first.metric) ?? .infinity) < first.minimized($1.metric(first.metric) ?? .infinity)
        }
        let columns = TrialColumns(view: view, trials: front)
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
