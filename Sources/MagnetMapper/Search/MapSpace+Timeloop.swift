import MagnetCore
import MagnetWorkload

extension TimeloopInput {
    /// Loads a Timeloop mapper input: its architecture and problem, and the map space its
    /// `architecture_constraints` allow (keep/bypass, fixed factors, loop orders, X/Y splits).
    public static func loadMapSpace(input: String, ert: String, art: String? = nil) throws -> MapSpace {
        let files = try read(input: input, ert: ert, art: art)
        let root = files.root
        let loaded = try parse(root, energies: files.energies, areas: files.areas, mappingRequired: false)
        var space = MapSpace(hardware: loaded.hardware, problem: loaded.problem, keeps: loaded.mapping.levels.map(\.keeps))
        let top = try root.mapping()
        guard let constraints = top.optional("architecture_constraints") else { return space }
        let names = loaded.hardware.storage.map(\.name)
        let problem = loaded.problem
        for entry in try constraints.mapping(knownKeys: ["version", "targets"]).optional("targets")?.list() ?? [] {
            let target = try entry.mapping(knownKeys: ["target", "type", "factors", "permutation", "split", "keep", "bypass",
                                                        "min_parallelism", "max_parallelism", "no_link_transfer",
                                                        "no_multicast_no_reduction", "no_temporal_reuse"])
            for key in ["min_parallelism", "max_parallelism", "no_link_transfer", "no_multicast_no_reduction", "no_temporal_reuse"] where target.contains(key) {
                throw try target.required(key).error("not supported: \(key) at \(target.required(key).keyPath)")
            }
            let targetNode = try target.required("target")
            guard let level = names.firstIndex(of: try targetNode.string()) else {
                throw targetNode.error("unknown target `\(try targetNode.string())`; storage levels: \(names.reversed().joined(separator: ", "))")
            }
            let type = try target.required("type").choice([(name: "temporal", value: 0), (name: "spatial", value: 1),
                                                           (name: "bypass", value: 2), (name: "datatype", value: 2),
                                                           (name: "utilization", value: 3)])
            if type == 3 { throw entry.error("not supported: utilization constraints at \(entry.keyPath)") }
            guard type < 2 else { continue }  // keep/bypass already applied
            // Fixed factors ("R=1,S=1" or "R1 S1").
            let fixedDimensions = try target.optional("factors").map { try MappingReader.parseFactors($0, problem: problem) } ?? [:]
            let order = try target.optional("permutation").map { node -> [Int] in
                try node.string().filter { !$0.isWhitespace }.map { character -> Int in
                    guard let dimension = problem.dimensionIndex(String(character)) else {
                        throw node.error("unknown dimension `\(character)` in permutation")
                    }
                    return dimension
                }
            } ?? []
            if type == 0 {
                for (dimension, factor) in fixedDimensions { space.fix(level: level, slot: .temporal, dimension: dimension, factor: factor) }
                space.innermostOrder[level] = order
            } else {
                let split = try target.optional("split")?.int()
                for dimension in problem.dimensions.indices {
                    if let factor = fixedDimensions[dimension] {
                        // Timeloop puts a fixed spatial factor on X unless the split sends it to Y.
                        let onX = split.map { (order.firstIndex(of: dimension) ?? Int.max) < $0 } ?? true
                        space.fix(level: level, slot: onX ? .spatialX : .spatialY, dimension: dimension, factor: factor)
                        space.fix(level: level, slot: onX ? .spatialY : .spatialX, dimension: dimension, factor: 1)
                    } else if let split {
                        let onX = (order.firstIndex(of: dimension) ?? Int.max) < split
                        space.allowed[level][onX ? 2 : 1][dimension] = false
                    }
                }
            }
        }
        return space
    }
}
