import Foundation
import MagnetCore

extension NetworkFile {
    /// The network as a network file (YAML) that ``parse(_:file:)`` reads back to the same
    /// network: every layer with its output size, strides, padding, dilation and groups, and its
    /// formats. `magnet networks show NETWORK --yaml` prints it (an imported ONNX model made
    /// editable), and a sweep hands its workers an imported model this way.
    public static func yaml(_ network: Network) -> String {
        var lines = ["name: \(quoted(network.name))"]
        if !network.summary.isEmpty { lines.append("description: \(quoted(network.summary))") }
        lines.append("layers:")
        for layer in network.layers {
            let sh = layer.shape
            var fields = ["name: \(quoted(layer.name))"]
            switch layer.operation {
            case .convolution, .groupedConvolution, .depthwiseConvolution:
                fields += ["type: conv", "N: \(sh.n)", "C: \(sh.c * sh.g)", "K: \(sh.k * sh.g)", "P: \(sh.p)",
                           "Q: \(sh.q)", "R: \(sh.r)", "S: \(sh.s)", "stride: [\(sh.strideH), \(sh.strideW)]",
                           "padding: [\(sh.paddingH), \(sh.paddingW)]",
                           "dilation: [\(sh.dilationH), \(sh.dilationW)]", "groups: \(sh.g)"]
            case .fullyConnected:
                fields += ["type: fc", "N: \(sh.n)", "C: \(sh.c)", "K: \(sh.k)"]
            case .matrixMultiply:
                fields += ["type: matmul", "M: \(sh.p)", "N: \(sh.k)", "K: \(sh.c)", "batch: \(sh.g)",
                           "weights: \(layer.weightsAreParameters ? "parameters" : "activations")"]
            }
            if layer.formats != .int8 {
                let formats = layer.formats
                fields.append("formats: {weights: \(formats.weights.rawValue), inputs: \(formats.inputs.rawValue), "
                              + "outputs: \(formats.outputs.rawValue)}")
            }
            lines.append("  - {" + fields.joined(separator: ", ") + "}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` as a double-quoted YAML scalar.
    static func quoted(_ text: String) -> String { JSONValue.quote(text) }
}
