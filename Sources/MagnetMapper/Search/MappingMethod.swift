/// How a layer's mapping is searched.
public enum MappingMethod: Sendable, Hashable {
    /// Random valid starting points and hill climbing (``MapSearch``): `budget` candidates per
    /// layer, or until `seconds`; `convergence` candidates without improvement end it early.
    case sampled(budget: Int, seconds: Double? = nil, convergence: Int? = nil, threads: Int = 1, seed: UInt64 = 0)
    /// Branch and bound (``OptimalSearch``) to within `gap` of the optimum (0: proven optimal),
    /// or until `seconds` per layer, with the gap proven by then.
    case bounded(gap: Double, seconds: Double? = nil)

    /// What one search found, whichever the method.
    public struct Outcome: Sendable {
        /// The best mapping, or `nil` when no candidate fitted.
        public var mapping: Mapping?
        /// Its energy, cycles and utilization.
        public var summary: Evaluator.Summary?
        /// Candidates drawn (sampled), or bounded (branch and bound).
        public var considered: Int
        /// Candidates evaluated that fitted (sampled), or evaluated exactly (branch and bound).
        public var valid: Int
        /// Wall-clock seconds.
        public var seconds: Double
        /// With ``bounded(gap:seconds:)``: what the search proves.
        public var certificate: OptimalSearch.Certificate?
        /// Sampled: candidates the screen turned away unevaluated (``MapSearch/Result/screenedOut``).
        public var screenedOut = 0
    }

    /// Searches `space` for its best mapping under `objective`. `seedOffset` is added to the
    /// sampled search's seed; `start`, a valid mapping of the space, is where the search starts
    /// (a warm start, ``WarmStart``).
    public func search(_ space: MapSpace, haloReuse: CostModel.HaloReuse = .timeloopV3, objective: Objective,
                       energyWeight: Double, seedOffset: UInt64 = 0, starts: [Mapping] = []) -> Outcome {
        switch self {
        case let .sampled(budget, seconds, convergence, threads, seed):
            var search = MapSearch(space: space, haloReuse: haloReuse, objective: objective)
            search.energyWeight = energyWeight
            search.convergence = convergence
            let result = search.run(budget: budget, seconds: seconds, threads: threads, seed: seed &+ seedOffset,
                                    starts: starts)
            return Outcome(mapping: result.mapping, summary: result.summary, considered: result.considered,
                           valid: result.valid, seconds: result.seconds, certificate: nil,
                           screenedOut: result.screenedOut)
        case let .bounded(gap, seconds):
            var search = OptimalSearch(space: space, haloReuse: haloReuse, objective: objective)
            search.energyWeight = energyWeight
            search.gap = gap
            search.seconds = seconds
            let result = search.run(start: starts.first)
            let certificate = result.certificate
            return Outcome(mapping: result.mapping, summary: result.summary, considered: certificate.bounded,
                           valid: certificate.evaluated, seconds: certificate.seconds, certificate: certificate)
        }
    }
}
