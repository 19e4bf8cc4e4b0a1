import Foundation
import MagnetCore
import MagnetStore
import Testing

/// `magnet report` rendered in a real browser: headless Chromium (Debian's `chromium`) runs the
/// page's script, and the tests read the DOM it leaves (`--dump-dom`) and keep a screenshot
/// in .build/test-artifacts/.
@Suite(.serialized) struct ReportCommandTests {
    static let artifacts = CLIRunner.repository.appendingPathComponent(".build/test-artifacts")

    /// Runs Chromium on `page` (a file, or an http:// URL) with `arguments`; its standard output.
    static func chromium(_ page: String, _ arguments: [String]) throws -> String {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        let binary = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
                                  "no Chromium: install Debian's `chromium` package (make deps does)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"] + arguments
            + [page.hasPrefix("http://") ? page : URL(fileURLWithPath: page).absoluteString]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Occurrences of `text` in `dom`.
    static func count(_ text: String, in dom: String) -> Int { dom.components(separatedBy: text).count - 1 }

    /// Points on the trade-off plot: circles (complete) and crosses (infeasible).
    static func marks(_ dom: String) -> Int {
        count("class=\"trial trial-mark", in: dom) + count("class=\"infeasible trial-mark\"", in: dom)
    }

    @Test func aSweepsReportRendersEveryView() throws {
        let (folder, sweep, db) = try writeTinySweep(trials: 10)
        // Infeasible designs mapped too, so that the plot marks them.
        let text = try String(contentsOfFile: sweep, encoding: .utf8)
            .replacingOccurrences(of: "mapper: {budget: 150}", with: "mapper: {budget: 150, mapInfeasible: true}")
        try text.write(toFile: sweep, atomically: true, encoding: .utf8)
        #expect(try CLIRunner.run(["sweep", sweep, "--db", db, "--quiet"]).status == 0)
        let page = folder.appendingPathComponent("report.html").path
        let result = try CLIRunner.run(["report", db, "-o", page])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"), "the page fetches nothing")

        let dom = try Self.chromium(page, ["--dump-dom"])
        #expect(dom.contains("data-rendered=\"true\""), "the page's script did not finish")
        #expect(dom.contains("<h1 id=\"study-name\">tiny</h1>"))
        let trials = studyTrials(db)
        #expect(Self.count("class=\"trial-row", in: dom) == trials.count)
        let plotted = trials.filter { $0.metric("energy_per_inference_uJ") != nil && $0.metric("latency_ms") != nil }
        let infeasible = plotted.filter { $0.state == .infeasible }
        #expect(Self.marks(dom) == plotted.count)
        #expect(Self.count("class=\"infeasible trial-mark\"", in: dom) == infeasible.count)
        #expect(!infeasible.isEmpty && plotted.count > infeasible.count)
        // The best design per objective, with one bar row per stored layer shape (tiny-cnn: 5).
        #expect(Self.count("class=\"layer-row\"", in: dom) == 2 * 5)
        #expect(dom.contains("polyline class=\"best\""))

        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let screenshot = Self.artifacts.appendingPathComponent("report.png").path
        _ = try Self.chromium(page, ["--window-size=1200,2400", "--screenshot=\(screenshot)"])
        #expect(FileManager.default.fileExists(atPath: screenshot))
    }

    /// 10,000 trials: the page renders (a page of 100 table rows, every trial on the plot)
    /// within Chromium's run; the test's only bound is that it finishes.
    @Test func tenThousandTrialsRender() throws {
        let (folder, sweep, db) = try writeTinySweep(trials: 2)
        #expect(try CLIRunner.run(["sweep", sweep, "--db", db, "--quiet"]).status == 0)
        let store = try StudyStore.open(path: db)
        var generator = SeededGenerator(seed: 4)
        var batch: [(trial: TrialRecord, layers: [LayerResultRecord])] = []
        for number in 3...10_000 {
            let params: JSONValue = .object([("numPEs", .int(1 << Int.random(in: 0...3, using: &generator))),
                                             ("lanes", .int(2 << Int.random(in: 0...2, using: &generator))),
                                             ("dataflow", .string(["WS", "OS", "OS-LWS"][number % 3]))])
            var trial = TrialRecord(number: number, params: params, state: number % 7 == 0 ? .infeasible : .complete)
            trial.queuedAt = Double(number)
            trial.startedAt = Double(number)
            trial.finishedAt = Double(number) + 0.5
            trial.metrics = [("energy_per_inference_uJ", Double.random(in: 1...100, using: &generator)),
                             ("latency_ms", Double.random(in: 0.1...10, using: &generator)),
                             ("area_mm2", Double.random(in: 0.1...1, using: &generator))]
            trial.violations = [trial.state == .infeasible ? 0.5 : -0.1]
            batch.append((trial, []))
            if batch.count == 1_000 {
                try store.record(batch)
                batch = []
            }
        }
        try store.record(batch)
        let page = folder.appendingPathComponent("report.html").path
        #expect(try CLIRunner.run(["report", db, "-o", page]).status == 0)
        let dom = try Self.chromium(page, ["--dump-dom"])
        #expect(dom.contains("data-rendered=\"true\""), "the page's script did not finish")
        #expect(Self.count("class=\"trial-row", in: dom) == 100)
        #expect(Self.marks(dom) == 10_000)
        #expect(dom.contains("10000 of 10000 trials"))
    }

    /// A file that is not a study, a missing one, and a page that cannot be written: one line each.
    @Test func badInputIsOneClearLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = folder.appendingPathComponent("notes.db").path
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        let page = folder.appendingPathComponent("report.html").path
        let cases: [([String], String)] = [
            (["report", text, "-o", page], "error: \(text): is not a magnet study"),
            (["report", folder.appendingPathComponent("none.db").path, "-o", page], "no such study file"),
        ]
        for (arguments, message) in cases {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 1 && result.stdout.isEmpty)
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message),
                    "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: page))
        let (_, sweep, db) = try writeTinySweep(trials: 1)
        #expect(try CLIRunner.run(["sweep", sweep, "--db", db, "--quiet"]).status == 0)
        let unwritable = try CLIRunner.run(["report", db, "-o", folder.appendingPathComponent("no/such/dir.html").path])
        #expect(unwritable.status == 1 && unwritable.stderr.hasPrefix("error: cannot write "), "\(unwritable.stderr)")
    }
}
