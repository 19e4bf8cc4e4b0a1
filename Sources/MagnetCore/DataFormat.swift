/// A number format for an operand (weights, activations) of the accelerator.
public enum DataFormat: String, CaseIterable, Codable, Sendable, Hashable {
    /// 4-bit signed integer.
    case int4
    /// 8-bit signed integer.
    case int8
    /// 16-bit signed integer.
    case int16
    /// IEEE 754 half precision.
    case fp16
    /// bfloat16 (8-bit exponent, 7-bit mantissa).
    case bf16

    /// Storage width in bits.
    public var bits: Int {
        switch self {
        case .int4: return 4
        case .int8: return 8
        case .int16, .fp16, .bf16: return 16
        }
    }

    /// Whether the format is an integer format.
    public var isInteger: Bool {
        switch self {
        case .int4, .int8, .int16: return true
        case .fp16, .bf16: return false
        }
    }

    /// The widest of `formats` (by storage bits; the first of equally wide ones), `nil` when
    /// there are none.
    public static func widest(_ formats: [DataFormat]) -> DataFormat? {
        formats.dropFirst().reduce(formats.first) { widest, format in
            widest.map { format.bits > $0.bits ? format : $0 }
        }
    }

    /// Width in bits of the exact product of two values of formats `a` and `b`.
    ///
    /// For integers, the product of an m-bit and an n-bit signed number needs m + n bits. For
    /// floating-point formats the product is accumulated in fp32 in this template, so 32 bits.
    public static func productBits(_ a: DataFormat, _ b: DataFormat) -> Int {
        if a.isInteger && b.isInteger { return a.bits + b.bits }
        return 32
    }
}

/// The data formats of a layer's operands.
public struct OperandFormats: Hashable, Codable, Sendable {
    /// Format of the weights (the stationary operand of a convolution or matmul).
    public var weights: DataFormat
    /// Format of the input activations.
    public var inputs: DataFormat
    /// Format of the output activations as written back to memory.
    public var outputs: DataFormat

    /// Creates operand formats.
    public init(weights: DataFormat, inputs: DataFormat, outputs: DataFormat) {
        self.weights = weights
        self.inputs = inputs
        self.outputs = outputs
    }

    /// INT8 everywhere, the common inference default.
    public static let int8 = OperandFormats(weights: .int8, inputs: .int8, outputs: .int8)
}
