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
        let mappings = filledMappings(of: space, evaluator: &evaluator, seed: 7, count: 20)
        #expect(mappings.count == 20)
        for mapping in mappings {
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
        }
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
        let mappings = filledMappings(of: space, evaluator: &evaluator, seed: 11, count: 10)
        #expect(mappings.count == 10)
        for mapping in mappings {
            let evaluation = evaluator.evaluate(mapping), plain = without.evaluate(mapping)
            #expect(close(evaluation.postProcessingEnergyPJ, 100_352 * perOutputPJ))
            #expect(plain.postProcessingEnergyPJ == 0 && plain.cycles == evaluation.cycles)
            #expect(close(evaluation.energyPJ, plain.energyPJ + 100_352 * perOutputPJ))
            #expect(close(evaluator.summary(mapping).energyPJ, evaluation.energyPJ))
            #expect(close(evaluation.energyPJ(over: 2 * evaluation.cycles) - plain.energyPJ(over: 2 * plain.cycles),
                          100_352 * perOutputPJ))
            #expect(evaluation.logicParts.map(\.name) == ["Clock", "LogicLeakage", "Requantizer"])
        }
    }

    /// A run stretched to more cycles (the generated controller's, docs/rtl.md "One map space")
    /// pays leakage and clocking for as long, the same dynamic energy: twice the cycles add
    /// exactly the clock energy and the leakage once more, the evaluation's own cycles nothing.
    @Test func energyOverALongerRunAddsLeakageAndClock() throws {
        let space = try simbaLikeSpace(layer: "layer2.0.conv2")
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        let mappings = filledMappings(of: space, evaluator: &evaluator, seed: 3, count: 5)
        #expect(mappings.count == 5)
        for mapping in mappings {
            let evaluation = evaluator.evaluate(mapping)
            let perRun = evaluation.clockEnergyPJ + evaluation.leakageEnergyPJ
            #expect(perRun > 0)
            #expect(close(evaluation.energyPJ(over: evaluation.cycles), evaluation.energyPJ))
            #expect(close(evaluation.energyPJ(over: 2 * evaluation.cycles), evaluation.energyPJ + perRun))
            #expect(close(evaluation.energyPJ(over: 3 * evaluation.cycles) - evaluation.energyWithoutLeakagePJ,
                          3 * perRun))
        }
    }

    /// The first `count` mappings the filled starting points give with `seed` (of 200 draws).
    func filledMappings(of space: MapSpace, evaluator: inout Evaluator, seed: UInt64, count: Int) -> [Mapping] {
        let sampler = CandidateSampler(space: space)
        var generator = SeededGenerator(seed: seed)
        var mappings: [Mapping] = []
        for _ in 0..<200 where mappings.count < count {
            if let candidate = sampler.filled(using: &generator, evaluator: &evaluator) {
                mappings.append(candidate.mapping())
            }
        }
        return mappings
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * abs(b) }
}
