import MagnetCore

/// An energy reference table (Accelergy's ERT): energy per action for each component.
struct EnergyTable {
    /// Component name (without the `top.` prefix and `[1..N]` suffix) → action → pJ.
    var energies: [String: [String: Double]]
    var file: String

    static func load(path: String) throws -> EnergyTable {
        let root = try ConfigNode.load(path: path).mapping(knownKeys: ["ERT"])
        let ert = try root.required("ERT").mapping(knownKeys: ["version", "tables"])
        var energies: [String: [String: Double]] = [:]
        for table in try ert.required("tables").list() {
            let map = try table.mapping(knownKeys: ["name", "actions"])
            let name = componentName(try map.required("name").string())
            var actions: [String: Double] = [:]
            for action in try map.required("actions").list() {
                let entry = try action.mapping(knownKeys: ["name", "arguments", "energy"])
                actions[try entry.required("name").string()] = try entry.required("energy").double()
            }
            energies[name] = actions
        }
        return EnergyTable(energies: energies, file: path)
    }
}

/// An area reference table (Accelergy's ART): area per component instance (µm²).
struct AreaTable {
    var areas: [String: Double]

    static func load(path: String) throws -> AreaTable {
        let root = try ConfigNode.load(path: path).mapping(knownKeys: ["ART"])
        let art = try root.required("ART").mapping(knownKeys: ["version", "tables"])
        var areas: [String: Double] = [:]
        for table in try art.required("tables").list() {
            let map = try table.mapping(knownKeys: ["name", "area"])
            areas[componentName(try map.required("name").string())] = try map.required("area").double()
        }
        return AreaTable(areas: areas)
    }
}

/// `system_top_level.shared_glb[1..1]` → `shared_glb`.
func componentName(_ qualified: String) -> String {
    var text = qualified
    if let open = text.lastIndex(of: "["), text.hasSuffix("]") { text = String(text[..<open]) }
    return text.split(separator: ".").last.map(String.init) ?? text
}
