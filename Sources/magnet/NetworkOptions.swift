import ArgumentParser
import Foundation
import Logging
import MagnetWorkload

/// How a command reads its network argument: a built-in name, a YAML/JSON network file or an
/// ONNX model, whose symbolic input dimensions `--input-shape` fixes (docs/workloads.md, "ONNX models").
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("input-shape"),
            help: ArgumentHelp("For an ONNX model: the shape of a graph input with symbolic dimensions, "
                + "NAME=1x3x224x224 (repeatable)."))
    var inputShapes: [String] = []

    /// The shapes given, by input name.
    func shapes() throws -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for text in inputShapes {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            let dims = parts.count == 2
                ? parts[1].split(separator: "x", omittingEmptySubsequences: false).map { Int($0) } : []
            guard parts.count == 2, !parts[0].isEmpty, !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--input-shape `\(text)`: expected NAME=DIMS, dimensions positive and "
                                          + "joined by x (e.g. input=1x3x224x224)")
            }
            guard shapes[parts[0]] == nil else { throw ValidationError("--input-shape names `\(parts[0])` twice") }
            shapes[parts[0]] = dims.map { $0! }
        }
        return shapes
    }

    /// Resolves `network`; an ONNX model's skipped operators are logged at `info`.
    func resolve(_ network: String, logger: Logger) throws -> Network {
        let shapes = try shapes()
        guard ONNXFile.isModel(network), FileManager.default.fileExists(atPath: network) else {
            if !shapes.isEmpty { throw ValidationError("--input-shape is for ONNX models; `\(network)` is not one") }
            return try NetworkFile.resolve(network)
        }
        let imported = try ONNXFile.load(path: network, inputShapes: shapes)
        for node in imported.skipped {
            logger.info("skipped node `\(node.name)` (\(node.operatorName)): magnet does not infer its shapes")
        }
        return imported.network
    }
}
