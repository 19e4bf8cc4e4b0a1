import Foundation
import MagnetMapper
import MagnetWorkload

/// Everything needed to evaluate a design for a study, apart from the design itself: the
/// networks (built-in names, or the text of network files so that a worker on another machine
/// needs none of the coordinator's files), their weights, and the mapper settings.
public struct EvaluationContext: Codable, Sendable, Equatable {
    /// One network.
    public struct NetworkEntry: Codable, Sendable, Equatable {
        /// The network's name.
        public var name: String
        /// A built-in name, or the path the sweep file gave (for error messages).
        public var source: String
        /// The network file's text, or `nil` for a built-in network.
        public var text: String?
        /// Weight in the averaged metrics.
        public var weight: Double
    }

    /// The networks.
    public var networks: [NetworkEntry]
    /// Mapping candidates per layer shape.
    public var mapperBudget: Int
    /// The mapper's objective (`edp`, `energy`, `cycles`).
    public var mapperObjective: String
    /// Optional seconds per layer shape.
    public var mapperSeconds: Double?
    /// The mapper's seed (the study's).
    public var seed: UInt64
    /// Whether each layer's search starts from the mapping of the nearest design evaluated before
    /// (`nil`: yes).
    public var mapperWarmStart: Bool?
    /// Candidates in a row without improvement that end a layer's search (`nil`: the budget).
    public var mapperStopAfter: Int?
    /// The accuracy evaluator's command (`nil`: none), run where the trial is evaluated.
    public var accuracyCommand: [String]?
    /// Seconds one accuracy evaluation may take.
    public var accuracyTimeoutSeconds: Double?

    /// The networks, parsed.
    public func resolveNetworks() throws -> [Network] {
        try networks.map { entry in
            if let text = entry.text { return try NetworkFile.parse(text, file: entry.source) }
            return try NetworkFile.resolve(entry.source)
        }
    }
}

extension SweepSpec {
    /// The context workers evaluate this study's designs in (network files read now).
    public func evaluationContext() throws -> EvaluationContext {
        EvaluationContext(
            networks: try networks.map { target in
                let isBuiltIn = Zoo.network(named: target.source) != nil
                // An ONNX model travels as the network file it imports to (workers need no ONNX).
                let text = isBuiltIn ? nil : ONNXFile.isModel(target.source) ? NetworkFile.yaml(target.network)
                    : try String(contentsOfFile: target.source, encoding: .utf8)
                return .init(name: target.network.name, source: target.source, text: text, weight: target.weight)
            },
            mapperBudget: mapper.budget, mapperObjective: mapper.objective.rawValue, mapperSeconds: mapper.seconds,
            seed: seed, mapperWarmStart: mapper.warmStart, mapperStopAfter: mapper.stopAfter,
            accuracyCommand: accuracy?.command, accuracyTimeoutSeconds: accuracy?.timeoutSeconds)
    }
}
