import Testing
@testable import MagnetWorkload

@Suite struct ProblemTests {
    @Test func convolutionProblemHasTimeloopDataSpaces() {
        let shape = ConvolutionShape(k: 32, c: 3, p: 112, q: 112, r: 3, s: 3, strideH: 2, strideW: 2)
        let problem = shape.problem
        #expect(problem.dimensions == ["N", "G", "K", "C", "P", "Q", "R", "S"])
        #expect(problem.dataSpaces.map(\.name) == ["Weights", "Inputs", "Outputs"])
        #expect(problem.dataSpaces.map(\.isReadWrite) == [false, false, true])
        #expect(problem.macs == 32 * 3 * 112 * 112 * 9)
        // Weights: K·C·R·S = 32·3·3·3; Outputs: K·P·Q.
        #expect(problem.size(of: 0) == 864)
        #expect(problem.size(of: 2) == 32 * 112 * 112)
        // Inputs: C × ((P−1)·2 + 3) × ((Q−1)·2 + 3) = 3 × 225 × 225.
        #expect(problem.size(of: 1) == 3 * 225 * 225)
        #expect(problem.relevantDimensions(of: 0) == [1, 2, 3, 6, 7])  // G K C R S
        #expect(problem.relevantDimensions(of: 1) == [0, 1, 3, 4, 5, 6, 7])  // all but K
    }

    @Test func stridedInputTileIsTheSlidingWindow() {
        // The Eyeriss fixture's shared_glb Inputs tile: P-tile 14 at stride 2 with R 3 gives 29 rows,
        // Q-tile 56 gives 113 columns, 3 channels: 29 × 113 × 3 = 9831 words.
        let problem = ConvolutionShape(k: 32, c: 3, p: 112, q: 112, r: 3, s: 3, strideH: 2, strideW: 2).problem
        let tile = [1, 1, 1, 3, 14, 56, 3, 3]  // N G K C P Q R S
        #expect(problem.tileSize(of: 1, tile: tile) == 9831)
        // Without the filter loops in the tile, a single row/column of the window: (14−1)·2 + 1 = 27.
        #expect(problem.tileSize(of: 1, tile: [1, 1, 1, 3, 14, 56, 1, 1]) == 3 * 27 * 111)
    }

    @Test func dilationWidensTheWindow() {
        // 3×3 kernel at dilation 2 spans 5 input rows for one output: 2·(3−1) + 1.
        let problem = ConvolutionShape(k: 1, c: 1, p: 4, q: 4, r: 3, s: 3, dilationH: 2, dilationW: 2).problem
        #expect(problem.tileSize(of: 1, tile: [1, 1, 1, 1, 1, 1, 3, 3]) == 25)
        // Whole problem: (4−1)·1 + 2·(3−1) + 1 = 8 per side.
        #expect(problem.size(of: 1) == 64)
    }

    @Test func outputSizeFormula() {
        #expect(ConvolutionShape.outputSize(input: 224, kernel: 7, stride: 2, padding: 3, dilation: 1) == 112)
        #expect(ConvolutionShape.outputSize(input: 224, kernel: 11, stride: 4, padding: 2, dilation: 1) == 55)
        #expect(ConvolutionShape.outputSize(input: 10, kernel: 3, stride: 1, padding: 0, dilation: 2) == 6)
    }

    @Test func builderKinds() {
        let dw = Layer.depthwise("dw", channels: 32, inputHeight: 16, kernel: 3, padding: 1)
        #expect(dw.operation == .depthwiseConvolution)
        #expect(dw.shape.g == 32 && dw.shape.k == 1 && dw.shape.c == 1)
        #expect(dw.macs == 32 * 16 * 16 * 9)
        let grouped = Layer.convolution("g", inChannels: 64, outChannels: 128, inputHeight: 8, kernel: 3, padding: 1, groups: 4)
        #expect(grouped.operation == .groupedConvolution)
        #expect(grouped.macs == 4 * 32 * 16 * 8 * 8 * 9)
        let mm = Layer.matrixMultiply("mm", m: 128, n: 64, k: 32, batch: 12, weightsAreParameters: false)
        #expect(mm.macs == 12 * 128 * 64 * 32)
        #expect(mm.parameters == 0)
        let fc = Layer.fullyConnected("fc", inputs: 2048, outputs: 1000)
        #expect(fc.parameters == 2_048_000 && fc.macs == 2_048_000)
    }

    @Test func paddingDoesNotChangeTheMappingKey() {
        let a = Layer.convolution("a", inChannels: 8, outChannels: 8, inputHeight: 10, kernel: 3, padding: 1)
        var b = Layer.convolution("b", inChannels: 8, outChannels: 8, inputHeight: 8, kernel: 3, padding: 0)
        #expect(a.shape.p == 10 && b.shape.p == 6)
        b = Layer(name: "b", operation: .convolution, shape: ConvolutionShape(k: 8, c: 8, p: 10, q: 10, r: 3, s: 3))
        #expect(a.mappingKey == b.mappingKey)
        var c = b
        c.formats.weights = .int4
        #expect(c.mappingKey != b.mappingKey)
    }
}
