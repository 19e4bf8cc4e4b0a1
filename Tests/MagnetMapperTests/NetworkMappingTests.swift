import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// Whole networks with sibling starts (docs/mapper.md, "Sibling starts"): every shape ends no
/// worse than any other shape's mapping reshaped to it, and a mapping taken from a sibling is
/// valid and carries its own fresh figures.
@Suite struct NetworkMappingTests {
    @Test func noShapeEndsWorseThanASiblingsReshapedMapping() throws {
        for file in ["examples/simba-like.yaml", "examples/eyeriss-like.yaml"] {
            let point = try DesignFile.load(path: repositoryRoot.appendingPathComponent(file).path)
            let hardware = try point.elaborate()
            let network = try #require(Zoo.network(named: "resnet18"))
            let result = try NetworkMapping.map(network: network, design: point, hardware: hardware,
                                                method: .sampled(budget: 200, seed: 5))
            #expect(result.layers.count == network.uniqueShapes.count)
            for (index, entry) in result.layers.enumerated() {
                let label = "\(point.name) \(entry.layer.name)"
                let space = MapSpace.template(design: point, hardware: hardware, layer: entry.layer)
                let model = CostModel(hardware: hardware, problem: entry.layer.problem)
                #expect(entry.mapping.problems(on: hardware, for: entry.layer.problem).isEmpty, "\(label)")
                #expect(model.evaluate(entry.mapping) == entry.evaluation, "\(label)")
                let own = Objective.edp.score(Evaluator(model).summaryOf(entry.mapping))
                for (other, sibling) in result.layers.enumerated() where other != index {
                    guard let reshaped = WarmStart.reshape(sibling.mapping, of: sibling.layer.problem,
                                                           to: space) else { continue }
                    let score = Objective.edp.score(Evaluator(model).summaryOf(reshaped))
                    #expect(own <= score, "\(label) against \(sibling.layer.name)")
                }
            }
        }
    }

    /// The same network, design, method and seed give the same mappings, sibling starts and all.
    @Test func siblingStartsAreDeterministic() throws {
        let point = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/edge-os.yaml").path)
        let hardware = try point.elaborate()
        let network = try #require(Zoo.network(named: "resnet18"))
        let runs = try (0..<2).map { _ in
            try NetworkMapping.map(network: network, design: point, hardware: hardware,
                                   method: .sampled(budget: 150, seed: 9)).layers.map(\.mapping)
        }
        #expect(runs[0] == runs[1])
    }
}

private extension Evaluator {
    /// The summary of `mapping`, on a copy of the evaluator.
    func summaryOf(_ mapping: Mapping) -> Summary {
        var copy = self
        return copy.summary(mapping)
    }
}
