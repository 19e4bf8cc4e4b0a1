import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// The layer cache (``LayerSearchCache``) serves a layer only to a search that would be the same
/// (``LayerSearchKey``), and what it serves is what evaluating the served mapping on the new
/// design gives.
@Suite struct LayerSearchCacheTests {
    static let design = repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path

    /// A network with two of tiny-cnn's layer shapes under other names, and one of its own.
    static let twin = """
        name: tiny-twin
        formats: {weights: int8, inputs: int8, outputs: int8}
        layers:
          - {name: first, type: conv, C: 3, K: 32, H: 32, R: 3, stride: 1, padding: 1}
          - {name: widen, type: conv, C: 32, K: 64, P: 16, R: 1}
          - {name: own, type: conv, C: 64, K: 48, P: 8, R: 3, padding: 1}
        """

    /// Without sibling starts a layer's search sees only its own shape: a shape shared by two
    /// networks is searched once.
    @Test func sharedShapesAreServedAndEqualTheirFreshEvaluation() throws {
        let point = try DesignFile.load(path: Self.design)
        let hardware = try point.elaborate()
        let tiny = try NetworkFile.resolve(repositoryRoot.appendingPathComponent("examples/tiny-cnn.yaml").path)
        let twin = try NetworkFile.parse(Self.twin, file: "twin.yaml")
        let cache = LayerSearchCache()
        let method = MappingMethod.sampled(budget: 300, seed: 4)
        let first = try NetworkMapping.map(network: tiny, design: point, hardware: hardware, method: method,
                                           siblingStarts: false, cache: cache)
        #expect(first.layers.allSatisfy { !$0.fromCache })
        let second = try NetworkMapping.map(network: twin, design: point, hardware: hardware, method: method,
                                            siblingStarts: false, cache: cache)
        #expect(second.layers.map(\.fromCache) == [true, true, false])
        #expect(cache.lookups.hits == 2 && cache.lookups.misses == tiny.uniqueShapes.count + 1)
        for served in second.layers where served.fromCache {
            let fresh = CostModel(hardware: hardware, problem: served.layer.problem).evaluate(served.mapping)
            #expect(fresh == served.evaluation, "\(served.layer.name)")
            #expect(served.mapping.problems(on: hardware, for: served.layer.problem).isEmpty)
            let original = try #require(first.layers.first { $0.layer.mappingKey == served.layer.mappingKey })
            #expect(original.mapping == served.mapping && original.evaluation == served.evaluation)
        }
        // The same network again with the cache: every shape served, the same figures as searched.
        let again = try NetworkMapping.map(network: tiny, design: point, hardware: hardware, method: method,
                                           siblingStarts: false, cache: cache)
        #expect(again.layers.allSatisfy { $0.fromCache })
        #expect(again.energyPJ == first.energyPJ && again.cycles == first.cycles)
        // And without it: the search is deterministic, so a fresh search gives the same figures.
        let uncached = try NetworkMapping.map(network: tiny, design: point, hardware: hardware, method: method,
                                              siblingStarts: false)
        #expect(uncached.energyPJ == first.energyPJ && uncached.cycles == first.cycles)
    }

    /// With sibling starts a layer's result depends on its network's other shapes, so a shape
    /// shared with another network is searched again there; the same network on the same
    /// design is served whole, with the figures a fresh mapping gives.
    @Test func siblingStartsServeOnlyTheSameNetwork() throws {
        let point = try DesignFile.load(path: Self.design)
        let hardware = try point.elaborate()
        let tiny = try NetworkFile.resolve(repositoryRoot.appendingPathComponent("examples/tiny-cnn.yaml").path)
        let twin = try NetworkFile.parse(Self.twin, file: "twin.yaml")
        let cache = LayerSearchCache()
        let method = MappingMethod.sampled(budget: 300, seed: 4)
        let first = try NetworkMapping.map(network: tiny, design: point, hardware: hardware, method: method,
                                           cache: cache)
        let second = try NetworkMapping.map(network: twin, design: point, hardware: hardware, method: method,
                                            cache: cache)
        #expect(second.layers.allSatisfy { !$0.fromCache })
        let again = try NetworkMapping.map(network: tiny, design: point, hardware: hardware, method: method,
                                           cache: cache)
        #expect(again.layers.allSatisfy { $0.fromCache })
        #expect(again.layers.map(\.mapping) == first.layers.map(\.mapping))
        let uncached = try NetworkMapping.map(network: tiny, design: point, hardware: hardware, method: method)
        #expect(uncached.energyPJ == first.energyPJ && uncached.cycles == first.cycles)
    }

    @Test func keysSeeExactlyWhatTheSearchSees() throws {
        let point = try DesignFile.load(path: Self.design)
        let hardware = try point.elaborate()
        let layer = try NetworkFile.parse(Self.twin, file: "twin.yaml").layers[2]
        let space = MapSpace.template(design: point, hardware: hardware, layer: layer)
        let method = MappingMethod.sampled(budget: 300, seed: 4)
        func key(_ space: MapSpace, _ objective: Objective = .edp, weight: Double = 0.5,
                 _ method: MappingMethod = method) -> LayerSearchKey {
            LayerSearchKey(space: space, objective: objective, energyWeight: weight, method: method)
        }
        func spaceOf(_ design: DesignPoint) throws -> MapSpace {
            MapSpace.template(design: design, hardware: try design.elaborate(), layer: layer)
        }
        // The design's name is not seen; the energy weight only with the mix objective.
        var renamed = point
        renamed.name = "another-name"
        #expect(try key(spaceOf(renamed)) == key(space))
        #expect(key(space, weight: 0.9) == key(space))
        #expect(key(space, .mix, weight: 0.9) != key(space, .mix))
        // Everything the search or the cost model reads is.
        #expect(key(space, .energy) != key(space))
        #expect(key(space, .edp, .sampled(budget: 300, seed: 5)) != key(space))
        #expect(key(space, .edp, .sampled(budget: 301, seed: 4)) != key(space))
        var smallerBuffer = point
        smallerBuffer.weightBufferBytes /= 2
        #expect(try key(spaceOf(smallerBuffer)) != key(space))
        var otherDataflow = point
        otherDataflow.dataflow = point.dataflow == .weightStationary ? .outputStationary : .weightStationary
        #expect(try key(spaceOf(otherDataflow)) != key(space))
        var slowerClock = point
        slowerClock.clockGHz /= 2
        #expect(try key(spaceOf(slowerClock)) != key(space), "leakage per cycle follows the clock")
    }

    @Test func keepsAtMostItsCapacity() throws {
        let point = try DesignFile.load(path: Self.design)
        let hardware = try point.elaborate()
        let network = try NetworkFile.parse(Self.twin, file: "twin.yaml")
        let cache = LayerSearchCache(capacity: 2)
        let method = MappingMethod.sampled(budget: 100, seed: 1)
        _ = try NetworkMapping.map(network: network, design: point, hardware: hardware, method: method,
                                   siblingStarts: false, cache: cache)
        // The first shape was forgotten when the third was stored; the last two are kept.
        let kept = network.uniqueShapes.map { shape in
            let space = MapSpace.template(design: point, hardware: hardware, layer: shape.representative)
            return cache.entry(for: LayerSearchKey(space: space, objective: .edp, energyWeight: 0.5, method: method))
                != nil
        }
        #expect(kept == [false, true, true])
    }
}
