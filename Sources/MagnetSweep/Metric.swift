import MagnetCore
import Foundation

/// The metrics a trial reports, by name. Objectives and constraints name them; a metric of one
/// network is written `NETWORK.metric` (`resnet50.latency_ms`).
///
/// With several networks, the unprefixed metrics are weighted means over the networks (each
/// network's `weight`, default 1): energy and latency per inference are averaged, and the rates
/// derive from the averages (docs/sweeps.md has the equations).
public enum Metric {
    /// Every metric with its unit and meaning, in the order trials report them.
    public static let catalogue: [(name: String, unit: String, meaning: String)] = [
        ("energy_per_inference_uJ", "µJ", "energy of one inference (weighted mean over the networks)"),
        ("latency_ms", "ms", "time of one inference, layers one after another (weighted mean)"),
        ("area_mm2", "mm²", "area of the design (MACs, collectors, buffers; no control or NoC)"),
        ("edp", "µJ·ms", "energy × latency per inference"),
        ("inferences_per_s", "1/s", "1000 / latency_ms"),
        ("power_w", "W", "average power when running back to back: energy × inferences/s"),
        ("fj_per_op", "fJ", "energy per operation, one operation = half a MAC"),
        ("tops_per_w", "TOPS/W", "operations per joule / 10¹²"),
        ("tops_per_mm2", "TOPS/mm²", "achieved operations per second per mm²"),
        ("utilization", "0…1", "MACs / (MAC units × cycles)"),
        ("cycles", "cycles", "clock cycles of one inference (weighted mean)"),
        ("peak_tops", "TOPS", "2 × MAC units × clock"),
        ("macs", "MACs", "multiply-accumulates of one inference (weighted mean)"),
    ]

    /// Metrics the design alone gives, before any layer is mapped: a trial that breaks a
    /// constraint on one of them is recorded infeasible without mapping (``SweepSpec/prejudge(trial:values:)``).
    public static let designOnly: Set<String> = ["area_mm2", "peak_tops"]

    /// Metrics of a study with an accuracy evaluator (docs/accuracy.md), also reported per
    /// network with several networks.
    public static let accuracy: [(name: String, unit: String, meaning: String)] = [
        ("accuracy", "0…1", "the evaluator's accuracy for the design's formats (weighted mean over the networks)"),
        ("accuracy_drop", "0…1", "accuracy at the widest format (int16) minus accuracy at the design's formats"),
    ]

    /// The names in ``catalogue``.
    public static var names: [String] { catalogue.map(\.name) }

    /// Metrics also reported per network (prefixed with the network's name).
    public static let perNetwork = ["energy_per_inference_uJ", "latency_ms", "edp", "inferences_per_s", "power_w",
                                    "fj_per_op", "tops_per_w", "tops_per_mm2", "utilization", "cycles"]
}

/// Which way an objective goes.
public enum Direction: String, Sendable, Hashable {
    /// Smaller is better.
    case minimize
    /// Larger is better.
    case maximize
}

/// One objective of a study: a metric and a direction.
public struct ObjectiveSpec: Sendable, Hashable {
    /// The metric's name.
    public var metric: String
    /// Minimize or maximize.
    public var direction: Direction

    /// Creates an objective.
    public init(metric: String, direction: Direction) {
        self.metric = metric
        self.direction = direction
    }

    /// The value a strategy minimizes: the metric, negated when maximized.
    public func minimized(_ value: Double) -> Double { direction == .minimize ? value : -value }

    /// `minimize energy_per_inference_uJ`.
    public var text: String { "\(direction.rawValue) \(metric)" }
}

/// A bound on a metric: `area_mm2 <= 4`, `inferences_per_s >= 30`.
public struct ConstraintSpec: Sendable, Hashable {
    /// The comparison.
    public enum Relation: String, Sendable, Hashable, CaseIterable {
        /// At most the bound.
        case atMost = "<="
        /// At least the bound.
        case atLeast = ">="
    }

    /// The metric's name.
    public var metric: String
    /// `<=` or `>=`.
    public var relation: Relation
    /// The bound, in the metric's unit.
    public var bound: Double

    /// Creates a constraint.
    public init(metric: String, relation: Relation, bound: Double) {
        self.metric = metric
        self.relation = relation
        self.bound = bound
    }

    /// Parses `metric <= bound` or `metric >= bound` (also `<` and `>`, read as their inclusive forms).
    /// Returns `nil` when the text has no relation or the bound is not a number.
    public init?(parsing text: String) {
        for (symbol, relation) in [("<=", Relation.atMost), (">=", .atLeast), ("<", .atMost), (">", .atLeast)] {
            guard let range = text.range(of: symbol) else { continue }
            let metric = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let boundText = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !metric.isEmpty, let bound = Double(boundText), bound.isFinite else { return nil }
            self.init(metric: metric, relation: relation, bound: bound)
            return
        }
        return nil
    }

    /// How far `value` is from satisfying the constraint, relative to the bound: ≤ 0 holds.
    public func violation(_ value: Double) -> Double {
        let scale = bound == 0 ? 1 : abs(bound)
        switch relation {
        case .atMost: return (value - bound) / scale
        case .atLeast: return (bound - value) / scale
        }
    }

    /// Whether `value` satisfies the constraint.
    public func holds(_ value: Double) -> Bool { violation(value) <= 0 }

    /// `area_mm2 <= 4`.
    public var text: String { "\(metric) \(relation.rawValue) \(NumberText.compact(bound))" }
}
