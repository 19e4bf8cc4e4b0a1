import MagnetDesigner
import MagnetWorkload

/// Writes a ``Mapping`` in the Timeloop-style YAML that ``MappingReader`` reads back.
public enum MappingWriter {
    /// The mapping as YAML: a `mapping:` list, outer level first, with temporal and spatial
    /// factors (permutations innermost first) and the kept data spaces of each level.
    public static func yaml(_ mapping: Mapping, hardware: Hardware, problem: Problem) -> String {
        var lines = ["mapping:"]
        func factors(_ loops: [Loop]) -> (factors: String, permutation: String) {
            var seen = Set(loops.map(\.dimension))
            var all = loops
            for dimension in problem.dimensions.indices where !seen.contains(dimension) {
                all.append(Loop(dimension: dimension, bound: 1))
                seen.insert(dimension)
            }
            let factorText = all.map { "\(problem.dimensions[$0.dimension])\($0.bound)" }.joined(separator: " ")
            let separator = problem.dimensions.allSatisfy { $0.count == 1 } ? "" : " "
            return (factorText, all.map { problem.dimensions[$0.dimension] }.joined(separator: separator))
        }
        for index in stride(from: mapping.levels.count - 1, through: 0, by: -1) {
            let level = mapping.levels[index]
            let name = hardware.storage[index].name
            let temporal = factors(level.temporal)
            lines.append("  - target: \(name)")
            lines.append("    type: temporal")
            lines.append("    factors: \(temporal.factors)")
            lines.append("    permutation: \(temporal.permutation)")
            if !(level.spatialX.isEmpty && level.spatialY.isEmpty) {
                let spatial = factors(level.spatialX + level.spatialY)
                lines.append("  - target: \(name)")
                lines.append("    type: spatial")
                lines.append("    factors: \(spatial.factors)")
                lines.append("    permutation: \(spatial.permutation)")
                lines.append("    split: \(level.spatialX.count)")
            }
            let kept = level.keeps.sorted().map { problem.dataSpaces[$0].name }
            let bypassed = problem.dataSpaces.indices.filter { !level.keeps.contains($0) }.map { problem.dataSpaces[$0].name }
            lines.append("  - target: \(name)")
            lines.append("    type: datatype")
            lines.append("    keep: [\(kept.joined(separator: ", "))]")
            lines.append("    bypass: [\(bypassed.joined(separator: ", "))]")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
