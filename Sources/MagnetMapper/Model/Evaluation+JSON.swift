import Foundation
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
        // Totals as the reference prints them: sums of the per-component values rounded to 0.01 pJ.
        var dynamic = round2(computeEnergyPJ) + round2(postProcessingEnergyPJ)
        var leakage = 0.0
        for level in levels {
            leakage += round2(level.leakageEnergyPJ)
            for space in level.dataSpaces { if let space { dynamic += round2(space.energyPJ) } }
        }
        return .object([
            ("source", "magnet cost model (Timeloop accounting)"),
            ("cycles", .int(cycles)),
            ("computes", .int(computes)),
            ("utilization", .double(utilization)),
            ("energy_pJ", .double(round2(dynamic + leakage + round2(clockEnergyPJ) + round2(logicLeakageEnergyPJ)))),
            ("energy_pJ_without_leak", .double(round2(dynamic))),
            ("leakage_energy_pJ", .double(round2(leakage))),
            ("reported", .object([
                ("utilization", .string(NumberText.fixed(utilization * 100, 2) + "%")),
                ("energy", .string(NumberText.fixed(energyPJ / 1e6, 2) + " uJ")),
                ("fJ_per_compute_total", .double(round2(energyPJ * 1000 / Double(computes)))),
                ("EDP_J_cycle", .string(scientific(energyPJ * 1e-12 * Double(cycles)))),
            ])),
            ("levels", .array(levelValues)),
        ])
    }
}

/// `5.10e+00`: two decimals and a signed two-digit exponent, as Timeloop prints EDP.
func scientific(_ value: Double) -> String {
    guard value != 0, value.isFinite else { return "0.00e+00" }
    var exponent = Int(log10(abs(value)).rounded(.down))
    var mantissa = value / pow(10, Double(exponent))
    if abs((mantissa * 100).rounded()) >= 1000 { mantissa /= 10; exponent += 1 }
    let sign = exponent < 0 ? "-" : "+"
    let digits = String(abs(exponent))
    return NumberText.fixed(mantissa, 2) + "e" + sign + (digits.count < 2 ? "0" + digits : digits)
}

/// Rounds to 0.01, as Timeloop prints energies.
func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
