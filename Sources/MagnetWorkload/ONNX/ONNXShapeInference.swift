import Foundation
import MagnetCore

/// What the import knows of one tensor of an ONNX graph.
struct ONNXTensor {
    /// Its dimensions (`nil`: not known).
    var shape: [Int]?
    /// Its values, for small integer tensors whose values are known (shapes, axes, pads).
    var integers: [Int]?
    /// Its values, for small real tensors whose values are known (resize scales).
    var reals: [Double]?
    /// Whether it is a constant of the model (an initializer, or made from constants only):
    /// a `Gemm` or `MatMul` whose right operand is constant multiplies by trained weights.
    var isConstant = false
    /// Why its shape is not known (when it is not): the graph input or the node it comes from.
    var unknownBecause: String?

    /// A tensor of unknown shape, for `reason`.
    static func unknown(_ reason: String) -> ONNXTensor { ONNXTensor(unknownBecause: reason) }
}

/// Propagates shapes through an ONNX graph in node order (ONNX requires topological order)
/// and turns its `Conv`, `Gemm` and `MatMul` nodes into layers. The rules follow the ONNX
/// operator specifications (onnx.ai/onnx/operators); ``ONNXShapeInferenceTests`` hold them to
/// onnx's own shape inference.
struct ONNXShapeInference {
    let graph: Onnx_GraphProto
    let opsetVersion: Int
    let file: String
    var tensors: [String: ONNXTensor] = [:]
    /// Nodes passed over.
    var skipped: [ONNXFile.SkippedNode] = []
    var layerNames: Set<String> = []

    /// Operators that multiply and accumulate but that magnet does not import.
    static let unsupportedCompute: Set<String> = [
        "ConvTranspose", "ConvInteger", "QLinearConv", "MatMulInteger", "QLinearMatMul", "Einsum", "LSTM", "GRU",
        "RNN", "Attention", "DeformConv", "MultiHeadAttention",
    ]

    init(graph: Onnx_GraphProto, opsetVersion: Int, inputShapes: [String: [Int]], file: String) {
        self.graph = graph
        self.opsetVersion = opsetVersion
        self.file = file
        for input in graph.input {
            let dims = input.type.tensorType.shape.dim
            var known: [Int] = []
            var complete = input.type.tensorType.hasShape
            for dim in dims {
                if case .dimValue(let value)? = dim.value, value > 0 {
                    known.append(Int(value))
                } else {
                    known.append(0)
                    complete = false
                }
            }
            if let given = inputShapes[input.name] {
                tensors[input.name] = ONNXTensor(shape: given)
            } else if complete {
                tensors[input.name] = ONNXTensor(shape: known)
            } else {
                let example = known.map { $0 > 0 ? String($0) : "1" }.joined(separator: "x")
                tensors[input.name] = .unknown(
                    "graph input `\(input.name)` has symbolic dimensions (\(Self.describe(input.name, in: graph))); "
                        + "give its shape with --input-shape \(input.name)=\(example) (in a sweep file, "
                        + "inputShapes: {\(input.name): [\(example.replacingOccurrences(of: "x", with: ", "))]})")
            }
        }
        // Initializers are constants (in models before IR 4 they are listed as inputs too).
        for initializer in graph.initializer {
            tensors[initializer.name] = ONNXTensor(shape: initializer.dims.map { Int($0) },
                                                   integers: initializer.integerValues,
                                                   reals: initializer.realValues, isConstant: true)
        }
    }

    /// Walks every node; the layers, in graph order.
    mutating func run() throws -> [Layer] {
        var layers: [Layer] = []
        for node in graph.node {
            let domain = node.domain
            guard domain.isEmpty || domain == "ai.onnx" else {
                skip(node)
                continue
            }
            if Self.unsupportedCompute.contains(node.opType) {
                throw error(node, "operator \(node.opType) multiplies and accumulates, and magnet does not import it "
                                + "(it imports Conv, Gemm and MatMul)")
            }
            if let layer = try layer(of: node) { layers.append(layer) }
            guard var outputs = try infer(node) else {
                skip(node)
                continue
            }
            // An output whose shape stays unknown inherits why from the first such input.
            var inherited: String?
            for name in node.input { if let reason = tensors[name]?.unknownBecause { inherited = reason; break } }
            for index in outputs.indices where outputs[index].shape == nil && outputs[index].unknownBecause == nil {
                outputs[index].unknownBecause = inherited
                    ?? "node `\(node.displayName)` (\(node.opType)) gives no shape for this output"
            }
            for (name, tensor) in zip(node.output, outputs) where !name.isEmpty { tensors[name] = tensor }
        }
        return layers
    }

    mutating func skip(_ node: Onnx_NodeProto) {
        let operatorName = node.domain.isEmpty ? node.opType : "\(node.domain).\(node.opType)"
        skipped.append(ONNXFile.SkippedNode(name: node.displayName, operatorName: operatorName))
        for name in node.output where !name.isEmpty {
            tensors[name] = .unknown("it comes from node `\(node.displayName)` (\(operatorName)), "
                                         + "whose output shapes magnet does not infer")
        }
    }

    // MARK: Lookups

    func error(_ node: Onnx_NodeProto, _ message: String) -> ConfigError {
        ConfigError(file: file, keyPath: "node `\(node.displayName)` (\(node.opType))", message: message)
    }

    /// The tensor of input `index` of `node` (`nil` when the input is absent or empty).
    func input(_ node: Onnx_NodeProto, _ index: Int) -> ONNXTensor? {
        guard index < node.input.count, !node.input[index].isEmpty else { return nil }
        return tensors[node.input[index]]
    }

    /// The shape of input `index` of `node`, or an error saying why it is not known.
    func shape(_ node: Onnx_NodeProto, _ index: Int) throws -> [Int] {
        guard index < node.input.count, !node.input[index].isEmpty else {
            throw error(node, "input \(index) is missing")
        }
        let name = node.input[index]
        guard let tensor = tensors[name] else { throw error(node, "no tensor `\(name)` comes before this node") }
        guard let shape = tensor.shape else {
            let reason = tensor.unknownBecause ?? "no reason known"
            throw error(node, "the shape of its input `\(name)` is unknown: \(reason)")
        }
        return shape
    }

    /// A graph input's dimensions as the model gives them (`batch×3×224×224`).
    static func describe(_ name: String, in graph: Onnx_GraphProto) -> String {
        guard let input = graph.input.first(where: { $0.name == name }) else { return "?" }
        let dims = input.type.tensorType.shape.dim.map { dim -> String in
            switch dim.value {
            case .dimValue(let value)?: return String(value)
            case .dimParam(let param)?: return param
            case nil: return "?"
            }
        }
        return dims.isEmpty ? "no shape" : dims.joined(separator: "×")
    }

    /// The integer values of input `index` of `node` (a constant), or `nil`.
    func integers(_ node: Onnx_NodeProto, _ index: Int) -> [Int]? { input(node, index)?.integers }

    /// Whether every present input of `node` is constant.
    func allConstant(_ node: Onnx_NodeProto) -> Bool {
        node.input.allSatisfy { $0.isEmpty || tensors[$0]?.isConstant == true }
    }

    /// An axis attribute or value in `0..<rank`, from a possibly negative one.
    func axis(_ value: Int, rank: Int, _ node: Onnx_NodeProto) throws -> Int {
        let axis = value < 0 ? value + rank : value
        guard (0..<max(rank, 1)).contains(axis) else { throw error(node, "axis \(value) is outside rank \(rank)") }
        return axis
    }

    /// A unique layer name for `node`.
    mutating func layerName(_ node: Onnx_NodeProto) -> String {
        var name = node.displayName
        var index = 2
        while layerNames.contains(name) {
            name = "\(node.displayName)#\(index)"
            index += 1
        }
        layerNames.insert(name)
        return name
    }
}
