import MagnetDesigner
import MagnetWorkload

/// A mapping printed as a loop nest in the style of Timeloop's `map.txt`: levels outer to inner,
/// each with the tiles it keeps, then its temporal loops (outer first) and spatial loops.
public enum LoopNestText {
    /// The loop nest; `evaluation`, when given, supplies the tile sizes shown per level.
    public static func render(_ mapping: Mapping, hardware: Hardware, problem: Problem, evaluation: Evaluation? = nil) -> String {
        var lines: [String] = []
        var depth = 0
        for level in stride(from: mapping.levels.count - 1, through: 0, by: -1) {
            let levelMapping = mapping.levels[level]
            let storage = hardware.storage[level]
            let loops = levelMapping.temporal.reversed().map { ($0, "") }
                + levelMapping.spatialY.reversed().map { ($0, " (Spatial-Y)") }
                + levelMapping.spatialX.reversed().map { ($0, " (Spatial-X)") }
            if loops.isEmpty && levelMapping.keeps.isEmpty { continue }
            let tiles = levelMapping.keeps.sorted().map { space -> String in
                let size = evaluation?.levels[level].dataSpaces[space]?.utilizedCapacity
                return "\(problem.dataSpaces[space].name)" + (size.map { ":\($0)" } ?? "")
            }
            let header = "\(storage.name) [ \(tiles.joined(separator: " ")) ]"
            lines.append(header)
            lines.append(String(repeating: "-", count: header.count))
            for (loop, kind) in loops {
                lines.append("|" + String(repeating: "  ", count: depth) + " for \(problem.dimensions[loop.dimension]) in [0:\(loop.bound))\(kind)")
                depth += 1
            }
            lines.append("")
        }
        lines.append("|" + String(repeating: "  ", count: depth) + " << Compute >>")
        return lines.joined(separator: "\n")
    }
}
