import Foundation
import MagnetCore

/// Reads design points from YAML or JSON files (keys in docs/template.md).
///
/// Parsing checks types and ranges of each key; ``DesignPoint/validate()`` then checks the point
/// as a whole, and its problems are reported at the line of the offending key.
public enum DesignFile {
    /// The keys a design file may contain.
    public static let keys = [
        "name", "numPEs", "peRows", "peColumns", "lanes", "vectorSize",
        "weightCollectorDepth", "accumulationCollectorDepth", "inputCollectorDepth",
        "weightBuffer", "inputBuffer", "accumulationBuffer", "globalBuffer",
        "dramBandwidthGBps", "dramEnergyPJPerBit", "dram", "dramChannels",
        "weightFormat", "activationFormat", "accumulationBits",
        "dataflow", "clockGHz", "technology", "voltage", "layerFormats",
    ]

    /// The keys of one `layerFormats` rule.
    public static let layerFormatKeys = ["layers", "weightFormat", "activationFormat"]

    /// Loads and validates a design file.
    public static func load(path: String) throws -> DesignPoint {
        try parse(ConfigNode.load(path: path))
    }

    /// Parses and validates a design from YAML or JSON text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> DesignPoint {
        try parse(ConfigNode.parse(text, file: file))
    }

    /// The design's problems as located errors (empty when valid), without throwing on the first.
    public static func problems(path: String) throws -> [ConfigError] {
        let root = try ConfigNode.load(path: path)
        let (point, map) = try read(root)
        return point.validate().map { locate($0, in: map) }
    }

    static func parse(_ root: ConfigNode) throws -> DesignPoint {
        let (point, map) = try read(root)
        if let first = point.validate().first { throw locate(first, in: map) }
        return point
    }

    static func locate(_ problem: DesignProblem, in map: ConfigMapping) -> ConfigError {
        let node = map.optional(problem.parameter) ?? (problem.parameter == "peRows" ? map.optional("peColumns") : nil)
        var error = (node ?? map.node).error(problem.message)
        error.keyPath = problem.parameter
        return error
    }

    /// The `technology` value; a relative path to a table file is taken relative to the design file.
    static func technologyReference(_ node: ConfigNode?, designFile: String) throws -> String {
        guard let value = try node?.string() else { return "16nm" }
        let isPath = value.hasSuffix(".yaml") || value.hasSuffix(".yml") || value.hasSuffix(".json")
        guard isPath, !value.hasPrefix("/") else { return value }
        let directory = URL(fileURLWithPath: designFile).deletingLastPathComponent()
        return directory.appendingPathComponent(value).standardizedFileURL.path
    }

    static func read(_ root: ConfigNode) throws -> (DesignPoint, ConfigMapping) {
        let map = try root.mapping(knownKeys: keys)
        let maxCount = 1 << 20
        func count(_ key: String, minimum: Int = 1) throws -> Int { try map.required(key).int(in: minimum...maxCount) }
        func optionalCount(_ key: String, minimum: Int = 1) throws -> Int? { try map.optional(key)?.int(in: minimum...maxCount) }
        let formats = DataFormat.allCases.map { (name: $0.rawValue, value: $0) }
        let dataflows = Dataflow.allCases.map { (name: $0.rawValue, value: $0) }
        let numPEs = try count("numPEs")
        let dram = try map.optional("dram")?.choice(DRAMType.allCases.map { (name: $0.rawValue, value: $0) })
        let dramChannels = try optionalCount("dramChannels")
        // With a DRAM type the bandwidth may be left to its channels' peak.
        let dramBandwidthGBps: Double
        if let dram, map.optional("dramBandwidthGBps") == nil {
            dramBandwidthGBps = Double(dramChannels ?? 1) * dram.channelBandwidthGBps
        } else {
            dramBandwidthGBps = try map.required("dramBandwidthGBps").double(in: 0.001...100_000)
        }
        let point = DesignPoint(
            name: try map.optional("name")?.string() ?? "design",
            numPEs: numPEs,
            peRows: try optionalCount("peRows"),
            peColumns: try optionalCount("peColumns"),
            lanes: try count("lanes"),
            vectorSize: try count("vectorSize"),
            weightCollectorDepth: try optionalCount("weightCollectorDepth") ?? 1,
            accumulationCollectorDepth: try optionalCount("accumulationCollectorDepth") ?? 1,
            inputCollectorDepth: try optionalCount("inputCollectorDepth", minimum: 0) ?? 1,
            weightBufferBytes: try map.required("weightBuffer").byteSize(),
            inputBufferBytes: try map.required("inputBuffer").byteSize(),
            accumulationBufferBytes: try map.required("accumulationBuffer").byteSize(),
            globalBufferBytes: try map.required("globalBuffer").byteSize(),
            dramBandwidthGBps: dramBandwidthGBps,
            weightFormat: try map.optional("weightFormat")?.choice(formats) ?? .int8,
            activationFormat: try map.optional("activationFormat")?.choice(formats) ?? .int8,
            accumulationBits: try map.optional("accumulationBits")?.int(in: 1...64) ?? 24,
            dataflow: try map.optional("dataflow")?.choice(dataflows) ?? .weightStationary,
            clockGHz: try map.optional("clockGHz")?.double(in: 0.001...10) ?? 1,
            technology: try technologyReference(map.optional("technology"), designFile: root.file),
            dramEnergyPJPerBit: try map.optional("dramEnergyPJPerBit")?.double(in: 0...10_000),
            dram: dram,
            dramChannels: dramChannels,
            voltageV: try map.optional("voltage")?.double(in: 0.05...5),
            layerFormats: try map.optional("layerFormats").map(layerFormats) ?? [])
        return (point, map)
    }

    /// A `layerFormats` rule's `layers`: required, not empty, and not the pattern of an earlier
    /// rule (in `earlier`), which would always apply first.
    public static func layerPattern(of rule: ConfigMapping, after earlier: [String]) throws -> String {
        let layers = try rule.required("layers")
        let pattern = try layers.string()
        guard !pattern.isEmpty else { throw layers.error("an empty pattern matches no layer") }
        guard !earlier.contains(pattern) else {
            throw layers.error("`\(pattern)` has a rule already; the first would always apply")
        }
        return pattern
    }

    /// A `layerFormats` list: rules of a layer name or pattern (`layers`) and the formats its
    /// layers run at (docs/template.md).
    static func layerFormats(_ node: ConfigNode) throws -> [LayerFormatRule] {
        let formats = DataFormat.allCases.map { (name: $0.rawValue, value: $0) }
        var seen: [String] = []
        return try node.list().map { item in
            let rule = try item.mapping(knownKeys: layerFormatKeys)
            let pattern = try layerPattern(of: rule, after: seen)
            seen.append(pattern)
            let parsed = LayerFormatRule(layers: pattern,
                                         weightFormat: try rule.optional("weightFormat")?.choice(formats),
                                         activationFormat: try rule.optional("activationFormat")?.choice(formats))
            guard parsed.weightFormat != nil || parsed.activationFormat != nil else {
                throw item.error("a rule sets weightFormat, activationFormat or both")
            }
            return parsed
        }
    }
}
