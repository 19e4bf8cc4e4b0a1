import ArgumentParser
import Logging

/// Options every verb accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "How much to log on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .notice

    /// Sets up swift-log for this process (stderr, at the chosen level) and returns a logger.
    func logger(_ label: String) -> Logger {
        GlobalOptions.bootstrapOnce(level: logLevel)
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }

    nonisolated(unsafe) private static var bootstrapped = false

    private static func bootstrapOnce(level: Logger.Level) {
        guard !bootstrapped else { return }
        bootstrapped = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
