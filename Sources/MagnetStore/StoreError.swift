/// Why a study file could not be opened or used. The message names the file.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    public var path: String
    /// What is wrong, for people.
    public var message: String
    /// The process holding the file, when that is why it could not be used.
    public var heldBy: StudyOwner?

    /// Creates an error.
    public init(path: String, _ message: String, heldBy: StudyOwner? = nil) {
        self.path = path
        self.message = message
        self.heldBy = heldBy
    }

    public var description: String { "\(path): \(message)" }
}
