import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetStore
import MagnetTuner
import MagnetWorkload

/// What one trial's evaluation produced.
public struct TrialOutcome: Sendable {
    /// `complete`, `infeasible` or `failed`.
    public var state: TrialState
    /// Every metric (empty when failed).
    public var metrics: [(String, Double)]
    /// One per constraint of the study.
    public var violations: [Double]
    /// Why it failed, or which constraints it violates.
    public var error: String?
    /// Per network and layer shape (the trial number is filled in).
    public var layers: [LayerResultRecord]
}

/// Evaluates design points for a study: elaborates the design, maps every unique layer shape of
/// every network with the mapper, and turns the result into the study's metrics.
///
/// Evaluation is deterministic: the mapper's seed comes from the study's seed, not the trial, so
/// a design evaluated twice gives the same numbers.
public struct TrialEvaluator: Sendable {
    /// The study's spec.
    public let spec: SweepSpec
    /// Mapper threads per trial.
    public var mapperThreads: Int

    /// Creates an evaluator.
    public init(spec: SweepSpec, mapperThreads: Int = 1) {
        self.spec = spec
        self.mapperThreads = mapperThreads
    }

    /// Evaluates the point `values` as trial `trial`.
    public func evaluate(trial: Int, values: [Parameter.Value]) -> TrialOutcome {
        let yaml = spec.designYAML(trial: trial, values: values)
        let design: DesignPoint
        let hardware: Hardware
        do {
            design = try DesignFile.parse(yaml, file: "trial \(trial) design")
            hardware = try design.elaborate()
        } catch {
            return failure("invalid design: \(error)")
        }
        var mappings: [NetworkMapping] = []
        var layers: [LayerResultRecord] = []
        for target in spec.networks {
            do {
                let mapping = try NetworkMapping.map(network: target.network, design: design, hardware: hardware,
                                                     objective: spec.mapper.objective, budget: spec.mapper.budget,
                                                     seconds: spec.mapper.seconds, threads: mapperThreads, seed: spec.seed)
                mappings.append(mapping)
                for result in mapping.layers {
                    layers.append(LayerResultRecord(
                        trial: trial, network: target.network.name, layer: result.layer.name, count: result.layerNames.count,
                        layerNames: result.layerNames.joined(separator: ","), energyPJ: result.evaluation.energyPJ,
                        cycles: result.evaluation.cycles, utilization: result.evaluation.utilization,
                        mappingYAML: MappingWriter.yaml(result.mapping, hardware: hardware, problem: result.layer.problem)))
                }
            } catch {
                return failure("network \(target.network.name): \(error)")
            }
        }
        let metrics = TrialEvaluator.metrics(mappings, weights: spec.networks.map(\.weight), design: design, hardware: hardware,
                                             perNetwork: spec.networks.count > 1)
        let violations = spec.constraints.map { constraint in
            constraint.violation(metrics.first { $0.0 == constraint.metric }?.1 ?? .infinity)
        }
        let broken = zip(spec.constraints, violations).filter { $0.1 > 0 }.map(\.0)
        let message = broken.isEmpty ? nil : "violates " + broken.map { constraint in
            let value = metrics.first { $0.0 == constraint.metric }?.1 ?? .nan
            return "\(constraint.text) (is \(TrialEvaluator.format(value)))"
        }.joined(separator: ", ")
        return TrialOutcome(state: broken.isEmpty ? .complete : .infeasible, metrics: metrics, violations: violations,
                            error: message, layers: layers)
    }

    func failure(_ message: String) -> TrialOutcome {
        TrialOutcome(state: .failed, metrics: [], violations: spec.constraints.map { _ in .infinity }, error: message, layers: [])
    }

    static func format(_ value: Double) -> String { String(format: "%.4g", value) }

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
        all.insert(("area_mm2", areaMM2), at: 2)
        all += [("peak_tops", design.peakTOPS), ("macs", macs)]
        // Keep the catalogue's order.
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
