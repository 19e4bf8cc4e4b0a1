import Foundation
import Testing
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// The branch-and-bound search returns the optimum of full enumeration wherever full
/// enumeration is possible, honours a gap, and says honestly what it proved when stopped early.
@Suite struct OptimalSearchTests {
    /// The best score of every candidate of a space (``ExhaustiveSearch``), or `nil` when none fits.
    static func enumeratedOptimum(_ space: MapSpace, objective: Objective) -> Double? {
        let exhaustive = ExhaustiveSearch(sampler: CandidateSampler(space: space))
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var best: Double?
        exhaustive.forEachCandidate { candidate in
            guard exhaustive.sampler.admissible(candidate) else { return }
            let mapping = candidate.mapping()
            guard evaluator.fits(mapping) else { return }
            let score = objective.score(evaluator.summary(mapping))
            if best.map({ score < $0 }) ?? true { best = score }
        }
        return best
    }

    static func agree(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= 1e-9 * abs(b)
    }

    /// Every Timeloop fixture space small enough to enumerate, with three objectives.
    @Test(arguments: ["m00_conv1d_1level", "m01_conv1d_2level_os", "m01_conv1d_2level_ws", "m02_conv1d_oc_2level_tiled",
                      "m03_conv1d_oc_3level_bypass", "m03_conv1d_oc_3level_no-bypass"])
    func equalsFullEnumerationOnFixtures(name: String) throws {
        let input = try TimeloopFixtureTests.load(name)
        let space = MapSpace(hardware: input.hardware, problem: input.problem, keeps: input.mapping.levels.map(\.keeps))
        #expect(ExhaustiveSearch(sampler: CandidateSampler(space: space)).size(limit: 100_000) != nil)
        for objective in [Objective.edp, .energy, .cycles] {
            var search = OptimalSearch(space: space, objective: objective)
            search.warmStartBudget = 0
            let result = search.run()
            let summary = try #require(result.summary)
            let optimum = Self.enumeratedOptimum(space, objective: objective)
            #expect(Self.agree(objective.score(summary), optimum), "\(name) \(objective)")
            #expect(result.certificate.finished && result.certificate.gap == 0)
            #expect(result.certificate.evaluated >= 1)
        }
    }

    /// The template under every dataflow, on a small design and layer (every split and order
    /// enumerable), including spatial fan-out at the weight collector, the lanes and the PEs.
    @Test(arguments: Dataflow.allCases)
    func equalsFullEnumerationOnTheTemplate(dataflow: Dataflow) throws {
        let design = DesignPoint(name: "tiny", numPEs: 2, lanes: 2, vectorSize: 2, weightCollectorDepth: 2,
                                 accumulationCollectorDepth: 2, inputCollectorDepth: 0, weightBufferBytes: 64,
                                 inputBufferBytes: 64, accumulationBufferBytes: 48, globalBufferBytes: 256,
                                 dramBandwidthGBps: 4, dataflow: dataflow)
        let hardware = try design.elaborate()
        // K2 C2 P2 Q2 R3 S1: a sliding window along P, fan-out over C, K and the PEs (44,258 candidates).
        let layer = Layer.convolution("small", inChannels: 2, outChannels: 2, inputHeight: 2, inputWidth: 2, kernel: 3,
                                      kernelWidth: 1, padding: 1, paddingW: 0)
        let space = MapSpace.template(design: design, hardware: hardware, layer: layer)
        let exhaustive = ExhaustiveSearch(sampler: CandidateSampler(space: space))
        let size = try #require(exhaustive.size(limit: 200_000), "the space must stay enumerable")
        #expect(size > 1000)
        var search = OptimalSearch(space: space)
        search.warmStartBudget = 0
        let result = search.run()
        let mapping = try #require(result.mapping)
        #expect(Self.agree(result.summary.map { Objective.edp.score($0) }, Self.enumeratedOptimum(space,
            objective: .edp)))
        #expect(result.certificate.gap == 0 && result.certificate.finished)
        // Far fewer exact evaluations than candidates.
        #expect(result.certificate.evaluated < size / 10)
        // Valid, and the reference nest walk agrees with the summary.
        #expect(mapping.problems(on: hardware, for: layer.problem).isEmpty)
        let walked = CostModel(hardware: hardware, problem: layer.problem).evaluateByNestWalk(mapping)
        #expect(walked.cycles == result.summary?.cycles)
        #expect(abs(walked.energyPJ - (result.summary?.energyPJ ?? 0)) <= 1e-9 * walked.energyPJ)
    }

    /// Keep/bypass left open at the middle level: the best over the four choices.
    @Test func openKeepChoicesAreSearched() throws {
        let input = try TimeloopFixtureTests.load("m03_conv1d_oc_3level_no-bypass")
        let problem = Problem(dimensions: input.problem.dimensions, bounds: [4, 3, 4],
                              dataSpaces: input.problem.dataSpaces)
        var open = MapSpace(hardware: input.hardware, problem: problem, keeps: input.mapping.levels.map(\.keeps))
        open.freeKeeps[1] = [0, 1]
        var search = OptimalSearch(space: open)
        search.warmStartBudget = 0
        let result = search.run()
        #expect(Self.agree(result.summary.map { Objective.edp.score($0) }, Self.enumeratedOptimum(open,
            objective: .edp)))
        #expect(result.certificate.gap == 0)
    }

    /// With a gap, the result is within it of the optimum and the certificate says no more.
    @Test func aGapIsHonoured() throws {
        let input = try TimeloopFixtureTests.load("m03_conv1d_oc_3level_no-bypass")
        let space = MapSpace(hardware: input.hardware, problem: input.problem, keeps: input.mapping.levels.map(\.keeps))
        let optimum = try #require(Self.enumeratedOptimum(space, objective: .edp))
        var exact = OptimalSearch(space: space)
        exact.warmStartBudget = 0
        var loose = exact
        loose.gap = 0.4
        let tight = exact.run(), relaxed = loose.run()
        let score = try #require(relaxed.summary.map { Objective.edp.score($0) })
        #expect(score * (1 - 0.4) <= optimum * (1 + 1e-12))
        #expect(relaxed.certificate.gap <= 0.4 && relaxed.certificate.finished)
        #expect(score * (1 - relaxed.certificate.gap) <= optimum * (1 + 1e-12))
        #expect(relaxed.certificate.bounded < tight.certificate.bounded)
    }

    /// Stopped by the time limit on a large space: the best mapping found, valid, with the gap
    /// proven by then (above 0) and the search marked unfinished.
    @Test func aTimeLimitLeavesAnHonestGap() throws {
        let point = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        let hardware = try point.elaborate()
        let layer = try #require(Zoo.network(named: "resnet50")?.layer(named: "layer2.0.conv2"))
        var search = OptimalSearch(space: MapSpace.template(design: point, hardware: hardware, layer: layer))
        search.seconds = 0.2
        search.warmStartBudget = 300
        let result = search.run()
        let mapping = try #require(result.mapping)
        #expect(mapping.problems(on: hardware, for: layer.problem).isEmpty)
        #expect(!result.certificate.finished)
        #expect(result.certificate.gap > 0 && result.certificate.gap <= 1)
    }
}
