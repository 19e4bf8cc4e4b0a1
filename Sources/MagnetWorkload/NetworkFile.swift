import Foundation
import MagnetCore

/// Reads networks from YAML or JSON files (schema in docs/workloads.md) and resolves a network
/// argument that is either a built-in name or a path.
public enum NetworkFile {
    /// Loads the built-in network `nameOrPath`, or else the file at that path (an ONNX model's
    /// symbolic graph inputs taking `inputShapes`).
    public static func resolve(_ nameOrPath: String, inputShapes: [String: [Int]] = [:]) throws -> Network {
        if let network = Zoo.network(named: nameOrPath) { return network }
        if FileManager.default.fileExists(atPath: nameOrPath) {
            return try load(path: nameOrPath, inputShapes: inputShapes)
        }
        var message = "unknown network `\(nameOrPath)`: not a built-in network (\(Zoo.names.joined(separator: ", "))) and no such file"
        if let near = NearestName.suggestion(for: nameOrPath, among: Zoo.names) { message += "; did you mean `\(near)`?" }
        throw ConfigError(file: nameOrPath, message: message)
    }

    /// The layer called `name` in `network`, or an error that suggests the nearest layer name;
    /// `source` names the network argument in the message.
    public static func layer(_ name: String, in network: Network, source: String) throws -> Layer {
        if let layer = network.layer(named: name) { return layer }
        var message = "network `\(network.name)` has no layer `\(name)`"
        if let near = NearestName.suggestion(for: name, among: network.layers.map(\.name)) { message += "; did you mean `\(near)`?" }
        throw ConfigError(file: source, message: message)
    }

    /// Loads a network file, or an ONNX model whose symbolic graph inputs take `inputShapes`.
    public static func load(path: String, inputShapes: [String: [Int]] = [:]) throws -> Network {
        if ONNXFile.isModel(path) { return try ONNXFile.load(path: path, inputShapes: inputShapes).network }
        return try parse(ConfigNode.load(path: path))
    }

    /// Parses a network from YAML or JSON text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> Network {
        try parse(ConfigNode.parse(text, file: file))
    }

    static let topKeys = ["name", "description", "formats", "layers"]
    static let commonLayerKeys = ["name", "type", "repeat", "formats"]
    static let convolutionKeys = ["N", "C", "K", "H", "W", "P", "Q", "R", "S", "stride", "padding", "dilation", "groups"]
    static let fullyConnectedKeys = ["N", "C", "K"]
    static let matmulKeys = ["M", "N", "K", "batch", "weights"]

    static func parse(_ root: ConfigNode) throws -> Network {
        let top = try root.mapping(knownKeys: topKeys)
        let name = try top.required("name").string()
        let summary = try top.optional("description")?.string() ?? ""
        let defaults = try top.optional("formats").map { try formats($0, defaults: .int8) } ?? .int8
        let layerNodes = try top.required("layers").list()
        if layerNodes.isEmpty { throw try top.required("layers").error("a network needs at least one layer") }
        var layers: [Layer] = []
        var seen: [String: ConfigNode] = [:]
        var networkMACs = 0
        for node in layerNodes {
            for layer in try parseLayer(node, defaults: defaults) {
                if let first = seen[layer.name] {
                    throw node.error("layer name `\(layer.name)` is already used at line \(first.line ?? 0)")
                }
                seen[layer.name] = node
                if let oversized = layer.shape.oversizedCount {
                    throw node.error("layer `\(layer.name)`: \(oversized) is above 2^53; check its sizes")
                }
                networkMACs += layer.macs
                guard networkMACs <= ConvolutionShape.maximumCount else {
                    throw node.error("the network's MAC count passes 2^53 at layer `\(layer.name)`; check the layer sizes")
                }
                layers.append(layer)
            }
        }
        return Network(name: name, summary: summary, layers: layers)
    }

    /// Operand formats; keys left out keep the value in `defaults`.
    static func formats(_ node: ConfigNode, defaults: OperandFormats) throws -> OperandFormats {
        let map = try node.mapping(knownKeys: ["weights", "inputs", "outputs"])
        let options = DataFormat.allCases.map { (name: $0.rawValue, value: $0) }
        return OperandFormats(weights: try map.optional("weights")?.choice(options) ?? defaults.weights,
                              inputs: try map.optional("inputs")?.choice(options) ?? defaults.inputs,
                              outputs: try map.optional("outputs")?.choice(options) ?? defaults.outputs)
    }

    static func parseLayer(_ node: ConfigNode, defaults: OperandFormats) throws -> [Layer] {
        // Read `type` first so the allowed keys can depend on it.
        let probe = try node.mapping()
        let typeNode = try probe.required("type")
        let kinds: [(name: String, value: Layer.Operation)] = [
            ("conv", .convolution), ("grouped", .groupedConvolution), ("depthwise", .depthwiseConvolution),
            ("fc", .fullyConnected), ("matmul", .matrixMultiply),
        ]
        let kind = try typeNode.choice(kinds)
        let specific: [String]
        switch kind {
        case .convolution, .groupedConvolution, .depthwiseConvolution: specific = convolutionKeys
        case .fullyConnected: specific = fullyConnectedKeys
        case .matrixMultiply: specific = matmulKeys
        }
        let map = try node.mapping(knownKeys: commonLayerKeys + specific)
        let name = try map.required("name").string()
        let layerFormats = try map.optional("formats").map { try formats($0, defaults: defaults) } ?? defaults
        let repeatCount = try map.optional("repeat")?.int(in: 1...100_000) ?? 1
        func positive(_ key: String) throws -> Int? { try map.optional(key)?.int(in: 1...Int(Int32.max)) }
        func requiredPositive(_ key: String) throws -> Int { try map.required(key).int(in: 1...Int(Int32.max)) }

        var layer: Layer
        switch kind {
        case .convolution, .groupedConvolution, .depthwiseConvolution:
            layer = try convolution(map, name: name, kind: kind, positive: positive, requiredPositive: requiredPositive)
        case .fullyConnected:
            layer = .fullyConnected(name, inputs: try requiredPositive("C"), outputs: try requiredPositive("K"),
                                    batch: try positive("N") ?? 1)
        case .matrixMultiply:
            let weightsNode = map.optional("weights")
            let areParameters: Bool = try weightsNode.map { try $0.choice([(name: "parameters", value: true), (name: "activations", value: false)]) } ?? true
            layer = .matrixMultiply(name, m: try requiredPositive("M"), n: try requiredPositive("N"), k: try requiredPositive("K"),
                                    batch: try positive("batch") ?? 1, weightsAreParameters: areParameters)
        }
        layer.formats = layerFormats
        if repeatCount == 1 { return [layer] }
        return (0..<repeatCount).map { index in
            var copy = layer
            copy.name = "\(name)[\(index)]"
            return copy
        }
    }

    /// A pair `[h, w]` or a single value for both; each at least `minimum`.
    static func pair(_ node: ConfigNode?, default value: Int, minimum: Int) throws -> (Int, Int) {
        guard let node else { return (value, value) }
        if node.isList {
            let items = try node.list()
            guard items.count == 2 else { throw node.error("expected one value or a pair [height, width]") }
            return (try items[0].int(in: minimum...Int(Int32.max)), try items[1].int(in: minimum...Int(Int32.max)))
        }
        let single = try node.int(in: minimum...Int(Int32.max))
        return (single, single)
    }

    static func convolution(_ map: ConfigMapping, name: String, kind: Layer.Operation,
                            positive: (String) throws -> Int?, requiredPositive: (String) throws -> Int) throws -> Layer {
        let c = try requiredPositive("C")
        let k = kind == .depthwiseConvolution ? (try positive("K") ?? c) : try requiredPositive("K")
        let r = try requiredPositive("R")
        let s = try positive("S") ?? r
        let (strideH, strideW) = try pair(map.optional("stride"), default: 1, minimum: 1)
        let (dilationH, dilationW) = try pair(map.optional("dilation"), default: 1, minimum: 1)
        let (paddingH, paddingW) = try pair(map.optional("padding"), default: 0, minimum: 0)
        var groups = try positive("groups") ?? 1
        if kind == .depthwiseConvolution {
            if let node = map.optional("groups"), groups != c { throw node.error("a depthwise layer has groups = C (\(c)); leave `groups` out") }
            if k != c { throw try map.required("K").error("a depthwise layer has K = C (\(c)); use type `grouped` for channel multipliers") }
            groups = c
        }
        if kind == .groupedConvolution && groups == 1 {
            throw map.node.error("a `grouped` layer needs `groups` greater than 1")
        }
        if c % groups != 0 { throw try map.required("C").error("C = \(c) is not divisible by groups = \(groups)") }
        if k % groups != 0 { throw try map.required("K").error("K = \(k) is not divisible by groups = \(groups)") }

        let p: Int, q: Int
        switch (map.optional("H"), map.optional("P")) {
        case (.some(let hNode), nil):
            let h = try hNode.int(in: 1...Int(Int32.max))
            let w = try positive("W") ?? h
            if map.contains("Q") { throw try map.required("Q").error("give the input size (H, W) or the output size (P, Q), not both") }
            p = ConvolutionShape.outputSize(input: h, kernel: r, stride: strideH, padding: paddingH, dilation: dilationH)
            q = ConvolutionShape.outputSize(input: w, kernel: s, stride: strideW, padding: paddingW, dilation: dilationW)
            if p < 1 { throw hNode.error("the \(r)-row kernel (dilation \(dilationH)) does not fit in H = \(h) with padding \(paddingH)") }
            if q < 1 { throw (map.optional("W") ?? hNode).error("the \(s)-column kernel (dilation \(dilationW)) does not fit in W = \(w) with padding \(paddingW)") }
        case (nil, .some(let pNode)):
            p = try pNode.int(in: 1...Int(Int32.max))
            q = try positive("Q") ?? p
            if map.contains("W") { throw try map.required("W").error("give the input size (H, W) or the output size (P, Q), not both") }
        case (.some, .some(let pNode)):
            throw pNode.error("give the input size (H, W) or the output size (P, Q), not both")
        case (nil, nil):
            throw map.node.error("missing required key `H` (input height) or `P` (output height)")
        }
        let shape = ConvolutionShape(g: groups, k: k / groups, c: c / groups, p: p, q: q, r: r, s: s,
                                     strideH: strideH, strideW: strideW, dilationH: dilationH, dilationW: dilationW,
                                     paddingH: paddingH, paddingW: paddingW)
        var layer = Layer(name: name, operation: .convolution, shape: shape)
        layer.shape.n = try positive("N") ?? 1
        if groups > 1 { layer.operation = (groups == c && groups == k) ? .depthwiseConvolution : .groupedConvolution }
        return layer
    }
}
