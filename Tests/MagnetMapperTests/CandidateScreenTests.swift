import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// The screen the sampled search puts before the exact evaluation (``CandidateScreen``): it says
/// whether a candidate fits exactly as the evaluator does, its bound never exceeds the model, a
/// lane's verdict does not depend on the lane or its batch, and what it turns away in a climb
/// would not have improved the point. (``MappingBoundTests`` runs the screen over the same random
/// mappings as the bounds, through ``BoundAudit``.)
@Suite struct CandidateScreenTests {
    /// Twelve random designs around the Simba-like one (every dataflow, ResNet-50 layers) and both
    /// Timeloop mapper inputs.
    static func spaces() throws -> [(space: MapSpace, label: String)] {
        var spaces = try randomTemplateSpaces(count: 12, seed: 77)
        for name in ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"] {
            spaces.append((try MapSearchTests.mapperSpace(name), name))
        }
        return spaces
    }

    /// Random points and neighbours of them, fitting or not: the verdicts and bounds of each batch
    /// against the evaluator, and against the same candidate screened alone in another lane.
    @Test func agreesWithTheEvaluator() throws {
        var notFitting = 0, fitting = 0
        for (index, (space, label)) in try Self.spaces().enumerated() {
            let sampler = CandidateSampler(space: space)
            var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
            var generator = SeededGenerator(seed: UInt64(index) + 3)
            var batch = CandidateScreen(space: space), alone = CandidateScreen(space: space)
            var point = sampler.random(using: &generator)
            for round in 0..<40 {
                batch.clear()
                var drawn: [Candidate] = []
                for lane in 0..<CandidateScreen.width {
                    point = lane == 0 && round % 3 == 0 ? sampler.random(using: &generator)
                        : sampler.neighbour(of: point, using: &generator)
                    batch.add(point)
                    drawn.append(point)
                }
                batch.run()
                for (lane, candidate) in drawn.enumerated() {
                    let fits = evaluator.fits(candidate)
                    if let said = batch.fitsHardware(lane) {
                        #expect(said == fits, "\(label): screen says fits \(said), evaluator \(fits)")
                    }
                    if fits { fitting += 1 } else { notFitting += 1 }
                    // The same candidate alone, in the last lane of its batch.
                    alone.clear()
                    for _ in 0..<(CandidateScreen.width - 1) { alone.add(drawn[(lane + 1) % drawn.count]) }
                    alone.add(candidate)
                    alone.run()
                    #expect(alone.bound(CandidateScreen.width - 1) == batch.bound(lane), "\(label): lane \(lane)")
                    #expect(alone.fitsHardware(CandidateScreen.width - 1) == batch.fitsHardware(lane))
                    guard fits, let bound = batch.bound(lane) else { continue }
                    let exact = evaluator.summary(candidate.mapping())
                    #expect(bound.energyPJ <= exact.energyPJ && bound.cycles <= Double(exact.cycles),
                            "\(label): bound \(bound) above \(exact.energyPJ) pJ, \(exact.cycles) cycles")
                    #expect(bound.energyPJ > 0 && bound.cycles >= 1)
                }
            }
        }
        #expect(fitting > 300 && notFitting > 300, "fitting \(fitting), not fitting \(notFitting)")
    }

    /// In climbs from filled starts, every neighbour the screen turns away would not have improved
    /// the point (its exact score is no better), and it turns a good share away: the bound bites.
    @Test func turnsAwayOnlyWhatCannotImprove() throws {
        var turnedAway = 0, checked = 0
        for (index, (space, label)) in try Self.spaces().enumerated() {
            let sampler = CandidateSampler(space: space)
            var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
            var generator = SeededGenerator(seed: UInt64(index) + 11)
            var batch = NeighbourBatch(space: space)
            guard var point = sampler.filled(using: &generator, evaluator: &evaluator),
                  var score = evaluator.summaryIfFits(point) else { continue }
            for _ in 0..<60 {
                let from = point
                batch.draw(CandidateScreen.width, around: from) {
                    sampler.neighbour(of: from, into: &$0, using: &generator)
                }
                while !batch.isEmpty {
                    let (candidate, lane) = batch.next()
                    checked += 1
                    let summary = sampler.admissible(candidate) ? evaluator.summaryIfFits(candidate) : nil
                    if batch.rejects(lane, against: score, objective: .edp, energyWeight: 0.5) {
                        turnedAway += 1
                        if let summary {
                            #expect(!Objective.edp.better(summary, than: score), "\(label): turned away an improvement")
                        }
                    } else if let summary, Objective.edp.better(summary, than: score) {
                        point = candidate
                        score = summary
                        batch.discard()
                    }
                }
            }
        }
        #expect(turnedAway * 5 > checked, "turned away \(turnedAway) of \(checked)")
    }

    /// A batch hands out its candidates the least bound first.
    @Test func handsOutTheLeastBoundFirst() throws {
        let (space, _) = try #require(Self.spaces().first)
        let sampler = CandidateSampler(space: space)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var generator = SeededGenerator(seed: 5)
        let point = try #require(sampler.filled(using: &generator, evaluator: &evaluator))
        var batch = NeighbourBatch(space: space)
        batch.draw(CandidateScreen.width, around: point) { sampler.neighbour(of: point, into: &$0, using: &generator) }
        var keys: [Float] = []
        while !batch.isEmpty {
            let (_, lane) = batch.next()
            keys.append(batch.orderingKey(lane))
        }
        #expect(keys.count == CandidateScreen.width)
        #expect(keys == keys.sorted(), "\(keys)")
        #expect(Set(keys).count > 1, "all lanes alike: \(keys)")
    }

    /// Where the space leaves a keep open (the template's global buffer for outputs), a batch
    /// screens every neighbour, whichever way it keeps: each has a bound (a neighbour let through
    /// unscreened has none), and the batch turns neighbours of both keeps away.
    @Test func screensNeighboursOfEveryOpenKeep() throws {
        let (space, label) = try #require(Self.spaces().first)
        let globalBuffer = try #require(space.hardware.storage.firstIndex { $0.name == "GlobalBuffer" })
        let outputs = try #require(space.problem.dataSpaceIndex("Outputs"))
        #expect(space.freeKeeps[globalBuffer] == [outputs], "\(label)")
        let sampler = CandidateSampler(space: space)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var generator = SeededGenerator(seed: 9)
        var batch = NeighbourBatch(space: space)
        var boundedBy: [Bool: Int] = [:], turnedAwayBy: [Bool: Int] = [:]
        for _ in 0..<40 {
            guard let point = sampler.filled(using: &generator, evaluator: &evaluator),
                  let score = evaluator.summaryIfFits(point) else { continue }
            batch.draw(CandidateScreen.width, around: point) {
                sampler.neighbour(of: point, into: &$0, using: &generator)
            }
            while !batch.isEmpty {
                let (candidate, place) = batch.next()
                let keeps = candidate.keeps[globalBuffer].contains(outputs)
                #expect(batch.orderingKey(place) > 0, "\(label): a neighbour unscreened")
                boundedBy[keeps, default: 0] += 1
                if batch.rejects(place, against: score, objective: .edp, energyWeight: 0.5) {
                    turnedAwayBy[keeps, default: 0] += 1
                }
            }
        }
        #expect(boundedBy[true, default: 0] > 20 && boundedBy[false, default: 0] > 20, "\(boundedBy)")
        #expect(turnedAwayBy[true, default: 0] > 0 && turnedAwayBy[false, default: 0] > 0, "\(turnedAwayBy)")
    }

    /// A screened search turns candidates away, stays deterministic, and its best mapping is
    /// valid and scored exactly.
    @Test func screenedSearchIsExactAndDeterministic() throws {
        let space = try MapSearchTests.mapperSpace("mapper_eyeriss_like_conv3x3")
        var search = MapSearch(space: space)
        search.allowExhaustive = false
        let first = search.run(budget: 3_000, seed: 4)
        let again = search.run(budget: 3_000, seed: 4)
        #expect(first.screenedOut > 100, "screened out \(first.screenedOut)")
        #expect(first.summary == again.summary && first.screenedOut == again.screenedOut)
        let mapping = try #require(first.mapping)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        let fits = evaluator.fits(mapping), exact = evaluator.summary(mapping)
        #expect(fits)
        #expect(exact == first.summary)
        search.screening = false
        #expect(search.run(budget: 3_000, seed: 4).screenedOut == 0)
    }
}
