import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetMapper

/// The flip-flops' clock energy (``Hardware/clockPJPerCycle``) and the logic's leakage
/// (``Hardware/logicLeakagePJPerCycle``) are paid every cycle of a layer, whatever the mapping:
/// the evaluation reports them apart and its total and the search's summary include them.
@Suite struct ClockEnergyTests {
    @Test func everyCycleIsClocked() throws {
        let space = try simbaLikeSpace(layer: "layer2.0.conv2")
        #expect(space.hardware.clockPJPerCycle > 0 && space.hardware.logicLeakagePJPerCycle > 0)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var unclocked = space.hardware
        unclocked.clockPJPerCycle = 0
        unclocked.logicLeakagePJPerCycle = 0
        var without = Evaluator(CostModel(hardware: unclocked, problem: space.problem))
        let sampler = CandidateSampler(space: space)
        var generator = SeededGenerator(seed: 7)
        var checked = 0
        for _ in 0..<200 where checked < 20 {
            guard let candidate = sampler.filled(using: &generator, evaluator: &evaluator) else { continue }
            let mapping = candidate.mapping()
            let evaluation = evaluator.evaluate(mapping), summary = evaluator.summary(mapping)
            let plain = without.evaluate(mapping)
            #expect(evaluation.clockEnergyPJ == space.hardware.clockPJPerCycle * Double(evaluation.cycles))
            #expect(evaluation.logicLeakageEnergyPJ
                    == space.hardware.logicLeakagePJPerCycle * Double(evaluation.cycles))
            #expect(plain.clockEnergyPJ == 0 && plain.logicLeakageEnergyPJ == 0 && plain.cycles == evaluation.cycles)
            #expect(close(evaluation.leakageEnergyPJ, plain.leakageEnergyPJ + evaluation.logicLeakageEnergyPJ))
            #expect(close(evaluation.energyPJ,
                          plain.energyPJ + evaluation.clockEnergyPJ + evaluation.logicLeakageEnergyPJ))
            #expect(close(summary.energyPJ, evaluation.energyPJ))
            checked += 1
        }
        #expect(checked == 20)
    }

    /// The read-out requantizes each output once, whatever the mapping: layer2.0.conv2's 128 × 28 × 28
    /// outputs at ``Hardware/postProcessingPJPerOutput`` each, in the evaluation, its total and the
    /// search's summary, and in no run-length term.
    @Test func everyOutputIsRequantizedOnce() throws {
        let space = try simbaLikeSpace(layer: "layer2.0.conv2")
        let problem = space.problem
        #expect(problem.bound("K") * problem.bound("P") * problem.bound("Q") * problem.bound("N") == 100_352)
        let perOutputPJ = space.hardware.postProcessingPJPerOutput
        #expect(perOutputPJ > 0)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: problem))
        var plainHardware = space.hardware
        plainHardware.postProcessingPJPerOutput = 0
        var without = Evaluator(CostModel(hardware: plainHardware, problem: problem))
        let sampler = CandidateSampler(space: space)
        var generator = SeededGenerator(seed: 11)
        var checked = 0
        for _ in 0..<200 where checked < 10 {
            guard let candidate = sampler.filled(using: &generator, evaluator: &evaluator) else { continue }
            let mapping = candidate.mapping()
            let evaluation = evaluator.evaluate(mapping), plain = without.evaluate(mapping)
            #expect(close(evaluation.postProcessingEnergyPJ, 100_352 * perOutputPJ))
            #expect(plain.postProcessingEnergyPJ == 0 && plain.cycles == evaluation.cycles)
            #expect(close(evaluation.energyPJ, plain.energyPJ + 100_352 * perOutputPJ))
            #expect(close(evaluator.summary(mapping).energyPJ, evaluation.energyPJ))
            #expect(close(evaluation.energyPJ(over: 2 * evaluation.cycles) - plain.energyPJ(over: 2 * plain.cycles),
                          100_352 * perOutputPJ))
            #expect(evaluation.logicParts.map(\.name) == ["Clock", "LogicLeakage", "Requantizer"])
            checked += 1
        }
        #expect(checked == 10)
    }

    /// A run stretched to more cycles (the generated controller's, docs/rtl.md "One map space")
    /// pays leakage and clocking for as long, the same dynamic energy: twice the cycles add
    /// exactly the clock energy and the leakage once more, the evaluation's own cycles nothing.
    @Test func energyOverALongerRunAddsLeakageAndClock() throws {
        let space = try simbaLikeSpace(layer: "layer2.0.conv2")
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        let sampler = CandidateSampler(space: space)
        var generator = SeededGenerator(seed: 3)
        var checked = 0
        for _ in 0..<200 where checked < 5 {
            guard let candidate = sampler.filled(using: &generator, evaluator: &evaluator) else { continue }
            let evaluation = evaluator.evaluate(candidate.mapping())
            let perRun = evaluation.clockEnergyPJ + evaluation.leakageEnergyPJ
            #expect(perRun > 0)
            #expect(close(evaluation.energyPJ(over: evaluation.cycles), evaluation.energyPJ))
            #expect(close(evaluation.energyPJ(over: 2 * evaluation.cycles), evaluation.energyPJ + perRun))
            #expect(close(evaluation.energyPJ(over: 3 * evaluation.cycles) - evaluation.energyWithoutLeakagePJ,
                          3 * perRun))
            checked += 1
        }
        #expect(checked == 5)
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * abs(b) }
}
