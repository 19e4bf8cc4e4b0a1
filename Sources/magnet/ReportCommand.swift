import ArgumentParser
import Foundation
import MagnetCore
import MagnetStore
import MagnetSweep

/// `magnet report`: one self-contained HTML page of a study.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a study's report: one self-contained HTML file to open in any browser.",
        discussion: """
        The page holds the study's spec and status, a trade-off plot of any two metrics (hover a point for its \
        trial; infeasible trials marked), the best value so far over the trials, the best design per objective \
        with each layer's energy by level and its utilization, how much each parameter matters, and a sortable, \
        filterable table of every trial. Scripts, styles and data are inside the file; nothing is fetched. \
        docs/sweeps.md, "Report".

        Examples:
          magnet report quickstart.db -o quickstart.html
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study file.")
    var db: String
    @Option(name: .shortAndLong, help: "The HTML file to write.")
    var output: String

    func run() throws {
        let view = try StudyView.open(path: db)
        let trials = try view.store.trials()
        let data = StudyReport.json(view: view, trials: trials).rendered(pretty: false)
        let page = ReportPage.html(title: view.study.name, data: data)
        do {
            try page.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(output): \(error.localizedDescription)")
        }
        print("wrote \(output): \(trials.count) trials of study \(view.study.name)")
    }
}
