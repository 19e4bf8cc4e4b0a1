/// A neural network as an ordered list of named layers.
public struct Network: Hashable, Sendable {
    /// Short name, e.g. `resnet50`.
    public var name: String
    /// One sentence on what the network is and which variant.
    public var summary: String
    /// Layers in execution order (only those that multiply: convolutions, FC, matmuls).
    public var layers: [Layer]

    /// Creates a network. Layer names must be unique (checked by ``validate()``).
    public init(name: String, summary: String = "", layers: [Layer]) {
        self.name = name
        self.summary = summary
        self.layers = layers
    }

    /// Multiply-accumulates of one inference.
    public var macs: Int { layers.reduce(0) { $0 + $1.macs } }
    /// Trained weights (conv, FC and matmul weights; no biases or normalisation parameters).
    public var parameters: Int { layers.reduce(0) { $0 + $1.parameters } }

    /// The layer called `name`.
    public func layer(named name: String) -> Layer? { layers.first { $0.name == name } }

    /// A group of layers with the same mapping key.
    public struct UniqueShape: Sendable {
        /// The first layer with this shape (its name names the group).
        public var representative: Layer
        /// Names of all layers with this shape, in network order.
        public var layerNames: [String]
        /// How many layers have this shape.
        public var count: Int { layerNames.count }
    }

    /// The distinct layer shapes, in order of first appearance, each with the layers that share it.
    public var uniqueShapes: [UniqueShape] {
        var order: [LayerShapeKey] = []
        var groups: [LayerShapeKey: UniqueShape] = [:]
        for layer in layers {
            let key = layer.mappingKey
            if groups[key] == nil {
                order.append(key)
                groups[key] = UniqueShape(representative: layer, layerNames: [layer.name])
            } else {
                groups[key]!.layerNames.append(layer.name)
            }
        }
        return order.map { groups[$0]! }
    }

    /// Problems with the network itself: duplicate layer names, or no layers.
    public func validate() -> [String] {
        var problems: [String] = []
        if layers.isEmpty { problems.append("network `\(name)` has no layers") }
        var seen: Set<String> = []
        for layer in layers where !seen.insert(layer.name).inserted {
            problems.append("layer name `\(layer.name)` is used twice")
        }
        return problems
    }
}
