import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload
import Testing

/// Layers run one after another in one DRAM (docs/rtl.md, "Chained layers"): each layer's read-out
/// writes exactly the words the next layer reads, inside its padding, and nothing else's; random
/// chains (strides, padding, groups) run bit-exact under iverilog.
struct RTLLayerChainTests {
    /// Four PEs of four lanes of four: an output word is an input vector.
    static let square = DesignPoint(
        name: "square", numPEs: 4, peRows: 2, peColumns: 2, lanes: 4, vectorSize: 4,
        weightBufferBytes: 2048, inputBufferBytes: 2048, accumulationBufferBytes: 1536, globalBufferBytes: 4096,
        dramBandwidthGBps: 8, accumulationBits: 24, dataflow: .weightStationary, clockGHz: 1, technology: "16nm")

    /// A chain of `count` random layers, each reading the last one's outputs (its channels, rows
    /// and columns): sizes, filters, strides, padding and groups (depthwise included).
    static func randomChain(count: Int, seed: UInt64) -> [ConvolutionShape] {
        var generator = SeededGenerator(seed: seed)
        var shapes: [ConvolutionShape] = []
        var channels = Int.random(in: 1...10, using: &generator)
        var height = Int.random(in: 4...9, using: &generator), width = Int.random(in: 4...9, using: &generator)
        for _ in 0..<count {
            let stride = Int.random(in: 1...2, using: &generator)
            var r = [1, 3].randomElement(using: &generator)!
            let padding = r == 3 ? Int.random(in: 0...1, using: &generator) : 0
            if min(height, width) + 2 * padding < r { r = 1 }
            let p = (height + 2 * padding - r) / stride + 1, q = (width + 2 * padding - r) / stride + 1
            let depthwise = channels > 1 && Int.random(in: 0..<4, using: &generator) == 0
            let k = depthwise ? 1 : Int.random(in: 1...12, using: &generator)
            let shape = ConvolutionShape(g: depthwise ? channels : 1, k: k, c: depthwise ? 1 : channels, p: p, q: q,
                                         r: r, s: r, strideH: stride, strideW: stride, paddingH: padding,
                                         paddingW: padding)
            shapes.append(shape)
            channels = shape.g * shape.k
            height = p
            width = q
        }
        return shapes
    }

    /// Every word a layer's read-out writes is a word of the next layer's padded input interior,
    /// every such word of a real channel group is written once, and no write lands on weights, on
    /// another layer's input or outside DRAM; the last layer's outputs follow everything else.
    @Test func eachLayerWritesExactlyWhatTheNextReads() throws {
        let pilotnet = try NetworkFile.resolve("pilotnet")
        let trunk = try ["conv1", "conv2", "conv3", "conv4", "conv5"].map {
            try NetworkFile.layer($0, in: pilotnet, source: "pilotnet").shape
        }
        let simbaLike = try DesignFile.load(path: examplesDirectory.appendingPathComponent("simba-like.yaml").path)
        let cases: [(DesignPoint, [ConvolutionShape])] = [(simbaLike, trunk)]
            + (0..<20).map { (Self.square, Self.randomChain(count: 3, seed: UInt64($0))) }
        for (design, shapes) in cases {
            let programs = try shapes.map { try RTLLayerProgram(design: design, shape: $0) }
            let chain = try RTLLayerChain(programs, names: shapes.indices.map { "layer \($0)" })
            var owner: [Int: String] = [:]
            func claim(_ word: Int, _ what: String) {
                #expect(word >= 0 && word < chain.dramWords, "\(what) at \(word) of \(chain.dramWords)")
                if let other = owner[word] { Issue.record("\(what) and \(other) share word \(word)") }
                owner[word] = what
            }
            for (index, program) in chain.programs.enumerated() {
                let weights = chain.programs[index].placement.weightBase
                let weightWords = program.kPasses * program.split.groups * design.lanes * program.steps
                    * program.channelPasses
                for word in weights..<(weights + weightWords) { claim(word, "layer \(index)'s weights") }
                if index == 0 {
                    for word in program.inputBase..<(program.inputBase + program.inputWords) {
                        claim(word, "the first input")
                    }
                }
            }
            for (index, program) in chain.programs.enumerated() {
                let written = program.expectedOutputs(sums: Array(repeating: 0, count: program.layerShape.outputCount))
                    .map(\.address)
                #expect(Set(written).count == written.count, "layer \(index) writes a word twice")
                for word in written { claim(word, "layer \(index)'s outputs") }
                guard index + 1 < chain.programs.count else {
                    #expect(written.min() ?? -1 > chain.programs.map(\.inputBase).max()!)
                    continue
                }
                let next = chain.programs[index + 1], pixelWords = next.placement.inputPixelWords
                #expect(pixelWords == program.paddedK / design.lanes && pixelWords >= next.channelVectors)
                // The rows and columns this layer writes, which the next reads (all but those its
                // stride never reaches) inside its padding.
                #expect(next.placement.inputRowWords == (program.shape.q + 2 * next.shape.paddingW) * pixelWords)
                var interior: [Int] = []
                for y in 0..<program.shape.p {
                    for x in 0..<program.shape.q {
                        let pixel = next.inputBase + (y + next.shape.paddingH) * next.placement.inputRowWords
                            + (x + next.shape.paddingW) * pixelWords
                        interior += (0..<pixelWords).map { pixel + $0 }
                    }
                }
                #expect(written.sorted() == interior.sorted(), "layer \(index) → \(index + 1)")
            }
        }
    }

    /// Random chains of three layers, each reading what the last wrote (strided, padded,
    /// depthwise), bit-exact under iverilog, every layer in exactly its predicted cycles.
    @Test(.enabled(if: rtlToolsAvailable, "needs iverilog"), arguments: 0..<4)
    func randomChainsRunBitExact(_ seed: Int) throws {
        let shapes = Self.randomChain(count: 3, seed: UInt64(100 + seed))
        let programs = try shapes.map { try RTLLayerProgram(design: Self.square, shape: $0) }
        let names = shapes.indices.map { "L\($0)" }
        let chain = try RTLLayerChain(programs, names: names)
        let bench = try RTLBench(TopEmitter(design: Self.square).emit())
        for (file, text) in RTLTestbench(chain: chain, seed: UInt64(seed), modelCycles: [nil, nil, nil]).files() {
            try text.write(to: bench.folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let output = bench.simulate()
        #expect(output.contains("PASS"), "\(shapes): \(output.prefix(2000))")
        for (name, program) in zip(names, chain.programs) {
            #expect(output.contains("cycles \(program.expectedCycles) (cost model: -1 for the same mapping), \(name)"),
                    "\(output.prefix(2000))")
        }
    }

    /// What cannot chain is refused with the numbers: outputs that are not the next input, and a
    /// design whose output word is not an input vector.
    @Test func chainsThatCannotFeedAreRefused() throws {
        let a = try RTLLayerProgram(design: Self.square, shape: ConvolutionShape(k: 8, c: 4, p: 6, q: 6, r: 1, s: 1))
        let b = try RTLLayerProgram(design: Self.square, shape: ConvolutionShape(k: 4, c: 6, p: 6, q: 6, r: 1, s: 1))
        #expect(throws: RTLUnsupported.self) { try RTLLayerChain([a, b], names: ["a", "b"]) }
        do { _ = try RTLLayerChain([a, b], names: ["a", "b"]) } catch let error as RTLUnsupported {
            #expect(error.message == "a writes 8 channels of 6×6, but b reads 6 channels of 6×6")
        }
        var narrow = Self.square
        narrow.lanes = 2
        let c = try RTLLayerProgram(design: narrow, shape: ConvolutionShape(k: 4, c: 4, p: 4, q: 4, r: 1, s: 1))
        do { _ = try RTLLayerChain([c, c], names: ["c", "c"]); Issue.record("accepted") } catch let error as RTLUnsupported {
            #expect(error.message.hasPrefix("chaining layers needs lanes = vectorSize"), "\(error.message)")
        }
    }
}
