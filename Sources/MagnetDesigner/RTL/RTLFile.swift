import Foundation
import MagnetCore

/// One generated Verilog file: a module named like the file.
public struct RTLFile: Sendable, Equatable {
    /// The file name (`magnet_vector_mac.v`).
    public var name: String
    /// The Verilog-2005 text.
    public var text: String
}

/// Why a design point cannot be emitted as RTL yet.
public struct RTLUnsupported: Error, CustomStringConvertible, Sendable {
    /// The design parameter.
    public var parameter: String
    /// What is not supported.
    public var message: String
    public var description: String { "\(parameter): not supported by the RTL generator yet: \(message)" }

    /// An error for `parameter` (a design key, or `layer`).
    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }
}

extension RTLFile {
    /// The list of module files that iverilog, Verilator and yosys read (`files.f`).
    public static let listName = "files.f"

    /// Writes `files` into `folder` (created if missing) with their list ``listName``.
    public static func write(_ files: [RTLFile], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files {
            try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
        }
        try (files.map(\.name).joined(separator: "\n") + "\n")
            .write(to: folder.appendingPathComponent(listName), atomically: true, encoding: .utf8)
    }
}
