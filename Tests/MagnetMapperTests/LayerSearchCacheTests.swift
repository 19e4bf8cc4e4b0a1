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

    /// tiny-cnn mapped with a cache, then the twin network, then tiny-cnn again, and tiny-cnn
    /// without the cache; the hardware they ran on.
    private func mapTinyTwinTinyAgain(siblingStarts: Bool) throws
        -> (first: NetworkMapping, second: NetworkMapping, again: NetworkMapping, uncached: NetworkMapping,
            cache: LayerSearchCache, shapes: Int, hardware: Hardware) {
        let point = try DesignFile.load(path: Self.design)
        let hardware = try point.elaborate()
        let tiny = try NetworkFile.resolve(repositoryRoot.appendingPathComponent("examples/tiny-cnn.yaml").path)
        let twin = try NetworkFile.parse(Self.twin, file: "twin.yaml")
        let cache = LayerSearchCache()
        let method = MappingMethod.sampled(budget: 300, seed: 4)
        func map(_ network: Network, cache: LayerSearchCache?) throws -> NetworkMapping {
            try NetworkMapping.map(network: network, design: point, hardware: hardware, method: method,
                                   siblingStarts: siblingStarts, cache: cache)
        }
        let first = try map(tiny, cache: cache), second = try map(twin, cache: cache)
        let again = try map(tiny, cache: cache), uncached = try map(tiny, cache: nil)
        return (first, second, again, uncached, cache, tiny.uniqueShapes.count, hardware)
    }

    /// Without sibling starts a layer's search sees only its own shape: a shape shared by two
    /// networks is searched once.
    @Test func sharedShapesAreServedAndEqualTheirFreshEvaluation() throws {
        let (first, second, again, uncached, cache, shapes, hardware) = try mapTinyTwinTinyAgain(siblingStarts: false)
        #expect(first.layers.allSatisfy { !$0.fromCache })
        #expect(second.layers.map(\.fromCache) == [true, true, false])
        for served in second.layers where served.fromCache {
            let fresh = CostModel(hardware: hardware, problem: served.layer.problem).evaluate(served.mapping)
            #expect(fresh == served.evaluation, "\(served.layer.name)")
            #expect(served.mapping.problems(on: hardware, for: served.layer.problem).isEmpty)
            let original = try #require(first.layers.first { $0.layer.mappingKey == served.layer.mappingKey })
            #expect(original.mapping == served.mapping && original.evaluation == served.evaluation)
        }
        // The same network again with the cache: every shape served, the same figures as searched.
        #expect(again.layers.allSatisfy { $0.fromCache })
        #expect(cache.lookups.hits == 2 + shapes && cache.lookups.misses == shapes + 1)
        #expect(again.energyPJ == first.energyPJ && again.cycles == first.cycles)
        // And without it: the search is deterministic, so a fresh search gives the same figures.
        #expect(uncached.energyPJ == first.energyPJ && uncached.cycles == first.cycles)
    }

    /// With sibling starts a layer's result depends on its network's other shapes, so a shape
    /// shared with another network is searched again there; the same network on the same
    /// design is served whole, with the figures a fresh mapping gives.
    @Test func siblingStartsServeOnlyTheSameNetwork() throws {
        let (first, second, again, uncached, _, _, _) = try mapTinyTwinTinyAgain(siblingStarts: true)
        #expect(second.layers.allSatisfy { !$0.fromCache })
        #expect(again.layers.allSatisfy { $0.fromCache })
        #expect(again.layers.map(\.mapping) == first.layers.map(\.mapping))
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
        #expect(try key(spaceOf(renamed)).hashValue == key(space).hashValue, "equal keys hash alike")
        #expect(key(space, weight: 0.9) == key(space))
        #expect(key(space, .mix, weight: 0.9) != key(space, .mix))
        // Everything the search or the cost model reads is.
        #expect(key(space, .energy) != key(space))
        #expect(key(space, .edp, .sampled(budget: 300, seed: 5)) != key(space))
        #expect(key(space, .edp, .sampled(budget: 301, seed: 4)) != key(space))
        let withSiblings = LayerSearchKey(space: space, objective: .edp, energyWeight: 0.5, method: method,
                                          siblings: [space.problem])
        #expect(withSiblings != key(space))
        #expect(withSiblings == LayerSearchKey(space: space, objective: .edp, energyWeight: 0.5, method: method,
                                               siblings: [space.problem]))
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
