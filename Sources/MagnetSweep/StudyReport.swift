import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetStore
import MagnetTuner
import MagnetWorkload

/// What `magnet report` shows of a study, as one JSON value the page renders (docs/sweeps.md,
/// "Report"): the study and its spec, every trial, the best design per objective with each
/// layer's energy by level, and how much each parameter matters.
public enum StudyReport {
    /// Where one design's energy goes, per unique layer shape.
    public struct LayerEnergy: Sendable {
        /// The layer (the representative of its shape group) and its network.
        public var network: String
        public var layer: String
        /// Layers of the network with this shape.
        public var count: Int
        /// Energy of one occurrence per part: `MAC`, each storage level (its data spaces and
        /// leakage), `Clock`, `LogicLeakage`.
        public var energyByPartPJ: [(String, Double)]
        /// MAC utilization of the layer's mapping.
        public var utilization: Double
    }

    /// The best complete trial on one objective, with its layers' energy (or why they could not
    /// be re-evaluated).
    public struct BestDesign {
        public var objective: ObjectiveSpec
        public var trial: TrialRecord
        public var layers: Result<[LayerEnergy], Error>

        /// Creates an entry.
        public init(objective: ObjectiveSpec, trial: TrialRecord, layers: Result<[LayerEnergy], Error>) {
            self.objective = objective
            self.trial = trial
            self.layers = layers
        }
    }

    /// The study's networks by name, each read once for every trial re-evaluated.
    static func networks(of view: StudyView) throws -> [String: Network] {
        var networks: [String: Network] = [:]
        for entry in view.networks() { networks[entry.name] = try entry.network.get() }
        return networks
    }

    /// The stored layers of `trial` re-evaluated by the cost model with their stored mappings,
    /// their energy split by level; `networks` are the study's (read from it when not given).
    public static func layerEnergy(view: StudyView, trial: TrialRecord, networks given: [String: Network]? = nil)
        throws -> [LayerEnergy] {
        let design = try DesignFile.parse(view.designYAML(trial), file: "trial \(trial.number)")
        let elaborated = try design.elaborate()
        let networks = try given ?? Self.networks(of: view)
        return try view.store.layerResults(trial: trial.number).map { record in
            guard let layer = networks[record.network]?.layer(named: record.layer) else {
                throw ConfigError(file: view.store.path, message: "trial \(trial.number): no layer `\(record.layer)` "
                                      + "in network `\(record.network)`")
            }
            let problem = layer.problem
            let hardware = design.hardware(elaborated, running: design.formats(ofLayer: layer.name))
            let mapping = try MappingReader.parse(record.mappingYAML, file: "trial \(trial.number) \(record.layer)",
                                                  hardware: hardware, problem: problem)
            let evaluation = CostModel(hardware: hardware, problem: problem).evaluate(mapping)
            var parts: [(String, Double)] = [("MAC", evaluation.computeEnergyPJ)]
            for (index, level) in evaluation.levels.enumerated() {
                let energy = level.dataSpaces.reduce(level.leakageEnergyPJ) { $0 + ($1?.energyPJ ?? 0) }
                if energy > 0 { parts.append((hardware.storage[index].name, energy)) }
            }
            parts += evaluation.logicParts
            return LayerEnergy(network: record.network, layer: record.layer, count: record.count,
                               energyByPartPJ: parts, utilization: evaluation.utilization)
        }
    }

    /// How much each parameter matters for `objective`: the share of the variance of the
    /// objective's logarithm over the complete trials that the parameter's values explain
    /// (the correlation ratio η², between 0 and 1; each parameter on its own, so the shares of
    /// interacting parameters need not add up to 1). Largest first.
    public static func importance(_ trials: [TrialRecord], parameters: [String], objective: String)
        -> [(parameter: String, share: Double)] {
        let samples = trials.compactMap { trial -> (JSONValue, Double)? in
            guard trial.state == .complete, let value = trial.metric(objective), value > 0 else { return nil }
            return (trial.params, log(value))
        }
        guard samples.count >= 2 else { return [] }
        let mean = samples.reduce(0) { $0 + $1.1 } / Double(samples.count)
        let total = samples.reduce(0) { $0 + ($1.1 - mean) * ($1.1 - mean) }
        guard total > 0 else { return parameters.map { ($0, 0) } }
        return parameters.map { name in
            var groups: [String: (sum: Double, count: Double)] = [:]
            for (params, value) in samples {
                let key = params[name]?.rendered(pretty: false) ?? "?"
                groups[key, default: (0, 0)].sum += value
                groups[key, default: (0, 0)].count += 1
            }
            let between = groups.values.reduce(0) { $0 + $1.count * pow($1.sum / $1.count - mean, 2) }
            return (name, between / total)
        }.sorted { $0.share > $1.share || ($0.share == $1.share && $0.parameter < $1.parameter) }
    }

    /// The best complete trial per objective (ties to the lower number), each with its layers'
    /// energy re-evaluated (``layerEnergy(view:trial:)``).
    public static func bestDesigns(view: StudyView, trials: [TrialRecord]) -> [BestDesign] {
        let networks = Result { try Self.networks(of: view) }
        return view.objectives.compactMap { objective in
            guard let trial = StudyView.best(trials, objective: objective, within: []) else { return nil }
            return BestDesign(objective: objective, trial: trial,
                              layers: Result { try layerEnergy(view: view, trial: trial, networks: networks.get()) })
        }
    }

    /// The page's data, with the best design per objective (``bestDesigns(view:trials:)``).
    public static func json(view: StudyView, trials: [TrialRecord]) -> JSONValue {
        let best = bestDesigns(view: view, trials: trials)
        let counts = Dictionary(grouping: trials, by: \.state).mapValues(\.count)
        let finished = trials.filter { $0.finishedAt != nil }
            .sorted { ($0.finishedAt!, $0.number) < ($1.finishedAt!, $1.number) }
        let order = Dictionary(uniqueKeysWithValues: finished.enumerated().map { ($1.number, $0) })
        var metricNames: [String] = []
        for trial in trials {
            for (name, _) in trial.metrics where !metricNames.contains(name) { metricNames.append(name) }
        }
        let directions = metricNames.map { name in
            (name, JSONValue.string((view.objectives.first { $0.metric == name }?.direction
                                     ?? Metric.naturalDirection(name)).rawValue))
        }
        let firstObjective = view.objectives.first?.metric ?? "energy_per_inference_uJ"
        return .object([
            ("study", .object([
                ("name", .string(view.study.name)), ("status", .string(view.study.status.rawValue)),
                ("created", .double(view.study.createdAt)), ("magnet_version", .string(view.study.magnetVersion)),
                ("counts", .object(TrialState.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) })),
            ])),
            ("spec", view.spec),
            ("objectives", .array(view.objectives.map { .object([("metric", .string($0.metric)),
                                                                  ("direction", .string($0.direction.rawValue))]) })),
            ("constraints", .array(view.constraints.map { .string($0.text) })),
            ("parameters", .array(view.parameterNames.map(JSONValue.string))),
            ("metrics", .array(metricNames.map(JSONValue.string))),
            ("directions", .object(directions)),
            ("trials", .array(trials.map { trial in
                .object([
                    ("n", .int(trial.number)), ("state", .string(trial.state.rawValue)),
                    ("order", order[trial.number].map(JSONValue.int) ?? .null),
                    ("params", trial.params),
                    ("metrics", .object(trial.metrics.filter { $0.1.isFinite }.map { ($0.0, .double($0.1)) })),
                    ("note", trial.error.map(JSONValue.string) ?? .null),
                ])
            })),
            ("best", .array(best.map { entry in
                var fields: [(String, JSONValue)] = [
                    ("objective", .string(entry.objective.text)), ("trial", .int(entry.trial.number)),
                ]
                switch entry.layers {
                case .success(let layers):
                    fields.append(("layers", .array(layers.map { layer in
                        .object([
                            ("network", .string(layer.network)), ("layer", .string(layer.layer)),
                            ("count", .int(layer.count)), ("utilization", .double(layer.utilization)),
                            ("energy_by_part_pJ", .object(layer.energyByPartPJ.map { ($0.0, .double($0.1)) })),
                        ])
                    })))
                case .failure(let error):
                    fields.append(("error", .string("\(error)")))
                }
                return .object(fields)
            })),
            ("importance", .object([
                ("objective", .string(firstObjective)),
                ("shares", .array(importance(trials, parameters: view.parameterNames, objective: firstObjective).map {
                    .object([("parameter", .string($0.parameter)), ("share", .double($0.share))])
                })),
            ])),
        ])
    }
}
