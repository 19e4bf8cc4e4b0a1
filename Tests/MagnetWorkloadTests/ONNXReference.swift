import Foundation
import SwiftProtobuf
import Testing
@testable import MagnetWorkload

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// onnx's own view of a model, from scripts/onnx-reference.py run by the Python of `make venv`
/// (or `MAGNET_PYTHON`): the reference the import is checked against, and the real models the
/// onnx wheel ships.
enum ONNXReference {
    /// One compute layer as onnx's shape inference sees it.
    struct Layer: Decodable, Equatable {
        var name: String
        var op: String
        var macs: Int
        var output: [Int]
    }

    struct Report: Decodable {
        var layers: [Layer]
        var macs: Int
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The Python with onnx installed.
    static var python: String {
        ProcessInfo.processInfo.environment["MAGNET_PYTHON"]
            ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// Runs the Python with `arguments`; its standard output.
    static func run(_ arguments: [String]) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no Python with onnx at \(python): run `make venv` (or set MAGNET_PYTHON)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")) failed: "
                              + String(decoding: message, as: UTF8.self))
        }
        return data
    }

    /// What onnx's shape inference gives for the model at `path`.
    static func report(_ path: String) throws -> Report {
        let script = repositoryRoot.appendingPathComponent("scripts/onnx-reference.py").path
        return try JSONDecoder().decode(Report.self, from: try run([script, path]))
    }

    /// The folder of the real models (weights stripped) in the onnx wheel.
    static func wheelModels() throws -> URL {
        let folder = try run(["-c", "import onnx, os; print(os.path.dirname(onnx.__file__))"])
        let root = String(decoding: folder, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return URL(fileURLWithPath: root).appendingPathComponent("backend/test/data/light")
    }
}

/// Builds small ONNX models in code, for the operators the wheel's models do not exercise.
struct ONNXModelBuilder {
    var graph = Onnx_GraphProto()
    var opset = 17

    init(name: String = "test") { graph.name = name }

    /// A graph input; a `String` dimension is symbolic.
    mutating func input(_ name: String, _ dims: [Any]) {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var type = Onnx_TypeProto.Tensor()
        type.elemType = 1
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { dim in
            var entry = Onnx_TensorShapeProto.Dimension()
            if let value = dim as? Int { entry.dimValue = Int64(value) } else { entry.dimParam = "\(dim)" }
            return entry
        }
        type.shape = shape
        info.type.tensorType = type
        graph.input.append(info)
    }

    /// A float initializer of `dims` (values left out, as in the wheel's light models).
    mutating func weights(_ name: String, _ dims: [Int]) {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = dims.map { Int64($0) }
        tensor.dataType = 1
        tensor.rawData = Data(count: dims.reduce(1, *) * 4)
        graph.initializer.append(tensor)
    }

    /// An INT64 initializer holding `values`.
    mutating func integers(_ name: String, _ values: [Int], dims: [Int]? = nil) {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = (dims ?? [values.count]).map { Int64($0) }
        tensor.dataType = 7
        tensor.int64Data = values.map { Int64($0) }
        graph.initializer.append(tensor)
    }

    /// A node; attribute values are `Int`, `[Int]` or `String`.
    mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String = "", domain: String = "",
                       _ attributes: [String: Any] = [:]) {
        var node = Onnx_NodeProto()
        node.opType = op
        node.input = inputs
        node.output = outputs
        node.name = name
        node.domain = domain
        node.attribute = attributes.keys.sorted().map { key in
            var attribute = Onnx_AttributeProto()
            attribute.name = key
            switch attributes[key] {
            case let value as Int:
                attribute.type = .int
                attribute.i = Int64(value)
            case let values as [Int]:
                attribute.type = .ints
                attribute.ints = values.map { Int64($0) }
            case let text as String:
                attribute.type = .string
                attribute.s = Data(text.utf8)
            default:
                break
            }
            return attribute
        }
        graph.node.append(node)
    }

    /// The graph output `name` (rank only; onnx infers the rest).
    mutating func output(_ name: String) {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var type = Onnx_TypeProto.Tensor()
        type.elemType = 1
        info.type.tensorType = type
        graph.output.append(info)
    }

    /// The model's bytes.
    func serialized() throws -> Data {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opsetImport = Onnx_OperatorSetIdProto()
        opsetImport.domain = ""
        opsetImport.version = Int64(opset)
        model.opsetImport = [opsetImport]
        model.graph = graph
        return try model.serializedData()
    }

    /// Writes the model into a fresh file; its path.
    func write(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("\(name).onnx").path
        try serialized().write(to: URL(fileURLWithPath: path))
        return path
    }
}
