import Foundation
import MagnetCore
import MagnetStore
import Testing
@testable import MagnetSweep

@Suite struct StudyReportTests {
    func trial(_ number: Int, p: String, q: Int, energy: Double, state: TrialState = .complete) -> TrialRecord {
        var trial = TrialRecord(number: number, params: .object([("p", .string(p)), ("q", .int(q))]), state: state)
        trial.metrics = [("energy_per_inference_uJ", energy)]
        return trial
    }

    /// η² by hand: log energies 0, 2 for p = a and 4, 6 for p = b (q alternating): mean 3, total
    /// sum of squares 9 + 1 + 1 + 9 = 20; p's groups (means 1 and 5) explain 2·4 + 2·4 = 16,
    /// so 0.8; q's (means 2 and 4) explain 2·1 + 2·1 = 4, so 0.2. Infeasible trials do not count.
    @Test func importanceIsTheShareOfVarianceEachParameterExplains() {
        let trials = [
            trial(1, p: "a", q: 1, energy: exp(0)), trial(2, p: "a", q: 2, energy: exp(2)),
            trial(3, p: "b", q: 1, energy: exp(4)), trial(4, p: "b", q: 2, energy: exp(6)),
            trial(5, p: "a", q: 2, energy: exp(40), state: .infeasible),
        ]
        let shares = StudyReport.importance(trials, parameters: ["q", "p"], objective: "energy_per_inference_uJ")
        #expect(shares.map(\.parameter) == ["p", "q"])
        #expect(abs(shares[0].share - 0.8) < 1e-12 && abs(shares[1].share - 0.2) < 1e-12, "\(shares)")
        #expect(StudyReport.importance(Array(trials.prefix(1)), parameters: ["p"], objective: "energy_per_inference_uJ")
                    .isEmpty)
    }

    /// The report re-evaluates a trial's stored mappings: each layer's parts add up to the
    /// energy the sweep stored for it.
    @Test func layerEnergyAddsUpToTheStoredLayers() throws {
        let spec = try SweepSpec.parse(tinySweep(trials: 3), file: "/tmp/tiny.yaml")
        let store = try newStudy(spec)
        _ = try SweepRunner(spec: spec, store: store, options: .init(slots: 2)).run()
        let view = try StudyView(store: store)
        let trial = try #require(try store.trials(in: [.complete]).first)
        let stored = try store.layerResults(trial: trial.number)
        let layers = try StudyReport.layerEnergy(view: view, trial: trial)
        #expect(layers.count == stored.count && !layers.isEmpty)
        for (layer, record) in zip(layers, stored) {
            let total = layer.energyByPartPJ.reduce(0) { $0 + $1.1 }
            #expect(abs(total - record.energyPJ) <= 1e-9 * record.energyPJ, "\(layer.layer)")
            #expect(layer.energyByPartPJ.first?.0 == "MAC" && layer.count == record.count)
            #expect(abs(layer.utilization - record.utilization) < 1e-12)
        }
    }
}
