import Testing
@testable import MagnetMapper

/// The closed form agrees with the reference walk on every field.
@Suite struct AnalyticalModelTests {
    @Test(arguments: TimeloopFixtureTests.cases)
    func fixtureMappingsAgree(name: String) throws {
        let input = try TimeloopFixtureTests.load(name)
        for halo in CostModel.HaloReuse.allCases {
            let model = CostModel(hardware: input.hardware, problem: input.problem, haloReuse: halo)
            #expect(model.evaluateFast(input.mapping) == model.evaluate(input.mapping), "\(name) \(halo)")
        }
    }

    @Test(arguments: TimeloopFixtureTests.cases)
    func randomMappingsAgree(name: String) throws {
        let input = try TimeloopFixtureTests.load(name)
        var generator = RandomMappings(hardware: input.hardware, problem: input.problem,
                                       keeps: input.mapping.levels.map(\.keeps), seed: 17)
        var checked = 0, closedForm = 0
        for _ in 0..<300 {
            guard let mapping = generator.nextValid(attempts: 2000) else { continue }
            for halo in CostModel.HaloReuse.allCases {
                let model = CostModel(hardware: input.hardware, problem: input.problem, haloReuse: halo)
                var usedReference = false
                let fast = model.evaluateFast(mapping, usedReference: &usedReference)
                let reference = model.evaluate(mapping)
                #expect(fast == reference, "\(name) \(halo): \(mapping)")
                if fast != reference { return }
                checked += 1
                if !usedReference { closedForm += 1 }
            }
        }
        #expect(checked > 0)
        print("\(name): \(checked) checked, \(closedForm) by the closed form")
    }
}
