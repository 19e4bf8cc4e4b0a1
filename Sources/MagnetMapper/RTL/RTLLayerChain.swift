import MagnetDesigner
import MagnetWorkload

/// Layers run one after another on the generated accelerator, each reading its input where the
/// one before wrote its outputs (docs/rtl.md, "Chained layers"): one DRAM holds every layer's
/// weights, then the first layer's padded input, then each later layer's padded input, which
/// the layer before fills through its read-out (requantized, in the next layer's layout: pixel
/// by pixel, the channel groups of a pixel side by side, inside the padding), and last the last
/// layer's outputs. The padding around each intermediate input stays zero, as DRAM starts.
public struct RTLLayerChain: Sendable {
    /// The layers' programs, placed in the shared DRAM.
    public let programs: [RTLLayerProgram]
    /// The layers' names, for messages.
    public let names: [String]
    /// Words of the shared DRAM.
    public let dramWords: Int

    /// Places `programs` (named `names`) in one DRAM, or says why one cannot feed the next: an
    /// output word must be the next layer's input vector (lanes = vectorSize), and each layer's
    /// outputs (K × P × Q of its dense shape) must be the next layer's input (C × H × W).
    public init(_ programs: [RTLLayerProgram], names: [String]) throws {
        precondition(!programs.isEmpty && programs.count == names.count, "one name per program")
        for index in programs.indices.dropLast() {
            let (a, b) = (programs[index], programs[index + 1])
            let design = a.design
            guard design.lanes == design.vectorSize else {
                throw RTLUnsupported(parameter: "layers", message: "chaining layers needs lanes = vectorSize (an output "
                    + "word is then the next layer's input vector); \(design.name) has \(design.lanes) lanes of "
                    + "\(design.vectorSize) multipliers")
            }
            // The next layer's outputs from this one's (columns and rows its stride never reaches
            // allowed, as a convolution's floor leaves them).
            let rows = ConvolutionShape.outputSize(input: a.shape.p, kernel: b.shape.r, stride: b.shape.strideH,
                                                   padding: b.shape.paddingH, dilation: b.shape.dilationH)
            let columns = ConvolutionShape.outputSize(input: a.shape.q, kernel: b.shape.s, stride: b.shape.strideW,
                                                      padding: b.shape.paddingW, dilation: b.shape.dilationW)
            guard b.shape.c == a.shape.k, rows == b.shape.p, columns == b.shape.q,
                  b.shape.inputHeight <= a.shape.p, b.shape.inputWidth <= a.shape.q else {
                throw RTLUnsupported(parameter: "layers", message: "\(names[index]) writes \(a.shape.k) channels of "
                    + "\(a.shape.p)×\(a.shape.q), but \(names[index + 1]) reads \(b.shape.c) channels of "
                    + "\(b.shape.inputHeight)×\(b.shape.inputWidth)")
            }
        }
        var placed = programs
        var next = 0
        for index in placed.indices {
            let weights = placed[index].placement.inputBase - placed[index].placement.weightBase
            placed[index].placement.weightBase = next
            next += weights
        }
        // Inputs: the first layer's as it lays them out alone; each later one's at the words per
        // pixel the layer before writes (its padded K over the lanes), in rows as wide as its
        // outputs' (padded), as many as they have.
        for index in placed.indices {
            let program = placed[index]
            var pixelWords = program.channelVectors, width = program.paddedWidth, height = program.paddedHeight
            if index > 0 {
                // The layer before writes its outputs here, inside this layer's padding.
                let before = placed[index - 1].shape
                pixelWords = placed[index - 1].paddedK / program.design.lanes
                width = before.q + 2 * program.shape.paddingW
                height = before.p + 2 * program.shape.paddingH
                placed[index - 1].placement.outputBase = next + program.shape.paddingH * width * pixelWords
                    + program.shape.paddingW * pixelWords
                placed[index - 1].placement.outputGroupWords = 1
                placed[index - 1].placement.outputRowWords = width * pixelWords
                placed[index - 1].placement.outputColumnWords = pixelWords
            }
            placed[index].placement.inputBase = next
            placed[index].placement.inputPixelWords = pixelWords
            placed[index].placement.inputRowWords = width * pixelWords
            next += height * width * pixelWords
        }
        let last = placed[placed.count - 1]
        placed[placed.count - 1].placement.outputBase = next
        next += last.kPasses * last.split.groups * last.shape.p * last.shape.q
        for index in placed.indices { placed[index].placement.words = next }
        self.programs = placed
        self.names = names
        dramWords = next
    }
}
