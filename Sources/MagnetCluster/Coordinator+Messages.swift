import Foundation
import MagnetStore
import MagnetSweep

extension Coordinator {
    /// Handles one received message (results are collected for the batch transaction).
    ///
    /// Only `hello` and `status` are answered for a peer that has not said hello; every other
    /// message must come from the connection that said hello and carry that hello's session,
    /// and a result must be for a trial leased to that connection. Anything else is counted and
    /// dropped. Throws only when the study file cannot be written.
    func handle(_ frames: [[UInt8]], driver: StudyDriver, welcome: Welcome,
                results: inout [(identity: [UInt8], message: ResultMessage)],
                transmit: ([[UInt8]]) -> Void) throws {
        func send<Body: Encodable>(_ identity: [UInt8], _ type: MessageType, _ body: Body) {
            if let encoded = try? Wire.frames(type, body) { transmit([identity] + encoded) }
        }
        guard frames.count == 3, let type = MessageType(rawValue: String(decoding: frames[1], as: UTF8.self)) else {
            counters.malformed += 1
            return
        }
        guard frames[2].count <= options.maximumMessageBytes else {
            counters.oversized += 1
            return
        }
        let identity = frames[0], body = frames[2]

        /// Whether `session` is that of the hello this connection said; counts and answers if not.
        func isAuthentic(_ session: String) -> Bool {
            guard let worker = workers[identity] else {
                counters.unknownPeers += 1
                send(identity, .refuse, Refuse(reason: Refusal.sayHelloFirst))
                return false
            }
            guard worker.hello.session == session else {
                counters.forgedMessages += 1
                return false
            }
            workers[identity]?.lastSeen = Date()
            return true
        }

        switch type {
        case .hello:
            try handleHello(body, identity: identity, welcome: welcome, transmit: transmit)
        case .status:
            transmit([identity, Array(MessageType.statusReply.rawValue.utf8),
                      Array(statusReport(driver: driver).rendered(pretty: false).utf8)])
        case .result:
            guard let message = Wire.decode(ResultMessage.self, body),
                  message.metricNames.count == message.metricValues.count else {
                counters.malformed += 1
                return
            }
            guard isAuthentic(message.session) else { return }
            guard let lease = leases[message.trial], lease.identity == identity else {
                // Finished already, or leased to another worker since: not this peer's to report.
                if driver.inFlight[message.trial] != nil {
                    counters.staleResults += 1
                } else {
                    counters.duplicateResults += 1
                }
                send(identity, .ack, Ack(trial: message.trial, attempt: message.attempt, recorded: false))
                return
            }
            results.append((identity, message))
        case .ready:
            guard let ready = Wire.decode(Ready.self, body) else { counters.malformed += 1; return }
            guard isAuthentic(ready.session) else { return }
            workers[identity]?.wanted = max(0, min(ready.free, WireProtocol.slotRange.upperBound))
        case .heartbeat:
            guard let heartbeat = Wire.decode(Heartbeat.self, body) else { counters.malformed += 1; return }
            _ = isAuthentic(heartbeat.session)
        case .failed:
            guard let failed = Wire.decode(Failed.self, body) else { counters.malformed += 1; return }
            guard isAuthentic(failed.session) else { return }
            guard let lease = leases[failed.trial], lease.identity == identity, lease.attempt == failed.attempt else {
                counters.staleResults += 1
                return
            }
            leases[failed.trial] = nil
            workers[identity]?.trials.remove(failed.trial)
            if failed.attempt >= options.maxAttempts {
                try driver.fail(failed.trial, error: "evaluation failed \(failed.attempt) times; last: \(failed.error)")
            } else {
                try driver.handBack(failed.trial, reason: "worker error: \(failed.error)")
                counters.reissued += 1
            }
        case .bye:
            guard let bye = Wire.decode(Bye.self, body) else { counters.malformed += 1; return }
            guard isAuthentic(bye.session), let worker = workers.removeValue(forKey: identity) else { return }
            for number in worker.trials.union(bye.handBack).sorted() where leases[number]?.identity == identity {
                try driver.handBack(number, reason: "worker \(worker.hello.worker) left")
                leases[number] = nil
                counters.reissued += 1
            }
        case .welcome, .refuse, .task, .ack, .statusReply:
            counters.malformed += 1
        }
    }

    /// A hello: refused for another protocol version or study, an over-long name, a slot count
    /// out of range, or an id in use by another live session; otherwise welcomed. A worker
    /// saying hello again (it reconnected; same session) keeps the trials it holds.
    func handleHello(_ body: [UInt8], identity: [UInt8], welcome: Welcome, transmit: ([[UInt8]]) -> Void) throws {
        func send<Body: Encodable>(_ type: MessageType, _ body: Body) {
            if let encoded = try? Wire.frames(type, body) { transmit([identity] + encoded) }
        }
        func refuse(_ reason: String) {
            counters.refusedHellos += 1
            send(.refuse, Refuse(reason: reason))
        }
        guard let hello = Wire.decode(Hello.self, body) else {
            if let version = Wire.version(body), version != WireProtocol.version {
                refuse(Refusal.protocolVersion(version))
            } else {
                counters.malformed += 1
            }
            return
        }
        guard hello.v == WireProtocol.version else { return refuse(Refusal.protocolVersion(hello.v)) }
        if let wanted = hello.study, wanted != spec.study {
            return refuse("\(Refusal.unknownStudy) `\(wanted)`; this coordinator runs study `\(spec.study)`")
        }
        let longest = WireProtocol.maximumNameBytes
        guard hello.worker.utf8.count <= longest, hello.host.utf8.count <= longest, hello.session.utf8.count <= longest,
              identity.count <= longest else {
            return refuse("\(Refusal.invalidHello): worker id, host name and session must be at most \(longest) bytes")
        }
        guard WireProtocol.slotRange.contains(hello.slots) else {
            return refuse("\(Refusal.invalidHello): \(hello.slots) slots; a worker has "
                          + "\(WireProtocol.slotRange.lowerBound)–\(WireProtocol.slotRange.upperBound)")
        }
        if let current = workers[identity], current.hello.session != hello.session {
            return refuse("worker id `\(hello.worker)` is in use by another worker session; retrying until it is gone")
        }
        let isNew = workers[identity] == nil
        var state = workers[identity] ?? WorkerState(hello: hello, identity: identity, lastSeen: Date())
        state.hello = hello
        state.wanted = 0
        state.answersSent = 0   // a worker saying hello again may have started afresh
        state.lastSeen = Date()
        workers[identity] = state
        if isNew {
            try logPeerEvent(EventRecord(kind: .worker, message: "\(hello.worker) on \(hello.host) (pid \(hello.pid), "
                                         + "\(hello.slots) slot(s), magnet \(hello.magnetVersion))"))
        }
        send(.welcome, welcome)
    }

    /// Writes an event a peer caused (a worker joined, a key was refused), within
    /// ``Options/peerEventsPerMinute``: a flood of peers cannot flood the study file. Events
    /// over the budget are counted, and the next event written says how many were left out.
    func logPeerEvent(_ event: EventRecord) throws {
        guard let leftOut = peerEvents.admit(at: Date()) else {
            counters.suppressedEvents += 1
            return
        }
        var event = event
        if leftOut > 0 {
            event.message += " (\(leftOut) earlier peer event(s) not logged: over \(options.peerEventsPerMinute)/min)"
        }
        try store.log(event)
    }
}

/// Reasons a coordinator gives when it refuses a peer; a worker stops on the ones that cannot
/// change by trying again.
enum Refusal {
    static let sayHelloFirst = "say hello first"
    static let unknownStudy = "unknown study"
    static let invalidHello = "invalid hello"
    static let otherProtocol = "protocol version"
    static func protocolVersion(_ version: Int) -> String {
        "\(otherProtocol) \(version); this coordinator speaks version \(WireProtocol.version)"
    }

    /// Whether a worker refused for `reason` should give up (saying hello again cannot help).
    static func isFinal(_ reason: String) -> Bool {
        [otherProtocol, unknownStudy, invalidHello].contains { reason.hasPrefix($0) }
    }
}

/// At most `perWindow` events per window of `windowSeconds`; the rest are counted.
struct EventBudget {
    var perWindow: Int
    var windowSeconds = 60.0
    private(set) var windowStart = Date.distantPast
    private(set) var writtenInWindow = 0
    private(set) var leftOut = 0

    init(perWindow: Int) { self.perWindow = perWindow }

    /// Whether an event may be written at `now`: `nil` if not (it is counted), else how many
    /// were left out since the last one written.
    mutating func admit(at now: Date) -> Int? {
        if now.timeIntervalSince(windowStart) >= windowSeconds {
            windowStart = now
            writtenInWindow = 0
        }
        guard writtenInWindow < perWindow else {
            leftOut += 1
            return nil
        }
        writtenInWindow += 1
        defer { leftOut = 0 }
        return leftOut
    }
}
