import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetStore
import MagnetTuner
import MagnetWorkload

/// What evaluating one design produced, before the study's constraints are applied.
public struct DesignEvaluation: Sendable {
    /// Every metric (empty when the evaluation failed).
    public var metrics: [(String, Double)]
    /// Per network and layer shape.
    public var layers: [LayerResultRecord]
    /// Why the design could not be evaluated (invalid design, a layer with no mapping).
    public var error: String?
    /// The accuracy evaluator's answers the metrics used (empty without one).
    public var accuracyAnswers: [AccuracyAnswerRecord]

    /// Creates an evaluation (a worker's result, as the coordinator receives it).
    public init(metrics: [(String, Double)], layers: [LayerResultRecord], error: String?,
                accuracyAnswers: [AccuracyAnswerRecord] = []) {
        self.metrics = metrics
        self.layers = layers
        self.error = error
        self.accuracyAnswers = accuracyAnswers
    }
}

/// What one trial's evaluation produced, judged against the study's constraints.
public struct TrialOutcome: Sendable {
    /// `complete`, `infeasible` or `failed`.
    public var state: TrialState
    /// Every metric (empty when failed).
    public var metrics: [(String, Double)]
    /// One per constraint of the study.
    public var violations: [Double]
    /// Why it failed, or which constraints it violates.
    public var error: String?
    /// Per network and layer shape.
    public var layers: [LayerResultRecord]
    /// The accuracy evaluator's answers the metrics used, kept in the study file with the trial.
    public var accuracyAnswers: [AccuracyAnswerRecord] = []
}

/// Evaluates designs in an ``EvaluationContext``: elaborates the design, maps every unique layer
/// shape of every network, and computes the metrics. This is what a worker runs; it knows
/// nothing of objectives or constraints.
///
/// The mapper's seed is the study's. With warm starts (the default), each layer's search also
/// starts from the mapping of the nearest design this evaluator evaluated before (re-fitted,
/// ``WarmStart``), so a design's numbers depend on what came before it; with
/// `mapper.warmStart: false` they are reproducible: a design evaluated twice, here or on
/// another machine, gives the same numbers.
public struct DesignEvaluator: Sendable {
    /// The context.
    public let context: EvaluationContext
    let networks: [Network]
    /// Mapper threads per design.
    public var mapperThreads: Int
    /// The designs evaluated last and their mappings (`nil`: no warm starts).
    public let memory: WarmStartMemory?
    /// The layer results of the designs evaluated so far, served again to a layer whose search
    /// would be the same (`nil`: every layer is searched).
    public let cache: LayerSearchCache?
    /// The study's accuracy evaluator (`nil`: none).
    public let accuracy: AccuracyEvaluator?

    /// How many of the nearest designs evaluated before offer their mappings as a layer's warm
    /// start (the best re-fitted one starts the search).
    static let warmStartDesigns = 3

    /// Prepares an evaluator (parses the context's networks). `layerCache` false searches every
    /// layer of every design, even one evaluated before.
    public init(context: EvaluationContext, mapperThreads: Int = 1, layerCache: Bool = true) throws {
        self.context = context
        self.networks = try context.resolveNetworks()
        self.mapperThreads = max(mapperThreads, 1)
        memory = context.mapperWarmStart ?? true ? WarmStartMemory() : nil
        cache = layerCache ? LayerSearchCache() : nil
        accuracy = context.accuracyCommand.map {
            AccuracyEvaluator(command: $0, timeoutSeconds: context.accuracyTimeoutSeconds ?? 600)
        }
    }

    /// Evaluates the design file text `designYAML` as trial `trial`.
    public func evaluate(trial: Int, designYAML: String) -> DesignEvaluation {
        let design: DesignPoint
        let hardware: Hardware
        do {
            design = try DesignFile.parse(designYAML, file: "trial \(trial) design")
            hardware = try design.elaborate()
        } catch {
            return DesignEvaluation(metrics: [], layers: [], error: "invalid design: \(error)")
        }
        let objective = Objective(rawValue: context.mapperObjective) ?? .edp
        let nearest = memory?.nearest(to: design, count: Self.warmStartDesigns) ?? []
        let method = MappingMethod.sampled(budget: context.mapperBudget, seconds: context.mapperSeconds,
                                           convergence: context.mapperStopAfter, threads: mapperThreads,
                                           seed: context.seed)
        let mappings: [NetworkMapping]
        do {
            mappings = try NetworkMapping.map(networks: networks, design: design, hardware: hardware,
                                              objective: objective, method: method, start: { _, layer, space in
                let seeds = nearest.compactMap { entry in
                    entry.mappings[layer.mappingKey].map { (mapping: $0, hardware: entry.hardware) }
                }
                return WarmStart.best(of: seeds, to: space, objective: objective)
            }, cache: cache)
        } catch {
            return DesignEvaluation(metrics: [], layers: [], error: "\(error)")
        }
        var found: [LayerShapeKey: Mapping] = [:]
        for mapping in mappings {
            for result in mapping.layers { found[result.layer.mappingKey] = result.mapping }
        }
        let layers = mappings.flatMap { Self.layerRecords(of: $0, trial: trial) }
        memory?.record(.init(design: design, hardware: hardware, mappings: found))
        var metrics = DesignEvaluator.metrics(mappings, weights: context.networks.map(\.weight), design: design,
                                              hardware: hardware, perNetwork: networks.count > 1)
        var answers: [AccuracyAnswerRecord] = []
        if let accuracy {
            switch accuracyMetrics(accuracy, design: design, hardware: hardware) {
            case .success(let (values, used)):
                metrics += values
                answers = used
            case .failure(let failure): return DesignEvaluation(metrics: [], layers: [], error: failure.description)
            }
        }
        return DesignEvaluation(metrics: metrics, layers: layers, error: nil, accuracyAnswers: answers)
    }

    /// The accuracy metrics of `design` (docs/accuracy.md): per network, the evaluator's answer
    /// for the design's formats and for the widest (int16), and any other numbers it answered;
    /// with the answers used.
    func accuracyMetrics(_ accuracy: AccuracyEvaluator, design: DesignPoint, hardware: Hardware)
        -> Result<(metrics: [(String, Double)], answers: [AccuracyAnswerRecord]), AccuracyEvaluator.Failure> {
        let parameters = (try? DesignReport(point: design, hardware: hardware).parametersJSON) ?? .null
        let weights = context.networks.map(\.weight), totalWeight = weights.reduce(0, +)
        var accuracyMean = 0.0, dropMean = 0.0
        var perNetwork: [(String, Double)] = []
        var used: [AccuracyAnswerRecord] = []
        for (network, weight) in zip(networks, weights) {
            func ask(_ formats: (String) -> OperandFormats) -> Result<AccuracyEvaluator.Answer,
                                                                     AccuracyEvaluator.Failure> {
                let layers: JSONValue = .array(network.layers.map { layer in
                    let layerFormats = formats(layer.name)
                    return .object([("name", .string(layer.name)), ("weights", .string(layerFormats.weights.rawValue)),
                                    ("inputs", .string(layerFormats.inputs.rawValue)),
                                    ("outputs", .string(layerFormats.outputs.rawValue))])
                })
                let request: JSONValue = .object([("network", .string(network.name)), ("design", parameters),
                                                  ("layers", layers)])
                let key = JSONValue.object([("network", .string(network.name)), ("layers", layers)])
                    .rendered(pretty: false)
                let result = accuracy.evaluate(request, key: key)
                if case .success(let answer) = result {
                    used.append(AccuracyAnswerRecord(key: key, network: network.name, accuracy: answer.accuracy,
                                                     extra: answer.extra))
                }
                return result
            }
            let answer: AccuracyEvaluator.Answer, reference: AccuracyEvaluator.Answer
            let widest = OperandFormats(weights: .int16, inputs: .int16, outputs: .int16)
            switch (ask(design.formats(ofLayer:)), ask { _ in widest }) {
            case (.success(let a), .success(let r)): (answer, reference) = (a, r)
            case (.failure(let failure), _), (_, .failure(let failure)): return .failure(failure)
            }
            let drop = reference.accuracy - answer.accuracy
            accuracyMean += weight * answer.accuracy / totalWeight
            dropMean += weight * drop / totalWeight
            let prefix = networks.count > 1 ? "\(network.name)." : ""
            if !prefix.isEmpty {
                perNetwork += [(prefix + "accuracy", answer.accuracy), (prefix + "accuracy_drop", drop)]
            }
            perNetwork += answer.extra.sorted { $0.key < $1.key }.map { (prefix + "accuracy_" + $0.key, $0.value) }
        }
        return .success(([("accuracy", accuracyMean), ("accuracy_drop", dropMean)] + perNetwork, used))
    }

    /// What the study file keeps of each layer shape of `mapping` for trial `trial`.
    static func layerRecords(of mapping: NetworkMapping, trial: Int) -> [LayerResultRecord] {
        mapping.layers.map { result in
            LayerResultRecord(
                trial: trial, network: mapping.network.name, layer: result.layer.name,
                count: result.layerNames.count, layerNames: result.layerNames.joined(separator: ","),
                energyPJ: result.evaluation.energyPJ, cycles: result.evaluation.cycles,
                utilization: result.evaluation.utilization,
                mappingYAML: MappingWriter.yaml(result.mapping, hardware: mapping.hardware,
                                                problem: result.layer.problem))
        }
    }

    /// The metrics the design alone gives (``Metric/designOnly``).
    static func designMetrics(design: DesignPoint, hardware: Hardware) -> [(String, Double)] {
        [("area_mm2", hardware.areaUM2 / 1e6), ("peak_tops", design.peakTOPS)]
    }

    /// The study metrics of a design's network mappings (docs/sweeps.md gives the equations).
    static func metrics(_ mappings: [NetworkMapping], weights: [Double], design: DesignPoint, hardware: Hardware,
                        perNetwork: Bool) -> [(String, Double)] {
        let totalWeight = weights.reduce(0, +)
        func mean(_ value: (NetworkMapping) -> Double) -> Double {
            zip(mappings, weights).reduce(0) { $0 + value($1.0) * $1.1 } / totalWeight
        }
        let areaMM2 = hardware.areaUM2 / 1e6
        let macUnits = Double(hardware.compute.instances)
        func derived(energyPJ: Double, cycles: Double, macs: Double) -> [(String, Double)] {
            let latencyMS = cycles / (design.clockGHz * 1e6)
            let energyUJ = energyPJ / 1e6
            let rate = 1000 / latencyMS
            let ops = 2 * macs
            return [
                ("energy_per_inference_uJ", energyUJ),
                ("latency_ms", latencyMS),
                ("edp", energyUJ * latencyMS),
                ("inferences_per_s", rate),
                ("power_w", energyPJ * 1e-12 * rate),
                ("fj_per_op", energyPJ * 1000 / ops),
                ("tops_per_w", ops / (energyPJ * 1e-12) / 1e12),
                ("tops_per_mm2", ops * rate / 1e12 / areaMM2),
                ("utilization", macs / (macUnits * cycles)),
                ("cycles", cycles),
            ]
        }
        let energy = mean { $0.energyPJ }, cycles = mean { Double($0.cycles) }, macs = mean { Double($0.macs) }
        var all = derived(energyPJ: energy, cycles: cycles, macs: macs)
        all += designMetrics(design: design, hardware: hardware) + [("macs", macs)]
        var ordered = Metric.names.compactMap { name in all.first { $0.0 == name } }
        if perNetwork {
            for mapping in mappings {
                let own = derived(energyPJ: mapping.energyPJ, cycles: Double(mapping.cycles), macs: Double(mapping.macs))
                ordered += Metric.perNetwork.compactMap { name in own.first { $0.0 == name }.map { ("\(mapping.network.name).\(name)", $0.1) } }
            }
        }
        return ordered
    }
}

extension SweepSpec {
    /// Applies the study's constraints to an evaluation: complete, infeasible (with the
    /// violated constraints named) or failed.
    public func judge(_ evaluation: DesignEvaluation) -> TrialOutcome {
        if let error = evaluation.error {
            return TrialOutcome(state: .failed, metrics: [], violations: constraints.map { _ in .infinity }, error: error, layers: [])
        }
        let (violations, message) = violations(of: evaluation.metrics)
        return TrialOutcome(state: message == nil ? .complete : .infeasible, metrics: evaluation.metrics,
                            violations: violations, error: message, layers: evaluation.layers,
                            accuracyAnswers: evaluation.accuracyAnswers)
    }

    /// The trial's outcome before any mapping: infeasible, with the design's own metrics
    /// (``Metric/designOnly``), when the design breaks a constraint on one of them; `nil` when
    /// it must be mapped (it meets them, the study maps infeasible designs, or the design does
    /// not elaborate, which its evaluation reports). Constraints on mapped metrics count as met.
    public func prejudge(trial: Int, values: [Parameter.Value]) -> TrialOutcome? {
        guard !mapper.mapInfeasible, constraints.contains(where: { Metric.designOnly.contains($0.metric) }),
              let design = try? DesignFile.parse(designYAML(trial: trial, values: values), file: "trial \(trial) design"),
              let hardware = try? design.elaborate() else { return nil }
        let metrics = DesignEvaluator.designMetrics(design: design, hardware: hardware)
        let (violations, message) = violations(of: metrics)
        guard let message else { return nil }
        return TrialOutcome(state: .infeasible, metrics: metrics, violations: violations,
                            error: message + "; not mapped (mapper.mapInfeasible maps such designs)", layers: [])
    }

    /// Each constraint's violation by `metrics` (a constraint on a metric they lack counts as
    /// met: 0), and the message naming the broken ones (`nil`: none).
    func violations(of metrics: [(String, Double)]) -> (violations: [Double], message: String?) {
        func value(_ name: String) -> Double? { metrics.first { $0.0 == name }?.1 }
        let violations = constraints.map { constraint in value(constraint.metric).map(constraint.violation) ?? 0 }
        let broken = zip(constraints, violations).filter { $0.1 > 0 }.map(\.0)
        let message = broken.isEmpty ? nil : "violates " + broken.map { constraint in
            "\(constraint.text) (is \(String(format: "%.4g", value(constraint.metric) ?? .nan)))"
        }.joined(separator: ", ")
        return (violations, message)
    }
}

/// Evaluates a study's trials in this process: the design of a point, evaluated and judged.
public struct TrialEvaluator: Sendable {
    /// The study's spec.
    public let spec: SweepSpec
    let evaluator: DesignEvaluator

    /// Creates an evaluator (reads the spec's network files); `layerCache` as for
    /// ``DesignEvaluator``.
    public init(spec: SweepSpec, mapperThreads: Int = 1, layerCache: Bool = true) throws {
        self.spec = spec
        self.evaluator = try DesignEvaluator(context: spec.evaluationContext(), mapperThreads: mapperThreads,
                                             layerCache: layerCache)
    }

    /// Takes the study file's accuracy answers as known (``AccuracyEvaluator/remember(_:)``).
    public func remember(_ answers: [AccuracyAnswerRecord]) {
        evaluator.accuracy?.remember(answers)
    }

    /// Evaluates the point `values` as trial `trial`.
    public func evaluate(trial: Int, values: [Parameter.Value]) -> TrialOutcome {
        spec.judge(evaluator.evaluate(trial: trial, designYAML: spec.designYAML(trial: trial, values: values)))
    }
}
