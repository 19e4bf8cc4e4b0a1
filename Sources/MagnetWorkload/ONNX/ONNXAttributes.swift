import Foundation

extension Onnx_NodeProto {
    /// The node's name for people: its own, or its first output's when it has none.
    var displayName: String { name.isEmpty ? (output.first ?? opType) : name }

    /// The attribute called `name`.
    func attribute(_ name: String) -> Onnx_AttributeProto? { attribute.first { $0.name == name } }

    /// An integer attribute, or `default`.
    func int(_ name: String, default value: Int) -> Int { attribute(name).map { Int($0.i) } ?? value }

    /// An integer-list attribute (`nil` when absent).
    func ints(_ name: String) -> [Int]? { attribute(name).map { $0.ints.map { Int($0) } } }

    /// A float-list attribute (`nil` when absent).
    func floats(_ name: String) -> [Double]? { attribute(name).map { $0.floats.map { Double($0) } } }

    /// A string attribute, or `default`.
    func string(_ name: String, default value: String) -> String {
        attribute(name).map { String(decoding: $0.s, as: UTF8.self) } ?? value
    }
}

/// ONNX's element type codes (`TensorProto.DataType`) that the import reads values of.
enum ONNXElementType: Int32 {
    case float = 1
    case int32 = 6
    case int64 = 7
    case double = 11
}

extension Onnx_TensorProto {
    /// At most this many elements are read from a constant tensor: shapes, axes and scales are
    /// small; weights are never read.
    static let valueLimit = 4096

    /// The element count its dimensions give.
    var elementCount: Int { dims.reduce(1) { $0 * Int($1) } }

    /// Its values as integers, for an INT64 or INT32 tensor of at most ``valueLimit`` elements
    /// held in the file (`nil` otherwise).
    var integerValues: [Int]? {
        guard elementCount <= Self.valueLimit, dataLocation != .external else { return nil }
        switch ONNXElementType(rawValue: dataType) {
        case .int64:
            if !int64Data.isEmpty { return int64Data.map { Int($0) } }
            return Self.littleEndian(rawData, width: 8, count: elementCount)?.map { Int(Int64(bitPattern: $0)) }
        case .int32:
            if !int32Data.isEmpty { return int32Data.map { Int($0) } }
            return Self.littleEndian(rawData, width: 4, count: elementCount)?.map { Int(Int32(truncatingIfNeeded: $0)) }
        default:
            return nil
        }
    }

    /// Its values as reals, for a FLOAT or DOUBLE tensor of at most ``valueLimit`` elements held
    /// in the file (`nil` otherwise).
    var realValues: [Double]? {
        guard elementCount <= Self.valueLimit, dataLocation != .external else { return nil }
        switch ONNXElementType(rawValue: dataType) {
        case .float:
            if !floatData.isEmpty { return floatData.map { Double($0) } }
            return Self.littleEndian(rawData, width: 4, count: elementCount)?
                .map { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
        case .double:
            if !doubleData.isEmpty { return doubleData }
            return Self.littleEndian(rawData, width: 8, count: elementCount)?.map { Double(bitPattern: $0) }
        default:
            return nil
        }
    }

    /// `count` little-endian words of `width` bytes from `bytes` (`nil` when it holds fewer).
    static func littleEndian(_ bytes: Data, width: Int, count: Int) -> [UInt64]? {
        guard bytes.count >= width * count else { return nil }
        return bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [UInt64] in
            (0..<count).map { index in
                var word: UInt64 = 0
                for byte in 0..<width { word |= UInt64(raw[index * width + byte]) << (8 * byte) }
                return word
            }
        }
    }
}
