import MagnetCore

/// One layer of a network: what it computes, its loop bounds and the formats of its operands.
public struct Layer: Hashable, Sendable {
    /// What kind of operation the layer is; it decides how the shape is read back to a person.
    public enum Operation: String, Hashable, Sendable, CaseIterable {
        /// Dense 2-D convolution.
        case convolution = "conv"
        /// Grouped convolution (G > 1, K and C per group).
        case groupedConvolution = "grouped"
        /// Depthwise convolution: one group per channel.
        case depthwiseConvolution = "depthwise"
        /// Fully-connected layer (a 1×1 convolution on a 1×1 image).
        case fullyConnected = "fc"
        /// Batched matrix multiply `[M×K]·[K×N]`, batch over G.
        case matrixMultiply = "matmul"
    }

    /// Unique name inside its network, e.g. `layer1.0.conv2`.
    public var name: String
    /// The operation.
    public var operation: Operation
    /// Loop bounds, strides and dilations.
    public var shape: ConvolutionShape
    /// Formats of weights, inputs and outputs.
    public var formats: OperandFormats
    /// Whether the Weights operand holds trained parameters (false for activation × activation
    /// matmuls such as attention scores).
    public var weightsAreParameters: Bool

    /// Creates a layer from a shape.
    public init(name: String, operation: Operation, shape: ConvolutionShape,
                formats: OperandFormats = .int8, weightsAreParameters: Bool = true) {
        self.name = name
        self.operation = operation
        self.shape = shape
        self.formats = formats
        self.weightsAreParameters = weightsAreParameters
    }

    /// The Timeloop-style problem of this layer.
    public var problem: Problem { shape.problem }
    /// Multiply-accumulates of one inference.
    public var macs: Int { shape.macs }
    /// Trained weights (biases and normalisation parameters are not counted).
    public var parameters: Int { weightsAreParameters ? shape.weightCount : 0 }

    /// What makes two layers map identically: the loop nest, strides, dilations and formats.
    public var mappingKey: LayerShapeKey {
        var key = shape
        key.paddingH = 0
        key.paddingW = 0
        return LayerShapeKey(shape: key, formats: formats)
    }

    // MARK: Builders

    /// A dense or grouped convolution from input size, kernel, stride, padding and dilation.
    ///
    /// `inChannels` and `outChannels` are totals; with `groups` > 1 each must divide evenly.
    public static func convolution(
        _ name: String, inChannels: Int, outChannels: Int, inputHeight: Int, inputWidth: Int? = nil,
        kernel: Int, kernelWidth: Int? = nil, stride: Int = 1, strideW: Int? = nil,
        padding: Int = 0, paddingW: Int? = nil, dilation: Int = 1, dilationW: Int? = nil,
        groups: Int = 1, batch: Int = 1, formats: OperandFormats = .int8
    ) -> Layer {
        let width = inputWidth ?? inputHeight
        let s = kernelWidth ?? kernel
        let sw = strideW ?? stride, pw = paddingW ?? padding, dw = dilationW ?? dilation
        let p = ConvolutionShape.outputSize(input: inputHeight, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
        let q = ConvolutionShape.outputSize(input: width, kernel: s, stride: sw, padding: pw, dilation: dw)
        let shape = ConvolutionShape(n: batch, g: groups, k: outChannels / groups, c: inChannels / groups,
                                     p: p, q: q, r: kernel, s: s, strideH: stride, strideW: sw,
                                     dilationH: dilation, dilationW: dw, paddingH: padding, paddingW: pw)
        let operation: Operation
        if groups == 1 {
            operation = .convolution
        } else if groups == inChannels && groups == outChannels {
            operation = .depthwiseConvolution
        } else {
            operation = .groupedConvolution
        }
        return Layer(name: name, operation: operation, shape: shape, formats: formats)
    }

    /// A depthwise convolution over `channels` channels (one filter per channel).
    public static func depthwise(
        _ name: String, channels: Int, inputHeight: Int, inputWidth: Int? = nil, kernel: Int,
        stride: Int = 1, padding: Int = 0, dilation: Int = 1, batch: Int = 1, formats: OperandFormats = .int8
    ) -> Layer {
        convolution(name, inChannels: channels, outChannels: channels, inputHeight: inputHeight,
                    inputWidth: inputWidth, kernel: kernel, stride: stride, padding: padding,
                    dilation: dilation, groups: channels, batch: batch, formats: formats)
    }

    /// A fully-connected layer `outputs × inputs`.
    public static func fullyConnected(_ name: String, inputs: Int, outputs: Int, batch: Int = 1,
                                      formats: OperandFormats = .int8) -> Layer {
        Layer(name: name, operation: .fullyConnected,
              shape: ConvolutionShape(n: batch, k: outputs, c: inputs, p: 1, q: 1), formats: formats)
    }

    /// A batched matrix multiply `[M×K]·[K×N]` repeated `batch` times, with the right-hand operand
    /// as Weights. `weightsAreParameters` is false when both operands are activations.
    public static func matrixMultiply(_ name: String, m: Int, n: Int, k: Int, batch: Int = 1,
                                      weightsAreParameters: Bool = true,
                                      formats: OperandFormats = .int8) -> Layer {
        Layer(name: name, operation: .matrixMultiply,
              shape: ConvolutionShape(g: batch, k: n, c: k, p: m, q: 1),
              formats: formats, weightsAreParameters: weightsAreParameters)
    }

    /// A one-line description of the shape in the operation's own terms.
    public var shapeSummary: String {
        let sh = shape
        switch operation {
        case .convolution, .groupedConvolution, .depthwiseConvolution:
            var text = "\(sh.c * sh.g)→\(sh.k * sh.g) \(sh.r)×\(sh.s)"
            if sh.strideH != 1 || sh.strideW != 1 { text += " /\(sh.strideH == sh.strideW ? "\(sh.strideH)" : "\(sh.strideH)×\(sh.strideW)")" }
            if sh.dilationH != 1 || sh.dilationW != 1 { text += " dil \(sh.dilationH)" }
            text += " out \(sh.p)×\(sh.q)"
            if sh.g > 1 { text += " g\(sh.g)" }
            return text
        case .fullyConnected:
            return "\(sh.c)→\(sh.k)"
        case .matrixMultiply:
            let batch = sh.g > 1 ? "\(sh.g)× " : ""
            return "\(batch)[\(sh.p)×\(sh.c)]·[\(sh.c)×\(sh.k)]"
        }
    }
}

/// The identity of a layer for mapping purposes: two layers with equal keys have the same best
/// mapping on any design, so a mapper maps each key once.
public struct LayerShapeKey: Hashable, Sendable {
    /// The shape with padding cleared.
    public let shape: ConvolutionShape
    /// Operand formats.
    public let formats: OperandFormats
}
