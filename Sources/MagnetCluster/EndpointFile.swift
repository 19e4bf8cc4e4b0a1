import Foundation

/// A small file beside a study through which a coordinator tells workers where it listens, so
/// that on a cluster (Slurm, a shared file system) neither the host nor the port is typed by
/// hand and a coordinator requeued on another node is found again.
///
/// The coordinator writes `tcp://HOST:PORT` once bound (``advertised(_:host:)``), the word
/// `finished` when the study's budget is met, and removes the file when it stops before that
/// (a successor will write its own). Writes are atomic (a temporary file renamed over it).
public enum EndpointFile {
    /// What a reader finds.
    public enum Content: Equatable, Sendable {
        /// A coordinator listens here.
        case endpoint(String)
        /// The study is finished: there is nothing left to do.
        case finished
        /// No coordinator (yet, or any more).
        case absent
    }

    /// The word written when the study is finished.
    public static let finishedWord = "finished"

    /// Reads the file.
    public static func read(_ path: String) -> Content {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return .absent }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if line == finishedWord { return .finished }
        return line.isEmpty ? .absent : .endpoint(line)
    }

    /// Writes `line` atomically.
    public static func write(_ line: String, to path: String) throws {
        try (line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Removes the file (nothing if it is not there).
    public static func remove(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.removeItem(atPath: path)
    }

    /// The endpoint workers should connect to for a socket bound at `bound`: a wildcard address
    /// (`0.0.0.0`, `*`, `[::]`) is replaced by `host`; other endpoints are kept.
    public static func advertised(_ bound: String, host: String) -> String {
        for wildcard in ["tcp://0.0.0.0:", "tcp://*:", "tcp://[::]:"] where bound.hasPrefix(wildcard) {
            return "tcp://\(host):" + bound.dropFirst(wildcard.count)
        }
        return bound
    }
}
