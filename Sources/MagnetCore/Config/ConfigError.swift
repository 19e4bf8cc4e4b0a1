/// An error in a configuration file (YAML or JSON) that says what is wrong and where.
///
/// The description has the shape `FILE:LINE:COLUMN: KEY.PATH: message`, with each part left out
/// when it is not known, so that editors and terminals can jump to the spot.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file the value came from, or a short label such as `<string>`.
    public var file: String
    /// 1-based line, when the parser knows it.
    public var line: Int?
    /// 1-based column, when the parser knows it.
    public var column: Int?
    /// Dotted key path from the document root, e.g. `layers[3].stride`.
    public var keyPath: String
    /// What is wrong, in one sentence.
    public var message: String

    /// Creates an error for a given place in a file.
    public init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String = "", message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// `FILE:LINE:COLUMN: KEY.PATH: message`, on one line.
    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        let path = keyPath.isEmpty ? "" : "\(keyPath): "
        return "\(location): \(path)\(message)"
    }
}
