import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload
import MagnetStore
import MagnetTuner
import Testing
@testable import MagnetSweep

func temporaryDirectory() -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-sweep-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

func newStudy(_ spec: SweepSpec) throws -> StudyStore {
    try StudyStore.create(path: temporaryDirectory().appendingPathComponent("study.db").path,
                          study: StudyRecord(name: spec.study, specJSON: spec.canonicalJSON.rendered(pretty: false),
                                             seed: spec.seed, magnetVersion: "test"))
}

/// The tiny sweep with an area bound that splits its eight designs four and four (0.152 –
/// 0.164 mm² against 0.244 – 0.267 mm² today).
func splitSweep(trials: Int) -> String {
    tinySweep(trials: trials).replacingOccurrences(of: "area_mm2 <= 0.4", with: "area_mm2 <= 0.2")
}

@Suite struct SweepRunnerTests {
    @Test func runsResumesAndExhaustsWithoutRepeating() throws {
        let spec = try SweepSpec.parse(splitSweep(trials: 5), file: "/tmp/tiny.yaml")
        let store = try newStudy(spec)
        let first = try SweepRunner(spec: spec, store: store, options: .init(slots: 2)).run()
        #expect(first.finished == 5 && first.reason == .budget)
        #expect(try store.study().status == .finished)
        // Extending the budget continues from the store.
        let second = try SweepRunner(spec: spec, store: store, options: .init(slots: 2, trials: 7)).run()
        #expect(second.finishedThisRun == 2 && second.finished == 7)
        // Beyond the space's 8 points the run stops when no unseen point is left.
        let third = try SweepRunner(spec: spec, store: store, options: .init(slots: 2, trials: 20)).run()
        #expect(third.finished == 8 && third.reason == .exhausted)
        let trials = try store.trials()
        #expect(trials.count == 8)
        #expect(Set(trials.map(\.paramsHash)).count == 8)
        #expect(trials.allSatisfy { $0.state.isFinished })
        // The constraint splits the space: small designs are complete, big ones infeasible.
        for trial in trials where trial.state != .failed {
            let area = try #require(trial.metric("area_mm2"))
            #expect((trial.state == .complete) == (area <= 0.2), "trial \(trial.number) area \(area)")
            #expect(trial.violations.count == 1)
            #expect(abs(trial.violations[0] - (area - 0.2) / 0.2) < 1e-12)
        }
        // Each complete trial stored one row per unique layer shape of tiny-cnn; the infeasible
        // ones broke the area bound, known before mapping, and were recorded unmapped.
        #expect(trials.contains { $0.state == .complete } && trials.contains { $0.state == .infeasible })
        for trial in trials where trial.state != .failed {
            let layers = try store.layerResults(trial: trial.number)
            if trial.state == .complete {
                #expect(layers.count == 5, "trial \(trial.number)")
                #expect(layers.reduce(0) { $0 + $1.count } == 6)  // pw is repeated twice
                #expect(layers.allSatisfy { $0.mappingYAML.hasPrefix("mapping:") })
            } else {
                #expect(layers.isEmpty, "trial \(trial.number)")
                #expect(trial.metric("energy_per_inference_uJ") == nil && trial.metric("peak_tops") != nil)
                #expect(trial.error?.hasSuffix("not mapped (mapper.mapInfeasible maps such designs)") == true)
            }
        }
    }

    /// With `mapper.mapInfeasible`, designs over the area bound are mapped too: the same
    /// designs come out infeasible, now with their layers and every metric, and with the same
    /// violations as without it, where they are recorded unmapped.
    @Test func infeasibleDesignsAreMappedOnlyWhenAsked() throws {
        let text = splitSweep(trials: 8).replacingOccurrences(of: "mapper: {budget: 150}",
                                                              with: "mapper: {budget: 150, mapInfeasible: true}")
        let spec = try SweepSpec.parse(text, file: "/tmp/tiny.yaml")
        #expect(spec.mapper.mapInfeasible)
        let store = try newStudy(spec)
        _ = try SweepRunner(spec: spec, store: store, options: .init(slots: 2)).run()
        let trials = try store.trials()
        let infeasible = trials.filter { $0.state == .infeasible }
        #expect(!infeasible.isEmpty)
        for trial in infeasible {
            #expect(try store.layerResults(trial: trial.number).count == 5, "trial \(trial.number)")
            #expect(trial.metric("energy_per_inference_uJ") != nil)
            #expect(trial.error?.contains("not mapped") == false)
        }
        // The same eight points without it: the same verdicts, the same violations.
        let unmappedSpec = try SweepSpec.parse(splitSweep(trials: 8), file: "/tmp/tiny.yaml")
        let unmappedStore = try newStudy(unmappedSpec)
        _ = try SweepRunner(spec: unmappedSpec, store: unmappedStore, options: .init(slots: 2)).run()
        let byParams = Dictionary(uniqueKeysWithValues: try unmappedStore.trials().map { ($0.paramsHash, $0) })
        for trial in trials {
            let other = try #require(byParams[trial.paramsHash])
            #expect(other.state == trial.state && other.violations == trial.violations, "\(trial.params)")
        }
        #expect(spec.canonicalJSON != unmappedSpec.canonicalJSON)
    }

    @Test func anInterruptedRunHandsItsTrialsBackAndTheNextRunFinishesThem() throws {
        let spec = try SweepSpec.parse(tinySweep(trials: 6), file: "/tmp/tiny.yaml")
        let store = try newStudy(spec)
        // Stop as soon as the runner checks, with trials in flight.
        let checks = Counter()
        let stopped = try SweepRunner(spec: spec, store: store, options: .init(slots: 2)).run { checks.increment() > 1 }
        #expect(stopped.reason == .interrupted)
        #expect(try store.counts()[.running] == 0)
        let queued = try store.trials(in: [.queued])
        #expect(!queued.isEmpty)
        #expect(try store.study().status == .stopped)
        let resumed = try SweepRunner(spec: spec, store: store, options: .init(slots: 2)).run()
        #expect(resumed.requeued == 0)  // the stop already handed them back
        #expect(resumed.finished == 6)
        let trials = try store.trials()
        #expect(trials.count == 6)
        #expect(Set(trials.map(\.paramsHash)).count == 6)
        // The handed-back trials kept their numbers and ran again as attempt 2.
        for trial in queued {
            let rerun = try #require(try store.trial(trial.number))
            #expect(rerun.state.isFinished)
            #expect(rerun.attempt == 2)
        }
    }

    /// `mapper.stopAfter` reaches every layer's search: a trial's energy and cycles are those of
    /// the network mapped with that convergence, and they are not those of the full budget.
    @Test func stopAfterEndsEachLayersSearchEarly() throws {
        let values: [Parameter.Value] = [.double(4), .double(4), .string("OS")]
        func evaluate(_ mapper: String) throws -> [String: Double] {
            let text = tinySweep().replacingOccurrences(of: "mapper: {budget: 150}", with: mapper)
            let spec = try SweepSpec.parse(text, file: "/tmp/tiny.yaml")
            let outcome = try TrialEvaluator(spec: spec).evaluate(trial: 1, values: values)
            return Dictionary(uniqueKeysWithValues: outcome.metrics)
        }
        let spec = try SweepSpec.parse(tinySweep(), file: "/tmp/tiny.yaml")
        let design = try DesignFile.parse(spec.designYAML(trial: 1, values: values), file: "trial 1")
        let network = try NetworkFile.resolve(tinyNetwork)
        let stopped = try NetworkMapping.map(network: network, design: design, hardware: try design.elaborate(),
                                             convergence: 5, budget: 3000, seed: spec.seed)
        let early = try evaluate("mapper: {budget: 3000, stopAfter: 5, warmStart: false}")
        #expect(early["energy_per_inference_uJ"] == stopped.energyPJ / 1e6)
        #expect(early["cycles"] == Double(stopped.cycles))
        let full = try evaluate("mapper: {budget: 3000, warmStart: false}")
        #expect(full["energy_per_inference_uJ"] != early["energy_per_inference_uJ"]
                || full["cycles"] != early["cycles"])
    }

    @Test func metricsFollowTheirDefinitions() throws {
        let spec = try SweepSpec.parse(tinySweep(), file: "/tmp/tiny.yaml")
        let outcome = try TrialEvaluator(spec: spec).evaluate(trial: 1, values: [.double(4), .double(2), .string("WS")])
        #expect(outcome.state == .complete || outcome.state == .infeasible)
        let m = Dictionary(uniqueKeysWithValues: outcome.metrics)
        let energyUJ = try #require(m["energy_per_inference_uJ"]), latencyMS = try #require(m["latency_ms"])
        // Latency: cycles at the base design's 2 GHz: ms = cycles / (2·10⁹) · 10³.
        #expect(abs(latencyMS - m["cycles"]! / 2e6) < 1e-12)
        #expect(abs(m["edp"]! - energyUJ * latencyMS) < 1e-9 * m["edp"]!)
        #expect(abs(m["inferences_per_s"]! - 1000 / latencyMS) < 1e-9 * m["inferences_per_s"]!)
        // W = J/inference × inferences/s.
        #expect(abs(m["power_w"]! - energyUJ * 1e-6 * m["inferences_per_s"]!) < 1e-9 * m["power_w"]!)
        // 1 TOPS/W is 1 pJ per op, so TOPS/W = 1000 / (fJ per op).
        #expect(abs(m["tops_per_w"]! - 1000 / m["fj_per_op"]!) < 1e-9 * m["tops_per_w"]!)
        // fJ/op = energy / (2 · MACs): tiny-cnn's MACs are in the metrics.
        #expect(abs(m["fj_per_op"]! - energyUJ * 1e9 / (2 * m["macs"]!)) < 1e-9 * m["fj_per_op"]!)
        // 4 PEs × 2 lanes × 8-wide vectors = 64 MACs at 2 GHz: peak 0.256 TOPS.
        #expect(abs(m["peak_tops"]! - 64 * 2 * 2 / 1000) < 1e-12)
        #expect(abs(m["utilization"]! - m["macs"]! / (64 * m["cycles"]!)) < 1e-12)
        #expect(abs(m["tops_per_mm2"]! - 2 * m["macs"]! * m["inferences_per_s"]! / 1e12 / m["area_mm2"]!) < 1e-9 * m["tops_per_mm2"]!)
        // The mapper's seed is the study's: the same design evaluates identically.
        let again = try TrialEvaluator(spec: spec).evaluate(trial: 9, values: [.double(4), .double(2), .string("WS")])
        #expect(again.metrics.map(\.1) == outcome.metrics.map(\.1))
    }

    /// With warm starts (the default) a design evaluated again starts each layer from its own
    /// mapping: no layer gets worse. With `mapper.warmStart: false` it evaluates identically.
    @Test func warmStartsNeverWorsenAndCanBeTurnedOff() throws {
        let values: [Parameter.Value] = [.double(4), .double(4), .string("OS")]
        func edps(_ outcome: TrialOutcome) -> [Double] { outcome.layers.map { $0.energyPJ * Double($0.cycles) } }
        // Without the layer cache, which would serve the second evaluation the first's results.
        let warm = try TrialEvaluator(spec: SweepSpec.parse(tinySweep(), file: "/tmp/tiny.yaml"), layerCache: false)
        let first = warm.evaluate(trial: 1, values: values), second = warm.evaluate(trial: 2, values: values)
        #expect(first.layers.count == second.layers.count && !first.layers.isEmpty)
        for (before, after) in zip(edps(first), edps(second)) { #expect(after <= before * (1 + 1e-12)) }
        let coldText = tinySweep().replacingOccurrences(of: "mapper: {budget: 150}",
                                                        with: "mapper: {budget: 150, warmStart: false}")
        let coldSpec = try SweepSpec.parse(coldText, file: "/tmp/tiny.yaml")
        #expect(!coldSpec.mapper.warmStart)
        let cold = try TrialEvaluator(spec: coldSpec)
        let a = cold.evaluate(trial: 1, values: values), b = cold.evaluate(trial: 2, values: values)
        #expect(edps(a) == edps(b) && a.metrics.map(\.1) == b.metrics.map(\.1))
        // The setting is part of the study's spec only when off (studies begun before it resume).
        let warmJSON = try SweepSpec.parse(tinySweep(), file: "/tmp/tiny.yaml").canonicalJSON.rendered(pretty: false)
        #expect(!warmJSON.contains("warmStart"))
        #expect(coldSpec.canonicalJSON.rendered(pretty: false).contains("\"warmStart\":false"))
    }

    /// A design evaluated again is served from the layer cache: the same figures as its first
    /// evaluation and as a fresh evaluator's; another design is searched.
    @Test func aDesignEvaluatedAgainIsServedFromTheLayerCache() throws {
        let text = tinySweep().replacingOccurrences(of: "mapper: {budget: 150}",
                                                    with: "mapper: {budget: 150, warmStart: false}")
        let spec = try SweepSpec.parse(text, file: "/tmp/tiny.yaml")
        let values: [Parameter.Value] = [.double(4), .double(2), .string("WS")]
        let cached = try TrialEvaluator(spec: spec)
        let first = cached.evaluate(trial: 1, values: values)
        let shapes = first.layers.count
        #expect(shapes > 0 && cached.evaluator.cache?.lookups.misses == shapes)
        let second = cached.evaluate(trial: 2, values: values)
        #expect(cached.evaluator.cache?.lookups.hits == shapes)
        let fresh = try TrialEvaluator(spec: spec, layerCache: false).evaluate(trial: 3, values: values)
        for outcome in [second, fresh] {
            #expect(outcome.metrics.map(\.1) == first.metrics.map(\.1))
            #expect(outcome.layers.map(\.mappingYAML) == first.layers.map(\.mappingYAML))
        }
        _ = cached.evaluate(trial: 4, values: [.double(4), .double(4), .string("WS")])
        #expect(cached.evaluator.cache?.lookups.hits == shapes && cached.evaluator.cache?.lookups.misses == 2 * shapes)
    }

    @Test func anInvalidDesignFailsWithTheReason() throws {
        // An 8-byte weight buffer is smaller than one 8-wide int8 weight vector per lane: invalid.
        let text = tinySweep().replacingOccurrences(of: "  dataflow: [WS, OS]", with: "  dataflow: [WS, OS]\n  weightBuffer: [8, 16]")
        let spec = try SweepSpec.parse(text, file: "/tmp/tiny.yaml")
        let outcome = try TrialEvaluator(spec: spec).evaluate(trial: 1, values: [.double(2), .double(2), .string("WS"), .double(8)])
        #expect(outcome.state == .failed)
        #expect(outcome.error?.contains("invalid design") == true, "\(outcome.error ?? "")")
        #expect(outcome.metrics.isEmpty)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
