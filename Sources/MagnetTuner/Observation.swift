/// What a finished trial reports to a strategy.
public struct Observation: Hashable, Sendable {
    /// How the trial ended.
    public enum State: String, Hashable, Sendable {
        /// Evaluated; objectives are meaningful.
        case complete
        /// Evaluated but violating a constraint; objectives are meaningful, the point is not eligible.
        case infeasible
        /// The evaluation failed (no objectives).
        case failed
    }

    /// The point evaluated.
    public var point: [Parameter.Value]
    /// Objective values, all to be minimized (a maximized metric enters negated).
    public var objectives: [Double]
    /// Constraint violations: ≤ 0 satisfied, > 0 violated by that amount.
    public var violations: [Double]
    /// Outcome.
    public var state: State

    /// Creates an observation.
    public init(point: [Parameter.Value], objectives: [Double], violations: [Double] = [], state: State = .complete) {
        self.point = point
        self.objectives = objectives
        self.violations = violations
        self.state = state
    }

    /// Whether every constraint holds.
    public var isFeasible: Bool { state == .complete && violations.allSatisfy { $0 <= 0 } }
    /// Sum of positive violations (0 when feasible).
    public var totalViolation: Double { violations.reduce(0) { $0 + max($1, 0) } }
}

/// A search strategy: proposes points, learns from observations. Its state is a function of
/// the observations it has seen and its seed, so a study resumes by replaying them.
public protocol Strategy {
    /// Up to `count` new points, avoiding the `pending` ones being evaluated.
    mutating func propose(count: Int, pending: Set<[Parameter.Value]>) -> [[Parameter.Value]]
    /// Records a finished trial.
    mutating func observe(_ observation: Observation)
}
