import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

@Suite struct MappingTests {
    static func simbaLike() throws -> Hardware {
        try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path).elaborate()
    }

    static func conv3x3() throws -> Problem {
        try #require(Zoo.network(named: "resnet50")?.layer(named: "layer1.0.conv2")).problem
    }

    static func exampleMapping() throws -> Mapping {
        try MappingReader.load(path: repositoryRoot.appendingPathComponent("examples/simba-like-conv3x3.map.yaml").path,
                               hardware: simbaLike(), problem: conv3x3())
    }

    /// Why the mapper does not collapse loop orders by each data space's relevant/irrelevant
    /// pattern (docs/mapper.md): among random valid mappings of the Eyeriss-like fixture, some
    /// swap of two adjacent temporal loops that are relevant to exactly the same data spaces
    /// changes the counts, because sliding input tiles keep their overlap (Timeloop's residual
    /// rule) only while they keep moving along one axis. The swapped mappings re-evaluate
    /// identically through the nest walk, so the difference is Timeloop's, not the closed form's.
    @Test func theRelevancePatternDoesNotDetermineTheCost() throws {
        let input = try TimeloopFixtureTests.loadForMapping("mapper_eyeriss_like_conv3x3")
        let problem = input.problem, hardware = input.hardware
        let model = CostModel(hardware: hardware, problem: problem)
        func pattern(_ dimension: Int) -> [Bool] {
            problem.dataSpaces.map { space in space.projection.contains { $0.contains { $0.dimension == dimension } } }
        }
        var generator = RandomMappings(hardware: hardware, problem: problem, keeps: input.mapping.levels.map(\.keeps), seed: 5)
        var found: (Mapping, Mapping)?
        search: for _ in 0..<300 {
            guard let mapping = generator.nextValid(attempts: 500) else { break }
            let evaluation = model.evaluate(mapping)
            for (level, loops) in mapping.levels.enumerated() where loops.temporal.count >= 2 {
                for k in 0..<(loops.temporal.count - 1) {
                    let (a, b) = (loops.temporal[k], loops.temporal[k + 1])
                    guard a.bound > 1, b.bound > 1, pattern(a.dimension) == pattern(b.dimension) else { continue }
                    var swapped = mapping
                    swapped.levels[level].temporal.swapAt(k, k + 1)
                    if model.evaluate(swapped) != evaluation { found = (mapping, swapped); break search }
                }
            }
        }
        let (original, swapped) = try #require(found, "no swap of same-pattern loops changed the cost")
        #expect(model.evaluateByNestWalk(swapped) == model.evaluate(swapped))
        #expect(model.evaluateByNestWalk(original) == model.evaluate(original))
    }

    @Test func everyFixtureMappingIsValid() throws {
        for name in TimeloopFixtureTests.cases {
            let input = try TimeloopFixtureTests.load(name)
            #expect(input.mapping.problems(on: input.hardware, for: input.problem).isEmpty, "\(name)")
        }
    }

    @Test func exampleTemplateMappingEvaluates() throws {
        let hardware = try Self.simbaLike()
        let problem = try Self.conv3x3()
        let mapping = try Self.exampleMapping()
        let evaluation = CostModel(hardware: hardware, problem: problem).evaluate(mapping)
        // 64·64·56·56·9 MACs on 16 PEs × 8 lanes × 8 multipliers, all used except the AC port limit.
        #expect(evaluation.computes == 115_605_504)
        #expect(evaluation.utilizedComputeInstances == 1024)
        // The accumulation collector (1 word per cycle) receives a partial sum per cycle and one fill
        // per reduction pass: it, not the MACs, sets the pace.
        #expect(evaluation.cycles > 115_605_504 / 1024)
        // The DRAM reads every weight exactly once per K2 × P2 × Q4 tile of the outer loops that
        // index weights: K2 at DRAM, so 64·64·9 weights once = 36,864.
        let dram = try #require(evaluation.levels.last)
        #expect(dram.dataSpaces[0]?.reads == 36_864)
        // Outputs reach DRAM once each: 64 × 56 × 56.
        #expect(dram.dataSpaces[2]?.updates == 200_704)
    }

    @Test func writerOutputReadsBack() throws {
        let hardware = try Self.simbaLike()
        let problem = try Self.conv3x3()
        let mapping = try Self.exampleMapping()
        let path = try temporaryFile(MappingWriter.yaml(mapping, hardware: hardware, problem: problem))
        let again = try MappingReader.load(path: path, hardware: hardware, problem: problem)
        #expect(again == mapping)
    }

    @Test func factorsThatDoNotMultiplyOut() throws {
        var mapping = try Self.exampleMapping()
        mapping.levels[7].temporal = [Loop(dimension: 4, bound: 2)]  // DRAM: P2 only, K2 and Q4 dropped
        let found = mapping.problems(on: try Self.simbaLike(), for: try Self.conv3x3())
        #expect(found.contains(MappingProblem(level: "mapping", message: "the factors of K multiply to 32, but K = 64")))
        #expect(found.contains(MappingProblem(level: "mapping", message: "the factors of Q multiply to 14, but Q = 56")))
    }

    @Test func spatialFactorBeyondTheFanout() throws {
        var mapping = try Self.exampleMapping()
        // The weight collector fans out 8 × 1 to the multipliers; 16 over X does not fit.
        mapping.levels[0].spatialX = [Loop(dimension: 3, bound: 16)]
        mapping.levels[4].temporal = [Loop(dimension: 3, bound: 4), Loop(dimension: 7, bound: 3), Loop(dimension: 6, bound: 3)]
        let found = mapping.problems(on: try Self.simbaLike(), for: try Self.conv3x3())
        #expect(found == [MappingProblem(level: "WeightCollector", message: "spatial factors over X multiply to 16, beyond the fan-out of 8")])
    }

    @Test func tileThatOverflowsALevel() throws {
        var mapping = try Self.exampleMapping()
        // Move the 7×7 output block's Q7 into the accumulation collector, which holds 1 partial sum.
        mapping.levels[1].temporal = [Loop(dimension: 5, bound: 7)]
        mapping.levels[3].temporal = [Loop(dimension: 4, bound: 7)]
        let found = mapping.problems(on: try Self.simbaLike(), for: try Self.conv3x3())
        #expect(found.first == MappingProblem(level: "AccumulationCollector", message: "tiles need 7 words (Outputs 7) but the level holds 1"))
    }

    @Test func mappingFileErrorsNameTheFile() throws {
        let hardware = try Self.simbaLike()
        let problem = try Self.conv3x3()
        let path = try temporaryFile("mapping:\n  - target: GlobalBufer\n    type: temporal\n    factors: P56\n")
        let error = #expect(throws: ConfigError.self) { try MappingReader.load(path: path, hardware: hardware, problem: problem) }
        #expect(error?.description == "\(path):2:13: mapping[0].target: unknown target `GlobalBufer`; did you mean `GlobalBuffer`?")
    }

    @Test func droppingFactorOneLoopsChangesNothing() throws {
        // The importer drops loops with factor 1; keeping them must give identical statistics.
        for name in TimeloopFixtureTests.cases {
            let input = try TimeloopFixtureTests.load(name)
            var padded = input.mapping
            for index in padded.levels.indices {
                let present = Set(padded.levels[index].temporal.map(\.dimension))
                for dimension in input.problem.dimensions.indices where !present.contains(dimension) {
                    padded.levels[index].temporal.append(Loop(dimension: dimension, bound: 1))
                }
            }
            let model = CostModel(hardware: input.hardware, problem: input.problem)
            #expect(model.evaluateByNestWalk(padded) == model.evaluateByNestWalk(input.mapping), "\(name)")
            #expect(model.evaluate(padded) == model.evaluate(input.mapping), "\(name)")
        }
    }
}
