import Dispatch
import Foundation
import MagnetCore

/// Searches a ``MapSpace`` for the best mapping of one layer: random starting points that fill
/// the buffers (``CandidateSampler/filled(using:evaluator:)``), then hill climbing by single
/// moves (``CandidateSampler/neighbour(of:using:)``), restarting when no improvement comes
/// (from the ``kickFrom`` share of the budget on, half the restarts from the best candidate a
/// few random moves away); the last ``polishShare`` of the budget polishes the best candidate to
/// a local optimum. A ``CandidateScreen`` turns away the candidates that cannot fit or improve;
/// the others are scored by the ``Evaluator``. Deterministic for a given seed, budget and
/// thread count.
public struct MapSearch: Sendable {
    /// The outcome of a search.
    public struct Result: Sendable {
        /// The best mapping found, or `nil` when no candidate fitted.
        public var mapping: Mapping?
        /// Its energy, cycles and utilization.
        public var summary: Evaluator.Summary?
        /// Candidates drawn (fitting or not).
        public var considered: Int
        /// Candidates that fitted and were evaluated.
        public var valid: Int
        /// Wall-clock seconds.
        public var seconds: Double
        /// Whether the whole (small) space was enumerated instead of sampled.
        public var exhaustive = false
        /// Candidates the screen turned away without evaluating them (``screening``): they could
        /// not fit or not improve the point they were drawn around. Counted in ``considered``.
        public var screenedOut = 0
    }

    /// The space searched.
    public let space: MapSpace
    /// The cost model's options (halo rule).
    public let haloReuse: CostModel.HaloReuse
    /// What to minimize.
    public var objective: Objective = .edp
    /// Candidates per thread without improvement before restarting from a new starting point
    /// (docs/mapper.md, "Moves that change nothing": 25 measured better than 15, 50 and 100).
    public var patience = 25
    /// With ``Objective/mix``: the weight of energy against cycles.
    public var energyWeight = 0.5
    /// Stop a thread once this many candidates in a row have not improved its best (`nil`: run
    /// the whole budget). Counted in candidates, so the result stays deterministic.
    public var convergence: Int?
    /// Enumerate the whole space when it has no more candidates than the budget.
    public var allowExhaustive = true
    /// Share of each thread's budget spent last on polishing its best candidate: climbing
    /// through its whole neighbourhood (``CandidateSampler/moves(of:)``), in a random order, until
    /// no single move improves it; what is left of the share goes back to random starts.
    /// 0.1–0.3 measured alike, 0.5 and more worse, and polishing the best three or five climbs
    /// instead of the best one no better (docs/mapper.md, "Polish").
    public var polishShare = 0.15
    /// Screen the climb's neighbours eight at a time (``CandidateScreen``): evaluate only those
    /// that may fit and improve the current point, the least bound first. Exact in what it turns
    /// away; it changes the order neighbours are tried in (a batch is drawn ahead, sorted, and
    /// dropped when one improves). docs/mapper.md, "Screening", measures it.
    public var screening = true
    /// Share of each thread's budget (or time) after which restarts may kick the best candidate
    /// instead of drawing a new starting point (iterated local search; docs/mapper.md, "Kicks").
    public var kickFrom = 0.5
    /// Chance that a restart past ``kickFrom`` kicks the best candidate: ``kickMoves`` random
    /// moves (``CandidateSampler/neighbour(of:using:)``) away from it, and climbs from there.
    /// 0 restarts from new starting points only.
    public var kickChance = 0.5
    /// Random moves per kick: 2, 3, 4 and 8 measured alike (docs/mapper.md, "Kicks").
    public var kickMoves = 2

    /// Creates a search.
    public init(space: MapSpace, haloReuse: CostModel.HaloReuse = .timeloopV3, objective: Objective = .edp) {
        self.space = space
        self.haloReuse = haloReuse
        self.objective = objective
    }

    /// Runs `threads` searches of `budget / threads` candidates each (seeded `seed`, `seed + 1`,
    /// …) and keeps the best; `seconds`, when given, also stops every thread at that time once it
    /// has a valid mapping (a limit too short for one does not leave the search empty-handed). With
    /// `start` (a valid mapping of the space, e.g. ``WarmStart/refit(_:from:to:)``), the first
    /// thread climbs from it before its random starting points (a space enumerated completely
    /// needs no start: its optimum is no worse).
    public func run(budget: Int, seconds: Double? = nil, threads: Int = 1, seed: UInt64 = 0,
                    start: Mapping? = nil) -> Result {
        run(budget: budget, seconds: seconds, threads: threads, seed: seed, starts: start.map { [$0] } ?? [])
    }

    /// Like ``run(budget:seconds:threads:seed:start:)``, the first thread climbing from each of
    /// `starts` in turn (valid mappings of the space, best first) before its random starting points.
    public func run(budget: Int, seconds: Double? = nil, threads: Int = 1, seed: UInt64 = 0,
                    starts: [Mapping]) -> Result {
        let began = DispatchTime.now().uptimeNanoseconds
        let exhaustive = ExhaustiveSearch(sampler: CandidateSampler(space: space))
        if allowExhaustive && exhaustive.size(limit: budget) != nil {
            var result = enumerate(exhaustive)
            result.seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
            return result
        }
        let deadline = seconds.map { began + UInt64($0 * 1e9) }
        let polishTime = seconds.map { began + UInt64($0 * (1 - polishShare) * 1e9) }
        let kickTime = seconds.map { began + UInt64($0 * kickFrom * 1e9) }
        let slots = ResultSlots(count: max(threads, 1))
        let perThread = max(1, budget / max(threads, 1))
        DispatchQueue.concurrentPerform(iterations: max(threads, 1)) { index in
            let result = search(budget: perThread, deadline: deadline, polishTime: polishTime, kickTime: kickTime,
                                seed: seed &+ UInt64(index), starts: index == 0 ? starts : [])
            slots.store(index, result)
        }
        var best = Result(mapping: nil, summary: nil, considered: 0, valid: 0, seconds: 0)
        for result in slots.results {
            guard let result else { continue }
            best.considered += result.considered
            best.valid += result.valid
            best.screenedOut += result.screenedOut
            if let summary = result.summary, best.summary.map({ objective.better(summary, than: $0, energyWeight: energyWeight) }) ?? true {
                best.summary = summary
                best.mapping = result.mapping
            }
        }
        best.seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        return best
    }

    /// Evaluates every candidate of a small space.
    private func enumerate(_ exhaustive: ExhaustiveSearch) -> Result {
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem, haloReuse: haloReuse))
        var considered = 0, valid = 0
        let sampler = exhaustive.sampler
        var best: (Candidate, Evaluator.Summary)?
        exhaustive.forEachCandidate { candidate in
            considered += 1
            guard sampler.admissible(candidate), let summary = evaluator.summaryIfFits(candidate) else { return }
            valid += 1
            if best == nil || objective.better(summary, than: best!.1, energyWeight: energyWeight) { best = (candidate, summary) }
        }
        return Result(mapping: best.map { $0.0.mapping() }, summary: best?.1, considered: considered,
                      valid: valid, seconds: 0, exhaustive: true)
    }

    private func search(budget: Int, deadline: UInt64?, polishTime: UInt64?, kickTime: UInt64?, seed: UInt64,
                        starts: [Mapping]) -> Result {
        var generator = SeededGenerator(seed: seed)
        var evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem, haloReuse: haloReuse))
        let sampler = CandidateSampler(space: space)
        var considered = 0, valid = 0, screened = 0
        var best: (Candidate, Evaluator.Summary)?
        var current: (Candidate, Evaluator.Summary)?
        var pending = starts.compactMap { start in
            Candidate(start, dimensions: space.problem.dimensions.count).flatMap { sampler.admissible($0) ? $0 : nil }
        }[...]
        if let candidate = pending.popFirst(), let summary = evaluator.summaryIfFits(candidate) {
            current = (candidate, summary)
            best = current
            considered = 1
            valid = 1
        }
        var stale = 0
        var sinceBest = 0
        let polishFrom = budget - Int(Double(budget) * polishShare)
        let kickFromCount = Int(Double(budget) * kickFrom)
        var kicking = false
        var polished = polishShare <= 0
        var batch = NeighbourBatch(space: space)
        while considered < budget {
            let converged = convergence.map { sinceBest >= $0 } ?? false
            let checkClock = considered % 256 == 0
            let now = checkClock && deadline != nil ? DispatchTime.now().uptimeNanoseconds : 0
            if !polished, let start = best,
               considered >= polishFrom || converged || (checkClock && polishTime.map { now >= $0 } ?? false) {
                polished = true
                best = polish(start, budget: budget, deadline: deadline, considered: &considered, valid: &valid,
                              screened: &screened, sampler: sampler, batch: &batch, evaluator: &evaluator,
                              generator: &generator)
                current = nil
                batch.discard()
                stale = patience
                sinceBest = 0
                continue
            }
            if converged { break }
            // The time limit ends the search once it has a valid mapping to return, never before.
            if checkClock, let deadline, now >= deadline, best != nil { break }
            if !kicking { kicking = considered >= kickFromCount || (checkClock && kickTime.map { now >= $0 } ?? false) }
            let candidate: Candidate
            if let (point, summary) = current, stale < patience {
                if screening {
                    if batch.isEmpty {
                        batch.draw(min(CandidateScreen.width, budget - considered), around: point) {
                            sampler.neighbour(of: point, into: &$0, using: &generator)
                        }
                    }
                    let (next, lane) = batch.next()
                    if batch.rejects(lane, against: summary, objective: objective, energyWeight: energyWeight) {
                        considered += 1
                        sinceBest += 1
                        screened += 1
                        stale += 1
                        continue
                    }
                    candidate = next
                } else {
                    candidate = sampler.neighbour(of: point, using: &generator)
                }
            } else {
                if let next = pending.popFirst() {
                    candidate = next
                } else if kicking, let (point, _) = best, Double.random(in: 0..<1, using: &generator) < kickChance {
                    candidate = kick(point, sampler: sampler, generator: &generator)
                } else {
                    candidate = sampler.filled(using: &generator, evaluator: &evaluator)
                        ?? sampler.random(using: &generator)
                }
                current = nil
                batch.discard()
                stale = 0
            }
            considered += 1
            sinceBest += 1
            guard sampler.admissible(candidate), let summary = evaluator.summaryIfFits(candidate) else {
                stale += 1
                continue
            }
            valid += 1
            if current == nil || objective.better(summary, than: current!.1, energyWeight: energyWeight) {
                current = (candidate, summary)
                batch.discard()
                stale = 0
            } else {
                stale += 1
            }
            if best == nil || objective.better(summary, than: best!.1, energyWeight: energyWeight) {
                best = (candidate, summary)
                sinceBest = 0
            }
        }
        return Result(mapping: best.map { $0.0.mapping() }, summary: best?.1, considered: considered,
                      valid: valid, seconds: 0, screenedOut: screened)
    }
}

extension MapSearch {
    /// `point` moved ``kickMoves`` random moves away: the start of a climb near the best
    /// candidate that single improving moves could not leave.
    fileprivate func kick(_ point: Candidate, sampler: CandidateSampler, generator: inout SeededGenerator) -> Candidate {
        var kicked = point
        for _ in 0..<kickMoves { kicked = sampler.neighbour(of: kicked, using: &generator) }
        return kicked
    }

    /// Climbs from `start` through its whole neighbourhood, in a random order (with ``screening``,
    /// the least bound first within each batch of eight, turning away what cannot improve),
    /// taking the first move that improves it, until none does or the budget ends; the best
    /// candidate reached.
    fileprivate func polish(_ start: (Candidate, Evaluator.Summary), budget: Int, deadline: UInt64?,
                            considered: inout Int, valid: inout Int, screened: inout Int,
                            sampler: CandidateSampler, batch: inout NeighbourBatch, evaluator: inout Evaluator,
                            generator: inout SeededGenerator)
        -> (Candidate, Evaluator.Summary) {
        var point = start
        batch.discard()
        var moves = sampler.moves(of: point.0)
        moves.shuffle(using: &generator)
        var index = 0
        while index < moves.count && considered < budget {
            if considered % 256 == 0, let deadline, DispatchTime.now().uptimeNanoseconds >= deadline { break }
            let next: Candidate
            if screening {
                if batch.isEmpty {
                    let from = point.0
                    var drawn = index
                    batch.draw(min(CandidateScreen.width, moves.count - index, budget - considered), around: from) {
                        $0.assign(from)
                        sampler.apply(moves[drawn], to: &$0)
                        drawn += 1
                    }
                }
                let (candidate, lane) = batch.next()
                index += 1
                considered += 1
                if batch.rejects(lane, against: point.1, objective: objective, energyWeight: energyWeight) {
                    screened += 1
                    continue
                }
                next = candidate
            } else {
                var candidate = point.0
                sampler.apply(moves[index], to: &candidate)
                index += 1
                considered += 1
                next = candidate
            }
            guard sampler.admissible(next), let summary = evaluator.summaryIfFits(next) else { continue }
            valid += 1
            if objective.better(summary, than: point.1, energyWeight: energyWeight) {
                point = (next, summary)
                moves = sampler.moves(of: next)
                moves.shuffle(using: &generator)
                index = 0
                batch.discard()
            }
        }
        return point
    }
}

/// One result slot per thread, behind a lock.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [MapSearch.Result?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ index: Int, _ result: MapSearch.Result) { lock.withLock { slots[index] = result } }
    var results: [MapSearch.Result?] { lock.withLock { slots } }
}
