import ArgumentParser
import Foundation
import Logging
import MagnetCluster
import MagnetCore
import MagnetStore
import MagnetSweep

/// `magnet coordinator`: run a study for workers on other machines.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run a study's coordinator: hand design points to workers over ZeroMQ and record their results.",
        discussion: """
        Binds a ZeroMQ ROUTER socket, and hands trials to every `magnet worker` that connects, keeping a lease on each. Results are written to the study file before they are acknowledged. Exits when the budget is met (workers are told so and exit too). Takes the same study options as `magnet sweep`; run it again (with --resume) after a crash and the connected workers reconnect by themselves. Protocol and walk-through: docs/protocol.md, docs/cluster.md.

        Examples:
          magnet coordinator examples/quickstart.yaml --db q.db --bind tcp://0.0.0.0:5555
          magnet worker --connect tcp://coordinator-host:5555          (on each machine)
          magnet status --connect tcp://coordinator-host:5555          live workers and leases
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var study: StudyOptions
    @Option(help: "The endpoint to bind: tcp://0.0.0.0:5555, tcp://0.0.0.0:* (a free port), ipc:///path.")
    var bind = "tcp://0.0.0.0:5555"
    @Option(help: "Write the endpoint workers should connect to into this file (`finished` once the study is done); workers read it with --connect-file.")
    var endpointFile: String?
    @Option(help: "The host name written in --endpoint-file for a wildcard --bind (default: this host's name).")
    var advertiseHost: String?
    @Option(help: "Seconds between heartbeats; a worker silent for 5 of them is dropped and its trials handed out again.")
    var heartbeat: Double = 1
    @Flag(help: "No per-trial log lines; only the summary.")
    var quiet = false
    @Option(help: "CURVE: the coordinator's secret-key file (from `magnet keys generate`); needs --authorized-workers.")
    var curveSecretKey: String?
    @Option(help: "CURVE: a file of the workers' public keys, one per line; other workers cannot connect.")
    var authorizedWorkers: String?

    func validate() throws {
        try study.check()
        try DurationOption.check(heartbeat, "--heartbeat", in: DurationOption.heartbeatSeconds)
        if (curveSecretKey == nil) != (authorizedWorkers == nil) {
            throw ValidationError("--curve-secret-key and --authorized-workers go together")
        }
    }

    func run() throws {
        let log = global.logger("magnet.coordinator")
        let (spec, store, path) = try study.open(log: log)
        let stop = StopFlag()
        stop.install()
        var options = Coordinator.Options(endpoint: bind, trials: study.trials, minutes: study.minutes)
        options.leaseSeconds = study.leaseSeconds
        options.ownerWaitSeconds = study.ownerWaitSeconds
        options.heartbeatSeconds = heartbeat
        options.endpointFile = endpointFile
        if let advertiseHost { options.advertisedHost = advertiseHost }
        if let curveSecretKey, let authorizedWorkers {
            options.curve = (try Curve.readKeyPair(curveSecretKey).secretKey, try Curve.readAuthorized(authorizedWorkers))
        }
        let coordinator = Coordinator(spec: spec, store: store, options: options)
        let progress = SweepProgress(spec: spec, quiet: quiet)
        coordinator.onProgress = { progress.show($0) }
        coordinator.onOwnerWait = study.announceOwnerWait
        let advertisedHost = options.advertisedHost
        coordinator.onBound = { endpoint in
            let advertised = EndpointFile.advertised(endpoint, host: advertisedHost)
            FileHandle.standardError.write(Data("coordinator for study \(spec.study) listening on \(endpoint) (workers: --connect \(advertised))\n".utf8))
        }
        let report = try coordinator.run(shouldStop: { stop.isSet })
        progress.finish()
        let c = report.counters
        FileHandle.standardError.write(Data("messages: \(c.received) received, \(c.recorded) results recorded, \(c.reissued) trials re-issued, dropped: \(c.malformed) malformed, \(c.oversized) oversized, \(c.refusedHellos) refused hellos, \(c.unknownPeers) from unknown peers, \(c.forgedMessages) without their worker's session, \(c.staleResults) stale and \(c.duplicateResults) duplicate results; \(c.suppressedEvents) peer events not logged\n".utf8))
        try SweepSummary.print(spec: spec, store: store, path: path, target: study.trials ?? spec.budget.trials,
                               finished: report.finished, reason: report.reason, seconds: report.seconds, requeued: report.requeued)
        if report.reason == .interrupted { Foundation.exit(130) }
    }
}

/// `magnet worker`: evaluate designs for a coordinator.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Evaluate design points for a coordinator (elaborate, map every layer, send back the metrics).",
        discussion: """
        Connects to a `magnet coordinator`, evaluates up to --slots trials at once, and keeps going until the coordinator says the study is finished. It survives the coordinator restarting (it reconnects and resends unacknowledged results). SIGTERM or Ctrl-C hands its running trials back and exits.

        Examples:
          magnet worker --connect tcp://coordinator-host:5555
          magnet worker --connect tcp://coordinator-host:5555 --slots 8 --mapper-threads 2
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The coordinator's endpoint.")
    var connect: String?
    @Option(help: "Read the coordinator's endpoint from this file (written by `magnet coordinator --endpoint-file`); waits for it, follows a coordinator that moves, and exits when it says the study is finished.")
    var connectFile: String?
    @Option(help: "Trials evaluated at once (default: one per core).")
    var slots: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Mapper threads per trial.")
    var mapperThreads = 1
    @Option(help: "This worker's id (default HOST-PID).")
    var id: String?
    @Option(help: "Only work for this study: a coordinator running another one refuses the worker, which exits.")
    var study: String?
    @Option(help: "Exit once process PID is no longer this worker's parent (local workers of `magnet sweep`).")
    var parentPid: Int32?
    @Option(help: "Seconds without a coordinator (never reached, or silent since) after which the worker gives up and exits with an error.")
    var giveUpAfter: Double = 600
    @Option(help: "CURVE: the coordinator's public-key file; needs --curve-secret-key.")
    var curveServerKey: String?
    @Option(help: "CURVE: this worker's secret-key file (its public key must be in the coordinator's --authorized-workers).")
    var curveSecretKey: String?

    func validate() throws {
        if (connect == nil) == (connectFile == nil) { throw ValidationError("give --connect ENDPOINT or --connect-file FILE (one of them)") }
        if slots < 1 || mapperThreads < 1 { throw ValidationError("--slots and --mapper-threads must be at least 1") }
        try DurationOption.check(giveUpAfter, "--give-up-after", in: DurationOption.giveUpSeconds)
        if (curveSecretKey == nil) != (curveServerKey == nil) {
            throw ValidationError("--curve-server-key and --curve-secret-key go together")
        }
    }

    func run() throws {
        let log = global.logger("magnet.worker")
        let stop = StopFlag()
        stop.install(announce: false)
        // The parent's PID comes from the parent itself: one that died before this line ran is
        // still noticed (this worker's parent is then another process).
        let parent = parentPid
        var options = Worker.Options(endpoint: connect ?? "", slots: slots, mapperThreads: mapperThreads, id: id)
        options.endpointFile = connectFile
        options.study = study
        options.giveUpSeconds = giveUpAfter
        if let curveSecretKey, let curveServerKey {
            options.curve = (try Curve.readKeyPair(curveSecretKey), try Curve.readKey(curveServerKey))
        }
        let worker = Worker(options: options)
        worker.log = { log.notice("\($0)") }
        worker.warn = { log.warning("\($0)") }
        log.notice("worker \(options.id): \(slots) slot(s), coordinator at \(connect ?? "the endpoint in \(connectFile ?? "")")")
        let report = try worker.run(shouldStop: { stop.isSet || parent.map { getppid() != $0 } ?? false })
        log.notice("worker done: \(report.evaluated) trial(s) evaluated (\(report.reason))")
    }
}

/// `magnet keys`: CURVE key pairs for the coordinator and workers.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make CURVE key pairs so that only authorized workers can join a coordinator.",
        discussion: """
        Example (docs/cluster.md):
          magnet keys generate coordinator -o keys/        keys/coordinator.key (secret, mode 600) and .pub
          magnet keys generate worker-a -o keys/
          cat keys/worker-*.pub > keys/authorized-workers
          magnet coordinator sweep.yaml --db s.db --bind tcp://0.0.0.0:5555 \\
              --curve-secret-key keys/coordinator.key --authorized-workers keys/authorized-workers
          magnet worker --connect tcp://host:5555 --curve-server-key keys/coordinator.pub --curve-secret-key keys/worker-a.key
        """,
        subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write NAME.key (secret) and NAME.pub (public) into a folder.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The key pair's name.")
        var name: String
        @Option(name: [.customShort("o"), .customLong("output")], help: "The folder (default: the current one).")
        var output = "."

        func run() throws {
            let files = try Curve.generate(name: name, directory: output)
            print("wrote \(files.secretFile) (secret: keep it private) and \(files.publicFile)")
        }
    }
}

/// `magnet status --connect`: a coordinator's live view.
enum StatusConnect {
    /// Asks a coordinator for its live status (JSON), waiting up to `seconds`; with `curve`, as
    /// a CURVE client (its public key must be among the coordinator's authorized ones).
    static func query(_ endpoint: String, seconds: Double, curve: (keys: Curve.KeyPair, serverKey: String)? = nil) throws
        -> JSONValue {
        let context = ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .dealer)
        defer { socket.close() }
        // Queue the request only on a completed connection: a coordinator that refuses the
        // handshake (CURVE without keys, or an unauthorized key) then times the send out instead
        // of dropping the pipe under it, which left the send waiting forever.
        try socket.queueOnlyOnCompletedConnections()
        if let curve { try Curve.makeClient(socket, keys: curve.keys, serverKey: curve.serverKey) }
        try socket.connect(endpoint)
        let deadline = Date().addingTimeInterval(seconds)
        let sent = try socket.send(Wire.frames(.status, StatusRequest()), timeoutMS: Int32(seconds * 1000))
        let left = Int32(max(deadline.timeIntervalSinceNow, 0) * 1000)
        guard sent, let frames = try socket.receive(timeoutMS: left), frames.count == 2 else {
            let hint = curve == nil
                ? " (is it running? a coordinator with CURVE needs --curve-server-key and --curve-secret-key)"
                : " (is it running, and is this key among its --authorized-workers?)"
            throw ValidationError("no answer from a coordinator at \(endpoint) within \(Int(seconds)) s" + hint)
        }
        return try JSONValue(parsing: String(decoding: frames[1], as: UTF8.self), source: endpoint)
    }
}
