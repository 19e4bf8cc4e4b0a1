import CZeroMQ
import Foundation
import MagnetStore
import MagnetSweep

/// A worker: connects a DEALER socket to the coordinator, says hello, and evaluates the designs
/// it is given, `slots` at a time, sending each result until it is acknowledged.
///
/// It heartbeats; when the coordinator goes silent (it died or the link dropped) it reconnects
/// and says hello again, then resends the results not yet acknowledged (so a result survives a
/// coordinator restart). A refusal "say hello first" (the coordinator forgot it) also leads to a
/// new hello; a protocol-version refusal ends the worker with an error. On a stop it hands its
/// running trials back with a `bye`.
public final class Worker {
    /// How the worker runs.
    public struct Options: Sendable {
        /// The coordinator's endpoint (ignored with ``endpointFile``).
        public var endpoint: String
        /// Read the endpoint from this file (``EndpointFile``) instead: waited for, read again
        /// whenever the worker has no coordinator, and `finished` ends the worker.
        public var endpointFile: String?
        /// Trials evaluated at once.
        public var slots: Int
        /// Mapper threads per trial.
        public var mapperThreads: Int
        /// This worker's id (routing id; stable across reconnects).
        public var id: String
        /// Seconds between hellos until welcomed.
        public var helloRetrySeconds: Double = 1
        /// Heartbeats the coordinator may miss before the worker reconnects.
        public var missedHeartbeats: Double = 5
        /// The protocol version this worker announces (tests use others).
        public var protocolVersion = WireProtocol.version
        /// The study this worker is for; a coordinator running another one refuses it.
        public var study: String?
        /// Seconds without a welcome after which the worker warns (once per connection) that no
        /// coordinator answers, and what to check (a CURVE key it refuses looks the same).
        public var unansweredWarningSeconds = 10.0
        /// Seconds without hearing from a coordinator (never reached, or silent since) after
        /// which ``run(shouldStop:)`` gives up with ``GaveUp``; `nil`: never.
        public var giveUpSeconds: Double?
        /// CURVE: this worker's key pair and the coordinator's public key.
        public var curve: (keys: Curve.KeyPair, serverKey: String)?

        /// Creates options; the id defaults to `HOST-PID`.
        public init(endpoint: String, slots: Int = 1, mapperThreads: Int = 1, id: String? = nil) {
            self.endpoint = endpoint
            self.slots = max(slots, 1)
            self.mapperThreads = max(mapperThreads, 1)
            self.id = id ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        }
    }

    /// How the worker ended.
    public struct Report: Sendable {
        /// Trials this worker evaluated.
        public var evaluated: Int
        /// `finished` (the coordinator said bye) or `stopped`.
        public var reason: String
    }

    /// Why a worker cannot go on.
    public struct Refused: Error, CustomStringConvertible {
        /// The coordinator's reason.
        public var reason: String
        public var description: String { "the coordinator refused this worker: \(reason)" }
    }

    /// Why a worker stopped waiting: no coordinator answered for ``Options/giveUpSeconds``.
    public struct GaveUp: Error, CustomStringConvertible {
        /// The endpoint tried.
        public var endpoint: String
        /// Seconds waited.
        public var seconds: Double
        public var description: String {
            "no coordinator answered at \(endpoint) for \(Int(seconds)) s; giving up (--give-up-after)"
        }
    }

    let options: Options
    let context: ZMQContext
    /// Log lines (connections, refusals, reconnects).
    public var log: ((String) -> Void)?
    /// Warnings: no coordinator has answered for ``Options/unansweredWarningSeconds``.
    public var warn: ((String) -> Void)?

    /// Creates a worker.
    public init(options: Options, context: ZMQContext = ZMQContext()) {
        self.options = options
        self.context = context
    }

    /// Runs until the coordinator says bye or `shouldStop` returns true. Blocks; call on a
    /// dedicated thread.
    public func run(shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> Report {
        var lastContact = Date()    // the last message from any coordinator (kept across reconnects)
        /// Where to connect: the fixed endpoint, or the endpoint file's once it names one.
        func resolveEndpoint() throws -> EndpointFile.Content {
            guard let file = options.endpointFile else { return .endpoint(options.endpoint) }
            var announced = false
            while true {
                let content = EndpointFile.read(file)
                if content != .absent || shouldStop() { return content }
                if !announced { log?("waiting for a coordinator to write \(file)"); announced = true }
                if let giveUp = options.giveUpSeconds, Date().timeIntervalSince(lastContact) > giveUp {
                    throw GaveUp(endpoint: file, seconds: giveUp)
                }
                usleep(200_000)
            }
        }
        var endpoint: String
        switch try resolveEndpoint() {
        case .endpoint(let found): endpoint = found
        case .finished: return Report(evaluated: 0, reason: "finished")
        case .absent: return Report(evaluated: 0, reason: "stopped")
        }
        func connect() throws -> ZMQSocket {
            let socket = try ZMQSocket(context: context, kind: .dealer)
            try socket.set(ZMQ_ROUTING_ID, string: options.id)
            if let curve = options.curve { try Curve.makeClient(socket, keys: curve.keys, serverKey: curve.serverKey) }
            try socket.set(ZMQ_MAXMSGSIZE, int64: Int64(WireProtocol.maximumMessageBytes) * 4)
            // Messages wait only on a completed connection: a worker started before its
            // coordinator does not pile up hellos for it to answer all at once.
            try socket.set(ZMQ_IMMEDIATE, 1)
            try socket.connect(endpoint)
            log?("connecting to \(endpoint)")
            return socket
        }
        var socket = try connect()
        defer { socket.close() }
        /// Sends a message; false if it could not leave (no completed connection yet).
        @discardableResult
        func send<Body: Encodable>(_ type: MessageType, _ body: Body) -> Bool {
            guard let frames = try? Wire.frames(type, body) else { return false }
            return (try? socket.send(frames)) != nil
        }
        let session = WireProtocol.newSession()
        let hello = Hello(v: options.protocolVersion, worker: options.id, host: ProcessInfo.processInfo.hostName, pid: getpid(),
                          cores: ProcessInfo.processInfo.activeProcessorCount, slots: options.slots, magnetVersion: "magnet",
                          study: options.study, session: session)
        var welcome: Welcome?
        var evaluator: DesignEvaluator?
        var evaluatedSpecHash: String?
        var lastHeard = Date()
        var lastEndpointCheck = Date()
        var lastHello = Date.distantPast
        var unwelcomedSince: Date? = Date()   // when the worker last started waiting for a welcome
        var warnedUnanswered = false
        var lastHeartbeat = Date.distantPast
        /// A new connection (to `found`), waiting for a welcome as at the start.
        func reconnect(to found: String) throws {
            socket.close()
            endpoint = found
            socket = try connect()
            welcome = nil
            lastHello = .distantPast
            lastHeard = Date()
            unwelcomedSince = lastHeard
            warnedUnanswered = false
        }
        var running: [Int: Int] = [:]           // trial → attempt
        var unacked: [Int: ResultMessage] = [:] // trial → result sent, not yet acknowledged
        var evaluated = 0
        let mailbox = Mailbox<ResultMessage>()

        while true {
            /// Says bye (handing back running trials) and gives it a moment to leave before the
            /// socket closes (LINGER is 0).
            func leave(_ reason: String) {
                send(.bye, Bye(session: session, handBack: running.keys.sorted(), reason: reason))
                usleep(100_000)
            }
            if shouldStop() {
                leave("worker stopping")
                return Report(evaluated: evaluated, reason: "stopped")
            }
            let now = Date()
            // A hello that could not leave (the connection is not up yet: ZMQ_IMMEDIATE) is tried
            // again at the next turn of the loop; one that left, after helloRetrySeconds.
            if welcome == nil && now.timeIntervalSince(lastHello) >= options.helloRetrySeconds && send(.hello, hello) {
                lastHello = now
            }
            var waitMS: Int32 = 20
            while let frames = try socket.receive(timeoutMS: waitMS) {
                waitMS = 0
                lastHeard = Date()
                lastContact = lastHeard
                guard frames.count == 2, let type = MessageType(rawValue: String(decoding: frames[0], as: UTF8.self)) else { continue }
                let body = frames[1]
                switch type {
                case .welcome:
                    // One welcome per hello answered: hellos queued while the coordinator was away
                    // are all answered, and only the first counts.
                    guard welcome == nil, let message = Wire.decode(Welcome.self, body) else { continue }
                    // The evaluator (and its layer cache and warm starts) outlives reconnects to the same study.
                    if evaluator == nil || evaluatedSpecHash != message.specHash {
                        evaluator = try DesignEvaluator(context: message.context, mapperThreads: options.mapperThreads)
                        evaluatedSpecHash = message.specHash
                    }
                    log?("welcomed to study \(message.study)")
                    welcome = message
                    unwelcomedSince = nil
                    warnedUnanswered = false
                    for result in unacked.values.sorted(by: { $0.trial < $1.trial }) { send(.result, result) }
                    send(.ready, Ready(session: session, free: options.slots - running.count))
                case .refuse:
                    let reason = Wire.decode(Refuse.self, body)?.reason ?? "no reason given"
                    if Refusal.isFinal(reason) { throw Refused(reason: reason) }
                    log?("coordinator: \(reason); saying hello again")
                    if welcome != nil { unwelcomedSince = Date() }
                    welcome = nil
                case .task:
                    guard let task = Wire.decode(TaskMessage.self, body), let evaluator, running[task.trial] == nil else { continue }
                    running[task.trial] = task.attempt
                    DispatchQueue.global(qos: .userInitiated).async {
                        let start = Date()
                        let evaluation = evaluator.evaluate(trial: task.trial, designYAML: task.design)
                        mailbox.post(ResultMessage(session: session, trial: task.trial, attempt: task.attempt,
                                                   metricNames: evaluation.metrics.map(\.0), metricValues: evaluation.metrics.map(\.1),
                                                   layers: evaluation.layers,
                                                   error: evaluation.error, seconds: Date().timeIntervalSince(start)))
                    }
                case .ack:
                    if let ack = Wire.decode(Ack.self, body), unacked[ack.trial]?.attempt == ack.attempt { unacked[ack.trial] = nil }
                case .bye:
                    let reason = Wire.decode(Bye.self, body)?.reason ?? ""
                    log?("coordinator said bye: \(reason)")
                    leave("leaving: \(reason)")   // the coordinator waits for this answer
                    return Report(evaluated: evaluated, reason: "finished")
                default:
                    continue
                }
            }
            let finished = mailbox.take()
            for result in finished {
                running[result.trial] = nil
                unacked[result.trial] = result
                evaluated += 1
                send(.result, result)
            }
            if !finished.isEmpty && welcome != nil { send(.ready, Ready(session: session, free: options.slots - running.count)) }
            let heartbeat = welcome?.heartbeatSeconds ?? 1
            if welcome != nil && now.timeIntervalSince(lastHeartbeat) >= heartbeat {
                send(.heartbeat, Heartbeat(session: session))
                lastHeartbeat = now
            }
            if let since = unwelcomedSince, !warnedUnanswered, Date().timeIntervalSince(since) > options.unansweredWarningSeconds {
                warnedUnanswered = true
                warn?(unansweredWarning(endpoint))
            }
            if let giveUp = options.giveUpSeconds, Date().timeIntervalSince(lastContact) > giveUp {
                throw GaveUp(endpoint: endpoint, seconds: giveUp)
            }
            // Without a coordinator, follow the endpoint file: a successor may listen elsewhere,
            // or the study may be finished.
            if welcome == nil, options.endpointFile != nil, Date().timeIntervalSince(lastEndpointCheck) > 1 {
                lastEndpointCheck = Date()
                switch try resolveEndpoint() {
                case .finished:
                    log?("the study is finished")
                    return Report(evaluated: evaluated, reason: "finished")
                case .endpoint(let found) where found != endpoint:
                    try reconnect(to: found)
                case .endpoint, .absent:
                    break
                }
            }
            if welcome != nil && Date().timeIntervalSince(lastHeard) > heartbeat * options.missedHeartbeats {
                log?("coordinator silent for \(Int(heartbeat * options.missedHeartbeats)) s; reconnecting")
                switch try resolveEndpoint() {
                case .endpoint(let found): try reconnect(to: found)
                case .finished: return Report(evaluated: evaluated, reason: "finished")
                case .absent: return Report(evaluated: evaluated, reason: "stopped")
                }
            }
        }
    }

    /// What a worker says when no coordinator has answered its hellos.
    func unansweredWarning(_ endpoint: String) -> String {
        let seconds = Int(options.unansweredWarningSeconds)
        guard let curve = options.curve else {
            return "no coordinator has answered at \(endpoint) for \(seconds) s: is it running and reachable? "
                + "(a coordinator with CURVE needs --curve-server-key and --curve-secret-key); still trying"
        }
        return "no coordinator has answered at \(endpoint) for \(seconds) s: with CURVE a refused key looks like "
            + "this: is this worker's public key \(curve.keys.publicKey) in the coordinator's --authorized-workers, and "
            + "--curve-server-key the coordinator's .pub? still trying"
    }
}
