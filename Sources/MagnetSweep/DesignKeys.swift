import MagnetCore
import MagnetDesigner
import MagnetTuner

/// How each design-file key (docs/template.md) is read and written in a sweep, and how a trial's
/// parameter values become a design file.
public enum DesignKeys {
    /// The kind of value a key holds.
    public enum Kind: Sendable {
        /// A whole number (`numPEs`, `lanes`, …).
        case count
        /// A size in bytes, written `32 KiB` or `32768`.
        case size
        /// A real number (`clockGHz`, `dramBandwidthGBps`).
        case number
        /// One of a list of names (`dataflow`, formats, `technology`).
        case choice([String]?)
    }

    /// Every design key a sweep may set, with its kind (`name` is set per trial).
    public static let kinds: [(key: String, kind: Kind)] = [
        ("numPEs", .count), ("peRows", .count), ("peColumns", .count), ("lanes", .count), ("vectorSize", .count),
        ("weightCollectorDepth", .count), ("accumulationCollectorDepth", .count), ("inputCollectorDepth", .count),
        ("weightBuffer", .size), ("inputBuffer", .size), ("accumulationBuffer", .size), ("globalBuffer", .size),
        ("dramBandwidthGBps", .number), ("dramEnergyPJPerBit", .number),
        ("dram", .choice(DRAMType.allCases.map(\.rawValue))), ("dramChannels", .count),
        ("weightFormat", .choice(DataFormat.allCases.map(\.rawValue))),
        ("activationFormat", .choice(DataFormat.allCases.map(\.rawValue))),
        ("accumulationBits", .count), ("dataflow", .choice(Dataflow.allCases.map(\.rawValue))),
        ("clockGHz", .number), ("technology", .choice(nil)), ("voltage", .number),
    ]

    /// Keys a design must have (from the base design or the space).
    public static let required = ["numPEs", "lanes", "vectorSize", "weightBuffer", "inputBuffer",
                                  "accumulationBuffer", "globalBuffer", "dramBandwidthGBps"]

    /// The required keys a design with the keys `given` lacks: the DRAM bandwidth may come from a
    /// `dram` type's channels instead.
    public static func missing(given: (String) -> Bool) -> [String] {
        required.filter { key in !given(key) && !(key == "dramBandwidthGBps" && given("dram")) }
    }

    /// The kind of `key`, if it is a sweepable design key.
    public static func kind(of key: String) -> Kind? { kinds.first { $0.key == key }?.kind }

    /// Reads one value of `key` from a configuration node, checking its type.
    static func value(of node: ConfigNode, kind: Kind) throws -> Parameter.Value {
        switch kind {
        case .count: return .int(try node.int(in: 0...(1 << 20)))
        case .size: return .int(try node.byteSize())
        case .number: return .double(try node.double(in: 0...1e9))
        case .choice(let names):
            let name = try node.string()
            if let names, !names.contains(name) {
                var message = "unknown value `\(name)`; allowed: \(names.joined(separator: ", "))"
                if let near = NearestName.suggestion(for: name, among: names) { message += "; did you mean `\(near)`?" }
                throw node.error(message)
            }
            return .string(name)
        }
    }

    /// The design-file text of a value.
    static func text(_ value: Parameter.Value, kind: Kind) -> String {
        switch (value, kind) {
        case (.int(let v), _): return String(v)
        case (.double(let v), .count), (.double(let v), .size): return String(Int(v.rounded()))
        case (.double(let v), _): return NumberText.compact(v)
        case (.string(let v), _): return v.contains(":") || v.contains("#") ? "\"\(v)\"" : v
        }
    }

    /// A value as JSON (what the store keeps in a trial's params).
    public static func json(_ value: Parameter.Value) -> JSONValue {
        switch value {
        case .int(let v): return .int(v)
        case .double(let v): return .double(v)
        case .string(let v): return .string(v)
        }
    }

    /// The design file of a trial: the fixed design values, then each parameter's value.
    /// - Parameters:
    ///   - fixed: key → value text of the base design (keys set by `params` are skipped).
    ///   - params: parameter name → value.
    public static func designYAML(name: String, fixed: [(String, String)], params: [(String, Parameter.Value)]) -> String {
        var lines = ["name: \(name)"]
        let searched = Set(params.map(\.0))
        for (key, text) in fixed where !searched.contains(key) && key != "name" { lines.append("\(key): \(text)") }
        for (key, value) in params {
            guard let kind = kind(of: key) else { continue }
            lines.append("\(key): \(text(value, kind: kind))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
