import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// The sampled search's moves (``CandidateSampler/neighbour(of:using:)``) change the candidate,
/// and its exchange move (``CandidateSampler/exchange(in:using:)``) keeps candidates in their
/// space (every dimension's product, fixed factors, allowed slots, fan-outs; capacities are the
/// evaluator's check after every move, as for the other moves), changes exactly two factors of
/// two dimensions when it moves, and trades spatial factors of a full array, which single-prime
/// moves cannot do in one step.
@Suite struct NeighbourMoveTests {
    /// Applies `count` exchanges to filled candidates of `space`; returns how many moved.
    static func check(_ space: MapSpace, count: Int, seed: UInt64, label: String) -> Int {
        let sampler = CandidateSampler(space: space)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var generator = SeededGenerator(seed: seed)
        var moved = 0
        for _ in 0..<count {
            guard let start = sampler.filled(using: &generator, evaluator: &evaluator) else { continue }
            var next = start
            sampler.exchange(in: &next, using: &generator)
            guard next != start else { continue }
            moved += 1
            let changed = next.factors.indices.filter { next.factors[$0] != start.factors[$0] }
            let changedDimensions = Set(changed.map { $0 % sampler.dimensions })
            #expect(changed.count == 4 && changedDimensions.count == 2, "\(label): changed \(changed)")
            for d in 0..<sampler.dimensions {
                let product = (0..<(sampler.levels * 3)).reduce(1) { $0 * next.factors[$1 * sampler.dimensions + d] }
                #expect(product == space.problem.bounds[d], "\(label): dimension \(d) multiplies to \(product)")
            }
            for index in 0..<(sampler.levels * 3) {
                #expect(sampler.room(next, index, 1), "\(label): slot \(index) beyond its fan-out")
            }
            expectWithinSpace(next.mapping(), space, label)
        }
        return moved
    }

    /// A move drawn for a dimension of size 1, or a level with fewer than two loops, would change
    /// nothing; such draws are retried, so neighbours are other candidates (before, 57% of the
    /// draws from a filled start of a ResNet-50 layer were the start itself).
    @Test func neighboursDifferFromTheirCandidate() throws {
        let design = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        let hardware = try design.elaborate()
        let network = try #require(Zoo.network(named: "resnet50"))
        var draws = 0, unchanged = 0
        for (index, shape) in network.uniqueShapes.enumerated() {
            let space = MapSpace.template(design: design, hardware: hardware, layer: shape.representative)
            let sampler = CandidateSampler(space: space)
            var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
            var generator = SeededGenerator(seed: UInt64(index))
            guard let start = sampler.filled(using: &generator, evaluator: &evaluator) else { continue }
            for _ in 0..<100 {
                draws += 1
                if sampler.neighbour(of: start, using: &generator) == start { unchanged += 1 }
            }
        }
        #expect(draws >= 2_000)
        #expect(unchanged * 100 <= draws, "\(unchanged) of \(draws) neighbours were their candidate")
    }

    @Test(arguments: ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"])
    func staysInTheTimeloopSpaces(name: String) throws {
        let space = try MapSearchTests.mapperSpace(name)
        #expect(Self.check(space, count: 200, seed: 3, label: name) > 50, "\(name): few exchanges moved")
    }

    /// A dimension with a fixed factor at one level's temporal slot and free slots elsewhere:
    /// exchanges trade its searched primes but never its fixed factor.
    @Test func keepsFixedFactorsOfSearchedDimensions() throws {
        var space = try simbaLikeSpace(layer: "layer2.0.conv2")
        let level = space.hardware.storage.count - 2
        let fixedDimensions = space.problem.dimensions.indices.filter {
            space.allowed[level][0][$0] && space.fixed[level][0][$0] == nil && space.problem.bounds[$0] % 4 == 0
        }
        #expect(fixedDimensions.count >= 2)
        for d in fixedDimensions { space.fixed[level][0][d] = 2 }
        #expect(Self.check(space, count: 400, seed: 7, label: "fixed factors") > 100)
    }

    /// Random designs around the Simba-like one (every dataflow, collector depth, array and
    /// buffer size) on random ResNet-50 layers.
    @Test func staysInTemplateSpaces() throws {
        var moved = 0
        for (index, (space, label)) in try randomTemplateSpaces(count: 16, seed: 29).enumerated() {
            moved += Self.check(space, count: 20, seed: UInt64(index + 1), label: label)
        }
        #expect(moved >= 16 * 5, "only \(moved) exchanges moved over 16 spaces")
    }

    /// On a full spatial slot, some exchanges put another dimension's prime into it and keep it
    /// full: the trade a single move would have to make through a half-empty array.
    @Test func tradesSpatialFactorsOfAFullArray() throws {
        let space = try simbaLikeSpace(layer: "layer2.0.conv2")
        let sampler = CandidateSampler(space: space)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var generator = SeededGenerator(seed: 11)
        var fullSlots = 0, trades = 0
        for _ in 0..<100 {
            guard let start = sampler.filled(using: &generator, evaluator: &evaluator) else { continue }
            for index in 0..<(sampler.levels * 3) where index % 3 != 0 {
                let level = index / 3
                let fanout = index % 3 == 1 ? sampler.fanoutX[level] : sampler.fanoutY[level]
                guard fanout > 1, sampler.product(start, level: level, slot: index % 3) == fanout else { continue }
                fullSlots += 1
                for _ in 0..<50 {
                    var next = start
                    sampler.exchange(in: &next, using: &generator)
                    let before = (0..<sampler.dimensions).map { start.factors[index * sampler.dimensions + $0] }
                    let after = (0..<sampler.dimensions).map { next.factors[index * sampler.dimensions + $0] }
                    if before != after && sampler.product(next, level: level, slot: index % 3) == fanout { trades += 1 }
                }
            }
        }
        #expect(fullSlots > 0, "no filled start had a full spatial slot")
        #expect(trades > 0, "no exchange traded the factors of a full spatial slot")
    }

    /// Drawing a neighbour into a candidate kept from earlier draws (what the screened climb
    /// does, to allocate nothing) gives the neighbour ``CandidateSampler/neighbour(of:using:)``
    /// gives, with the same draws, whatever the kept candidate held: other factors, orders and
    /// keep/bypass choices (an open keep space, so that flips are drawn too).
    @Test func neighboursDrawnIntoKeptCandidatesEqualFreshOnes() throws {
        let input = try TimeloopFixtureTests.load("m03_conv1d_oc_3level_no-bypass")
        var open = MapSpace(hardware: input.hardware, problem: input.problem, keeps: input.mapping.levels.map(\.keeps))
        open.freeKeeps[1] = [0, 1]
        for (space, label) in [(try simbaLikeSpace(layer: "layer2.0.conv2"), "simba-like"), (open, "open keeps")] {
            let sampler = CandidateSampler(space: space)
            var fresh = SeededGenerator(seed: 5), reused = SeededGenerator(seed: 5), other = SeededGenerator(seed: 6)
            var kept = sampler.random(using: &other)
            var point = sampler.random(using: &fresh)
            _ = sampler.random(using: &reused)
            var flips = 0
            for draw in 0..<2_000 {
                let expected = sampler.neighbour(of: point, using: &fresh)
                sampler.neighbour(of: point, into: &kept, using: &reused)
                #expect(kept == expected, "\(label), draw \(draw)")
                #expect(kept.keepMasks == Candidate.masks(kept.keeps), "\(label), draw \(draw)")
                if expected.keeps != point.keeps { flips += 1 }
                // Now and then move on, or refill the kept candidate with an unrelated one.
                if draw % 7 == 0 { point = expected }
                if draw % 11 == 0 { kept = sampler.random(using: &other) }
            }
            #expect(fresh.next() == reused.next(), "\(label): the draws diverged")
            if label == "open keeps" { #expect(flips > 0, "no flip drawn") }
        }
    }

    /// ``CandidateSampler/randomElement(of:where:using:)`` draws what `filter` then
    /// `randomElement(using:)` draws, and leaves the generator where they leave it.
    @Test func randomElementWithoutFilteringDrawsAsFiltering() {
        var source = SeededGenerator(seed: 9)
        var filtering = SeededGenerator(seed: 10), counting = SeededGenerator(seed: 10)
        for _ in 0..<1_000 {
            let count = Int.random(in: 0..<12, using: &source)
            let elements = (0..<count).map { _ in Int.random(in: 0..<20, using: &source) }
            let threshold = Int.random(in: 0..<20, using: &source)
            let expected = elements.filter { $0 >= threshold }.randomElement(using: &filtering)
            let drawn = CandidateSampler.randomElement(of: elements, where: { $0 >= threshold }, using: &counting)
            #expect(drawn == expected, "\(elements) at or above \(threshold)")
        }
        #expect(filtering.next() == counting.next())
    }
}
