import MagnetCore
import MagnetDesigner
import MagnetWorkload

extension Evaluation {
    /// The statistics in the schema of the Timeloop reference cases' `expected.json`: totals,
    /// then one entry per level from the compute level outward; dummy levels are left out but
    /// keep their place in `level_index`.
    public func timeloopJSON(hardware: Hardware, problem: Problem) -> JSONValue {
        var levelValues: [JSONValue] = [.object([
            ("name", .string(hardware.compute.name)), ("level_index", 0), ("kind", "compute"),
            ("instances", .int(hardware.compute.instances)), ("computes", .int(computes)),
            ("utilized_instances", .int(utilizedComputeInstances)), ("energy_pJ", .double(round2(computeEnergyPJ))),
            ("dataSpaces", .object([])),
        ])]
        for (index, level) in levels.enumerated() where !level.isDummy && level.dataSpaces.contains(where: { $0 != nil }) {
            var spaces: [(String, JSONValue)] = []
            for (pv, space) in level.dataSpaces.enumerated() {
                guard let space else { continue }
                spaces.append((problem.dataSpaces[pv].name, .object([
                    ("utilized_capacity", .int(space.utilizedCapacity)),
                    ("utilized_instances", .int(space.utilizedInstances)),
                    ("reads_per_instance", .int(space.reads)),
                    ("fills_per_instance", .int(space.fills)),
                    ("updates_per_instance", .int(space.updates)),
                    ("temporal_reductions_per_instance", .int(space.temporalReductions)),
                    ("energy_pJ", .double(round2(space.energyPJ))),
                ])))
            }
            levelValues.append(.object([
                ("name", .string(level.name)), ("level_index", .int(index + 1)), ("kind", "storage"),
                ("instances", .int(level.instances)), ("cycles", .int(level.cycles)),
                ("leakage_energy_pJ", .double(round2(level.leakageEnergyPJ))),
                ("dataSpaces", .object(spaces)),
            ]))
        }
        return .object([
            ("source", "magnet cost model"),
            ("cycles", .int(cycles)),
            ("computes", .int(computes)),
            ("utilization", .double(utilization)),
            ("energy_pJ", .double(round2(energyPJ))),
            ("energy_pJ_without_leak", .double(round2(energyWithoutLeakagePJ))),
            ("leakage_energy_pJ", .double(round2(leakageEnergyPJ))),
            ("levels", .array(levelValues)),
        ])
    }
}

/// Rounds to 0.01, as Timeloop prints energies.
func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
