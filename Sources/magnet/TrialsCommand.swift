import ArgumentParser
import Foundation
import MagnetCore
import MagnetStore
import MagnetSweep

/// `magnet trials`: every trial of a study.
struct TrialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trials",
        abstract: "List a study's trials with their parameters, state and metrics.",
        discussion: """
        Examples:
          magnet trials quickstart.db
          magnet trials quickstart.db --csv > trials.csv     every metric, one row per trial
          magnet trials quickstart.db --json --state failed
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study file.")
    var db: String
    @Flag(help: "Print CSV (every metric).")
    var csv = false
    @Flag(help: "Print JSON (every metric, violations, error).")
    var json = false
    @Option(help: "Only trials in this state.")
    var state: TrialState?

    func validate() throws {
        if csv && json { throw ValidationError("choose one of --csv and --json") }
    }

    func run() throws {
        let view = try StudyView.open(path: db)
        let trials = try view.store.trials(in: state.map { [$0] })
        let columns = TrialColumns(view: view, trials: trials)
        if json {
            print(JSONValue.array(trials.map(columns.json)).rendered())
        } else if csv {
            print(columns.csv(trials), terminator: "")
        } else {
            let shown = view.objectives.map(\.metric) + view.constraints.map(\.metric).filter { m in !view.objectives.contains { $0.metric == m } }
            print(columns.table(trials, metrics: shown))
        }
    }
}

/// A trial state as a command-line value (`--state failed`).
extension TrialState: ExpressibleByArgument {}
