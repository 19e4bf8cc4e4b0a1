import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// The full neighbourhood (``CandidateSampler/moves(of:)``) that the search's polish climbs
/// through: every move keeps the candidate in its space and changes it, every neighbour the
/// random moves draw is one of them, and a polished search ends where no single move improves.
@Suite struct NeighbourhoodTests {
    /// A text that tells candidates apart (factors, loop orders of looped dimensions, keeps).
    static func key(_ candidate: Candidate, levels: Int) -> String {
        let orders = (0..<levels).map { level in
            candidate.order(level).filter { candidate.factor(level, 0, $0) > 1 }.map(String.init).joined(separator: ",")
        }
        return "\(candidate.factors) \(orders) \(candidate.keepMasks)"
    }

    /// The neighbours of `candidate` by every enumerated move, checked against the space.
    static func neighbours(of candidate: Candidate, in space: MapSpace, sampler: CandidateSampler,
                           label: String) -> Set<String> {
        var keys: Set<String> = []
        let start = key(candidate, levels: sampler.levels)
        for move in sampler.moves(of: candidate) {
            var next = candidate
            sampler.apply(move, to: &next)
            let nextKey = key(next, levels: sampler.levels)
            #expect(nextKey != start, "\(label): \(move) changed nothing")
            for d in 0..<sampler.dimensions {
                let product = (0..<(sampler.levels * 3)).reduce(1) { $0 * next.factors[$1 * sampler.dimensions + d] }
                #expect(product == space.problem.bounds[d], "\(label): \(move) leaves dimension \(d) at \(product)")
            }
            for index in 0..<(sampler.levels * 3) where !sampler.room(next, index, 1) {
                Issue.record("\(label): \(move) overfills slot \(index)")
            }
            expectWithinSpace(next.mapping(), space, label)
            keys.insert(nextKey)
        }
        return keys
    }

    /// On random designs around the Simba-like one (every dataflow) and on both Timeloop mapper
    /// inputs (fixed factors, keep/bypass choices): from filled starts, every enumerated move
    /// stays in the space, and every one of 200 drawn neighbours is an enumerated one.
    @Test func containsEveryDrawnNeighbour() throws {
        var spaces = try randomTemplateSpaces(count: 12, seed: 41)
        for name in ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"] {
            spaces.append((try MapSearchTests.mapperSpace(name), name))
        }
        var drawn = 0
        for (index, (space, label)) in spaces.enumerated() {
            let sampler = CandidateSampler(space: space)
            var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
            var generator = SeededGenerator(seed: UInt64(index) + 5)
            guard let start = sampler.filled(using: &generator, evaluator: &evaluator) else { continue }
            let enumerated = Self.neighbours(of: start, in: space, sampler: sampler, label: label)
            #expect(enumerated.count > 10, "\(label): \(enumerated.count) neighbours")
            for _ in 0..<200 {
                let next = sampler.neighbour(of: start, using: &generator)
                guard next != start else { continue }
                drawn += 1
                #expect(enumerated.contains(Self.key(next, levels: sampler.levels)),
                        "\(label): a drawn neighbour is not enumerated: \(next.mapping())")
            }
        }
        #expect(drawn > 2_000)
    }

    /// A search with budget to spare ends polished: no move of the neighbourhood gives a better
    /// admissible, fitting candidate than the one it returns (ResNet-50 layers, Simba-like).
    @Test func polishedSearchEndsAtALocalOptimum() throws {
        for layer in ["layer1.0.conv2", "layer3.0.downsample.0"] {
            let space = try simbaLikeSpace(layer: layer)
            var search = MapSearch(space: space)
            search.allowExhaustive = false
            search.polishShare = 0.5
            let result = search.run(budget: 20_000, threads: 1, seed: 3)
            let mapping = try #require(result.mapping)
            let summary = try #require(result.summary)
            let candidate = try #require(Candidate(mapping, dimensions: space.problem.dimensions.count))
            let sampler = CandidateSampler(space: space)
            var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
            #expect(evaluator.summaryIfFits(candidate) == summary)
            var better = 0
            for move in sampler.moves(of: candidate) {
                var next = candidate
                sampler.apply(move, to: &next)
                if sampler.admissible(next), let nextSummary = evaluator.summaryIfFits(next),
                   search.objective.better(nextSummary, than: summary) {
                    better += 1
                }
            }
            #expect(better == 0, "\(layer): \(better) single moves improve the polished mapping")
        }
    }

    /// Without polish the same search stops at a point some move still improves on at least one
    /// of these layers: the test above would notice a polish that did nothing.
    @Test func unpolishedSearchesLeaveImprovingMoves() throws {
        var improvable = 0
        for layer in ["layer1.0.conv2", "layer2.0.conv2", "layer3.0.conv2", "layer3.0.downsample.0"] {
            let space = try simbaLikeSpace(layer: layer)
            var search = MapSearch(space: space)
            search.allowExhaustive = false
            search.polishShare = 0
            let result = search.run(budget: 1_500, threads: 1, seed: 3)
            let candidate = try #require(result.mapping.flatMap { Candidate($0, dimensions: space.problem.dimensions.count) })
            let summary = try #require(result.summary)
            let sampler = CandidateSampler(space: space)
            var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
            let improves = sampler.moves(of: candidate).contains { move in
                var next = candidate
                sampler.apply(move, to: &next)
                guard sampler.admissible(next), let nextSummary = evaluator.summaryIfFits(next) else { return false }
                return search.objective.better(nextSummary, than: summary)
            }
            if improves { improvable += 1 }
        }
        #expect(improvable > 0)
    }
}
