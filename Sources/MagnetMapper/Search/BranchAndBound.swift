import Dispatch
import Foundation

/// The state of one ``OptimalSearch`` run: the candidate being built, the best one found, the
/// counters of the certificate. Recursion follows the tree described on ``OptimalSearch``.
struct BranchAndBound {
    let search: OptimalSearch
    let space: MapSpace
    let levelCount: Int
    let dimensionCount: Int
    let top: Int
    let fanout: [[Int]]
    let keepChoices: [(level: Int, dataSpace: Int)]
    let logScore: Bool
    var bound: MappingBound
    var evaluator: Evaluator
    var candidate: Candidate
    /// Per dimension: what is left to place beyond the decided factors.
    var remaining: [Int]
    var best: (candidate: Candidate, summary: Evaluator.Summary)?
    var bestScore = Double.infinity
    /// The least bound among subtrees cut thanks to the allowed gap, or left unexplored at the
    /// time limit: the optimum is at least the smaller of this and the best score.
    var floor = Double.infinity
    var certificate = OptimalSearch.Certificate()
    let startTime: UInt64
    let deadline: UInt64?
    var stopped = false
    var divisorCache: [Int: [Int]] = [:]
    /// Scratch of `fits`: a tile's extents.
    let tileMemory = ScratchMemory()
    let tileExtent: UnsafeMutableBufferPointer<Int>

    init(search: OptimalSearch) {
        self.search = search
        space = search.space
        levelCount = space.hardware.storage.count
        dimensionCount = space.problem.dimensions.count
        top = levelCount - 1
        let hardware = search.space.hardware
        fanout = (0..<hardware.storage.count).map { [1, hardware.fanout(of: $0).x, hardware.fanout(of: $0).y] }
        keepChoices = space.keepChoices
        logScore = search.objective == .mix
        bound = MappingBound(space: space, haloReuse: search.haloReuse)
        evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem, haloReuse: search.haloReuse))
        candidate = Candidate(factors: Array(repeating: 1, count: levelCount * 3 * dimensionCount),
                              orders: Array(repeating: Array(0..<dimensionCount), count: levelCount),
                              keeps: space.keeps, dimensions: dimensionCount)
        remaining = space.problem.bounds
        tileExtent = tileMemory.buffer(dimensionCount, 1)
        let now = DispatchTime.now().uptimeNanoseconds
        startTime = now
        deadline = search.seconds.map { now + UInt64($0 * 1e9) }
    }

    // MARK: Scores and cuts

    func score(_ summary: Evaluator.Summary) -> Double {
        search.objective.score(summary, energyWeight: search.energyWeight)
    }

    func score(_ value: MappingBound.Value) -> Double {
        value.score(search.objective, energyWeight: search.energyWeight)
    }

    /// Whether a subtree with this bound can be cut; records the floor when only the gap allows it.
    mutating func cut(_ lower: Double) -> Bool {
        guard bestScore.isFinite else { return false }
        let tolerance = logScore ? 1e-12 : 1e-12 * abs(bestScore)
        if lower >= bestScore - tolerance { return true }
        guard search.gap > 0 else { return false }
        let threshold = logScore ? bestScore + log1p(-search.gap) : bestScore * (1 - search.gap)
        if lower >= threshold {
            floor = min(floor, lower)
            return true
        }
        return false
    }

    /// Records subtrees left unexplored at the time limit.
    mutating func abandon(_ lower: Double) { floor = min(floor, lower) }

    mutating func timeUp() -> Bool {
        if stopped { return true }
        if let deadline, certificate.bounded & 255 == 0, DispatchTime.now().uptimeNanoseconds >= deadline {
            stopped = true
        }
        return stopped
    }

    mutating func lowerBound(_ decided: Decisions) -> Double {
        certificate.bounded += 1
        let value = bound.bound(candidate, decided)
        return score(value)
    }

    /// Takes a valid mapping of the space as the best so far, if it is better.
    mutating func offer(_ mapping: Mapping) {
        guard let offered = Candidate(mapping, dimensions: dimensionCount),
              let summary = evaluator.summaryIfFits(offered) else { return }
        consider(offered, summary)
    }

    mutating func consider(_ complete: Candidate, _ summary: Evaluator.Summary) {
        if let current = best?.summary,
           !search.objective.better(summary, than: current, energyWeight: search.energyWeight) {
            return
        }
        best = (complete, summary)
        bestScore = score(summary)
        certificate.secondsToBest = Double(DispatchTime.now().uptimeNanoseconds - startTime) / 1e9
    }

    // MARK: The tree

    mutating func run() {
        for mask in 0..<(1 << keepChoices.count) where !stopped {
            setKeeps(mask)
            spatialPhase()
        }
    }

    /// The keep/bypass choices numbered `mask` (a bit per open choice: flipped).
    mutating func setKeeps(_ mask: Int) {
        candidate.keeps = space.keeps(flipping: mask, of: keepChoices)
    }

    func result() -> OptimalSearch.Result {
        var certificate = self.certificate
        certificate.finished = !stopped
        certificate.seconds = Double(DispatchTime.now().uptimeNanoseconds - startTime) / 1e9
        if bestScore.isFinite {
            let lower = min(floor, bestScore)
            certificate.gap = max(0, logScore ? 1 - exp(lower - bestScore) : (bestScore - lower) / bestScore)
        } else {
            certificate.gap = stopped ? 1 : 0
        }
        return OptimalSearch.Result(mapping: best.map { $0.candidate.mapping() }, summary: best?.summary,
                                    certificate: certificate)
    }

    @inline(__always)
    func index(_ level: Int, _ slot: Int, _ d: Int) -> Int { (level * 3 + slot) * dimensionCount + d }

    /// The divisors of `n`, ascending.
    mutating func divisors(_ n: Int) -> [Int] {
        if let cached = divisorCache[n] { return cached }
        let result = Factorization.divisors(n)
        divisorCache[n] = result
        return result
    }
}
