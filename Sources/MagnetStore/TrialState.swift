/// Where a trial is in its life: queued → running → complete | infeasible | failed.
public enum TrialState: String, CaseIterable, Sendable, Codable {
    /// Proposed and recorded, not yet handed to an evaluator (or handed back after an interruption).
    case queued
    /// Being evaluated.
    case running
    /// Evaluated; every constraint holds.
    case complete
    /// Evaluated; at least one constraint is violated (metrics are stored all the same).
    case infeasible
    /// The evaluation failed (invalid design, no valid mapping, an error); `error` says why.
    case failed

    /// Whether the trial is finished (counts toward the budget).
    public var isFinished: Bool { self == .complete || self == .infeasible || self == .failed }
}
