import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// A mapping re-fitted from one design to another is valid for the new design's map space (its
/// allowed slots, order constraints, fan-outs and capacities) or is refused, never invalid; and a
/// search started from it begins no worse than it.
@Suite struct WarmStartTests {
    /// Random designs around the Simba-like one: array, lanes, vector width, collector depths
    /// (the input collector sometimes absent), buffer sizes and dataflow.
    static func randomDesign(_ generator: inout SeededGenerator, base: DesignPoint) -> DesignPoint {
        var point = base
        point.numPEs = [1, 2, 4, 8, 16].randomElement(using: &generator)!
        let shape = DesignPoint.defaultArrayShape(numPEs: point.numPEs, rows: nil, columns: nil)
        point.peRows = shape.rows
        point.peColumns = shape.columns
        point.lanes = [1, 2, 4, 8].randomElement(using: &generator)!
        point.vectorSize = [2, 4, 8, 16].randomElement(using: &generator)!
        point.weightCollectorDepth = [1, 2, 4].randomElement(using: &generator)!
        point.accumulationCollectorDepth = [1, 4].randomElement(using: &generator)!
        point.inputCollectorDepth = [0, 1, 2].randomElement(using: &generator)!
        point.weightBufferBytes = [4, 16, 64].randomElement(using: &generator)! * 1024
        point.inputBufferBytes = [2, 8, 32].randomElement(using: &generator)! * 1024
        point.accumulationBufferBytes = [1, 3, 12].randomElement(using: &generator)! * 1024
        point.globalBufferBytes = [32, 128].randomElement(using: &generator)! * 1024
        point.dataflow = Dataflow.allCases.randomElement(using: &generator)!
        return point
    }

    @Test func refittedMappingsAreValidOrRefused() throws {
        let base = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        let network = try #require(Zoo.network(named: "resnet50"))
        var generator = SeededGenerator(seed: 41)
        var refitted = 0, refused = 0, pairs = 0
        while pairs < 60 {
            let source = Self.randomDesign(&generator, base: base), target = Self.randomDesign(&generator, base: base)
            guard source.validate().isEmpty, target.validate().isEmpty,
                  let sourceHardware = try? source.elaborate(), let targetHardware = try? target.elaborate() else {
                continue
            }
            pairs += 1
            let layer = network.uniqueShapes[Int.random(in: 0..<network.uniqueShapes.count,
                                                        using: &generator)].representative
            let sourceSpace = MapSpace.template(design: source, hardware: sourceHardware, layer: layer)
            guard let mapping = MapSearch(space: sourceSpace).run(budget: 300, threads: 1,
                                                                  seed: 1).mapping else { continue }
            let space = MapSpace.template(design: target, hardware: targetHardware, layer: layer)
            guard let result = WarmStart.refit(mapping, from: sourceHardware, to: space) else { refused += 1; continue }
            refitted += 1
            #expect(result.problems(on: targetHardware, for: layer.problem).isEmpty,
                    "\(source) → \(target), \(layer.name)")
            let candidate = try #require(Candidate(result, dimensions: layer.problem.dimensions.count))
            #expect(CandidateSampler(space: space).admissible(candidate))
            // Only allowed slots hold factors, and each level's required-inner loops are innermost.
            expectWithinSpace(result, space, "\(source) → \(target), \(layer.name)")
            // A search started from it is at least as good.
            var evaluator = Evaluator(CostModel(hardware: targetHardware, problem: layer.problem))
            let startScore = Objective.edp.score(evaluator.summary(result))
            var search = MapSearch(space: space)
            search.allowExhaustive = false
            let searched = try #require(search.run(budget: 50, threads: 1, seed: 2, start: result).summary)
            #expect(Objective.edp.score(searched) <= startScore)
        }
        // Most pairs re-fit; refusals are possible (a layer that fits nowhere on the new design).
        #expect(refitted >= 40, "\(refitted) re-fitted, \(refused) refused of \(pairs)")
    }

    /// The best of several designs' mappings: the re-fit with the lowest EDP on the new space,
    /// valid there; `nil` only when none re-fits.
    @Test func theBestOfSeveralRefitsStarts() throws {
        let base = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        let layer = try #require(Zoo.network(named: "resnet50")?.uniqueShapes[5].representative)
        var generator = SeededGenerator(seed: 7)
        var seeds: [(mapping: Mapping, hardware: Hardware)] = []
        while seeds.count < 4 {
            let source = Self.randomDesign(&generator, base: base)
            guard source.validate().isEmpty, let hardware = try? source.elaborate(),
                  let mapping = MapSearch(space: MapSpace.template(design: source, hardware: hardware, layer: layer))
                    .run(budget: 200, threads: 1, seed: 3).mapping else { continue }
            seeds.append((mapping, hardware))
        }
        let targetHardware = try base.elaborate()
        let space = MapSpace.template(design: base, hardware: targetHardware, layer: layer)
        var evaluator = Evaluator(CostModel(hardware: targetHardware, problem: layer.problem))
        let scores = seeds.compactMap { seed in
            WarmStart.refit(seed.mapping, from: seed.hardware, to: space).map { Objective.edp.score(evaluator.summary($0)) }
        }
        #expect(scores.count >= 2, "\(scores.count) of 4 re-fit")
        let best = try #require(WarmStart.best(of: seeds, to: space, objective: .edp))
        #expect(best.problems(on: targetHardware, for: layer.problem).isEmpty)
        #expect(Objective.edp.score(evaluator.summary(best)) == scores.min())
        #expect(WarmStart.best(of: [], to: space, objective: .edp) == nil)
    }

    /// A mapping reshaped from one layer to another of the same design is valid for the new
    /// layer's space or refused, never invalid; and a layer reshaped to itself is itself.
    @Test func reshapedMappingsAreValidOrRefused() throws {
        let base = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        let shapes = try #require(Zoo.network(named: "resnet50")).uniqueShapes.map(\.representative)
        var generator = SeededGenerator(seed: 43)
        var reshaped = 0, refused = 0, pairs = 0
        while pairs < 60 {
            let point = Self.randomDesign(&generator, base: base)
            guard point.validate().isEmpty, let hardware = try? point.elaborate() else { continue }
            pairs += 1
            let source = shapes.randomElement(using: &generator)!, target = shapes.randomElement(using: &generator)!
            let sourceSpace = MapSpace.template(design: point, hardware: hardware, layer: source)
            guard let mapping = MapSearch(space: sourceSpace).run(budget: 300, threads: 1,
                                                                  seed: 1).mapping else { continue }
            let label = "\(point) \(source.name) → \(target.name)"
            let space = MapSpace.template(design: point, hardware: hardware, layer: target)
            let same = try #require(WarmStart.reshape(mapping, of: source.problem, to: sourceSpace), "\(label)")
            let model = CostModel(hardware: hardware, problem: source.problem)
            #expect(model.evaluate(same) == model.evaluate(mapping), "\(label): reshaped to itself")
            guard let result = WarmStart.reshape(mapping, of: source.problem, to: space) else {
                refused += 1
                continue
            }
            reshaped += 1
            #expect(result.problems(on: hardware, for: target.problem).isEmpty, "\(label)")
            let candidate = try #require(Candidate(result, dimensions: target.problem.dimensions.count))
            #expect(CandidateSampler(space: space).admissible(candidate), "\(label)")
            expectWithinSpace(result, space, label)
        }
        #expect(reshaped >= 40, "\(reshaped) reshaped, \(refused) refused of \(pairs)")
    }

    /// Each loop keeps as much of its factor as the new layer's dimension allows, inner levels
    /// and spatial loops first. By hand, on the Simba-like design: C = 64 with C8 across the
    /// vector's multipliers, reshaped to C = 3, keeps C3 there (the largest divisor of 3 at most
    /// 8); K = 64 with K8 across the lanes (and no K loop inside them), reshaped to K = 24, keeps K8
    /// there; P and Q, the same size in both layers, keep every loop.
    @Test func reshapingKeepsEachLoopsShareByHand() throws {
        let point = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        let hardware = try point.elaborate()
        let network = try NetworkFile.parse("""
            name: reshape-pair
            formats: {weights: int8, inputs: int8, outputs: int8}
            layers:
              - {name: wide, type: conv, C: 64, K: 64, P: 8, R: 1}
              - {name: narrow, type: conv, C: 3, K: 24, P: 8, R: 1}
            """, file: "pair.yaml")
        let (wide, narrow) = (network.layers[0], network.layers[1])
        let space = MapSpace.template(design: point, hardware: hardware, layer: wide)
        let problem = wide.problem
        let c = try #require(problem.dimensionIndex("C")), k = try #require(problem.dimensionIndex("K"))
        let names = hardware.storage.map(\.name)
        let weights = try #require(names.firstIndex(of: "WeightCollector"))
        let inputs = try #require(names.firstIndex(of: "InputCollector"))
        let mapping = try #require(MapSearch(space: space).run(budget: 3_000, threads: 1, seed: 0).mapping)
        func loops(_ m: Mapping, _ level: Int, _ d: Int, spatial: Bool) -> [Int] {
            let level = m.levels[level]
            return (spatial ? level.spatialX + level.spatialY : level.temporal).filter { $0.dimension == d }
                .map(\.bound)
        }
        // The hand computation's premises, as the search found them.
        try #require(loops(mapping, weights, c, spatial: true) == [8])
        try #require(loops(mapping, inputs, k, spatial: true) == [8])
        try #require((0..<inputs).allSatisfy { loops(mapping, $0, k, spatial: false).isEmpty
                                                 && loops(mapping, $0, k, spatial: true).isEmpty })
        let narrowSpace = MapSpace.template(design: point, hardware: hardware, layer: narrow)
        let result = try #require(WarmStart.reshape(mapping, of: problem, to: narrowSpace))
        #expect(loops(result, weights, c, spatial: true) == [3])
        #expect(loops(result, inputs, k, spatial: true) == [8])
        for name in ["P", "Q"] {
            let d = try #require(problem.dimensionIndex(name))
            for level in mapping.levels.indices {
                #expect(loops(result, level, d, spatial: false) == loops(mapping, level, d, spatial: false), "\(name)")
            }
        }
        #expect(result.problems(on: hardware, for: narrow.problem).isEmpty)
    }
}
