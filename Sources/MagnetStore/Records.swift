import Foundation
import MagnetCore

/// The study row: one per store file.
public struct StudyRecord: Sendable, Equatable {
    /// The study's name (from the sweep file).
    public var name: String
    /// The sweep specification as canonical JSON (what a resumed sweep must match).
    public var specJSON: String
    /// A hash of ``specJSON`` (hex), compared on resume.
    public var specHash: String
    /// The study's seed.
    public var seed: UInt64
    /// Where the study is.
    public var status: StudyStatus
    /// When the study was created (seconds since 1970).
    public var createdAt: Double
    /// The magnet version that created it.
    public var magnetVersion: String

    /// Creates a study record.
    public init(name: String, specJSON: String, seed: UInt64, status: StudyStatus = .running,
                createdAt: Double = Date().timeIntervalSince1970, magnetVersion: String) {
        self.name = name
        self.specJSON = specJSON
        self.specHash = StudyRecord.hash(specJSON)
        self.seed = seed
        self.status = status
        self.createdAt = createdAt
        self.magnetVersion = magnetVersion
    }

    /// The hash stored beside a spec or params text (``StableHash``).
    public static func hash(_ text: String) -> String { StableHash.hex(text) }
}

/// One trial: a design point and, once evaluated, its metrics.
public struct TrialRecord: Sendable, Equatable {
    /// 1-based number, in proposal order.
    public var number: Int
    /// The parameter values as a JSON object, in the search space's order.
    public var params: JSONValue
    /// Hash of the canonical params text (for finding repeats).
    public var paramsHash: String
    /// Where the trial is.
    public var state: TrialState
    /// 1 for the first evaluation, +1 each time the trial is handed out again.
    public var attempt: Int
    /// Who evaluates or evaluated it (`local-2`, a worker id).
    public var worker: String?
    /// When it was proposed, started and finished (seconds since 1970).
    public var queuedAt: Double
    /// When the current attempt started.
    public var startedAt: Double?
    /// When it finished.
    public var finishedAt: Double?
    /// Every metric by name (`energy_per_inference_uJ`, `area_mm2`, …), in a stable order.
    public var metrics: [(String, Double)]
    /// Constraint violations in the study's constraint order: ≤ 0 holds, > 0 violated by that much.
    public var violations: [Double]
    /// Why the trial failed, or which constraints it violates.
    public var error: String?

    /// Creates a queued trial.
    public init(number: Int, params: JSONValue, state: TrialState = .queued, attempt: Int = 1,
                worker: String? = nil, queuedAt: Double = Date().timeIntervalSince1970,
                startedAt: Double? = nil, finishedAt: Double? = nil, metrics: [(String, Double)] = [],
                violations: [Double] = [], error: String? = nil) {
        self.number = number
        self.params = params
        self.paramsHash = StudyRecord.hash(params.rendered(pretty: false))
        self.state = state
        self.attempt = attempt
        self.worker = worker
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.metrics = metrics
        self.violations = violations
        self.error = error
    }

    /// The value of metric `name`, if recorded.
    public func metric(_ name: String) -> Double? { metrics.first { $0.0 == name }?.1 }

    /// Evaluation time in seconds, once finished.
    public var durationSeconds: Double? {
        guard let startedAt, let finishedAt else { return nil }
        return finishedAt - startedAt
    }

    public static func == (lhs: TrialRecord, rhs: TrialRecord) -> Bool {
        lhs.number == rhs.number && lhs.params == rhs.params && lhs.state == rhs.state && lhs.attempt == rhs.attempt
            && lhs.worker == rhs.worker && lhs.queuedAt == rhs.queuedAt && lhs.startedAt == rhs.startedAt
            && lhs.finishedAt == rhs.finishedAt && lhs.violations == rhs.violations && lhs.error == rhs.error
            && lhs.metrics.count == rhs.metrics.count
            && zip(lhs.metrics, rhs.metrics).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

/// The result of one layer shape of one network in one trial.
public struct LayerResultRecord: Codable, Sendable, Equatable {
    /// The trial.
    public var trial: Int
    /// The network's name.
    public var network: String
    /// The representative layer's name.
    public var layer: String
    /// How many layers of the network share this shape (their names follow in `layerNames`).
    public var count: Int
    /// The names of the layers with this shape, comma-separated.
    public var layerNames: String
    /// Energy of one such layer (pJ).
    public var energyPJ: Double
    /// Cycles of one such layer.
    public var cycles: Int
    /// MAC utilization of the array (0…1).
    public var utilization: Double
    /// The mapping as YAML (`magnet model --mapping` reads it).
    public var mappingYAML: String

    /// Creates a layer result.
    public init(trial: Int, network: String, layer: String, count: Int, layerNames: String,
                energyPJ: Double, cycles: Int, utilization: Double, mappingYAML: String) {
        self.trial = trial
        self.network = network
        self.layer = layer
        self.count = count
        self.layerNames = layerNames
        self.energyPJ = energyPJ
        self.cycles = cycles
        self.utilization = utilization
        self.mappingYAML = mappingYAML
    }
}

/// What an event of the study's log records.
public enum EventKind: String, CaseIterable, Sendable {
    /// A run started a new study, or resumed one.
    case start, resume
    /// A run ended: the budget was met (`finish`) or it was stopped (`stop`).
    case finish, stop
    /// A trial went back to the queue (its worker died, its lease ran out, a run was interrupted).
    case requeue
    /// A worker said hello, or went silent.
    case worker
    case workerLost = "worker-lost"
    /// A worker was refused by CURVE authentication.
    case unauthorized
    /// The coordinator's counters at its end.
    case counters
    /// A process took the study file over from an owner that was gone.
    case takeover
}

/// One line of the study's event log.
public struct EventRecord: Sendable, Equatable {
    /// When (seconds since 1970).
    public var time: Double
    /// What happened.
    public var kind: EventKind
    /// The trial concerned, if any.
    public var trial: Int?
    /// Free text.
    public var message: String

    /// Creates an event.
    public init(time: Double = Date().timeIntervalSince1970, kind: EventKind, trial: Int? = nil, message: String) {
        self.time = time
        self.kind = kind
        self.trial = trial
        self.message = message
    }
}

/// One answer of a study's accuracy evaluator (docs/accuracy.md), kept in the study file so that
/// no worker, now or in a resumed run, asks the evaluator the same question again.
public struct AccuracyAnswerRecord: Codable, Sendable, Equatable {
    /// What the answer depends on, as compact JSON: the network's name and each layer's
    /// formats (`{"network":…,"layers":[{"name":…,"weights":…,"inputs":…,"outputs":…},…]}`).
    public var key: String
    /// The network's name.
    public var network: String
    /// The accuracy, in [0, 1].
    public var accuracy: Double
    /// The answer's other numeric keys, by name.
    public var extra: [String: Double]

    /// Creates an answer record.
    public init(key: String, network: String, accuracy: Double, extra: [String: Double]) {
        self.key = key
        self.network = network
        self.accuracy = accuracy
        self.extra = extra
    }
}
