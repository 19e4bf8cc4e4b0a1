import Foundation
import MagnetCore

/// Formats for the layers whose names match a pattern (a design's `layerFormats`,
/// docs/template.md): a layer takes the formats of the first rule that matches its name, and
/// the design's `weightFormat` and `activationFormat` for what that rule leaves out or when no
/// rule matches.
public struct LayerFormatRule: Hashable, Sendable {
    /// A layer name, or a pattern over layer names: `*` matches any run of characters (`/` and
    /// `.` included), `?` any one, `[…]` one of a set.
    public var layers: String
    /// The weights' format (`nil`: the design's).
    public var weightFormat: DataFormat?
    /// The activations' format, inputs and outputs (`nil`: the design's).
    public var activationFormat: DataFormat?

    /// Creates a rule.
    public init(layers: String, weightFormat: DataFormat? = nil, activationFormat: DataFormat? = nil) {
        self.layers = layers
        self.weightFormat = weightFormat
        self.activationFormat = activationFormat
    }

    /// Whether the rule applies to the layer named `name`.
    public func matches(_ name: String) -> Bool {
        fnmatch(layers, name, 0) == 0
    }

    /// The rule as a design file writes it (JSON, which YAML reads too): `layers` and the
    /// formats it sets.
    public var json: JSONValue {
        .object([("layers", .string(layers))]
                    + (weightFormat.map { [("weightFormat", .string($0.rawValue))] } ?? [])
                    + (activationFormat.map { [("activationFormat", .string($0.rawValue))] } ?? []))
    }
}

extension DesignPoint {
    /// The formats the layer named `name` runs at: the first matching rule's, else the design's.
    public func formats(ofLayer name: String) -> OperandFormats {
        let rule = layerFormats.first { $0.matches(name) }
        let weights = rule?.weightFormat ?? weightFormat
        let activations = rule?.activationFormat ?? activationFormat
        return OperandFormats(weights: weights, inputs: activations, outputs: activations)
    }

    /// The formats the datapath is built for: the widest weight format and the widest
    /// activation format among the design's and its rules' (``validate()`` refuses a design
    /// whose formats differ in kind, integer against floating point or fp16 against bf16).
    public var datapathFormats: OperandFormats {
        let weights = DataFormat.widest([weightFormat] + layerFormats.compactMap(\.weightFormat)) ?? weightFormat
        let activations = DataFormat.widest([activationFormat] + layerFormats.compactMap(\.activationFormat))
            ?? activationFormat
        return OperandFormats(weights: weights, inputs: activations, outputs: activations)
    }

    /// Problems with the rules: one that sets no format, or formats of different kinds in one
    /// operand (a datapath runs one kind of arithmetic).
    func layerFormatProblems() -> [DesignProblem] {
        var problems: [DesignProblem] = []
        for (index, rule) in layerFormats.enumerated() where rule.weightFormat == nil && rule.activationFormat == nil {
            problems.append(DesignProblem(parameter: "layerFormats",
                                          message: "rule \(index + 1) (`\(rule.layers)`) sets neither "
                                              + "weightFormat nor activationFormat"))
        }
        for (operand, formats) in [("weightFormat", [weightFormat] + layerFormats.compactMap(\.weightFormat)),
                                   ("activationFormat", [activationFormat]
                                        + layerFormats.compactMap(\.activationFormat))] {
            let kinds = Set(formats.map { $0.isInteger ? "integer" : $0.rawValue })
            if kinds.count > 1 {
                let names = Set(formats.map(\.rawValue)).sorted().joined(separator: ", ")
                problems.append(DesignProblem(parameter: "layerFormats",
                                              message: "\(operand)s \(names) mix kinds of arithmetic; one datapath "
                                                  + "runs integers of several widths or one floating-point format"))
            }
        }
        return problems
    }
}
