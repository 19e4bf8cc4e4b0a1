import Foundation
import Yams

/// One value of a parsed YAML or JSON document, with where it came from.
///
/// `ConfigNode` is how every magnet input file is read: it knows its file, line, column and key
/// path, so any problem with a value becomes a ``ConfigError`` that points at it. Mappings are
/// read through ``mapping(knownKeys:)``, which rejects unknown keys and suggests the nearest known
/// one. JSON is read by the same parser (JSON is a subset of YAML's flow syntax).
public struct ConfigNode: @unchecked Sendable {
    let node: Node
    /// The file this node came from.
    public let file: String
    /// Dotted key path from the document root (`""` for the root).
    public let keyPath: String

    /// Parses YAML or JSON text. `file` is used in error messages.
    public static func parse(_ text: String, file: String) throws -> ConfigNode {
        do {
            guard let root = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: 1, message: "the document is empty")
            }
            return ConfigNode(node: root, file: file, keyPath: "")
        } catch let error as YamlError {
            throw ConfigNode.configError(from: error, file: file)
        }
    }

    /// Reads and parses a YAML or JSON file.
    public static func load(path: String) throws -> ConfigNode {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, message: "no such file")
        }
        if isDirectory.boolValue { throw ConfigError(file: path, message: "is a directory, not a file") }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, message: "cannot read the file (\(ConfigNode.reason(error)))")
        }
        return try parse(text, file: path)
    }

    /// 1-based line of this value in its file.
    public var line: Int? { node.mark?.line }
    /// 1-based column of this value in its file.
    public var column: Int? { node.mark?.column }

    /// An error located at this node.
    public func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, keyPath: keyPath, message: message)
    }

    /// A short name for the kind of value, for messages ("a mapping", "a list", "the scalar `x`").
    public var kindDescription: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return "`\(scalar.string)`"
        case .alias: return "an alias"
        }
    }

    // MARK: Structure

    /// This node as a mapping whose keys must all be in `knownKeys`.
    ///
    /// An unknown key is an error at that key that names the nearest known key, if one is close.
    public func mapping(knownKeys: [String]) throws -> ConfigMapping {
        try mapping(knownKeys: Optional(knownKeys))
    }

    private func mapping(knownKeys: [String]?) throws -> ConfigMapping {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping, found \(kindDescription)")
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key else {
                throw ConfigError(file: file, line: key.mark?.line, column: key.mark?.column,
                                  keyPath: keyPath, message: "keys must be plain names")
            }
            let name = keyScalar.string
            if let knownKeys, !knownKeys.contains(name) {
                var message = "unknown key `\(name)`"
                if let near = NearestName.suggestion(for: name, among: knownKeys) {
                    message += "; did you mean `\(near)`?"
                } else {
                    message += "; known keys: \(knownKeys.joined(separator: ", "))"
                }
                throw ConfigError(file: file, line: key.mark?.line, column: key.mark?.column,
                                  keyPath: ConfigNode.join(keyPath, name), message: message)
            }
            entries.append((name, key, value))
        }
        return ConfigMapping(owner: self, entries: entries)
    }

    /// This node as a mapping with free-form keys (names chosen by the user, such as layer names).
    public func mapping() throws -> ConfigMapping {
        guard case .mapping = node else {
            throw error("expected a mapping, found \(kindDescription)")
        }
        return try mapping(knownKeys: nil)
    }

    /// This node as a list.
    public func list() throws -> [ConfigNode] {
        guard case .sequence(let sequence) = node else {
            throw error("expected a list, found \(kindDescription)")
        }
        return sequence.enumerated().map { index, element in
            ConfigNode(node: element, file: file, keyPath: "\(keyPath)[\(index)]")
        }
    }

    /// Whether this node is a mapping.
    public var isMapping: Bool { if case .mapping = node { return true } else { return false } }
    /// Whether this node is a list.
    public var isList: Bool { if case .sequence = node { return true } else { return false } }

    // MARK: Scalars

    /// The scalar text of this node.
    public func string() throws -> String {
        guard case .scalar(let scalar) = node else {
            throw error("expected a single value, found \(kindDescription)")
        }
        return scalar.string
    }

    /// This node as an integer (underscores allowed as digit separators: `1_000_000`).
    public func int() throws -> Int {
        let text = try string().replacingOccurrences(of: "_", with: "")
        guard let value = Int(text) else {
            throw error("expected a whole number, found \(kindDescription)")
        }
        return value
    }

    /// This node as an integer within `range`.
    public func int(in range: ClosedRange<Int>) throws -> Int {
        let value = try int()
        guard range.contains(value) else {
            throw error("\(value) is out of range; allowed: \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// This node as a floating-point number.
    public func double() throws -> Double {
        let text = try string().replacingOccurrences(of: "_", with: "")
        guard let value = Double(text), value.isFinite else {
            throw error("expected a number, found \(kindDescription)")
        }
        return value
    }

    /// This node as a floating-point number within `range`.
    public func double(in range: ClosedRange<Double>) throws -> Double {
        let value = try double()
        guard range.contains(value) else {
            throw error("\(value) is out of range; allowed: \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// This node as `true`/`false` (also `yes`/`no`).
    public func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found \(kindDescription)")
        }
    }

    /// This node as one of a fixed set of names; a near miss is suggested.
    public func choice<T>(_ options: [(name: String, value: T)]) throws -> T {
        let text = try string()
        if let match = options.first(where: { $0.name.lowercased() == text.lowercased() }) {
            return match.value
        }
        let names = options.map(\.name)
        var message = "unknown value `\(text)`; allowed: \(names.joined(separator: ", "))"
        if let near = NearestName.suggestion(for: text, among: names) {
            message += " (did you mean `\(near)`?)"
        }
        throw error(message)
    }

    // MARK: Helpers

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           let posix = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(posix.rawValue))
        }
        return nsError.localizedDescription
    }

    static func configError(from error: YamlError, file: String) -> ConfigError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, message: "syntax error: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ConfigError(file: file, line: context.mark.line, column: context.mark.column,
                               message: "duplicate key(s): \(duplicates.joined(separator: ", "))")
        default:
            return ConfigError(file: file, message: "syntax error: \(error)")
        }
    }
}

/// A mapping whose keys have been checked against the known ones; look values up by key.
public struct ConfigMapping: @unchecked Sendable {
    let owner: ConfigNode
    let entries: [(key: String, keyNode: Node, value: Node)]

    /// The mapping node itself (for errors that concern the whole mapping).
    public var node: ConfigNode { owner }

    /// The keys present, in file order.
    public var keys: [String] { entries.map(\.key) }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The value for `key`, or `nil` when absent.
    public func optional(_ key: String) -> ConfigNode? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        return ConfigNode(node: entry.value, file: owner.file, keyPath: ConfigNode.join(owner.keyPath, key))
    }

    /// The value for `key`; its absence is an error at the mapping.
    public func required(_ key: String) throws -> ConfigNode {
        guard let value = optional(key) else {
            throw owner.error("missing required key `\(key)`")
        }
        return value
    }

    /// All entries as (key, value) pairs, in file order.
    public var pairs: [(key: String, value: ConfigNode)] {
        entries.map { ($0.key, ConfigNode(node: $0.value, file: owner.file, keyPath: ConfigNode.join(owner.keyPath, $0.key))) }
    }
}
