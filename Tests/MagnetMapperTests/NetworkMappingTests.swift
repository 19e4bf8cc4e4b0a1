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

    /// Two networks mapped together: a shape both have is mapped once and reported in each
    /// under that network's own layer names; every shape of either ends no worse than any shape of
    /// either reshaped to it.
    @Test func networksMappedTogetherShareShapesAndSiblings() throws {
        let point = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        let hardware = try point.elaborate()
        let tiny = try NetworkFile.resolve(repositoryRoot.appendingPathComponent("examples/tiny-cnn.yaml").path)
        let twin = try NetworkFile.parse(LayerSearchCacheTests.twin, file: "twin.yaml")
        let results = try NetworkMapping.map(networks: [tiny, twin], design: point, hardware: hardware,
                                             method: .sampled(budget: 200, seed: 3))
        #expect(results.map(\.network.name) == [tiny.name, twin.name])
        for (result, network) in zip(results, [tiny, twin]) {
            #expect(result.layers.map(\.layerNames) == network.uniqueShapes.map(\.layerNames))
        }
        var shared = 0
        for entry in results[1].layers {
            guard let same = results[0].layers.first(where: { $0.layer.mappingKey == entry.layer.mappingKey })
            else { continue }
            shared += 1
            #expect(same.mapping == entry.mapping && same.evaluation == entry.evaluation)
        }
        #expect(shared == 2)
        let everyShape = results.flatMap(\.layers)
        for entry in everyShape {
            let space = MapSpace.template(design: point, hardware: hardware, layer: entry.layer)
            var evaluator = Evaluator(CostModel(hardware: hardware, problem: entry.layer.problem))
            let own = evaluator.summary(entry.mapping).energyDelayProduct
            for other in everyShape where other.layer.mappingKey != entry.layer.mappingKey {
                guard let reshaped = WarmStart.reshape(other.mapping, of: other.layer.problem, to: space) else {
                    continue
                }
                #expect(own <= evaluator.summary(reshaped).energyDelayProduct,
                        "\(entry.layer.name) against \(other.layer.name)")
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
