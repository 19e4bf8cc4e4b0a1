import MagnetCore

/// What the cost model reports for one layer on one design under one mapping.
public struct Evaluation: Sendable, Equatable {
    /// Multiply-accumulates performed.
    public var computes: Int
    /// Cycles: the slowest of the compute units and every level's bandwidth.
    public var cycles: Int
    /// `computes / (compute instances × cycles)`.
    public var utilization: Double
    /// MAC units that receive work.
    public var utilizedComputeInstances: Int
    /// Energy of the MACs (pJ).
    public var computeEnergyPJ: Double
    /// Storage levels, inner to outer.
    public var levels: [LevelEvaluation]
    /// Energy of clocking the hardware's flip-flops over the run (pJ).
    public var clockEnergyPJ: Double = 0
    /// Leakage of the logic outside the storage levels over the run (pJ).
    public var logicLeakageEnergyPJ: Double = 0
    /// The outputs' post-processing, the read-out's requantizer (pJ; ``CostModel/postProcessingEnergyPJ``).
    public var postProcessingEnergyPJ: Double = 0

    /// The energies outside the MACs and the storage levels, named as reports print them: the
    /// flip-flops' clock (`Clock`), the logic's leakage (`LogicLeakage`) and the outputs'
    /// post-processing (`Requantizer`), those the hardware has.
    public var logicParts: [(name: String, energyPJ: Double)] {
        [("Clock", clockEnergyPJ), ("LogicLeakage", logicLeakageEnergyPJ), ("Requantizer", postProcessingEnergyPJ)]
            .filter { $0.1 > 0 }
    }

    /// Leakage of all levels and of the logic (pJ).
    public var leakageEnergyPJ: Double { levels.reduce(logicLeakageEnergyPJ) { $0 + $1.leakageEnergyPJ } }
    /// Dynamic energy: compute, the outputs' post-processing and every level's data-space energy (pJ).
    public var energyWithoutLeakagePJ: Double {
        computeEnergyPJ + postProcessingEnergyPJ + levels.reduce(0) { total, level in total + level.dataSpaces.compactMap { $0 }.reduce(0) { $0 + $1.energyPJ } }
    }
    /// Total energy: dynamic, leakage and clock (pJ).
    public var energyPJ: Double { energyWithoutLeakagePJ + leakageEnergyPJ + clockEnergyPJ }

    /// Total energy were the same accesses to take `runCycles` cycles instead of ``cycles``
    /// (pJ): leakage and clocking last as long as the run, the dynamic energy does not change.
    public func energyPJ(over runCycles: Int) -> Double {
        guard cycles > 0 else { return energyPJ }
        return energyWithoutLeakagePJ + (leakageEnergyPJ + clockEnergyPJ) * Double(runCycles) / Double(cycles)
    }
}

/// One storage level's statistics.
public struct LevelEvaluation: Sendable, Equatable {
    /// Level name.
    public var name: String
    /// Instances of the level.
    public var instances: Int
    /// Cycles this level needs, bandwidth included.
    public var cycles: Int
    /// Leakage energy of the utilized instances over the run (pJ).
    public var leakageEnergyPJ: Double
    /// Whether the level stores nothing and only carries spatial fan-out.
    public var isDummy: Bool
    /// Per data space (same order as the problem's), `nil` where the level bypasses it.
    public var dataSpaces: [DataSpaceEvaluation?]
}

/// Accesses to one data space at one level, per instance, and their energy.
public struct DataSpaceEvaluation: Sendable, Equatable {
    /// Words of the data space held by one instance.
    public var utilizedCapacity: Int
    /// Instances holding a non-empty tile.
    public var utilizedInstances: Int
    /// Reads per instance (words).
    public var reads: Int
    /// Fills per instance (words written from the parent).
    public var fills: Int
    /// Updates per instance (partial sums written from the child).
    public var updates: Int
    /// Updates that accumulate onto a value already present.
    public var temporalReductions: Int
    /// Energy of all these accesses over all utilized instances (pJ).
    public var energyPJ: Double
}
