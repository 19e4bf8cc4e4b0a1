import Dispatch
import MagnetCore

/// How fast the ``CandidateScreen`` decides, beside the exact ``Evaluator`` on the same
/// candidates: for `magnet bench mapper` (docs/performance.md, "Screening").
public struct ScreenThroughput: Sendable {
    /// Candidates per batch: the screen's SIMD lanes.
    public static let lanes = CandidateScreen.width
    /// Candidates screened per round (fitting or not).
    public var candidates = 0
    /// Rounds timed.
    public var rounds = 0
    /// Seconds spent screening (packing the lanes and the arithmetic, whose results go to the
    /// screen's working memory).
    public var screenSeconds = 0.0
    /// Seconds the evaluator spent on the same candidates (its fit test, then the exact model for
    /// those that fit), once each.
    public var evaluateSeconds = 0.0
    /// Candidates the screen found not to fit (the evaluator agrees: ``BoundAudit``).
    public var screenedNotFitting = 0

    /// Candidates screened per second on one core.
    public var screenedPerSecond: Double { screenSeconds > 0 ? Double(candidates * rounds) / screenSeconds : 0 }
    /// Candidates evaluated exactly per second on one core.
    public var evaluatedPerSecond: Double { evaluateSeconds > 0 ? Double(candidates) / evaluateSeconds : 0 }

    /// Draws `count` candidates of `space` (random points and neighbours of them, as the search
    /// meets them) and times screening them `rounds` times, in batches of the screen's width, and
    /// evaluating them once.
    public static func measure(space: MapSpace, haloReuse: CostModel.HaloReuse = .timeloopV3, count: Int = 4_096,
                               rounds: Int = 20, seed: UInt64 = 0) -> ScreenThroughput {
        let sampler = CandidateSampler(space: space)
        var generator = SeededGenerator(seed: seed)
        var drawn: [Candidate] = []
        drawn.reserveCapacity(count)
        var current = sampler.random(using: &generator)
        while drawn.count < count {
            current = drawn.count % 8 == 0 ? sampler.random(using: &generator)
                : sampler.neighbour(of: current, using: &generator)
            drawn.append(current)
        }
        var result = ScreenThroughput(candidates: count, rounds: rounds)
        var screen = CandidateScreen(space: space)
        let began = DispatchTime.now().uptimeNanoseconds
        for round in 0..<rounds {
            var start = 0
            while start < count {
                screen.clear()
                let end = min(start + CandidateScreen.width, count)
                for index in start..<end { screen.add(drawn[index]) }
                screen.run()
                for lane in 0..<(end - start) where round == 0 && screen.fitsHardware(lane) == false {
                    result.screenedNotFitting += 1
                }
                start = end
            }
        }
        result.screenSeconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem, haloReuse: haloReuse))
        let evaluated = DispatchTime.now().uptimeNanoseconds
        for candidate in drawn { _ = evaluator.summaryIfFits(candidate) }
        result.evaluateSeconds = Double(DispatchTime.now().uptimeNanoseconds - evaluated) / 1e9
        return result
    }
}
