/// Why a study file could not be opened or used. The message names the file.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    public var path: String
    /// What is wrong, for people.
    public var message: String

    /// Creates an error.
    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
