import Foundation

/// What a mapping search minimizes.
public enum Objective: String, Sendable, CaseIterable {
    /// Energy × cycles.
    case edp
    /// Energy per run of the layer (ties broken by cycles).
    case energy
    /// Cycles (ties broken by energy).
    case cycles
    /// `energy^w · cycles^(1−w)` for an energy weight `w` in [0, 1] (0.5 ranks as EDP does).
    case mix

    /// The number this objective minimizes (`mix`: its logarithm), for bounds and gaps.
    func score(energyPJ: Double, cycles: Double, energyWeight: Double = 0.5) -> Double {
        switch self {
        case .edp: return energyPJ * cycles
        case .energy: return energyPJ
        case .cycles: return cycles
        case .mix: return energyWeight * log(energyPJ) + (1 - energyWeight) * log(cycles)
        }
    }

    /// ``score(energyPJ:cycles:energyWeight:)`` of an evaluated mapping.
    func score(_ summary: Evaluator.Summary, energyWeight: Double = 0.5) -> Double {
        score(energyPJ: summary.energyPJ, cycles: Double(summary.cycles), energyWeight: energyWeight)
    }

    /// Whether `a` is strictly better than `b`; `energyWeight` is used by ``mix``.
    func better(_ a: Evaluator.Summary, than b: Evaluator.Summary, energyWeight: Double = 0.5) -> Bool {
        switch self {
        case .mix: return score(a, energyWeight: energyWeight) < score(b, energyWeight: energyWeight)
        case .edp: return a.energyDelayProduct < b.energyDelayProduct
        case .energy: return a.energyPJ < b.energyPJ || (a.energyPJ == b.energyPJ && a.cycles < b.cycles)
        case .cycles: return a.cycles < b.cycles || (a.cycles == b.cycles && a.energyPJ < b.energyPJ)
        }
    }
}
