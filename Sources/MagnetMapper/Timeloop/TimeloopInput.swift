import Foundation
import MagnetCore
import MagnetDesigner
import MagnetWorkload

/// Reads Timeloop's "parsed-processed" model input (timeloopfe v0.4: `architecture`, `problem`,
/// `mapping`) and its energy and area reference tables (ERT, ART).
///
/// Keys that only the mapper or Accelergy read (`architecture_constraints`, `mapspace_constraints`, `mapper`,
/// `mapspace`, `globals`, `compound_components`) are ignored. Constructs the model does not
/// support (sparse optimizations, nested subtrees, compressed or metadata storage) are refused
/// with `not supported: <key> at <path>`.
public enum TimeloopInput {
    /// Loads a case from its three files.
    public static func load(input: String, ert: String, art: String? = nil) throws -> TimeloopCase {
        let files = try read(input: input, ert: ert, art: art)
        return try parse(files.root, energies: files.energies, areas: files.areas)
    }

    /// The parsed input file and its energy and area tables (no ART: no areas).
    static func read(input: String, ert: String, art: String?) throws -> (root: ConfigNode, energies: EnergyTable, areas: AreaTable) {
        (try ConfigNode.load(path: input), try EnergyTable.load(path: ert), try art.map { try AreaTable.load(path: $0) } ?? AreaTable(areas: [:]))
    }

    static let topKeys = ["architecture", "problem", "mapping", "architecture_constraints", "mapspace_constraints", "mapper", "mapspace", "globals",
                          "compound_components", "dumped_by_timeloop_front_end", "variables", "components"]

    /// Loads a mapper input (its `mapping` may be empty): the mapping returned has no loops and
    /// the keep/bypass choices of `architecture_constraints`.
    public static func loadForMapping(input: String, ert: String, art: String? = nil) throws -> TimeloopCase {
        let files = try read(input: input, ert: ert, art: art)
        return try parse(files.root, energies: files.energies, areas: files.areas, mappingRequired: false)
    }

    /// Loads a mapper input with a mapping from a separate file (a `mapping:` list, such as
    /// Timeloop's `timeloop-mapper.map.yaml`).
    public static func load(input: String, mapping: String, ert: String, art: String? = nil) throws -> TimeloopCase {
        let (root, energies, areas) = try read(input: input, ert: ert, art: art)
        let mappingRoot = try ConfigNode.load(path: mapping)
        let list = mappingRoot.isMapping ? try mappingRoot.mapping(knownKeys: ["mapping"]).required("mapping") : mappingRoot
        return try parse(root, energies: energies, areas: areas, mappingRequired: true, mappingOverride: list)
    }

    static func parse(_ root: ConfigNode, energies: EnergyTable, areas: AreaTable, mappingRequired: Bool = true,
                      mappingOverride: ConfigNode? = nil) throws -> TimeloopCase {
        let top = try root.mapping()
        for key in top.keys where !topKeys.contains(key) {
            throw try top.required(key).error(key == "sparse_optimizations" ? "not supported: \(key) at \(key)" : unknownKeyMessage(key, topKeys))
        }
        let problem = try ProblemReader.read(top.required("problem"))
        let components = try ArchitectureReader.read(top.required("architecture"))
        let mappingNode = try mappingOverride ?? top.required("mapping")
        var mapping: Mapping
        if mappingRequired {
            mapping = try MappingReader.read(mappingNode, components: components, problem: problem)
        } else {
            mapping = try MappingReader.keepsOnly(top, components: components, problem: problem)
        }
        let hardware = try HardwareBuilder.build(components: components, mapping: mapping, problem: problem,
                                                 energies: energies, areas: areas, mappingNode: mappingNode)
        return TimeloopCase(hardware: hardware, problem: problem, mapping: mapping,
                            isDummy: components.storage.reversed().map(\.isDummy))
    }

    static func unknownKeyMessage(_ key: String, _ known: [String]) -> String {
        var message = "unknown key `\(key)`"
        if let near = NearestName.suggestion(for: key, among: known) { message += "; did you mean `\(near)`?" }
        return message
    }
}

/// `<name>[1..N]` → (`name`, N).
func splitInstanceName(_ text: String) -> (name: String, instances: Int)? {
    guard let open = text.firstIndex(of: "[") else { return (text, 1) }
    guard text.hasSuffix("]") else { return nil }
    let name = String(text[..<open])
    let range = text[text.index(after: open)..<text.index(before: text.endIndex)]
    let parts = range.components(separatedBy: "..")
    guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), high >= low else { return nil }
    return (name, high - low + 1)
}
