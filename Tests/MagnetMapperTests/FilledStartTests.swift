import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// The sampled search's starting points (``CandidateSampler/filled(using:evaluator:)``) are
/// valid candidates of their space (allowed slots, fixed factors, fan-outs, factor bounds, order
/// constraints, capacities), and they fill the fan-outs: no prime left at the outermost level
/// could still move to a spatial slot.
@Suite struct FilledStartTests {
    /// Checks `count` filled candidates of `space`; returns how many were drawn (not `nil`).
    static func check(_ space: MapSpace, count: Int, seed: UInt64, label: String) -> Int {
        let sampler = CandidateSampler(space: space)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var generator = SeededGenerator(seed: seed)
        var drawn = 0
        for _ in 0..<count {
            guard var candidate = sampler.filled(using: &generator, evaluator: &evaluator) else { continue }
            drawn += 1
            let mapping = candidate.mapping()
            #expect(mapping.problems(on: space.hardware, for: space.problem).isEmpty, "\(label): \(mapping)")
            let fits = evaluator.fits(mapping)
            #expect(fits, "\(label)")
            #expect(sampler.admissible(candidate) || space.minimumParallelism != nil, "\(label)")
            expectWithinSpace(mapping, space, label)
            // Every prime left parked could not take a spatial slot: it has no room or overflows.
            for d in 0..<sampler.dimensions {
                let parking = sampler.parking(d)
                for p in Factorization.primes(candidate.factors[parking * sampler.dimensions + d]) {
                    for target in sampler.freeSlots[d] where target % 3 != 0 && sampler.room(candidate, target, p) {
                        candidate.factors[parking * sampler.dimensions + d] /= p
                        candidate.factors[target * sampler.dimensions + d] *= p
                        let movable = evaluator.fits(candidate.mapping()) && sampler.admissible(candidate)
                        #expect(!movable,
                                "\(label): dimension \(d)'s prime \(p) could still go to slot \(target)")
                        candidate.factors[target * sampler.dimensions + d] /= p
                        candidate.factors[parking * sampler.dimensions + d] *= p
                    }
                }
            }
        }
        return drawn
    }

    @Test(arguments: TimeloopFixtureTests.cases + ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"])
    func validOnFixtures(name: String) throws {
        let space: MapSpace
        if name.hasPrefix("mapper_") {
            space = try MapSearchTests.mapperSpace(name)
        } else {
            let input = try TimeloopFixtureTests.load(name)
            space = MapSpace(hardware: input.hardware, problem: input.problem, keeps: input.mapping.levels.map(\.keeps))
        }
        #expect(Self.check(space, count: 30, seed: 5, label: name) > 0, "\(name): no filled candidate")
    }

    /// Random designs around the Simba-like one (every dataflow, collector depth, array and
    /// buffer size) on random ResNet-50 layers.
    @Test func validOnTheTemplate() throws {
        var drawn = 0
        for (index, (space, label)) in try randomTemplateSpaces(count: 24, seed: 17).enumerated() {
            drawn += Self.check(space, count: 8, seed: UInt64(index + 1), label: label)
        }
        #expect(drawn >= 24 * 4, "only \(drawn) filled candidates over 24 spaces")
    }

    /// Filled starts with every temporal slot skipped keep their searched primes in the spatial
    /// slots and the parking slots only; with none skipped, inner temporal slots take primes.
    @Test func skippedTemporalSlotsStayEmpty() throws {
        let space = try simbaLikeSpace(layer: "layer3.0.downsample.0")
        var sampler = CandidateSampler(space: space)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var generator = SeededGenerator(seed: 13)
        func innerTemporalFactors(_ candidate: Candidate) -> Int {
            (0..<sampler.dimensions).reduce(0) { count, d in
                count + sampler.freeSlots[d].filter { $0 % 3 == 0 && $0 != sampler.parking(d)
                    && candidate.factors[$0 * sampler.dimensions + d] > 1 }.count
            }
        }
        sampler.temporalSkipChance = 1
        for _ in 0..<50 {
            let candidate = try #require(sampler.filled(using: &generator, evaluator: &evaluator))
            #expect(innerTemporalFactors(candidate) == 0, "\(candidate.mapping())")
        }
        sampler.temporalSkipChance = 0
        var filledInner = 0
        for _ in 0..<50 {
            let candidate = try #require(sampler.filled(using: &generator, evaluator: &evaluator))
            if innerTemporalFactors(candidate) > 0 { filledInner += 1 }
        }
        #expect(filledInner > 40)
    }

    /// With the default chance, filled starts leave more on-chip temporal slots empty (where a
    /// searched dimension may go) than without skipping: the structure the best mappings of some
    /// layers need, such as no loop at the collectors.
    @Test func defaultChanceEmptiesInnerLevels() throws {
        let space = try simbaLikeSpace(layer: "layer3.0.downsample.0")
        var sampler = CandidateSampler(space: space)
        func emptySlots(_ chance: Double) throws -> Int {
            sampler.temporalSkipChance = chance
            var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
            var generator = SeededGenerator(seed: 21)
            var empty = 0
            for _ in 0..<200 {
                let candidate = try #require(sampler.filled(using: &generator, evaluator: &evaluator))
                for level in 0..<(sampler.levels - 1) where (0..<sampler.dimensions).contains(where: {
                    sampler.freeSlots[$0].contains(level * 3)
                }) && (0..<sampler.dimensions).allSatisfy({ candidate.factor(level, 0, $0) == 1 }) {
                    empty += 1
                }
            }
            return empty
        }
        let withSkips = try emptySlots(CandidateSampler.filledSkipChance)
        let without = try emptySlots(0)
        #expect(without > 0)
        #expect(Double(withSkips) >= 1.2 * Double(without), "\(withSkips) empty slots with skips, \(without) without")
    }
    /// The fill's capacity test (``Evaluator/tilesFit(_:)``) says what the evaluator's full test
    /// does for every candidate within its fan-outs, fitting or not, on random template spaces
    /// and both Timeloop inputs.
    @Test func tilesFitAgreesWithTheEvaluator() throws {
        var spaces = try randomTemplateSpaces(count: 8, seed: 19)
        for name in ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"] {
            spaces.append((try MapSearchTests.mapperSpace(name), name))
        }
        var fitting = 0, overflowing = 0
        for (index, (space, label)) in spaces.enumerated() {
            let sampler = CandidateSampler(space: space)
            var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
            var generator = SeededGenerator(seed: UInt64(index))
            var candidate = sampler.random(using: &generator)
            for step in 0..<300 {
                candidate = step % 10 == 0 ? sampler.random(using: &generator)
                    : sampler.neighbour(of: candidate, using: &generator)
                guard (0..<(sampler.levels * 3)).allSatisfy({ sampler.room(candidate, $0, 1) }) else { continue }
                let fits = evaluator.fits(candidate)
                #expect(evaluator.tilesFit(candidate) == fits, "\(label): \(candidate.mapping())")
                if fits { fitting += 1 } else { overflowing += 1 }
            }
        }
        #expect(fitting > 200 && overflowing > 200, "\(fitting) fitting, \(overflowing) overflowing")
    }
}
