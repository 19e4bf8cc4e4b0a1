/// The exact integer result of a layer, for checking hardware (RTL testbenches compare against it).
///
/// Tensors are flat arrays in these layouts: weights `[g][k][c][r][s]`, inputs
/// `[n][g·c][h][w]` (the unpadded input, `inputHeight × inputWidth`, or larger), outputs
/// `[n][g·k][p][q]`. Padding reads zeros. Sums are exact (`Int`); a caller models an accumulator
/// width by wrapping.
public enum ReferenceConvolution {
    /// The outputs of `shape` for `weights` and `inputs` of `inputHeight × inputWidth` (by
    /// default the smallest the shape reads; a larger input, as a layer before may produce when
    /// this layer's stride leaves its last rows or columns, is read where a window reaches it,
    /// before the padding).
    public static func outputs(_ shape: ConvolutionShape, weights: [Int], inputs: [Int], inputHeight: Int? = nil,
                               inputWidth: Int? = nil) -> [Int] {
        let h = inputHeight ?? shape.inputHeight, w = inputWidth ?? shape.inputWidth
        precondition(weights.count == shape.weightCount, "expected \(shape.weightCount) weights, got \(weights.count)")
        precondition(inputs.count == shape.n * shape.g * shape.c * h * w, "expected \(shape.n * shape.g * shape.c * h * w) inputs, got \(inputs.count)")
        var out = [Int](repeating: 0, count: shape.outputCount)
        for n in 0..<shape.n {
            for g in 0..<shape.g {
                for k in 0..<shape.k {
                    for p in 0..<shape.p {
                        for q in 0..<shape.q {
                            var sum = 0
                            for c in 0..<shape.c {
                                for r in 0..<shape.r {
                                    let y = p * shape.strideH + r * shape.dilationH - shape.paddingH
                                    guard y >= 0 && y < h else { continue }
                                    for s in 0..<shape.s {
                                        let x = q * shape.strideW + s * shape.dilationW - shape.paddingW
                                        guard x >= 0 && x < w else { continue }
                                        let weight = weights[(((g * shape.k + k) * shape.c + c) * shape.r + r) * shape.s + s]
                                        let input = inputs[((n * shape.g * shape.c + g * shape.c + c) * h + y) * w + x]
                                        sum += weight * input
                                    }
                                }
                            }
                            out[((n * shape.g * shape.k + g * shape.k + k) * shape.p + p) * shape.q + q] = sum
                        }
                    }
                }
            }
        }
        return out
    }
}
