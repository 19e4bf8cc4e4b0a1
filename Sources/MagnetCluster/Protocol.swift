import Foundation
import MagnetCore
import MagnetStore
import MagnetSweep

/// The wire protocol between coordinator and workers (docs/protocol.md).
///
/// Every message is two frames: a type name and a JSON body whose `v` is the protocol version.
/// (The ROUTER side sees the worker's routing id as a first frame.) A message that does not
/// decode, has an unknown type or exceeds ``maximumMessageBytes`` is counted and dropped.
///
/// A worker's hello carries a session: a secret it draws at start. Every later message of the
/// worker repeats it, and the coordinator accepts a message only from the connection that said
/// hello with that session — so a peer that learns a worker's id and its leases (`status`
/// shows them) still cannot report results, failures or departures in its name.
public enum WireProtocol {
    /// The protocol version; a hello with another version is refused. Version 2 added sessions.
    public static let version = 2
    /// Messages larger than this are dropped unread (set as ZMQ_MAXMSGSIZE too).
    public static let maximumMessageBytes = 16 << 20
    /// A worker id or host name longer than this (UTF-8 bytes) is refused at hello.
    public static let maximumNameBytes = 128
    /// Slots a worker may announce.
    public static let slotRange = 1...1024

    /// A new session secret: 128 random bits as 32 hex digits.
    public static func newSession() -> String {
        var generator = SystemRandomNumberGenerator()
        return StableHash.hex(generator.next() as UInt64) + StableHash.hex(generator.next() as UInt64)
    }
}

/// Message types.
public enum MessageType: String, Sendable, CaseIterable {
    case hello, welcome, refuse, ready, task, result, ack, failed, heartbeat, bye, status
    case statusReply = "status-reply"
}

/// worker → coordinator: who I am.
public struct Hello: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    /// Stable id of the worker process (`host-pid-slots`).
    public var worker: String
    public var host: String
    public var pid: Int32
    public var cores: Int
    /// Trials it evaluates at once.
    public var slots: Int
    public var magnetVersion: String
    /// The study the worker was started for (`magnet worker --study`); `nil`: any.
    public var study: String? = nil
    /// The worker's session secret (``WireProtocol/newSession()``), repeated in its later messages.
    public var session: String
}

/// coordinator → worker: accepted; what to evaluate with.
public struct Welcome: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    public var study: String
    public var specHash: String
    public var context: EvaluationContext
    /// Seconds between heartbeats each side sends.
    public var heartbeatSeconds: Double
    /// Seconds a task may take before it is handed to another worker.
    public var leaseSeconds: Double
}

/// coordinator → worker: not accepted, and why.
public struct Refuse: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    public var reason: String
}

/// worker → coordinator: I can take this many more tasks.
public struct Ready: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    public var session: String
    public var free: Int
}

/// coordinator → worker: evaluate this design.
public struct TaskMessage: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    public var trial: Int
    public var attempt: Int
    /// The design file text.
    public var design: String
    /// Accuracy evaluator answers the study knows and this worker was not sent yet
    /// (docs/accuracy.md); `nil` when none.
    public var accuracyAnswers: [AccuracyAnswerRecord]? = nil
}

/// worker → coordinator: the evaluation of a task (an `error` for a design that cannot be evaluated).
public struct ResultMessage: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    public var session: String
    public var trial: Int
    public var attempt: Int
    /// Metric names and values, in order.
    public var metricNames: [String]
    public var metricValues: [Double]
    /// Per network and layer shape (the coordinator sets each row's trial to the task's).
    public var layers: [LayerResultRecord]
    public var error: String?
    public var seconds: Double
    /// The accuracy evaluator's answers the metrics used (`nil` when none), recorded in the
    /// study file with the trial.
    public var accuracyAnswers: [AccuracyAnswerRecord]? = nil
}

/// coordinator → worker: result received (recorded, or dropped as stale/duplicate).
public struct Ack: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    public var trial: Int
    public var attempt: Int
    /// Whether it was recorded (false: a duplicate or an attempt that was re-issued).
    public var recorded: Bool
}

/// worker → coordinator: the evaluation could not run (an error of the worker, retried elsewhere).
public struct Failed: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    public var session: String
    public var trial: Int
    public var attempt: Int
    public var error: String
}

/// Either way: I am alive. (From the coordinator the session is empty.)
public struct Heartbeat: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    public var session = ""
}

/// Either way: goodbye. From a worker, the trials it hands back; from the coordinator, why.
public struct Bye: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    public var session = ""
    public var handBack: [Int] = []
    public var reason: String = ""
}

/// Any client → coordinator: what is going on? Answered with a `status-reply` whose body is
/// free-form JSON (workers, leases, throughput, best so far).
public struct StatusRequest: Codable, Sendable, Equatable {
    public var v = WireProtocol.version
    /// Creates a request.
    public init() {}
}

/// Encoding and decoding of message bodies.
public enum Wire {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// The two frames of a message.
    public static func frames<Body: Encodable>(_ type: MessageType, _ body: Body) throws -> [[UInt8]] {
        [Array(type.rawValue.utf8), Array(try encoder.encode(body))]
    }

    /// One decoder for every message (making one per message showed in profiles).
    static let decoder = JSONDecoder()

    /// Decodes a body, or `nil` if it does not decode (`hello` is decoded whatever its version,
    /// so the refusal can say which).
    public static func decode<Body: Decodable>(_ type: Body.Type, _ bytes: [UInt8]) -> Body? {
        try? decoder.decode(Body.self, from: Data(bytes))
    }

    /// The protocol version of a body, if it has one.
    public static func version(_ bytes: [UInt8]) -> Int? {
        struct Versioned: Decodable { var v: Int }
        return (try? decoder.decode(Versioned.self, from: Data(bytes)))?.v
    }
}
