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

    /// Why a worker ended.
    public enum End: String, Sendable {
        /// The study is finished (the coordinator said bye, or the endpoint file says so).
        case finished
        /// Stopped from outside (SIGTERM, Ctrl-C), or no endpoint to connect to.
        case stopped
    }

    /// How the worker ended.
    public struct Report: Sendable {
        /// Trials this worker evaluated.
        public var evaluated: Int
        /// Why it ended.
        public var reason: End
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
        let run = try WorkerRun(worker: self, shouldStop: shouldStop)
        guard let run else { return Report(evaluated: 0, reason: shouldStop() ? .stopped : .finished) }
        defer { run.socket.close() }
        while true {
            if shouldStop() {
                run.leave("worker stopping")
                return Report(evaluated: run.evaluated, reason: .stopped)
            }
            run.sayHelloIfDue()
            if let end = try run.receiveAll() { return Report(evaluated: run.evaluated, reason: end) }
            run.sendFinishedResults()
            run.heartbeatIfDue()
            if let end = try run.checkCoordinator() { return Report(evaluated: run.evaluated, reason: end) }
        }
    }

    /// Where to connect: the fixed endpoint, or the endpoint file's once it names one (waiting
    /// for it, until `shouldStop` or ``Options/giveUpSeconds`` after `lastContact`).
    func resolveEndpoint(lastContact: Date, shouldStop: () -> Bool) throws -> EndpointFile.Content {
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

    /// What a worker says when no coordinator has answered its hellos.
    func unansweredWarning(_ endpoint: String) -> String {
        let seconds = Int(options.unansweredWarningSeconds)
        guard let curve = options.curve else {
            return "no coordinator has answered at \(endpoint) for \(seconds) s: is it running and reachable? "
                + "(a coordinator with CURVE needs --curve-server-key and --curve-secret-key); still trying"
        }
        return "no coordinator has answered at \(endpoint) for \(seconds) s: with CURVE a refused key looks like "
            + "this: is this worker's public key \(curve.keys.publicKey) in the coordinator's "
            + "--authorized-workers, and "
            + "--curve-server-key the coordinator's .pub? still trying"
    }
}
