import Foundation
import MagnetCore
import SwiftProtobuf

/// Reads ONNX models (`.onnx` files) into networks (docs/workloads.md, "ONNX models").
///
/// The graph's shapes come from its inputs, initializers and constants, propagated node by node
/// (``ONNXShapeInference``); every `Conv`, `Gemm` and `MatMul` becomes a layer named after its
/// node. Operators without multiply-accumulates only carry shapes; an operator magnet cannot
/// import that has them (`ConvTranspose`, `LSTM`, `Einsum`, …) is an error naming the node.
public enum ONNXFile {
    /// What importing a model gave.
    public struct Import: Sendable {
        /// The network: the compute layers in graph order.
        public var network: Network
        /// Nodes whose operator magnet neither imports nor propagates shapes through (their
        /// outputs' shapes stay unknown; a layer that needs one is an error).
        public var skipped: [SkippedNode]
    }

    /// A node the import passed over.
    public struct SkippedNode: Sendable, Equatable {
        /// The node's name (or its first output's, when it has none).
        public var name: String
        /// Its operator, with its domain when not the default one.
        public var operatorName: String
    }

    /// Whether `path` names an ONNX model (by its extension, `.onnx`).
    public static func isModel(_ path: String) -> Bool { path.lowercased().hasSuffix(".onnx") }

    /// Reads the model at `path`; `inputShapes` gives the shapes of graph inputs whose
    /// dimensions the model leaves symbolic (by input name).
    public static func load(path: String, inputShapes: [String: [Int]] = [:]) throws -> Import {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(file: path, message: "cannot read the ONNX model: \(error.localizedDescription)")
        }
        return try parse(data, file: path, inputShapes: inputShapes)
    }

    /// Reads a model from its bytes; `file` names it in errors and gives the network its name
    /// (the file's name without `.onnx`).
    public static func parse(_ data: Data, file: String, inputShapes: [String: [Int]] = [:]) throws -> Import {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ConfigError(file: file, message: "not an ONNX model (\(data.count) bytes that do not decode as one: "
                                  + "\(error)); a truncated download or another format?")
        }
        guard model.hasGraph, model.irVersion > 0, !model.graph.node.isEmpty else {
            throw ConfigError(file: file, message: "not an ONNX model: no IR version or no graph nodes "
                                  + "(\(data.count) bytes)")
        }
        for name in inputShapes.keys.sorted() where !model.graph.input.contains(where: { $0.name == name }) {
            let constants = Set(model.graph.initializer.map(\.name))
            let inputs = model.graph.input.map(\.name).filter { !constants.contains($0) }
            throw ConfigError(file: file, keyPath: "input-shape",
                              message: "the model has no graph input `\(name)`; its inputs: "
                                  + inputs.map { "`\($0)`" }.joined(separator: ", "))
        }
        var inference = ONNXShapeInference(graph: model.graph, opsetVersion: model.defaultOpsetVersion,
                                           inputShapes: inputShapes, file: file)
        let layers = try inference.run()
        guard !layers.isEmpty else {
            throw ConfigError(file: file, message: "the model has no Conv, Gemm or MatMul node: nothing to map")
        }
        let url = URL(fileURLWithPath: file)
        return Import(network: Network(name: url.deletingPathExtension().lastPathComponent,
                                       summary: "imported from \(url.lastPathComponent)", layers: layers),
                      skipped: inference.skipped)
    }
}

extension Onnx_ModelProto {
    /// The version of the default operator set (`""` or `ai.onnx`) the model imports (1 when
    /// it names none).
    var defaultOpsetVersion: Int {
        Int(opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 1)
    }
}
