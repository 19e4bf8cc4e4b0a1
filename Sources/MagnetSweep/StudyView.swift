import Foundation
import MagnetCore
import MagnetDesigner
import MagnetStore
import MagnetTuner
import MagnetWorkload

/// A finished or running study read back from its store, without the sweep file: its
/// objectives, constraints and fixed design values come from the spec stored with it.
public struct StudyView: Sendable {
    /// The store (opened read-only by ``open(path:)``).
    public let store: StudyStore
    /// The study row.
    public let study: StudyRecord
    /// The stored canonical spec.
    public let spec: JSONValue
    /// The study's objectives.
    public let objectives: [ObjectiveSpec]
    /// The study's constraints.
    public let constraints: [ConstraintSpec]
    /// Fixed design values (key, text).
    public let fixedDesign: [(String, String)]

    /// Opens a study file read-only.
    public static func open(path: String) throws -> StudyView {
        try StudyView(store: StudyStore.open(path: path, readOnly: true))
    }

    /// Reads the study of an open store.
    public init(store: StudyStore) throws {
        self.store = store
        study = try store.study()
        spec = try JSONValue(parsing: study.specJSON, source: "\(store.path): study spec")
        var objectives: [ObjectiveSpec] = []
        if case .array(let items)? = spec["objectives"] {
            for case .string(let text) in items {
                let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2, let direction = Direction(rawValue: parts[0]) {
                    objectives.append(ObjectiveSpec(metric: parts[1], direction: direction))
                }
            }
        }
        self.objectives = objectives
        var constraints: [ConstraintSpec] = []
        if case .array(let items)? = spec["constraints"] {
            for case .string(let text) in items { if let c = ConstraintSpec(parsing: text) { constraints.append(c) } }
        }
        self.constraints = constraints
        if case .object(let fields)? = spec["design"] {
            fixedDesign = fields.compactMap { key, value in
                if case .string(let text) = value { return (key, text) }
                return nil
            }
        } else {
            fixedDesign = []
        }
    }

    /// The design file of a trial (loadable by `magnet design show`).
    public func designYAML(_ trial: TrialRecord) -> String {
        var params: [(String, Parameter.Value)] = []
        if case .object(let fields) = trial.params {
            for (key, value) in fields {
                switch value {
                case .int(let v): params.append((key, .int(v)))
                case .double(let v): params.append((key, .double(v)))
                case .string(let v): params.append((key, .string(v)))
                default: continue
                }
            }
        }
        var rules: [LayerFormatRule] = []
        if case .array(let items)? = spec["layerFormats"] {
            rules = items.compactMap(LayerFormatSpec.init(canonical:)).map { rule in
                rule.resolved { parameter in
                    if case .string(let name)? = trial.params[parameter] { return DataFormat(rawValue: name) }
                    return nil
                }
            }
        }
        var setForEveryLayer: [String] = []
        if case .array(let items)? = spec["layerFormatsForEveryLayer"] {
            setForEveryLayer = items.compactMap { if case .string(let key) = $0 { return key } else { return nil } }
        }
        return SweepSpec.designYAML(name: "\(study.name)-trial-\(trial.number)", fixed: fixedDesign, params: params,
                                    rules: rules, setForEveryLayer: setForEveryLayer)
    }

    /// The study's networks, each read as the sweep read it (an ONNX model with the input shapes
    /// the sweep file gave), or why it could not be read now, with its weight in the averaged
    /// metrics.
    public func networks() -> [(name: String, source: String, network: Result<Network, Error>, weight: Double)] {
        guard case .array(let items)? = spec["networks"] else { return [] }
        return items.compactMap { item in
            guard case .string(let name)? = item["name"], case .string(let source)? = item["source"] else { return nil }
            var shapes: [String: [Int]] = [:]
            if case .object(let fields)? = item["inputShapes"] {
                for case (let input, .array(let dims)) in fields {
                    shapes[input] = dims.compactMap { if case .int(let dim) = $0 { return dim } else { return nil } }
                }
            }
            return (name, source, Result { try NetworkFile.resolve(source, inputShapes: shapes) },
                    item["weight"]?.doubleValue ?? 1)
        }
    }

    /// The parameter names, in the space's order.
    public var parameterNames: [String] {
        if case .object(let fields)? = spec["space"] { return fields.map(\.0) }
        return []
    }

    /// Complete (feasible) trials that no other complete trial dominates on the study's objectives.
    public func paretoFront(_ trials: [TrialRecord]) -> [TrialRecord] {
        let feasible = trials.filter { $0.state == .complete }
        let points = feasible.map { trial in objectives.map { $0.minimized(trial.metric($0.metric) ?? .infinity) } }
        return Pareto.nonDominated(points).map { feasible[$0] }
    }

    /// The best complete trial on `objective` among those meeting every constraint in `budget`.
    public static func best(_ trials: [TrialRecord], objective: ObjectiveSpec, within budget: [ConstraintSpec]) -> TrialRecord? {
        var best: (TrialRecord, Double)?
        for trial in trials where trial.state == .complete {
            guard let value = trial.metric(objective.metric),
                  budget.allSatisfy({ constraint in trial.metric(constraint.metric).map(constraint.holds) ?? false }) else { continue }
            let score = objective.minimized(value)
            if best.map({ score < $0.1 || (score == $0.1 && trial.number < $0.0.number) }) ?? true { best = (trial, score) }
        }
        return best?.0
    }
}

extension Metric {
    /// Metrics where larger is better (used when a command names a metric without a direction).
    public static let largerIsBetter: Set<String> = ["inferences_per_s", "tops_per_w", "tops_per_mm2", "utilization", "peak_tops"]

    /// The natural direction of a metric (per-network metrics by their suffix).
    public static func naturalDirection(_ name: String) -> Direction {
        let base = name.split(separator: ".").last.map(String.init) ?? name
        return largerIsBetter.contains(base) ? .maximize : .minimize
    }
}
