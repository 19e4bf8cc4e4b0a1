import CZeroMQ
import Foundation
import MagnetCore
import MagnetStore
import MagnetSweep

/// The coordinator: hands design points to workers over a ZeroMQ ROUTER socket and is the
/// study file's only writer.
///
/// It proposes from the study's strategy with the trials in flight as pending points, keeps a
/// lease on every handed-out trial, and hands a trial out again when its worker misses
/// heartbeats or its lease runs out. Each batch of results is recorded in one transaction
/// *before* the results are acknowledged. A result for a trial already finished, or for an
/// attempt that was re-issued, is acknowledged as not recorded and counted. Messages that do
/// not decode, have an unknown type, come from a peer that never said hello, or exceed the size
/// limit are counted and dropped; nothing a peer sends can stop the coordinator.
public final class Coordinator {
    /// How the coordinator runs.
    public struct Options: Sendable {
        /// Where to bind (`tcp://0.0.0.0:5555`, `ipc:///tmp/magnet.ipc`).
        public var endpoint: String
        /// Finished trials to reach (overrides the spec's budget).
        public var trials: Int?
        /// Minutes to run (overrides the spec's budget).
        public var minutes: Double?
        /// Seconds between heartbeats; a worker silent for `missedHeartbeats` of them is gone.
        public var heartbeatSeconds: Double = 1
        /// Heartbeats a worker may miss before its trials are handed out again.
        public var missedHeartbeats: Double = 5
        /// Seconds a finished coordinator waits for its workers to answer its bye: a connected
        /// worker answers at once, one dropped for silence when it next speaks (within a
        /// heartbeat); a worker that is gone costs this long at the end.
        public var farewellSeconds: Double = 2
        /// Seconds a trial may be out before it is handed to another worker.
        public var leaseSeconds: Double = 600
        /// Evaluation attempts before a trial whose workers report errors is marked failed.
        public var maxAttempts = 3
        /// Messages larger than this are dropped.
        public var maximumMessageBytes = WireProtocol.maximumMessageBytes
        /// CURVE: the coordinator's secret key (Z85) and the workers' public keys it admits.
        /// `nil`: no encryption, anyone who reaches the port may join.
        public var curve: (secretKey: String, authorized: Set<String>)?
        /// Events peers may cause per minute (joins, refused keys); the rest are counted.
        public var peerEventsPerMinute = 120
        /// Where to tell workers the endpoint (``EndpointFile``); `nil`: nowhere.
        public var endpointFile: String?
        /// The host name written in the endpoint file in place of a wildcard address.
        public var advertisedHost = ProcessInfo.processInfo.hostName
        /// The command named as the study file's owner while it runs (`coordinator`, `sweep`).
        public var ownerCommand = "coordinator"
        /// Seconds to wait for another process holding the study file to end or fall silent
        /// before refusing to run (0: refused at once).
        public var ownerWaitSeconds = 0.0

        /// Creates options.
        public init(endpoint: String, trials: Int? = nil, minutes: Double? = nil) {
            self.endpoint = endpoint
            self.trials = trials
            self.minutes = minutes
        }
    }

    /// What the coordinator counted.
    public struct Counters: Sendable, Equatable {
        /// Messages received.
        public var received = 0
        /// Dropped: wrong frame count, unknown type, or a body that does not decode.
        public var malformed = 0
        /// Dropped: over the size limit.
        public var oversized = 0
        /// Hellos refused (protocol version, or another study asked for).
        public var refusedHellos = 0
        /// Messages (other than hello and status) from peers that never said hello.
        public var unknownPeers = 0
        /// Messages from a worker's connection without its session (another peer using its id).
        public var forgedMessages = 0
        /// Events peers caused (joins, refused keys) not written: over the per-minute budget.
        public var suppressedEvents = 0
        /// Results for trials not in flight (unknown, or finished already) from a worker.
        public var duplicateResults = 0
        /// Results for an attempt that had been re-issued, or for a trial leased to another worker.
        public var staleResults = 0
        /// Trials handed out again (lease expired, worker gone, worker error, worker left).
        public var reissued = 0
        /// Results recorded.
        public var recorded = 0
    }

    /// How the run ended.
    public struct Report: Sendable {
        /// Finished trials in the study.
        public var finished: Int
        /// Trials handed back to the queue at the start (left running by an interrupted run).
        public var requeued: Int
        /// Why it ended.
        public var reason: RunEnd
        /// Seconds this run took.
        public var seconds: Double
        /// What was counted.
        public var counters: Counters
    }

    struct WorkerState {
        var hello: Hello
        var identity: [UInt8]
        var lastSeen: Date
        var wanted = 0
        var trials: Set<Int> = []
        var done = 0
        /// How many of ``Coordinator/knownAnswers`` the worker was sent (with its tasks).
        var answersSent = 0
    }

    struct Lease {
        var identity: [UInt8]
        var worker: String
        var deadline: Date
        var attempt: Int
    }

    let spec: SweepSpec
    let store: StudyStore
    let options: Options
    let context: ZMQContext
    /// Called after each recorded trial.
    public var onProgress: ((StudyRun.Progress) -> Void)?
    /// Called when the study file is held by another process and the coordinator waits for it
    /// (``Options/ownerWaitSeconds``).
    public var onOwnerWait: ((StudyOwner) -> Void)?
    /// Called once the socket is bound (with the bound endpoint).
    public var onBound: ((String) -> Void)?
    /// The counters so far (read after `run`).
    public internal(set) var counters = Counters()

    var workers: [[UInt8]: WorkerState] = [:]
    var leases: [Int: Lease] = [:]
    /// The accuracy evaluator's answers in the study file, oldest first: each worker is sent
    /// those it lacks with its next task, so that no question is asked twice in the study.
    var knownAnswers: [AccuracyAnswerRecord] = []
    var knownAnswerKeys = Set<String>()
    /// Workers dropped for silence (they may still be alive): told too when the study is finished.
    var droppedForSilence = Set<[UInt8]>()
    lazy var peerEvents = EventBudget(perWindow: options.peerEventsPerMinute)
    var started = Date()

    /// Creates a coordinator for a study.
    public init(spec: SweepSpec, store: StudyStore, options: Options, context: ZMQContext = ZMQContext()) {
        self.spec = spec
        self.store = store
        self.options = options
        self.context = context
    }

    /// Runs until the budget is met, the time is up, the space is exhausted, or `shouldStop`
    /// returns true. Call on a dedicated thread: it blocks, polling its socket. The study file is
    /// held for the run (``StudyStore/whileOwning(command:_:)``): refused while another process
    /// holds it, before the socket is bound.
    public func run(shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> Report {
        let wait = OwnerWait(seconds: options.ownerWaitSeconds, onWait: onOwnerWait, shouldStop: shouldStop)
        return try store.whileOwning(command: options.ownerCommand, wait: wait) {
            try runOwning(shouldStop: shouldStop)
        }
    }

    func runOwning(shouldStop: @escaping @Sendable () -> Bool) throws -> Report {
        started = Date()
        // With CURVE, the ZAP handler must be bound before the socket that uses it.
        let zap = try options.curve.map { try ZAPHandler(context: context, authorized: $0.authorized) }
        defer { zap?.socket.close() }
        let socket = try bind()
        defer { socket.close() }
        var run = try StudyRun(spec: spec, store: store, trials: options.trials, minutes: options.minutes,
                               describing: "coordinator on \(socket.lastEndpoint)")
        let welcome = Welcome(study: spec.study, specHash: try store.study().specHash,
                              context: try spec.evaluationContext(), heartbeatSeconds: options.heartbeatSeconds,
                              leaseSeconds: options.leaseSeconds)
        learn(try store.accuracyAnswers())
        var lastHeartbeat = Date.distantPast
        var reason = RunEnd.budget

        while true {
            if shouldStop() { reason = .interrupted; break }
            let now = Date()
            let timeUp = run.isTimeUp(at: now)
            let results = try receiveBatch(on: socket, zap: zap, driver: run.driver, welcome: welcome)
            // Results first, so that the slots they free get work in this turn rather than
            // after the next wait; the new leases are written before the tasks go out.
            try record(results, in: &run, on: socket)
            let tasks = timeUp ? [] : try handOutTasks(in: &run, now: now)
            try run.driver.flush()
            for (identity, task) in tasks { send(identity, .task, task, on: socket) }
            try reclaimTrials(driver: run.driver, now: now)
            if now.timeIntervalSince(lastHeartbeat) >= options.heartbeatSeconds {
                lastHeartbeat = now
                for identity in workers.keys { send(identity, .heartbeat, Heartbeat(), on: socket) }
            }
            if let end = run.end(timeUp: timeUp) { reason = end; break }
        }
        // Workers leave only when the study is finished; a coordinator that stops (Ctrl-C, a
        // requeued job) leaves them waiting for its successor (or until they give up).
        if let endpointFile = options.endpointFile {
            if reason.studyStatus == .finished {
                try EndpointFile.write(EndpointFile.finishedWord, to: endpointFile)
            } else {
                try EndpointFile.remove(endpointFile)
            }
        }
        let seconds = try run.finish(reason)
        if reason.studyStatus == .finished { try sayFarewell(on: socket) }
        try store.log(EventRecord(kind: .counters, message: "\(counters)"))
        return Report(finished: run.driver.finished, requeued: run.driver.requeuedAtStart, reason: reason,
                      seconds: seconds, counters: counters)
    }

    /// The ROUTER socket, bound (and the endpoint file written): refuses unknown identities'
    /// sends (ROUTER_MANDATORY), hands a worker's id to its newest connection (HANDOVER).
    func bind() throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, kind: .router)
        if let curve = options.curve { try Curve.makeServer(socket, secretKey: curve.secretKey) }
        try socket.set(ZMQ_ROUTER_MANDATORY, 1)
        try socket.set(ZMQ_ROUTER_HANDOVER, 1)
        try socket.set(ZMQ_MAXMSGSIZE, int64: Int64(options.maximumMessageBytes) * 4)
        try socket.bind(options.endpoint)
        if let endpointFile = options.endpointFile {
            try EndpointFile.write(EndpointFile.advertised(socket.lastEndpoint, host: options.advertisedHost),
                                   to: endpointFile)
        }
        onBound?(socket.lastEndpoint)
        return socket
    }

    /// Sends one message to a peer; a departed peer (EHOSTUNREACH) or a full pipe is not an error.
    func send<Body: Encodable>(_ identity: [UInt8], _ type: MessageType, _ body: Body, on socket: ZMQSocket) {
        guard let frames = try? Wire.frames(type, body) else { return }
        try? socket.send([identity] + frames)
    }

    /// Receives everything waiting (up to a batch of 2,000 messages, waiting up to 50 ms for the
    /// first), answers CURVE authentication requests, and handles each message; returns the
    /// results to record.
    func receiveBatch(on socket: ZMQSocket, zap: ZAPHandler?, driver: StudyDriver, welcome: Welcome) throws
        -> [(identity: [UInt8], message: ResultMessage)] {
        var results: [(identity: [UInt8], message: ResultMessage)] = []
        var waitMS: Int32 = 50
        if let zap {
            _ = try ZMQSocket.poll([socket, zap.socket], timeoutMS: 50)
            waitMS = 0
            let before = zap.refused.count
            try zap.serve()
            for (key, address) in zap.refused.dropFirst(before) {
                let message = "refused a worker at \(address.isEmpty ? "?" : address) "
                    + "with CURVE key \(key.isEmpty ? "(none)" : key)"
                try logPeerEvent(EventRecord(kind: .unauthorized, message: message))
            }
        }
        var batch = 0
        while batch < 2000, let frames = try socket.receive(timeoutMS: waitMS) {
            waitMS = 0
            batch += 1
            counters.received += 1
            try handle(frames, driver: driver, welcome: welcome, results: &results) { try? socket.send($0) }
        }
        return results
    }

    /// Adds answers to ``knownAnswers`` (those not known yet), for the workers' next tasks.
    func learn(_ answers: [AccuracyAnswerRecord]) {
        for answer in answers where knownAnswerKeys.insert(answer.key).inserted { knownAnswers.append(answer) }
    }

    /// Leases trials to workers that asked for work, never more out with a worker than it has
    /// slots, whatever it asks for (designs the run records infeasible unmapped never go out,
    /// ``StudyRun/next(worker:persist:onProgress:)``). The trials are written by the next flush.
    func handOutTasks(in run: inout StudyRun, now: Date) throws -> [([UInt8], TaskMessage)] {
        var tasks: [([UInt8], TaskMessage)] = []
        for identity in workers.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            while let worker = workers[identity], worker.wanted > 0, worker.trials.count < worker.hello.slots,
                  let (trial, values) = try run.next(worker: worker.hello.worker, persist: false, onProgress: onProgress) {
                let deadline = now.addingTimeInterval(options.leaseSeconds)
                leases[trial.number] = Lease(identity: identity, worker: worker.hello.worker, deadline: deadline,
                                             attempt: trial.attempt)
                workers[identity]?.wanted -= 1
                workers[identity]?.trials.insert(trial.number)
                workers[identity]?.answersSent = knownAnswers.count
                let unsent = knownAnswers[worker.answersSent...]
                tasks.append((identity, TaskMessage(trial: trial.number, attempt: trial.attempt,
                                                    design: spec.designYAML(trial: trial.number, values: values),
                                                    accuracyAnswers: unsent.isEmpty ? nil : Array(unsent))))
            }
        }
        return tasks
    }

    /// Records a batch of results in one transaction (with the leases handed out since the last
    /// one), then acknowledges each: recorded, or dropped as stale or duplicate.
    func record(_ results: [(identity: [UInt8], message: ResultMessage)], in run: inout StudyRun,
                on socket: ZMQSocket) throws {
        guard !results.isEmpty else { return }
        let outcomes = results.map { result -> (number: Int, attempt: Int, outcome: TrialOutcome) in
            let message = result.message
            let evaluation = DesignEvaluation(metrics: Array(zip(message.metricNames, message.metricValues)),
                                              layers: message.layers, error: message.error,
                                              accuracyAnswers: message.accuracyAnswers ?? [])
            return (message.trial, message.attempt, spec.judge(evaluation))
        }
        let accepted = try run.complete(outcomes, onProgress: onProgress)
        learn(zip(outcomes, accepted).filter { $0.1 != nil }.flatMap { $0.0.outcome.accuracyAnswers })
        for ((identity, message), record) in zip(results, accepted) {
            if record != nil {
                counters.recorded += 1
                leases[message.trial] = nil
                if var worker = workers[identity] {
                    worker.trials.remove(message.trial)
                    worker.done += 1
                    workers[identity] = worker
                }
            } else if leases[message.trial] != nil || run.driver.inFlight[message.trial] != nil {
                counters.staleResults += 1
            } else {
                counters.duplicateResults += 1
            }
            // Acknowledged after the transaction: the worker may forget it.
            let ack = Ack(trial: message.trial, attempt: message.attempt, recorded: record != nil)
            send(identity, .ack, ack, on: socket)
        }
    }

    /// Hands out again the trials of workers gone silent (and forgets those workers, remembering
    /// them for the farewell) and of leases that ran out.
    func reclaimTrials(driver: StudyDriver, now: Date) throws {
        let silentAfter = options.heartbeatSeconds * options.missedHeartbeats
        for (identity, worker) in workers where now.timeIntervalSince(worker.lastSeen) > silentAfter {
            for number in worker.trials.sorted() {
                try driver.handBack(number, reason: "worker \(worker.hello.worker) silent for \(Int(silentAfter)) s")
                leases[number] = nil
                counters.reissued += 1
            }
            workers[identity] = nil
            droppedForSilence.insert(identity)
            try store.log(EventRecord(kind: .workerLost,
                                      message: "\(worker.hello.worker) on \(worker.hello.host) missed its heartbeats"))
        }
        for (number, lease) in leases where now > lease.deadline {
            try driver.handBack(number, reason: "lease of \(lease.worker) ran out after \(Int(options.leaseSeconds)) s")
            leases[number] = nil
            workers[lease.identity]?.trials.remove(number)
            counters.reissued += 1
        }
    }

    /// The live view `magnet status --connect` prints.
    func statusReport(driver: StudyDriver) -> JSONValue {
        let now = Date()
        return .object([
            ("v", .int(WireProtocol.version)),
            ("study", .string(spec.study)),
            ("finished", .int(driver.finished)),
            ("in_flight", .int(driver.inFlight.count)),
            ("queued", .int(driver.queuedCount)),
            ("uptime_s", .double(now.timeIntervalSince(started))),
            ("trials_per_second", .double(Double(counters.recorded) / max(now.timeIntervalSince(started), 1e-9))),
            ("best", driver.best.map { best in
                .object([("trial", .int(best.trial)), ("metric", .string(spec.objectives[0].metric)),
                         ("value", .double(best.value))])
            } ?? .null),
            ("workers", .array(workers.values.sorted { $0.hello.worker < $1.hello.worker }.map { worker in
                .object([("worker", .string(worker.hello.worker)), ("host", .string(worker.hello.host)),
                         ("pid", .int(Int(worker.hello.pid))), ("slots", .int(worker.hello.slots)),
                         ("running", .int(worker.trials.count)), ("done", .int(worker.done)),
                         ("last_heartbeat_s", .double(now.timeIntervalSince(worker.lastSeen)))])
            })),
            ("leases", .array(leases.sorted { $0.key < $1.key }.map { number, lease in
                .object([("trial", .int(number)), ("attempt", .int(lease.attempt)), ("worker", .string(lease.worker)),
                         ("expires_in_s", .double(lease.deadline.timeIntervalSince(now)))])
            })),
            ("counters", .object([
                ("received", .int(counters.received)), ("malformed", .int(counters.malformed)),
                ("oversized", .int(counters.oversized)),
                ("refused_hellos", .int(counters.refusedHellos)), ("unknown_peers", .int(counters.unknownPeers)),
                ("forged_messages", .int(counters.forgedMessages)),
                ("suppressed_events", .int(counters.suppressedEvents)),
                ("duplicate_results", .int(counters.duplicateResults)), ("stale_results", .int(counters.staleResults)),
                ("reissued", .int(counters.reissued)), ("recorded", .int(counters.recorded)),
            ])),
        ])
    }
}

