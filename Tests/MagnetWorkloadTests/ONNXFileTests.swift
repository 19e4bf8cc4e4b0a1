import Foundation
import MagnetCore
import Testing
@testable import MagnetWorkload

/// The ONNX import against onnx's own shape inference: the real models the onnx wheel ships
/// (weights stripped) and small graphs built here for the operators and attributes those do
/// not use; and its refusals.
@Suite struct ONNXFileTests {
    /// Every compute layer of `path` as imported equals onnx's: name, kind, MACs and, for
    /// convolutions, the output shape; and so does the total.
    static func expectMatchesReference(_ path: String, inputShapes: [String: [Int]] = [:]) throws -> Network {
        let network = try ONNXFile.load(path: path, inputShapes: inputShapes).network
        let reference = try ONNXReference.report(path)
        #expect(network.layers.count == reference.layers.count, "\(path)")
        #expect(network.macs == reference.macs, "\(path)")
        for (layer, expected) in zip(network.layers, reference.layers) {
            #expect(layer.name == expected.name, "\(path)")
            #expect(layer.macs == expected.macs, "\(path): \(layer.name) \(layer.shapeSummary)")
            switch expected.op {
            case "Conv":
                let shape = layer.shape
                let spatial = expected.output.count == 4 ? [shape.p, shape.q] : [shape.q]
                let output = [shape.n, shape.g * shape.k] + spatial
                #expect(output == expected.output, "\(path): \(layer.name)")
            case "Gemm", "MatMul":
                #expect(layer.operation == .fullyConnected || layer.operation == .matrixMultiply, "\(layer.name)")
            default:
                Issue.record("unexpected reference op \(expected.op)")
            }
        }
        return network
    }

    @Test(arguments: ["resnet50", "bvlc_alexnet", "vgg19", "squeezenet", "densenet121", "inception_v1",
                      "inception_v2", "shufflenet", "zfnet512"])
    func wheelModelsMatchOnnxShapeInference(_ name: String) throws {
        let path = try ONNXReference.wheelModels().appendingPathComponent("light_\(name).onnx").path
        let network = try Self.expectMatchesReference(path)
        if name == "resnet50" {
            // The zoo's ResNet-50 has the same 54 compute layers and MACs.
            #expect(network.layers.count == 54 && network.macs == 4_089_184_256)
            #expect(network.macs == Zoo.network(named: "resnet50")?.macs)
            #expect(network.uniqueShapes.count == Zoo.network(named: "resnet50")?.uniqueShapes.count)
        }
        if name == "shufflenet" {
            #expect(network.layers.contains { $0.operation == .groupedConvolution })
        }
    }

    /// Convolutions with `auto_pad` (both SAME kinds, with an even kernel so that the padding is
    /// uneven), explicit uneven pads with dilation, depthwise and grouped, and 1-D.
    @Test func convolutionAttributesMatchOnnxShapeInference() throws {
        var model = ONNXModelBuilder()
        model.input("x", [1, 8, 17, 19])
        model.weights("w1", [8, 8, 3, 3])
        model.node("Conv", ["x", "w1"], ["a"], name: "same_upper", ["auto_pad": "SAME_UPPER", "strides": [2, 2]])
        model.weights("w2", [8, 8, 4, 4])
        model.node("Conv", ["a", "w2"], ["b"], name: "same_lower", ["auto_pad": "SAME_LOWER", "strides": [2, 1]])
        model.weights("w3", [16, 8, 3, 3])
        model.node("Conv", ["b", "w3"], ["c"], name: "dilated", ["dilations": [2, 1], "pads": [2, 0, 1, 1]])
        model.weights("w4", [16, 1, 3, 3])
        model.node("Conv", ["c", "w4"], ["d"], name: "depthwise", ["group": 16, "pads": [1, 1, 1, 1]])
        model.weights("w5", [8, 4, 1, 1])
        model.node("Conv", ["d", "w5"], ["e"], name: "grouped", ["group": 4])
        model.node("MaxPool", ["e"], ["f"], name: "pool", ["kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1])
        model.integers("flat", [1, 8, -1])
        model.node("Reshape", ["f", "flat"], ["g"], name: "to_1d")
        model.weights("w6", [4, 8, 5])
        model.node("Conv", ["g", "w6"], ["h"], name: "conv1d", ["strides": [2], "pads": [2, 2]])
        model.output("h")
        let network = try Self.expectMatchesReference(try model.write("convolutions"))
        #expect(network.layers.map(\.operation) == [.convolution, .convolution, .convolution, .depthwiseConvolution,
                                                    .groupedConvolution, .convolution])
        // SAME_LOWER puts the odd row and column of padding (3 each here) before.
        let sameLower = try #require(network.layer(named: "same_lower"))
        #expect(sameLower.shape.paddingH == 2 && sameLower.shape.paddingW == 2)
    }

    /// Matrix products: a batched MatMul of two activations, a MatMul of activations by one
    /// weight matrix (the batch folds into its rows), Gemm with both transposes, and a Gemm
    /// fed through shape arithmetic (Shape → Gather → Unsqueeze → Concat → Reshape).
    @Test func matrixProductsAndShapeArithmeticMatchOnnxShapeInference() throws {
        var model = ONNXModelBuilder()
        model.input("q", [2, 3, 5, 7])
        model.input("k", [1, 3, 7, 6])
        model.node("MatMul", ["q", "k"], ["scores"], name: "scores")
        model.weights("proj", [6, 4])
        model.node("MatMul", ["scores", "proj"], ["projected"], name: "projected")
        model.node("Shape", ["projected"], ["shape"])
        model.integers("zero", [0], dims: [])
        model.node("Gather", ["shape", "zero"], ["batch"], ["axis": 0])
        model.integers("axes", [0])
        model.node("Unsqueeze", ["batch", "axes"], ["batch1"])
        model.integers("rest", [-1])
        model.node("Concat", ["batch1", "rest"], ["target"], ["axis": 0])
        model.node("Reshape", ["projected", "target"], ["rows"])
        model.node("Transpose", ["rows"], ["columns"], ["perm": [1, 0]])
        model.weights("fc", [10, 60])
        model.node("Gemm", ["columns", "fc"], ["out"], name: "fc", ["transA": 1, "transB": 1])
        model.output("out")
        let network = try Self.expectMatchesReference(try model.write("matrices"))
        let scores = try #require(network.layer(named: "scores"))
        #expect(scores.operation == .matrixMultiply && !scores.weightsAreParameters && scores.shape.g == 6)
        let projected = try #require(network.layer(named: "projected"))
        #expect(projected.weightsAreParameters && projected.shape.g == 1 && projected.shape.p == 30)
        #expect(network.layer(named: "fc")?.operation == .fullyConnected)
    }

    /// A symbolic batch is refused with the input named and the option to give it; given, the
    /// layers follow it.
    @Test func symbolicInputsNeedTheirShape() throws {
        var model = ONNXModelBuilder()
        model.input("image", ["batch", 3, 8, 8])
        model.weights("w", [4, 3, 3, 3])
        model.node("Conv", ["image", "w"], ["y"], name: "conv")
        model.output("y")
        let path = try model.write("symbolic")
        let error = try #require(throws: ConfigError.self) { try ONNXFile.load(path: path) }
        #expect(error.keyPath == "node `conv` (Conv)")
        #expect(error.message.contains("graph input `image` has symbolic dimensions (batch×3×8×8)"), "\(error)")
        #expect(error.message.contains("--input-shape image=1x3x8x8"), "\(error)")
        let network = try ONNXFile.load(path: path, inputShapes: ["image": [2, 3, 8, 8]]).network
        #expect(network.layers.first?.shape.n == 2 && network.layers.first?.shape.p == 6)
        let unknown = try #require(throws: ConfigError.self) {
            try ONNXFile.load(path: path, inputShapes: ["img": [1, 3, 8, 8]])
        }
        #expect(unknown.message == "the model has no graph input `img`; its inputs: `image`")
    }

    /// Bad models: bytes that are not ONNX, a truncated model, an operator with MACs magnet
    /// does not import, a layer behind an operator it does not know, and no layer at all.
    @Test func badModelsAreRefusedWithTheReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = folder.appendingPathComponent("network.onnx").path
        try "name: tiny\nlayers: []\n".write(toFile: text, atomically: true, encoding: .utf8)
        let notONNX = try #require(throws: ConfigError.self) { try ONNXFile.load(path: text) }
        #expect(notONNX.file == text && notONNX.message.hasPrefix("not an ONNX model"), "\(notONNX)")

        let resnet = try Data(contentsOf: try ONNXReference.wheelModels().appendingPathComponent("light_resnet50.onnx"))
        let truncated = folder.appendingPathComponent("truncated.onnx")
        try resnet.prefix(resnet.count / 2).write(to: truncated)
        let cut = try #require(throws: ConfigError.self) { try ONNXFile.load(path: truncated.path) }
        #expect(cut.message.hasPrefix("not an ONNX model"), "\(cut)")

        var deconvolution = ONNXModelBuilder()
        deconvolution.input("x", [1, 4, 8, 8])
        deconvolution.weights("w", [4, 4, 3, 3])
        deconvolution.node("ConvTranspose", ["x", "w"], ["y"], name: "up")
        let refused = try #require(throws: ConfigError.self) {
            try ONNXFile.load(path: try deconvolution.write("deconvolution"))
        }
        #expect(refused.keyPath == "node `up` (ConvTranspose)" && refused.message.contains("does not import it"))

        var custom = ONNXModelBuilder()
        custom.input("x", [1, 4, 8, 8])
        custom.node("Fancy", ["x"], ["z"], name: "fancy", domain: "com.example")
        custom.weights("w", [4, 4, 1, 1])
        custom.node("Conv", ["z", "w"], ["y"], name: "after")
        let unknownShape = try #require(throws: ConfigError.self) {
            try ONNXFile.load(path: try custom.write("custom"))
        }
        #expect(unknownShape.message == "the shape of its input `z` is unknown: it comes from node `fancy` "
                    + "(com.example.Fancy), whose output shapes magnet does not infer", "\(unknownShape)")

        var noLayers = ONNXModelBuilder()
        noLayers.input("x", [1, 4])
        noLayers.node("Relu", ["x"], ["y"])
        let empty = try #require(throws: ConfigError.self) { try ONNXFile.load(path: try noLayers.write("empty")) }
        #expect(empty.message == "the model has no Conv, Gemm or MatMul node: nothing to map")
    }

    /// An ONNX file is a network argument like a YAML one, and skipped operators are listed.
    @Test func networkArgumentsAcceptONNXFiles() throws {
        let path = try ONNXReference.wheelModels().appendingPathComponent("light_squeezenet.onnx").path
        let network = try NetworkFile.resolve(path)
        #expect(network.name == "light_squeezenet" && network.layers.count == 26)
        let skipped = try ONNXFile.load(path: path).skipped
        #expect(skipped.isEmpty, "\(skipped)")
    }

    /// A network written as a network file reads back to the same network: every zoo network
    /// and three imported models (so a sweep can hand an imported model to its workers as text).
    @Test func networkFilesReadBackToTheSameNetwork() throws {
        var networks = Zoo.names.compactMap { Zoo.network(named: $0) }
        for name in ["resnet50", "shufflenet", "inception_v2"] {
            let path = try ONNXReference.wheelModels().appendingPathComponent("light_\(name).onnx").path
            networks.append(try ONNXFile.load(path: path).network)
        }
        for network in networks {
            let text = NetworkFile.yaml(network)
            let back = try NetworkFile.parse(text, file: "\(network.name).yaml")
            #expect(back == network, "\(network.name)")
        }
        let odd = Network(name: "a \"quoted\" name\\", layers: [.fullyConnected("x:y/z", inputs: 3, outputs: 4)])
        #expect(try NetworkFile.parse(NetworkFile.yaml(odd), file: "odd.yaml") == odd)
    }
}
