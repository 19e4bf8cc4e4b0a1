import Foundation
import MagnetCore
import MagnetStore

/// Runs a study's accuracy evaluator (docs/accuracy.md): a command that reads one JSON request
/// on stdin — the network, the design's keys, and each layer's formats — and writes one JSON
/// object with `accuracy` in [0, 1] (and any other keys) on stdout. The worker that evaluates a
/// trial runs it; answers are kept per distinct request, so designs that differ only in
/// hardware do not run it again, and answers from the study file are taken as known
/// (``remember(_:)``).
public final class AccuracyEvaluator: @unchecked Sendable {
    // @unchecked Sendable: `answers`, `asking` and `runCount` are read and written only under
    // `condition`'s lock; the rest is immutable.

    /// What the evaluator answered.
    public struct Answer: Sendable, Equatable {
        /// The accuracy, in [0, 1].
        public var accuracy: Double
        /// The answer's other numeric keys, by name.
        public var extra: [String: Double]
    }

    /// Why an evaluation failed (the trial fails with it).
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The command and its arguments (the first word is looked up on PATH when it has no `/`).
    public let command: [String]
    /// Seconds an evaluation may take before it is killed.
    public let timeoutSeconds: Double
    /// Requests sent to the evaluator so far (the cache's misses).
    public var runs: Int { condition.withLock { runCount } }
    private var runCount = 0
    private var answers: [String: Result<Answer, Failure>] = [:]
    /// Keys whose question is being asked now (a second trial asking it waits for the answer).
    private var asking = Set<String>()
    private let condition = NSCondition()

    /// Creates an evaluator.
    public init(command: [String], timeoutSeconds: Double) {
        self.command = command
        self.timeoutSeconds = timeoutSeconds
    }

    /// The answer to `request`: the one kept for `key` (what the answer depends on: the network
    /// and its layers' formats, not the hardware), or a run of the command.
    /// Trials asking the same question at once run the command once: the later ones wait.
    public func evaluate(_ request: JSONValue, key: String) -> Result<Answer, Failure> {
        condition.lock()
        while true {
            if let known = answers[key] {
                condition.unlock()
                return known
            }
            guard asking.contains(key) else { break }
            condition.wait()
        }
        asking.insert(key)
        condition.unlock()
        let result = run(request.rendered(pretty: false))
        condition.withLock {
            answers[key] = result
            asking.remove(key)
            runCount += 1
            condition.broadcast()
        }
        return result
    }

    /// Keeps answers learned elsewhere (the study file's, sent by the coordinator), so that
    /// their questions are never asked here.
    public func remember(_ records: [AccuracyAnswerRecord]) {
        guard !records.isEmpty else { return }
        condition.withLock {
            for record in records where answers[record.key] == nil {
                answers[record.key] = .success(Answer(accuracy: record.accuracy, extra: record.extra))
            }
        }
    }

    /// Runs the command once with `input` on stdin.
    func run(_ input: String) -> Result<Answer, Failure> {
        let name = command.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return .failure(Failure(description: "accuracy evaluator `\(name)` did not start: \(error)"))
        }
        // Read both outputs on their own threads, so that a chatty evaluator never blocks, and
        // write the request on another, so that one that never reads it is still timed out.
        let output = PipeReader(stdout), errors = PipeReader(stderr)
        Self.ignoreBrokenPipes
        let request = stdin.fileHandleForWriting, bytes = Data(input.utf8)
        DispatchQueue.global().async {
            // An evaluator that exits without reading its request is an EPIPE here, not a signal.
            try? request.write(contentsOf: bytes)
            try? request.close()
        }
        if exited.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 1) == .timedOut { kill(process.processIdentifier, SIGKILL) }
            return .failure(Failure(description: "accuracy evaluator `\(name)` took more than "
                                        + "\(NumberText.compact(timeoutSeconds)) s and was stopped"
                                        + Self.tail(errors.text(waiting: 1))))
        }
        let stderrTail = Self.tail(errors.text(waiting: 5))
        guard process.terminationStatus == 0 else {
            return .failure(Failure(description: "accuracy evaluator `\(name)` exited with status "
                                        + "\(process.terminationStatus)" + stderrTail))
        }
        let reply = output.text(waiting: 5).trimmingCharacters(in: .whitespacesAndNewlines)
        guard case .object(let fields)? = try? JSONValue(parsing: reply, source: "evaluator") else {
            return .failure(Failure(description: "accuracy evaluator `\(name)` did not answer one JSON object "
                                        + "(it wrote `\(reply.prefix(120))`)" + stderrTail))
        }
        guard let accuracy = fields.first(where: { $0.0 == "accuracy" })?.1.doubleValue,
              accuracy.isFinite, (0...1).contains(accuracy) else {
            return .failure(Failure(description: "accuracy evaluator `\(name)` answered no `accuracy` in [0, 1] "
                                        + "(it wrote `\(reply.prefix(120))`)" + stderrTail))
        }
        var extra: [String: Double] = [:]
        for (key, value) in fields where key != "accuracy" {
            if let number = value.doubleValue, number.isFinite { extra[key] = number }
        }
        return .success(Answer(accuracy: accuracy, extra: extra))
    }

    /// Writing to an evaluator that exited without reading its request raises SIGPIPE, which
    /// would end this process (a worker, a sweep); ignored once an evaluator is run, such writes
    /// fail with EPIPE instead.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// The last lines of an evaluator's stderr, for a failure's message.
    static func tail(_ text: String) -> String {
        let lines = text.split(separator: "\n").suffix(3).joined(separator: " | ")
        return lines.isEmpty ? "" : "; stderr: \(lines.suffix(300))"
    }
}

/// Reads a pipe to its end on another thread.
///
/// `@unchecked Sendable`: `data` is written once by the reading thread before `done` is
/// signalled, and read only after.
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    /// What was read, waiting up to `seconds` for the end (a process's children may hold the
    /// pipe open).
    func text(waiting seconds: Double) -> String {
        guard done.wait(timeout: .now() + seconds) == .success else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
