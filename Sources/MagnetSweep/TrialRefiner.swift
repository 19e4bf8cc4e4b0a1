import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetStore
import MagnetWorkload

/// Maps a stored trial's design again with a larger search than the sweep could afford, each
/// layer's search climbing first from the mapping the study stored for it, so that no layer
/// ends worse than stored (docs/sweeps.md, "Refining the choice"). The study file is only read.
///
/// A sweep ranks designs by mappings found at its budget, which leaves part of each score to
/// the search's luck (docs/mapper.md); re-mapping the few designs an export compares at a
/// larger budget makes their figures, and the choice among them, depend on the hardware.
public struct TrialRefiner: Sendable {
    /// A trial mapped again.
    public struct Refined: Sendable {
        /// The trial as stored.
        public var stored: TrialRecord
        /// The stored metrics, those the mappings determine recomputed from the new mappings.
        public var metrics: [(String, Double)]
        /// Per network and layer shape, the new mappings and their figures.
        public var layers: [LayerResultRecord]

        /// The value of one refined metric.
        public func metric(_ name: String) -> Double? { metrics.first { $0.0 == name }?.1 }

        /// The trial with its refined metrics, its violations of `constraints` recomputed from
        /// them, and infeasible when it violates one.
        public func record(constraints: [ConstraintSpec]) -> TrialRecord {
            var trial = stored
            trial.metrics = metrics
            trial.violations = constraints.map { constraint in
                metric(constraint.metric).map(constraint.violation) ?? .infinity
            }
            if trial.violations.contains(where: { $0 > 0 }) { trial.state = .infeasible }
            return trial
        }
    }

    /// The study.
    public let view: StudyView
    /// Candidates per layer shape of the sampled search.
    public let budget: Int
    /// Threads per layer's search (the budget is split among them).
    public let threads: Int
    let networks: [(network: Network, weight: Double)]
    let objective: Objective
    let seed: UInt64

    /// Prepares to refine the trials of `view`; throws when one of its networks cannot be read.
    public init(view: StudyView, budget: Int, threads: Int = 1) throws {
        self.view = view
        self.budget = budget
        self.threads = max(threads, 1)
        networks = try view.networks().map { entry in
            do {
                return (try entry.network.get(), entry.weight)
            } catch {
                throw StudyViewError.unreadableNetwork(name: entry.name, source: entry.source, reason: "\(error)")
            }
        }
        if case .string(let name)? = view.spec["mapper"]?["objective"], let stored = Objective(rawValue: name) {
            objective = stored
        } else {
            objective = .edp
        }
        if case .int(let stored)? = view.spec["seed"] { seed = UInt64(truncatingIfNeeded: stored) } else { seed = 0 }
    }

    /// Maps `trial`'s design again; throws when its design or a layer cannot be mapped.
    public func refine(_ trial: TrialRecord) throws -> Refined {
        let design = try DesignFile.parse(view.designYAML(trial), file: "trial \(trial.number)")
        let hardware = try design.elaborate()
        var stored: [String: [String: String]] = [:]
        for record in try view.store.layerResults(trial: trial.number) {
            stored[record.network, default: [:]][record.layer] = record.mappingYAML
        }
        let method = MappingMethod.sampled(budget: budget, threads: threads, seed: seed)
        let mappings = try NetworkMapping.map(networks: networks.map(\.network), design: design, hardware: hardware,
                                              objective: objective, method: method, start: { network, layer, space in
            guard let text = stored[network.name]?[layer.name] else { return nil }
            return try? MappingReader.parse(text, file: "trial \(trial.number) \(layer.name)",
                                            hardware: space.hardware, problem: space.problem)
        })
        let layers = mappings.flatMap { DesignEvaluator.layerRecords(of: $0, trial: trial.number) }
        let computed = DesignEvaluator.metrics(mappings, weights: networks.map(\.weight), design: design,
                                               hardware: hardware, perNetwork: networks.count > 1)
        let metrics = trial.metrics.map { name, value in (name, computed.first { $0.0 == name }?.1 ?? value) }
        return Refined(stored: trial, metrics: metrics, layers: layers)
    }
}

/// Why a study's stored data cannot be used now.
public enum StudyViewError: Error, CustomStringConvertible {
    /// A network of the study can no longer be read (its file moved or changed).
    case unreadableNetwork(name: String, source: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableNetwork(name, source, reason):
            return "network \(name) (\(source)) cannot be read now: \(reason)"
        }
    }
}
