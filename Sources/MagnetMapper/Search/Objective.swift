/// What a mapping search minimizes.
public enum Objective: String, Sendable, CaseIterable {
    /// Energy × cycles.
    case edp
    /// Energy per run of the layer (ties broken by cycles).
    case energy
    /// Cycles (ties broken by energy).
    case cycles

    /// Whether `a` is strictly better than `b`.
    func better(_ a: Evaluator.Summary, than b: Evaluator.Summary) -> Bool {
        switch self {
        case .edp: return a.energyDelayProduct < b.energyDelayProduct
        case .energy: return a.energyPJ < b.energyPJ || (a.energyPJ == b.energyPJ && a.cycles < b.cycles)
        case .cycles: return a.cycles < b.cycles || (a.cycles == b.cycles && a.energyPJ < b.energyPJ)
        }
    }
}
