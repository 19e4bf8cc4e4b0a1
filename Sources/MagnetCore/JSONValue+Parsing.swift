import Yams

extension JSONValue {
    /// Parses JSON text (objects keep their key order). Quoted scalars are strings; unquoted ones
    /// are `null`, booleans, integers or numbers.
    ///
    /// - Throws: ``ConfigError`` naming `source` when the text is not valid JSON/YAML.
    public init(parsing text: String, source: String = "JSON text") throws {
        let root = try ConfigNode.parse(text, file: source)
        self = JSONValue(root.node)
    }

    /// The field named `key` of an object (`nil` for other values or a missing key).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    /// This value as a number, if it is one.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    init(_ node: Node) {
        switch node {
        case .mapping(let mapping):
            self = .object(mapping.map { (key, value) in (key.string ?? "", JSONValue(value)) })
        case .sequence(let sequence):
            self = .array(sequence.map(JSONValue.init))
        case .scalar(let scalar):
            let text = scalar.string
            if scalar.style == .doubleQuoted || scalar.style == .singleQuoted {
                self = .string(text)
            } else if text == "null" || text == "~" || text.isEmpty {
                self = .null
            } else if text == "true" || text == "false" {
                self = .bool(text == "true")
            } else if let int = Int(text) {
                self = .int(int)
            } else if let double = Double(text) {
                self = .double(double)
            } else {
                self = .string(text)
            }
        case .alias:
            self = .null
        }
    }
}
