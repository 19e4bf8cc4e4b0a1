import ArgumentParser
import Foundation

/// A program magnet runs for the user (yosys, gzip, a testbench's simulator script).
enum ExternalTool {
    /// Runs `tool` (a name looked up on PATH, or a path) in `folder`; its exit status and output
    /// (stdout and stderr). Throws `missing` when the tool, or a command it runs, is not found
    /// (exit status 127).
    static func run(_ tool: String, _ arguments: [String], in folder: URL,
                    missing: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { throw ValidationError(missing) }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus != 127 else { throw ValidationError(missing) }  // command not found
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
