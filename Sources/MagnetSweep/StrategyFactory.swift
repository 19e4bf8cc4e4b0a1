import MagnetStore
import MagnetTuner

extension SweepSpec {
    /// A fresh strategy for this study, seeded by the study's seed.
    public func makeStrategy() -> any Strategy {
        switch strategy.name {
        case "random": return RandomStrategy(space: space, seed: seed)
        case "grid": return GridStrategy(space: space)
        case "nsga2": return NSGA2Strategy(space: space, seed: seed, populationSize: strategy.population)
        default: return BayesianStrategy(space: space, seed: seed, initialTrials: strategy.initialTrials)
        }
    }

    /// What a finished trial tells a strategy, or `nil` when its params do not fit the space.
    public func observation(of trial: TrialRecord) -> Observation? {
        guard let values = values(from: trial.params) else { return nil }
        let state: Observation.State
        switch trial.state {
        case .complete: state = .complete
        case .infeasible: state = .infeasible
        case .failed: state = .failed
        case .queued, .running: return nil
        }
        // A metric the trial lacks (an infeasible design recorded unmapped) is the worst value.
        let objectives = state == .failed ? [] : self.objectives.map { objective in
            trial.metric(objective.metric).map(objective.minimized) ?? .infinity
        }
        let violations = trial.violations.count == constraints.count ? trial.violations : constraints.map { _ in .infinity }
        return Observation(point: values, objectives: objectives, violations: violations, state: state)
    }
}
