import Testing
@testable import MagnetWorkload

@Suite struct ReferenceConvolutionTests {
    /// 1 input channel 3×3, 1 filter 2×2, stride 1, no padding → 2×2 outputs, each by hand.
    @Test func aSmallConvolutionByHand() {
        let layer = Layer.convolution("c", inChannels: 1, outChannels: 1, inputHeight: 3, kernel: 2)
        let inputs = [1, 2, 3,
                      4, 5, 6,
                      7, 8, 9]
        let weights = [1, 0,
                       -1, 2]
        // out[0][0] = 1·1 + 0·2 − 1·4 + 2·5 = 7;   out[0][1] = 2 − 5 + 12 = 9
        // out[1][0] = 4 − 7 + 16 = 13;             out[1][1] = 5 − 8 + 18 = 15
        #expect(ReferenceConvolution.outputs(layer.shape, weights: weights, inputs: inputs) == [7, 9, 13, 15])
    }

    /// Padding 1 and stride 2 on a 3×3 input with a 3×3 all-ones kernel: each output sums the
    /// inputs its window covers, zeros outside.
    @Test func paddingAndStride() {
        let layer = Layer.convolution("c", inChannels: 1, outChannels: 1, inputHeight: 3, kernel: 3, stride: 2, padding: 1)
        #expect(layer.shape.p == 2 && layer.shape.q == 2)
        let inputs = Array(1...9)
        // Window at (0,0) covers rows 0–1, columns 0–1: 1+2+4+5 = 12; (0,1): 2+3+5+6 = 16;
        // (1,0): 4+5+7+8 = 24; (1,1): 5+6+8+9 = 28.
        #expect(ReferenceConvolution.outputs(layer.shape, weights: Array(repeating: 1, count: 9), inputs: inputs) == [12, 16, 24, 28])
    }

    /// A fully-connected layer is a 1×1 convolution: y[k] = Σ W[k][c]·x[c].
    @Test func fullyConnected() {
        let layer = Layer.fullyConnected("fc", inputs: 3, outputs: 2)
        let weights = [1, 2, 3,
                       -1, 0, 4]
        // y0 = 1·5 + 2·6 + 3·7 = 38; y1 = −5 + 0 + 28 = 23
        #expect(ReferenceConvolution.outputs(layer.shape, weights: weights, inputs: [5, 6, 7]) == [38, 23])
    }

    /// An input larger than the shape's smallest (a layer before produced a row and a column this
    /// layer's stride 2 never starts a window on): a window that reaches them reads them before
    /// the padding. Input x[y][x] = 4y + x over 4×4, a 3×3 filter of ones, stride 2, padding 1:
    /// output (0,0) sums rows and columns 0–1, 0+1+4+5 = 10; (1,1) rows and columns 1–3,
    /// 3·4·(1+2+3) + 3·(1+2+3) = 90, where the smallest input (3×3) would end at row and column 2.
    @Test func aLargerInputIsReadBeforeThePadding() {
        let shape = ConvolutionShape(k: 1, c: 1, p: 2, q: 2, r: 3, s: 3, strideH: 2, strideW: 2, paddingH: 1,
                                     paddingW: 1)
        #expect(shape.inputHeight == 3 && shape.inputWidth == 3)
        let outputs = ReferenceConvolution.outputs(shape, weights: Array(repeating: 1, count: 9),
                                                   inputs: (0..<16).map { $0 / 4 * 4 + $0 % 4 },
                                                   inputHeight: 4, inputWidth: 4)
        // (0,1): rows 0–1, columns 1–3: (1+2+3) + (5+6+7) = 24; (1,0): rows 1–3, columns 0–1:
        // (4+5) + (8+9) + (12+13) = 51.
        #expect(outputs == [10, 24, 51, 90])
    }
}
