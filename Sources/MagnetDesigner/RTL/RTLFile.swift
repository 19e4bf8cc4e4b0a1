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
