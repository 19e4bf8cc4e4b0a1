import Foundation
import MagnetCore
import MagnetDesigner
import MagnetTuner
import MagnetWorkload

/// One rule of a sweep's per-layer formats (the space's `layerFormats`, docs/sweeps.md): the
/// layers it applies to and, for each operand, a fixed format or a searched parameter.
public struct LayerFormatSpec: Sendable, Hashable {
    /// A format in a rule: fixed, or the value of a parameter of the space.
    public enum Choice: Sendable, Hashable {
        /// The same format in every design.
        case fixed(DataFormat)
        /// The value of the named parameter (`weightFormat[PATTERN]`).
        case searched(parameter: String)
    }

    /// A layer name or pattern (``LayerFormatRule/layers``).
    public var layers: String
    /// The weights' format (`nil`: the design's).
    public var weightFormat: Choice?
    /// The activations' format (`nil`: the design's).
    public var activationFormat: Choice?

    /// The rule with the formats its searched parameters take (`format` of a parameter's name).
    public func resolved(_ format: (String) -> DataFormat?) -> LayerFormatRule {
        func resolve(_ choice: Choice?) -> DataFormat? {
            switch choice {
            case .fixed(let fixed)?: return fixed
            case .searched(let parameter)?: return format(parameter)
            case nil: return nil
            }
        }
        return LayerFormatRule(layers: layers, weightFormat: resolve(weightFormat),
                               activationFormat: resolve(activationFormat))
    }

    /// The rule as the study's canonical spec keeps it (a searched format by its parameter).
    var canonicalJSON: JSONValue {
        func json(_ choice: Choice) -> JSONValue {
            switch choice {
            case .fixed(let format): return .string(format.rawValue)
            case .searched(let parameter): return .object([("parameter", .string(parameter))])
            }
        }
        return .object([("layers", .string(layers))]
                           + (weightFormat.map { [("weightFormat", json($0))] } ?? [])
                           + (activationFormat.map { [("activationFormat", json($0))] } ?? []))
    }

    /// The name of the parameter that searches `key` (`weightFormat`, `activationFormat`) for
    /// the layers matching `layers`.
    public static func parameterName(_ key: String, layers: String) -> String { "\(key)[\(layers)]" }
}

extension LayerFormatSpec {
    /// The rule ``canonicalJSON`` wrote, read back (`nil` when it is not one).
    init?(canonical json: JSONValue) {
        guard case .string(let layers)? = json["layers"] else { return nil }
        func choice(_ value: JSONValue?) -> Choice? {
            switch value {
            case .string(let name)?: return DataFormat(rawValue: name).map { .fixed($0) }
            case let object?:
                if case .string(let parameter)? = object["parameter"] { return .searched(parameter: parameter) }
            case nil: break
            }
            return nil
        }
        self.init(layers: layers, weightFormat: choice(json["weightFormat"]),
                  activationFormat: choice(json["activationFormat"]))
    }
}

extension SweepSpec {
    /// The design-file keys a rule may set.
    static let layerFormatKeys = ["weightFormat", "activationFormat"]

    /// Reads the space's `layerFormats` list: each rule's `layers` must name or match a layer of
    /// one of the study's networks; a list of formats becomes a parameter, one format is fixed.
    static func readLayerFormats(_ node: ConfigNode, networks: [NetworkTarget]) throws
        -> (rules: [LayerFormatSpec], parameters: [Parameter]) {
        var rules: [LayerFormatSpec] = []
        var parameters: [Parameter] = []
        let items = try node.list()
        guard !items.isEmpty else { throw node.error("empty list: give at least one rule or leave the key out") }
        let layerNames = networks.flatMap { $0.network.layers.map(\.name) }
        for item in items {
            let entry = try item.mapping(knownKeys: ["layers"] + layerFormatKeys)
            let pattern = try DesignFile.layerPattern(of: entry, after: rules.map(\.layers))
            let layersNode = try entry.required("layers")
            let probe = LayerFormatRule(layers: pattern)
            guard layerNames.contains(where: probe.matches) else {
                var message = "`\(pattern)` matches no layer of \(networks.map(\.network.name).joined(separator: ", "))"
                if let near = NearestName.suggestion(for: pattern, among: layerNames) {
                    message += "; did you mean `\(near)`?"
                } else {
                    let examples = layerNames.prefix(3).map { "`\($0)`" }.joined(separator: ", ")
                    message += "; layers are named like " + examples
                }
                throw layersNode.error(message + " (`*` matches any run of characters)")
            }
            var rule = LayerFormatSpec(layers: pattern)
            for key in layerFormatKeys {
                guard let formatNode = entry.optional(key) else { continue }
                let kind = DesignKeys.kind(of: key)!
                let name = LayerFormatSpec.parameterName(key, layers: pattern)
                let choice: LayerFormatSpec.Choice
                if let parameter = try readParameter(name, node: formatNode, kind: kind) {
                    parameters.append(parameter)
                    choice = .searched(parameter: name)
                } else {
                    guard case .string(let format) = try DesignKeys.value(of: formatNode, kind: kind),
                          let fixed = DataFormat(rawValue: format) else {
                        throw formatNode.error("a format or a list of formats")
                    }
                    choice = .fixed(fixed)
                }
                if key == "weightFormat" { rule.weightFormat = choice } else { rule.activationFormat = choice }
            }
            guard rule.weightFormat != nil || rule.activationFormat != nil else {
                throw item.error("a rule sets weightFormat, activationFormat or both (a format or a list to search)")
            }
            rules.append(rule)
        }
        return (rules, parameters)
    }

    /// The base design's rules, fixed.
    static func fixedLayerFormats(_ rules: [LayerFormatRule]) -> [LayerFormatSpec] {
        rules.map { rule in
            LayerFormatSpec(layers: rule.layers, weightFormat: rule.weightFormat.map { .fixed($0) },
                            activationFormat: rule.activationFormat.map { .fixed($0) })
        }
    }

    /// The design keys (`weightFormat`, `activationFormat`) that rules set for every layer of the
    /// study's networks: the design's own format for such an operand reaches no layer, so a
    /// trial's design takes the widest its rules give instead (``designYAML(trial:values:)``),
    /// and the datapath is no wider than its layers need.
    static func keysSetForEveryLayer(by rules: [LayerFormatSpec], networks: [NetworkTarget]) -> [String] {
        guard !rules.isEmpty else { return [] }
        let names = networks.flatMap { $0.network.layers.map(\.name) }
        return layerFormatKeys.filter { key in
            names.allSatisfy { name in
                let rule = rules.first { LayerFormatRule(layers: $0.layers).matches(name) }
                return (key == "weightFormat" ? rule?.weightFormat : rule?.activationFormat) != nil
            }
        }
    }

    /// The rules with the formats of the point `values`.
    func layerFormatRules(values: [Parameter.Value]) -> [LayerFormatRule] {
        layerFormats.map { rule in
            rule.resolved { parameter in
                guard let index = space.parameters.firstIndex(where: { $0.name == parameter }),
                      case .string(let name) = values[index] else { return nil }
                return DataFormat(rawValue: name)
            }
        }
    }

    /// A trial's design file: the fixed design values, each parameter's value, and the point's
    /// per-layer format rules (`rules`); the keys in `setForEveryLayer` (which the rules set for
    /// every layer) take the widest format the rules give. The sweep and a study read back
    /// (``StudyView``) both write it here.
    static func designYAML(name: String, fixed: [(String, String)], params: [(String, Parameter.Value)],
                           rules: [LayerFormatRule], setForEveryLayer: [String]) -> String {
        var fixed = fixed
        for key in setForEveryLayer {
            let formats = rules.compactMap { key == "weightFormat" ? $0.weightFormat : $0.activationFormat }
            if let widest = DataFormat.widest(formats) { setFixed(key, widest.rawValue, in: &fixed) }
        }
        return DesignKeys.designYAML(name: name, fixed: fixed, params: params) + layerFormatsYAML(rules)
    }

    /// The design file's `layerFormats` section for `rules` (a point's; empty without rules).
    static func layerFormatsYAML(_ rules: [LayerFormatRule]) -> String {
        guard !rules.isEmpty else { return "" }
        return "layerFormats:\n" + rules.map { "  - " + $0.json.rendered(pretty: false) + "\n" }.joined()
    }
}
