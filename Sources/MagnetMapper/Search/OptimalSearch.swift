import Dispatch
import Foundation
import MagnetCore

/// Branch and bound over a whole ``MapSpace``: the lowest-objective mapping under the exact
/// cost model, or one within a stated relative gap of it, with a certificate (docs/mapper.md).
///
/// The tree decides, in this order: the open keep/bypass choices; every spatial factor; the
/// temporal factors and innermost loop level by level from the outermost inward (the innermost
/// level takes what is left); then the loop orders level by level from the outermost inward.
/// Every node is bounded by ``MappingBound``, which never exceeds the cost model on any
/// completion, so a subtree whose bound is at least the best score found (less the allowed gap)
/// cannot hold a better mapping.
/// Children are visited in order of their bounds. Complete candidates are scored exactly by the
/// ``Evaluator``.
public struct OptimalSearch: Sendable {
    /// How the search ended and what it proves.
    public struct Certificate: Sendable, Equatable {
        /// Complete candidates scored by the exact model.
        public var evaluated = 0
        /// Partial and complete candidates whose bound was computed (screened).
        public var bounded = 0
        /// Subtrees cut because their bound could not beat the best score (less the gap).
        public var pruned = 0
        /// Partial tilings cut because a level's tiles overflowed its capacity.
        public var overflowed = 0
        /// The proven relative gap: the best score found is at most this fraction above the
        /// optimum's (0: proven optimal).
        public var gap = 0.0
        /// Whether the search ran to its end (false: stopped by the time limit).
        public var finished = true
        /// Wall-clock seconds.
        public var seconds = 0.0
        /// Seconds from the start until the best mapping was found (the warm start's included).
        public var secondsToBest = 0.0
    }

    /// The outcome.
    public struct Result: Sendable {
        /// The best mapping, or `nil` when no candidate fits.
        public var mapping: Mapping?
        /// Its energy, cycles and utilization.
        public var summary: Evaluator.Summary?
        /// What the search proves about it.
        public var certificate: Certificate
    }

    /// The space searched.
    public let space: MapSpace
    /// The cost model's halo rule.
    public var haloReuse: CostModel.HaloReuse
    /// What to minimize.
    public var objective: Objective
    /// With ``Objective/mix``: the weight of energy.
    public var energyWeight = 0.5
    /// Allowed relative gap in [0, 1): subtrees whose bound is within this fraction below the best
    /// score are cut too (0: prove optimality).
    public var gap = 0.0
    /// Stop after this many seconds with the gap proven so far (`nil`: run to the end).
    public var seconds: Double?
    /// Candidates of a short sampled search (``MapSearch``, seed 0) whose best mapping is the first
    /// best-so-far, so that cuts start early (0: none).
    public var warmStartBudget = 2_000

    /// Creates a search.
    public init(space: MapSpace, haloReuse: CostModel.HaloReuse = .timeloopV3, objective: Objective = .edp) {
        self.space = space
        self.haloReuse = haloReuse
        self.objective = objective
    }

    /// Runs the search; `start`, a valid mapping of the space, is the first best-so-far.
    public func run(start: Mapping? = nil) -> Result {
        var engine = BranchAndBound(search: self)
        if let start { engine.offer(start) }
        if warmStartBudget > 0 {
            var sampled = MapSearch(space: space, haloReuse: haloReuse, objective: objective)
            sampled.energyWeight = energyWeight
            sampled.allowExhaustive = false
            if let mapping = sampled.run(budget: warmStartBudget, threads: 1, seed: 0).mapping { engine.offer(mapping) }
        }
        engine.run()
        return engine.result()
    }
}
