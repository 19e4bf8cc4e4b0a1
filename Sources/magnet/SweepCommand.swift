import ArgumentParser
import Foundation
import MagnetCore
import MagnetStore
import MagnetSweep
import MagnetCluster
import Logging

/// `magnet sweep`: run a study on this machine.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Search a design space for the best accelerators (results in an SQLite study file).",
        discussion: """
        Reads a sweep file (docs/sweeps.md), creates the study file or reopens it, and evaluates design points on every core until the budget is met. Each trial elaborates a design, maps every layer of every network, and records its metrics and mappings in the study file as soon as it finishes.

        By default the sweep runs a coordinator in this process and one local worker process per core, connected over ipc:// — the same machinery as `magnet coordinator` and `magnet worker` across machines (docs/cluster.md). --in-process evaluates on threads instead.

        Stop it any time with Ctrl-C (in-flight trials go back to the queue) or even kill it: running the same command again resumes the study, re-runs only the unfinished trials and continues to the budget. A different sweep spec on an existing study file is refused, naming what differs. Raise --trials to extend a finished study.

        Examples:
          magnet sweep examples/quickstart.yaml                       creates quickstart.db
          magnet sweep examples/quickstart.yaml --db runs/q.db --trials 200
          magnet status quickstart.db                                 progress and best so far
          magnet pareto quickstart.db                                 the trade-off front
          magnet export quickstart.db --objective energy_per_inference_uJ --best-per "area_mm2<=0.5,1,2" -o best/
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var study: StudyOptions
    @Option(help: "Local worker processes (default: one per core); with --in-process, evaluation threads.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Mapper threads per trial.")
    var mapperThreads = 1
    @Flag(help: "Evaluate on threads of this process instead of starting a coordinator and worker processes.")
    var inProcess = false
    @Flag(help: "No progress line or per-trial log lines; only the summary.")
    var quiet = false

    func validate() throws {
        try study.check()
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
        if mapperThreads < 1 { throw ValidationError("--mapper-threads must be at least 1") }
    }

    func run() throws {
        let log = global.logger("magnet.sweep")
        let (spec, store, path) = try study.open(log: log)
        let stop = StopFlag()
        stop.install()
        let progress = SweepProgress(spec: spec, quiet: quiet)
        let outcome: (finished: Int, reason: RunEnd, seconds: Double, requeued: Int)
        if inProcess {
            var options = SweepRunner.Options(slots: workers, mapperThreads: mapperThreads, trials: study.trials,
                                              minutes: study.minutes)
            options.ownerWaitSeconds = study.ownerWaitSeconds
            let runner = SweepRunner(spec: spec, store: store, options: options)
            runner.onProgress = { progress.show($0) }
            runner.onOwnerWait = study.announceOwnerWait
            let report = try runner.run(shouldStop: { stop.isSet })
            outcome = (report.finished, report.reason, report.seconds, report.requeued)
        } else {
            // A coordinator in this process on an ipc endpoint, and worker processes that exit with it.
            let socketPath = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-\(getpid())-\(UUID().uuidString.prefix(8)).ipc").path
            defer { try? FileManager.default.removeItem(atPath: socketPath) }
            var options = Coordinator.Options(endpoint: "ipc://\(socketPath)", trials: study.trials, minutes: study.minutes)
            options.leaseSeconds = study.leaseSeconds
            options.ownerCommand = "sweep"
            options.ownerWaitSeconds = study.ownerWaitSeconds
            let coordinator = Coordinator(spec: spec, store: store, options: options)
            coordinator.onProgress = { progress.show($0) }
            coordinator.onOwnerWait = study.announceOwnerWait
            var children: [Process] = []
            coordinator.onBound = { endpoint in
                // Local workers say only what goes wrong, unless more was asked for.
                let workerLevel = global.logLevel < .notice ? global.logLevel : max(global.logLevel, .warning)
                for index in 1...workers {
                    let child = Process()
                    child.executableURL = URL(fileURLWithPath: CommandLine.executablePath)
                    child.arguments = ["worker", "--connect", endpoint, "--slots", "1", "--mapper-threads", String(mapperThreads),
                                       "--id", "local-\(index)", "--parent-pid", String(getpid()), "--log-level", workerLevel.rawValue]
                    child.standardOutput = FileHandle.nullDevice
                    do {
                        try child.run()
                        children.append(child)
                    } catch {
                        log.error("cannot start worker \(index): \(error)")
                    }
                }
                log.info("coordinator on \(endpoint) with \(children.count) local worker(s)")
            }
            // Workers leave on the coordinator's bye when the study is finished; otherwise (a stop,
            // a failure) or if any is still there after 5 s, they are stopped.
            func stopChildren(waiting: Bool = false) {
                let deadline = Date().addingTimeInterval(waiting ? 5 : 0)
                while children.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
                for child in children where child.isRunning { child.terminate() }
                for child in children { child.waitUntilExit() }
            }
            let report: Coordinator.Report
            do {
                report = try coordinator.run(shouldStop: { stop.isSet })
            } catch {
                stopChildren()
                throw error
            }
            stopChildren(waiting: report.reason.studyStatus == .finished)
            outcome = (report.finished, report.reason, report.seconds, report.requeued)
        }
        progress.finish()
        try SweepSummary.print(spec: spec, store: store, path: path, target: study.trials ?? spec.budget.trials,
                               finished: outcome.finished, reason: outcome.reason, seconds: outcome.seconds, requeued: outcome.requeued)
        if outcome.reason == .interrupted { Foundation.exit(130) }
    }
}

/// The options `magnet sweep` and `magnet coordinator` share: which study, and how far to take it.
struct StudyOptions: ParsableArguments {
    @Argument(help: "The sweep file (YAML or JSON).")
    var sweepFile: String
    @Option(help: "The study file (default: STUDY.db in the current directory, STUDY being the sweep's `study`).")
    var db: String?
    @Option(help: "Finished trials to reach (overrides the sweep file's budget).")
    var trials: Int?
    @Option(help: "Minutes to run this time (overrides the sweep file's budget).")
    var minutes: Double?
    @Option(help: "The study's seed (overrides the sweep file's; part of the study's identity).")
    var seed: UInt64?
    @Flag(help: "Require an existing study file and continue it.")
    var resume = false
    @Option(name: .customLong("lease"), help: "Seconds a trial may be out with a worker before it is handed to another.")
    var leaseSeconds: Double = 600
    @Option(name: .customLong("wait-for-owner"),
            help: "Seconds to wait for another sweep or coordinator holding the study file to end (or, on another host, to fall silent for 30 s) before giving up; for a job requeued onto another node.")
    var ownerWaitSeconds: Double = 0

    func check() throws {
        if let trials, trials < 1 { throw ValidationError("--trials must be at least 1") }
        if let minutes { try DurationOption.check(minutes, "--minutes", in: DurationOption.minutes, unit: "minutes") }
        try DurationOption.check(leaseSeconds, "--lease", in: DurationOption.leaseSeconds)
        try DurationOption.check(ownerWaitSeconds, "--wait-for-owner", in: DurationOption.ownerWaitSeconds)
    }

    /// Says on stderr that a sweep or coordinator waits for the study file's holder.
    func announceOwnerWait(_ holder: StudyOwner) {
        FileHandle.standardError.write(Data(("the study file is in use by \(holder.description); waiting up to "
            + "\(DurationOption.text(ownerWaitSeconds)) s for it to end (--wait-for-owner)\n").utf8))
    }

    /// Reads the sweep file and opens or creates its study file.
    func open(log: Logger) throws -> (SweepSpec, StudyStore, String) {
        var spec = try SweepSpec.load(path: sweepFile)
        if let seed { spec.seed = seed }
        let path = db ?? "\(spec.study).db"
        let (store, created) = try StudyStore.openOrCreate(for: spec, path: path, resume: resume, sweepFile: sweepFile,
                                                          magnetVersion: MagnetVersion.string)
        log.info("\(created ? "created" : "resuming") study \(spec.study) in \(path)")
        return (spec, store, path)
    }
}

/// The lines printed when a sweep or a coordinator ends.
enum SweepSummary {
    static func print(spec: SweepSpec, store: StudyStore, path: String, target: Int?, finished: Int, reason: RunEnd,
                      seconds: Double, requeued: Int) throws {
        let summary: String
        switch reason {
        case .interrupted: summary = "stopped: \(finished) trial(s) finished; run the same command to resume"
        case .time: summary = "time is up: \(finished) trial(s) finished"
        case .exhausted: summary = "every point of the space has been evaluated (\(finished) trials)"
        case .budget:
            if let target, finished > target {
                summary = "done: the study already had \(finished) finished trials, more than the \(target) asked for"
            } else {
                summary = "done: \(finished)\(target.map { "/\($0)" } ?? "") trials"
            }
        }
        Swift.print("\(summary) in \(String(format: "%.1f", seconds)) s\(requeued > 0 ? " (\(requeued) re-run after an interruption)" : ""); study file \(path)")
        let view = try StudyView(store: store)
        let all = try store.trials()
        for objective in spec.objectives {
            if let best = StudyView.best(all, objective: objective, within: []) {
                Swift.print("best \(objective.metric): \(Format.number(best.metric(objective.metric) ?? .nan)) (trial \(best.number))")
            } else {
                Swift.print("best \(objective.metric): no feasible trial yet")
            }
        }
        if spec.objectives.count > 1 { Swift.print("Pareto front: \(view.paretoFront(all).count) design(s); see `magnet pareto \(path)`") }
    }
}

extension CommandLine {
    /// This executable's path (`/proc/self/exe` on Linux).
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}

/// Set by SIGINT or SIGTERM; a second SIGINT exits at once.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    private var sources: [DispatchSourceSignal] = []

    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return set }

    func install(announce: Bool = true) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                let already = set
                set = true
                lock.unlock()
                if already && signalNumber == SIGINT { Foundation.exit(130) }
                if announce {
                    FileHandle.standardError.write(Data("\nstopping: in-flight trials go back to the queue (Ctrl-C again to quit at once)\n".utf8))
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// The progress line on a terminal, or one line per trial otherwise.
final class SweepProgress: @unchecked Sendable {
    let spec: SweepSpec
    let quiet: Bool
    let isTerminal = isatty(STDERR_FILENO) != 0
    var drewLine = false

    init(spec: SweepSpec, quiet: Bool) {
        self.spec = spec
        self.quiet = quiet
    }

    func show(_ progress: StudyRun.Progress) {
        guard !quiet else { return }
        let objective = spec.objectives[0].metric
        let best = progress.best.map { "best \(objective) \(Format.number($0.value)) (#\($0.trial))" } ?? "no feasible design yet"
        let done = "\(progress.finished)\(progress.target.map { "/\($0)" } ?? "")"
        let eta = progress.etaSeconds.map { " · ETA \(Format.duration($0))" } ?? ""
        if isTerminal {
            let line = "trials \(done) · \(progress.running) running · \(best) · \(String(format: "%.2f", progress.rate)) trials/s\(eta)"
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            drewLine = true
        } else {
            let trial = progress.trial
            let seconds = trial.durationSeconds.map { String(format: "%.2f s", $0) } ?? "-"
            var text = "trial \(trial.number) \(trial.state.rawValue) in \(seconds) [\(done)]"
            if trial.state != .failed {
                // An infeasible design recorded unmapped has no mapped metrics to show.
                text += spec.objectives.compactMap { objective in
                    trial.metric(objective.metric).map { " \(objective.metric)=\(Format.number($0))" }
                }.joined()
            }
            if let error = trial.error { text += " — \(error)" }
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    func finish() {
        if drewLine { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Number and duration text for tables and progress lines.
enum Format {
    /// Four significant digits, or plain integers.
    static func number(_ value: Double) -> String {
        if !value.isFinite { return String(value) }
        if value == value.rounded() && abs(value) < 1e9 { return String(Int(value)) }
        return String(format: "%.4g", value)
    }

    /// `42 s`, `3 min 5 s`, `2 h 10 min`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \((s % 3600) / 60) min"
    }
}
