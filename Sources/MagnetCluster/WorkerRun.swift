import CZeroMQ
import Foundation
import MagnetSweep

/// One run of a ``Worker``: its session (the secret its messages carry), its connection to a
/// coordinator, the trials it is evaluating and the results not yet acknowledged. The worker's
/// loop is its steps in turn: say hello when due, handle what arrived, send finished results,
/// and check on the coordinator.
///
/// Used on the worker's thread only; evaluations run on other threads and post their results
/// to ``mailbox``.
final class WorkerRun {
    let worker: Worker
    var options: Worker.Options { worker.options }
    let shouldStop: () -> Bool
    /// The secret every message after the hello repeats (``WireProtocol`` sessions).
    let session = WireProtocol.newSession()
    let hello: Hello
    /// The coordinator's endpoint and the connection to it.
    private(set) var endpoint: String
    private(set) var socket: ZMQSocket

    /// The coordinator's welcome on this connection (`nil`: waiting for one).
    var welcome: Welcome?
    /// The evaluator; it outlives reconnects to the same study (its layer cache and warm starts).
    var evaluator: DesignEvaluator?
    var evaluatedSpecHash: String?
    /// The last message from any coordinator (kept across reconnects: the give-up clock).
    var lastContact = Date()
    /// The last message on this connection (the silence clock).
    var lastHeard = Date()
    var lastEndpointCheck = Date()
    var lastHello = Date.distantPast
    var lastHeartbeat = Date.distantPast
    /// When the worker last started waiting for a welcome (`nil`: welcomed).
    var unwelcomedSince: Date? = Date()
    var warnedUnanswered = false
    /// Trials being evaluated: trial → attempt.
    var running: [Int: Int] = [:]
    /// Results sent and not yet acknowledged: trial → result.
    var unacked: [Int: ResultMessage] = [:]
    /// Trials evaluated in this run.
    private(set) var evaluated = 0
    let mailbox = Mailbox<ResultMessage>()
    /// Signalled by each evaluation as it posts to ``mailbox``, so that ``receiveAll()`` stops
    /// waiting and the result goes out at once (`nil`: no pipe; results wait out the 20 ms).
    let wakeUp = WakeUpSignal()

    /// Connects to the coordinator (the endpoint file's, once it names one); `nil` when the
    /// endpoint file says the study is finished, or the worker was stopped while waiting for it.
    init?(worker: Worker, shouldStop: @escaping () -> Bool) throws {
        self.worker = worker
        self.shouldStop = shouldStop
        let options = worker.options
        hello = Hello(v: options.protocolVersion, worker: options.id, host: ProcessInfo.processInfo.hostName,
                      pid: getpid(), cores: ProcessInfo.processInfo.activeProcessorCount, slots: options.slots,
                      magnetVersion: "magnet", study: options.study, session: session)
        guard case .endpoint(let found) = try worker.resolveEndpoint(lastContact: lastContact, shouldStop: shouldStop)
        else { return nil }
        endpoint = found
        socket = try WorkerRun.connect(worker, to: found)
    }

    /// A DEALER socket with the worker's id, connected to `endpoint`.
    static func connect(_ worker: Worker, to endpoint: String) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: worker.context, kind: .dealer)
        try socket.set(ZMQ_ROUTING_ID, string: worker.options.id)
        if let curve = worker.options.curve {
            try Curve.makeClient(socket, keys: curve.keys, serverKey: curve.serverKey)
        }
        try socket.set(ZMQ_MAXMSGSIZE, int64: Int64(WireProtocol.maximumMessageBytes) * 4)
        // Messages wait only on a completed connection: a worker started before its
        // coordinator does not pile up hellos for it to answer all at once.
        try socket.set(ZMQ_IMMEDIATE, 1)
        try socket.connect(endpoint)
        worker.log?("connecting to \(endpoint)")
        return socket
    }

    /// A new connection (to `found`), waiting for a welcome as at the start.
    func reconnect(to found: String) throws {
        socket.close()
        endpoint = found
        socket = try WorkerRun.connect(worker, to: found)
        welcome = nil
        lastHello = .distantPast
        lastHeard = Date()
        unwelcomedSince = lastHeard
        warnedUnanswered = false
    }

    /// Sends a message; false if it could not leave (no completed connection yet).
    @discardableResult
    func send<Body: Encodable>(_ type: MessageType, _ body: Body) -> Bool {
        guard let frames = try? Wire.frames(type, body) else { return false }
        return (try? socket.send(frames)) != nil
    }

    /// Says bye (handing back running trials) and gives it a moment to leave before the socket
    /// closes (LINGER is 0).
    func leave(_ reason: String) {
        send(.bye, Bye(session: session, handBack: running.keys.sorted(), reason: reason))
        usleep(100_000)
    }

    /// Says hello while not welcomed: at once when a hello could not leave (the connection is
    /// not up yet: ZMQ_IMMEDIATE), else every ``Worker/Options/helloRetrySeconds``.
    func sayHelloIfDue() {
        let now = Date()
        if welcome == nil && now.timeIntervalSince(lastHello) >= options.helloRetrySeconds && send(.hello, hello) {
            lastHello = now
        }
    }

    /// Handles every message waiting (waiting up to 20 ms for the first, or until an evaluation
    /// finishes); the end when the coordinator said bye. Throws ``Worker/Refused`` on a final
    /// refusal.
    func receiveAll() throws -> Worker.End? {
        var waitMS: Int32 = 20
        if let wakeUp {
            let ready = try ZMQSocket.poll([socket], descriptors: [wakeUp.readDescriptor], timeoutMS: waitMS)
            if ready[1] { wakeUp.drain() }
            waitMS = 0
        }
        while let frames = try socket.receive(timeoutMS: waitMS) {
            waitMS = 0
            lastHeard = Date()
            lastContact = lastHeard
            guard frames.count == 2, let type = MessageType(rawValue: String(decoding: frames[0], as: UTF8.self)) else {
                continue
            }
            if let end = try handle(type, frames[1]) { return end }
        }
        return nil
    }

    /// Handles one message from the coordinator.
    func handle(_ type: MessageType, _ body: [UInt8]) throws -> Worker.End? {
        switch type {
        case .welcome:
            // One welcome per hello answered: hellos queued while the coordinator was away are
            // all answered, and only the first counts.
            guard welcome == nil, let message = Wire.decode(Welcome.self, body) else { return nil }
            if evaluator == nil || evaluatedSpecHash != message.specHash {
                evaluator = try DesignEvaluator(context: message.context, mapperThreads: options.mapperThreads)
                evaluatedSpecHash = message.specHash
            }
            worker.log?("welcomed to study \(message.study)")
            welcome = message
            unwelcomedSince = nil
            warnedUnanswered = false
            for result in unacked.values.sorted(by: { $0.trial < $1.trial }) { send(.result, result) }
            send(.ready, Ready(session: session, free: options.slots - running.count))
        case .refuse:
            let reason = Wire.decode(Refuse.self, body)?.reason ?? "no reason given"
            if Refusal.isFinal(reason) { throw Worker.Refused(reason: reason) }
            worker.log?("coordinator: \(reason); saying hello again")
            if welcome != nil { unwelcomedSince = Date() }
            welcome = nil
        case .task:
            guard let task = Wire.decode(TaskMessage.self, body), let evaluator, running[task.trial] == nil else {
                return nil
            }
            start(task, on: evaluator)
        case .ack:
            if let ack = Wire.decode(Ack.self, body), unacked[ack.trial]?.attempt == ack.attempt {
                unacked[ack.trial] = nil
            }
        case .bye:
            let reason = Wire.decode(Bye.self, body)?.reason ?? ""
            worker.log?("coordinator said bye: \(reason)")
            leave("leaving: \(reason)")   // the coordinator waits for this answer
            return .finished
        case .hello, .ready, .result, .failed, .heartbeat, .status, .statusReply:
            break
        }
        return nil
    }

    /// Evaluates a task on another thread; its result arrives in ``mailbox``.
    func start(_ task: TaskMessage, on evaluator: DesignEvaluator) {
        running[task.trial] = task.attempt
        evaluator.accuracy?.remember(task.accuracyAnswers ?? [])
        let session = session, mailbox = mailbox, wakeUp = wakeUp
        DispatchQueue.global(qos: .userInitiated).async {
            let start = Date()
            let evaluation = evaluator.evaluate(trial: task.trial, designYAML: task.design)
            mailbox.post(ResultMessage(session: session, trial: task.trial, attempt: task.attempt,
                                       metricNames: evaluation.metrics.map(\.0),
                                       metricValues: evaluation.metrics.map(\.1),
                                       layers: evaluation.layers, error: evaluation.error,
                                       seconds: Date().timeIntervalSince(start),
                                       accuracyAnswers: evaluation.accuracyAnswers.isEmpty
                                           ? nil : evaluation.accuracyAnswers))
            wakeUp?.signal()
        }
    }

    /// Sends the results that finished since the last turn (kept until acknowledged) and asks
    /// for as much work as slots came free.
    func sendFinishedResults() {
        let finished = mailbox.take()
        for result in finished {
            running[result.trial] = nil
            unacked[result.trial] = result
            evaluated += 1
            send(.result, result)
        }
        if !finished.isEmpty && welcome != nil {
            send(.ready, Ready(session: session, free: options.slots - running.count))
        }
    }

    /// Heartbeats every welcome's `heartbeatSeconds` while welcomed.
    func heartbeatIfDue() {
        let now = Date()
        guard let welcome, now.timeIntervalSince(lastHeartbeat) >= welcome.heartbeatSeconds else { return }
        send(.heartbeat, Heartbeat(session: session))
        lastHeartbeat = now
    }

    /// Checks on the coordinator: warns once when no welcome comes, gives up after
    /// ``Worker/Options/giveUpSeconds`` without one, follows the endpoint file while unwelcomed,
    /// and reconnects when a welcoming coordinator falls silent. The end when the endpoint file
    /// says the study is finished.
    func checkCoordinator() throws -> Worker.End? {
        let now = Date()
        if let since = unwelcomedSince, !warnedUnanswered,
           now.timeIntervalSince(since) > options.unansweredWarningSeconds {
            warnedUnanswered = true
            worker.warn?(worker.unansweredWarning(endpoint))
        }
        if let giveUp = options.giveUpSeconds, now.timeIntervalSince(lastContact) > giveUp {
            throw Worker.GaveUp(endpoint: endpoint, seconds: giveUp)
        }
        // Without a coordinator, follow the endpoint file: a successor may listen elsewhere, or
        // the study may be finished.
        if welcome == nil, options.endpointFile != nil, now.timeIntervalSince(lastEndpointCheck) > 1 {
            lastEndpointCheck = now
            switch try worker.resolveEndpoint(lastContact: lastContact, shouldStop: shouldStop) {
            case .finished:
                worker.log?("the study is finished")
                return .finished
            case .endpoint(let found) where found != endpoint:
                try reconnect(to: found)
            case .endpoint, .absent:
                break
            }
        }
        let heartbeat = welcome?.heartbeatSeconds ?? 1
        if welcome != nil && now.timeIntervalSince(lastHeard) > heartbeat * options.missedHeartbeats {
            worker.log?("coordinator silent for \(Int(heartbeat * options.missedHeartbeats)) s; reconnecting")
            switch try worker.resolveEndpoint(lastContact: lastContact, shouldStop: shouldStop) {
            case .endpoint(let found): try reconnect(to: found)
            case .finished: return .finished
            case .absent: return .stopped
            }
        }
        return nil
    }
}
