import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MagnetCore
import MagnetStore
import Testing

/// `magnet dashboard` on a real coordinator and worker: its JSON follows the running study and
/// the coordinator's workers, and headless Chromium renders the live page from it.
@Suite(.serialized) struct DashboardCommandTests {
    /// Starts a dashboard on a free port; the process and its base URL.
    static func start(_ arguments: [String]) throws -> (Process, String) {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = ["dashboard"] + arguments + ["--port", "0", "--interval", "0.5"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") }, "\(line)")
        return (process, String(url))
    }

    /// GETs `url`: the status and the body.
    static func get(_ url: String) throws -> (Int, Data) {
        let done = DispatchSemaphore(value: 0)
        let box = FetchBox()
        URLSession.shared.dataTask(with: URL(string: url)!) { data, response, _ in
            box.set((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data())
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 30)
        return box.value
    }

    /// The dashboard's data: finished trials and the coordinator's worker ids.
    static func snapshot(_ base: String) throws -> (finished: Int, workers: [String]) {
        let (status, body) = try get(base + "api/report")
        guard status == 200, let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return (-1, [])
        }
        let counts = (object["study"] as? [String: Any])?["counts"] as? [String: Int] ?? [:]
        let finished = ["complete", "infeasible", "failed"].reduce(0) { $0 + (counts[$1] ?? 0) }
        let workers = ((object["cluster"] as? [String: Any])?["workers"] as? [[String: Any]] ?? [])
            .compactMap { $0["worker"] as? String }
        return (finished, workers)
    }

    @Test func theDashboardFollowsARunningStudyAndItsCoordinator() throws {
        let run = try ClusterRun(trials: 24)
        let coordinator = try run.coordinator()
        defer { if coordinator.isRunning { coordinator.terminate() } }
        #expect(waitFor(seconds: 60) { FileManager.default.fileExists(atPath: run.db) })
        let (dashboard, base) = try Self.start([run.db, "--connect", run.endpoint])
        defer { dashboard.interrupt() }
        let worker = try run.worker("A")
        defer { if worker.isRunning { worker.terminate() } }
        var early = (finished: -1, workers: [String]())
        #expect(waitFor(seconds: 60) {
            early = (try? Self.snapshot(base)) ?? early
            return early.workers == ["A"]
        }, "the coordinator's worker never showed: \(early)")
        #expect(early.finished < 24)

        let (status, html) = try Self.get(base)
        #expect(status == 200 && String(decoding: html, as: UTF8.self).contains("data-live=\"/api/report\""))
        let dom = try ReportCommandTests.chromium(base, ["--virtual-time-budget=5000", "--dump-dom"])
        #expect(dom.contains("data-rendered=\"true\""), "the live page did not render")
        #expect(ReportCommandTests.count("class=\"worker-row\"", in: dom) == 1, "no worker row")

        #expect(waitExit(coordinator, seconds: 180), "the coordinator did not finish")
        var late = (finished: -1, workers: [String]())
        #expect(waitFor(seconds: 10) {
            late = (try? Self.snapshot(base)) ?? late
            return late.finished == 24
        })
        #expect(late.finished > early.finished)
    }

    @Test func aPortInUseOrAFileThatIsNotAStudyIsOneLine() throws {
        let (_, _, db) = try writeTinySweep(trials: 1)
        #expect(try CLIRunner.run(["sweep", db.replacingOccurrences(of: "tiny.db", with: "tiny.yaml"), "--db", db,
                                   "--quiet"]).status == 0)
        let (first, base) = try Self.start([db])
        defer { first.interrupt() }
        let port = try #require(base.split(separator: ":").last?.split(separator: "/").first.map(String.init))
        let taken = try CLIRunner.run(["dashboard", db, "--port", port])
        #expect(taken.status == 1 && taken.stderr == "error: 127.0.0.1:\(port) is in use: choose another --port (0 "
                    + "takes any free one)\n", "\(taken.stderr)")
        let notes = FileManager.default.temporaryDirectory.appendingPathComponent("notes-\(UUID().uuidString).db").path
        try "hello".write(toFile: notes, atomically: true, encoding: .utf8)
        let notAStudy = try CLIRunner.run(["dashboard", notes, "--port", "0"])
        #expect(notAStudy.status == 1 && notAStudy.stderr.contains("is not a magnet study"), "\(notAStudy.stderr)")
        first.interrupt()
        #expect(waitExit(first, seconds: 10), "Ctrl-C did not stop the dashboard")
    }
}

/// A fetch's result, handed from URLSession's queue.
///
/// `@unchecked Sendable`: `value` is read and written only under `lock`.
private final class FetchBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (Int, Data) = (0, Data())
    func set(_ status: Int, _ data: Data) { lock.withLock { stored = (status, data) } }
    var value: (Int, Data) { lock.withLock { stored } }
}
