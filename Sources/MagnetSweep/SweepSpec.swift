import Foundation
import MagnetCore
import MagnetMapper
import MagnetTuner
import MagnetWorkload

/// A sweep: which networks, which design space, what to optimize under which constraints, how
/// to search and for how long. Read from a sweep file (docs/sweeps.md) by ``load(path:)``.
public struct SweepSpec: Sendable {
    /// One network of the study.
    public struct NetworkTarget: Sendable {
        /// The network (its `name` prefixes its per-network metrics).
        public var network: Network
        /// How the sweep file named it (a zoo name or a path).
        public var source: String
        /// Its weight in the averaged metrics.
        public var weight: Double
        /// Inferences per second it must reach (a constraint `NAME.inferences_per_s >= rate`).
        public var requiredRate: Double?
        /// For an ONNX model: the shapes given for its symbolic graph inputs.
        public var inputShapes: [String: [Int]] = [:]
    }

    /// The search strategy and its options.
    public struct StrategySettings: Sendable, Hashable {
        /// `random`, `grid`, `nsga2` or `bayesian`.
        public var name: String
        /// NSGA-II population size.
        public var population: Int
        /// Random trials before the Bayesian model takes over.
        public var initialTrials: Int
    }

    /// When the sweep stops.
    public struct Budget: Sendable, Hashable {
        /// Finished trials (complete, infeasible or failed) to reach.
        public var trials: Int?
        /// Wall-clock minutes for this run.
        public var minutes: Double?
    }

    /// How each trial maps its layers.
    public struct MapperSettings: Sendable, Hashable {
        /// Mapping candidates per layer shape.
        public var budget: Int
        /// Per-layer objective.
        public var objective: Objective
        /// Optional seconds per layer shape.
        public var seconds: Double?
        /// Whether each layer's search starts from the mapping of the nearest design the evaluator
        /// saw before (docs/sweeps.md).
        public var warmStart = true
        /// Whether designs that break a constraint on a metric known before mapping
        /// (``Metric/designOnly``: area, peak TOPS) are mapped anyway; by default they are
        /// recorded infeasible unmapped (docs/sweeps.md).
        public var mapInfeasible = false
        /// Stop a layer's search once this many candidates in a row bring no improvement
        /// (`nil`: spend the budget), as Timeloop's mapper's victory condition does.
        public var stopAfter: Int?
    }

    /// The sweep file.
    public var file: String
    /// The study's name.
    public var study: String
    /// The study's seed (strategies and the mapper derive theirs from it).
    public var seed: UInt64
    /// The networks.
    public var networks: [NetworkTarget]
    /// Design values that are not searched: key → value text, base design first.
    public var fixedDesign: [(String, String)]
    /// The searched parameters (named after design keys).
    public var space: SearchSpace
    /// What to optimize.
    public var objectives: [ObjectiveSpec]
    /// Constraints, including those implied by networks' required rates.
    public var constraints: [ConstraintSpec]
    /// How to search.
    public var strategy: StrategySettings
    /// When to stop.
    public var budget: Budget
    /// How to map.
    public var mapper: MapperSettings
    /// The accuracy evaluator, if the study has one (docs/accuracy.md).
    public var accuracy: AccuracySettings?
    /// Formats of the layers matching each rule's pattern (the space's `layerFormats`, or the
    /// base design's), fixed or searched; empty: every layer at the design's formats.
    public var layerFormats: [LayerFormatSpec] = []
    /// The design keys (`weightFormat`, `activationFormat`) the rules set for every layer of the
    /// networks (``keysSetForEveryLayer(by:networks:)``).
    public var layerFormatsForEveryLayer: [String] = []

    /// A study's accuracy evaluator.
    public struct AccuracySettings: Sendable, Hashable {
        /// The command and its arguments.
        public var command: [String]
        /// Seconds one evaluation may take.
        public var timeoutSeconds: Double
    }

    /// Every metric name a trial of this study reports.
    public var metricNames: [String] {
        let accuracy = self.accuracy == nil ? [] : Metric.accuracy.map(\.name)
        let perNetwork = Metric.perNetwork + accuracy
        return Metric.names + accuracy
            + (networks.count > 1
                ? networks.flatMap { target in perNetwork.map { "\(target.network.name).\($0)" } } : [])
    }

    /// The spec as canonical JSON: what a resumed study must match. The budget is left out, so a
    /// study can be extended with more trials.
    public var canonicalJSON: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("study", .string(study)),
            ("seed", .int(Int(truncatingIfNeeded: seed))),
            ("networks", .array(networks.map { target in
                // `inputShapes` only when given, so that studies begun before it existed resume.
                .object([("name", .string(target.network.name)), ("source", .string(target.source)),
                         ("layers", .int(target.network.layers.count)), ("macs", .int(target.network.macs)),
                         ("weight", .double(target.weight)), ("requiredRate", .optional(target.requiredRate))]
                        + (target.inputShapes.isEmpty ? [] : [("inputShapes", .object(
                            target.inputShapes.sorted { $0.key < $1.key }
                                .map { ($0.key, .array($0.value.map(JSONValue.int))) }
                        ))]))
            })),
            ("design", .object(fixedDesign.map { ($0.0, .string($0.1)) })),
            ("space", .object(space.parameters.map { ($0.name, SweepSpec.describe($0.domain)) })),
            ("objectives", .array(objectives.map { .string($0.text) })),
            ("constraints", .array(constraints.map { .string($0.text) })),
            ("strategy", .object([("name", .string(strategy.name)), ("population", .int(strategy.population)),
                                  ("initialTrials", .int(strategy.initialTrials))])),
            // `warmStart` only when off, `mapInfeasible` only when on and `stopAfter` only when
            // given, so that studies begun before they existed resume.
            ("mapper", .object([("budget", .int(mapper.budget)), ("objective", .string(mapper.objective.rawValue)),
                                ("seconds", .optional(mapper.seconds))]
                               + (mapper.warmStart ? [] : [("warmStart", .bool(false))])
                               + (mapper.mapInfeasible ? [("mapInfeasible", .bool(true))] : [])
                               + (mapper.stopAfter.map { [("stopAfter", .int($0))] } ?? []))),
        ]
        // Only when there are some, so that studies begun before they existed resume.
        if !layerFormats.isEmpty { fields.append(("layerFormats", .array(layerFormats.map(\.canonicalJSON)))) }
        if !layerFormatsForEveryLayer.isEmpty {
            fields.append(("layerFormatsForEveryLayer", .array(layerFormatsForEveryLayer.map(JSONValue.string))))
        }
        // Only when the study has one, so that studies begun before it existed resume.
        if let accuracy {
            fields.append(("accuracy", .object([("command", .array(accuracy.command.map(JSONValue.string))),
                                                ("timeout", .double(accuracy.timeoutSeconds))])))
        }
        return .object(fields)
    }

    static func describe(_ domain: Parameter.Domain) -> JSONValue {
        switch domain {
        case .integer(let range): return .object([("range", [.int(range.lowerBound), .int(range.upperBound)])])
        case .powerOfTwo(let e): return .object([("powersOfTwo", [.int(1 << e.lowerBound), .int(1 << e.upperBound)])])
        case .ordinal(let values): return .array(values.map(JSONValue.double))
        case .categorical(let names): return .array(names.map(JSONValue.string))
        case .fixed(let value): return DesignKeys.json(value)
        }
    }

    /// The differences between two canonical specs, as `key.path: stored → new` lines.
    public static func differences(_ stored: JSONValue, _ new: JSONValue, path: String = "") -> [String] {
        switch (stored, new) {
        case let (.object(a), .object(b)):
            var lines: [String] = []
            let keys = a.map(\.0) + b.map(\.0).filter { key in !a.contains { $0.0 == key } }
            for key in keys {
                let sub = path.isEmpty ? key : "\(path).\(key)"
                lines += differences(stored[key] ?? .null, new[key] ?? .null, path: sub)
            }
            return lines
        case let (.array(a), .array(b)) where a.count == b.count && a != b:
            // Item by item, so an unchanged item is not listed.
            return zip(a, b).enumerated().flatMap { index, pair in differences(pair.0, pair.1, path: "\(path)[\(index)]") }
        default:
            return stored == new ? [] : ["\(path): \(stored.rendered(pretty: false)) → \(new.rendered(pretty: false))"]
        }
    }

    /// The design point `values` (one per parameter of ``space``) as a design file.
    public func designYAML(trial: Int, values: [Parameter.Value]) -> String {
        Self.designYAML(name: "\(study)-trial-\(trial)", fixed: fixedDesign,
                        params: zip(space.parameters, values).compactMap { parameter, value in
                            if case .fixed = parameter.domain { return nil }
                            return (parameter.name, value)
                        },
                        rules: layerFormatRules(values: values), setForEveryLayer: layerFormatsForEveryLayer)
    }

    /// Sets the fixed design value of `key` in `fixed`: in its place when it has one, else last.
    static func setFixed(_ key: String, _ text: String, in fixed: inout [(String, String)]) {
        if let index = fixed.firstIndex(where: { $0.0 == key }) {
            fixed[index].1 = text
        } else {
            fixed.append((key, text))
        }
    }

    /// The parameter values as a JSON object (what the store keeps).
    public func paramsJSON(_ values: [Parameter.Value]) -> JSONValue {
        .object(zip(space.parameters, values).map { ($0.name, DesignKeys.json($1)) })
    }

    /// The parameter values of a stored params object, or `nil` when it does not fit the space.
    public func values(from params: JSONValue) -> [Parameter.Value]? {
        var values: [Parameter.Value] = []
        for parameter in space.parameters {
            guard let json = params[parameter.name] else { return nil }
            let value: Parameter.Value
            switch (parameter.domain, json) {
            case (.fixed(let fixed), _): value = fixed
            case (.ordinal, _): guard let v = json.doubleValue else { return nil }; value = .double(v)
            case (.categorical, .string(let s)): value = .string(s)
            case (_, .int(let v)): value = .int(v)
            case (_, .double(let v)) where v == v.rounded(): value = .int(Int(v))
            default: return nil
            }
            guard parameter.index(of: value) != nil else { return nil }
            values.append(value)
        }
        return values
    }
}
