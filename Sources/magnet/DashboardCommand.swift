import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MagnetCore
import MagnetStore
import MagnetSweep

/// `magnet dashboard`: the report's views, served live while a sweep runs.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve a study's report live in the browser, redrawn as trials finish.",
        discussion: """
        The page shows what `magnet report` writes (docs/sweeps.md, "Report") and fetches the study again every \
        --interval seconds, so it follows a running sweep; with --connect, the coordinator's workers, leases and \
        throughput too. It listens on 127.0.0.1 unless --host says otherwise (the page shows the study to anyone \
        who can reach it). Ctrl-C stops it.

        Examples:
          magnet dashboard quickstart.db                        then open http://127.0.0.1:8080/
          magnet dashboard q.db --port 9000 --connect tcp://coordinator-host:5555
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study file.")
    var db: String
    @Option(help: "The port to listen on (0: any free port, printed at start).")
    var port = 8080
    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"
    @Option(help: "A coordinator's endpoint, to show its workers, leases and throughput.")
    var connect: String?
    @Option(help: "Seconds between the page's updates.")
    var interval = 2.0

    func validate() throws {
        if !(0...65_535).contains(port) { throw ValidationError("--port must be in 0...65535") }
        if !(interval >= 0.2 && interval <= 3600) { throw ValidationError("--interval must be in 0.2...3600 seconds") }
    }

    func run() throws {
        // Refuse a file that is not a study before listening.
        let name = try StudyView.open(path: db).study.name
        let db = db, connect = connect
        let page = ReportPage.html(title: name, data: nil, live: "/api/report", intervalMS: Int(interval * 1000))
        let router = Router()
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        router.get("/api/report") { _, _ in
            let json: String
            do {
                json = try DashboardCommand.reportJSON(db: db, connect: connect).rendered(pretty: false)
            } catch {
                return Response(status: .internalServerError, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: JSONValue.object([
                                    ("error", .string("\(error)"))]).rendered(pretty: false))))
            }
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        var logger = Logger(label: "magnet.dashboard")
        logger.logLevel = .warning
        let host = host, port = port
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)),
                              onServerRunning: { channel in
                                  let bound = channel.localAddress?.port ?? port
                                  let line = "dashboard for study \(name) at http://\(host):\(bound)/ "
                                      + "(Ctrl-C stops it)\n"
                                  FileHandle.standardOutput.write(Data(line.utf8))
                              }, logger: logger)
        let outcome = Outcome()
        Task {
            do { try await app.runService() } catch { outcome.finish(error) }
            outcome.finish(nil)
        }
        if let error = outcome.wait() {
            if "\(error)".contains("Address already in use") {
                throw ValidationError("\(host):\(port) is in use: choose another --port (0 takes any free one)")
            }
            throw ValidationError("cannot serve on \(host):\(port): \(error)")
        }
    }

    /// The report's data now, marked live, with the coordinator's status when asked.
    static func reportJSON(db: String, connect: String?) throws -> JSONValue {
        let view = try StudyView.open(path: db)
        let trials = try view.store.trials()
        guard case .object(var fields) = StudyReport.json(view: view, trials: trials) else {
            return .null
        }
        fields.append(("live", .bool(true)))
        if let connect {
            let status: JSONValue
            do {
                status = try StatusConnect.query(connect, seconds: 1)
            } catch {
                status = .object([("error", .string("\(error)"))])
            }
            fields.append(("cluster", status))
        }
        return .object(fields)
    }
}

/// How the server's task ended, handed to the command's thread.
///
/// `@unchecked Sendable`: `error` and `done` are read and written only under `lock`.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var error: Error?
    private var done = false

    func finish(_ error: Error?) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        self.error = error
        signal.signal()
    }

    func wait() -> Error? {
        signal.wait()
        lock.lock()
        defer { lock.unlock() }
        return error
    }
}
