import Testing
@testable import MagnetMapper

/// The closed form agrees with the reference nest walk on every field.
@Suite struct AnalyticalModelTests {
    @Test(arguments: TimeloopFixtureTests.cases)
    func fixtureMappingsAgree(name: String) throws {
        let input = try TimeloopFixtureTests.load(name)
        for halo in CostModel.HaloReuse.allCases {
            let model = CostModel(hardware: input.hardware, problem: input.problem, haloReuse: halo)
            let walked = model.evaluateByNestWalk(input.mapping)
            #expect(model.evaluate(input.mapping) == walked, "\(name) \(halo)")
            var evaluator = Evaluator(model)
            #expect(evaluator.evaluate(input.mapping) == walked, "\(name) \(halo) evaluator")
            let summary = evaluator.summary(input.mapping)
            #expect(abs(summary.energyPJ - walked.energyPJ) <= 1e-9 * walked.energyPJ && summary.cycles == walked.cycles)
        }
    }

    /// Random valid mappings on every fixture architecture (and its problem), both halo rules.
    /// The nest walk is exponential in the loops with two or more iterations, so mappings with
    /// at most `maximumLoops` of them are drawn; thousands in all.
    @Test(arguments: TimeloopFixtureTests.cases + ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"])
    func randomMappingsAgree(name: String) throws {
        let input = name.hasPrefix("mapper_") ? try TimeloopFixtureTests.loadForMapping(name) : try TimeloopFixtureTests.load(name)
        var generator = RandomMappings(hardware: input.hardware, problem: input.problem,
                                       keeps: input.mapping.levels.map(\.keeps), seed: 17)
        let maximumLoops = 9
        var evaluators = CostModel.HaloReuse.allCases.map { Evaluator(CostModel(hardware: input.hardware, problem: input.problem, haloReuse: $0)) }
        var checked = 0
        var attempts = 0
        while checked < 2 * 120 && attempts < 20_000 {
            attempts += 1
            guard let mapping = generator.nextValid(attempts: 500) else { break }
            let loops = mapping.levels.reduce(0) { $0 + $1.temporal.filter { $0.bound > 1 }.count }
            guard loops <= maximumLoops else { continue }
            for (index, halo) in CostModel.HaloReuse.allCases.enumerated() {
                let model = CostModel(hardware: input.hardware, problem: input.problem, haloReuse: halo)
                let closedForm = model.evaluate(mapping)
                let walked = model.evaluateByNestWalk(mapping)
                #expect(closedForm == walked, "\(name) \(halo)")
                #expect(evaluators[index].evaluate(mapping) == walked, "\(name) \(halo) evaluator")
                let summary = evaluators[index].summary(mapping)
                #expect(abs(summary.energyPJ - walked.energyPJ) <= 1e-9 * walked.energyPJ && summary.cycles == walked.cycles
                        && summary.utilization == walked.utilization, "\(name) \(halo) summary")
                if closedForm != walked { return }
                checked += 1
            }
        }
        // Architectures with one-word registers admit few random mappings; all others reach 240.
        #expect(checked >= 20, "\(name): only \(checked) mappings checked")
    }
}
