import Foundation
import MagnetCore
import MagnetMapper
import Testing
@testable import MagnetDesigner
import MagnetWorkload

/// The whole accelerator (`magnet_top`) across design points: lint, synthesis without latches,
/// and the four layer testbenches bit-exact under iverilog, with the controller's cycle count as
/// `RTLLayerProgram.expectedCycles` predicts it.
@Suite(.enabled(if: rtlToolsAvailable, "needs yosys, verilator and iverilog (make test installs them)"))
struct AcceleratorRTLTests {
    /// Design points that differ in PE count and shape, lanes, vector size, formats, accumulator
    /// width (the last wraps), buffer sizes and dataflow.
    static let designs: [DesignPoint] = [
        DesignPoint(name: "ws-2pe", numPEs: 2, peRows: 1, peColumns: 2, lanes: 2, vectorSize: 4,
                    weightBufferBytes: 2048, inputBufferBytes: 2048, accumulationBufferBytes: 1024, globalBufferBytes: 4096,
                    dramBandwidthGBps: 8, accumulationBits: 24, dataflow: .weightStationary, clockGHz: 1, technology: "16nm"),
        DesignPoint(name: "os-int4", numPEs: 4, peRows: 2, peColumns: 2, lanes: 1, vectorSize: 8,
                    weightBufferBytes: 1024, inputBufferBytes: 2048, accumulationBufferBytes: 512, globalBufferBytes: 2048,
                    dramBandwidthGBps: 8, weightFormat: .int4, accumulationBits: 20, dataflow: .outputStationary, clockGHz: 1, technology: "28nm"),
        DesignPoint(name: "oslws-int16", numPEs: 3, peRows: 3, peColumns: 1, lanes: 3, vectorSize: 2,
                    weightBufferBytes: 4096, inputBufferBytes: 4096, accumulationBufferBytes: 2048, globalBufferBytes: 4096,
                    dramBandwidthGBps: 8, weightFormat: .int16, activationFormat: .int16, accumulationBits: 40,
                    dataflow: .outputStationaryLocalWeightStationary, clockGHz: 1, technology: "16nm"),
        DesignPoint(name: "is-wrap", numPEs: 1, peRows: 1, peColumns: 1, lanes: 4, vectorSize: 8,
                    weightBufferBytes: 4096, inputBufferBytes: 2048, accumulationBufferBytes: 1024, globalBufferBytes: 2048,
                    dramBandwidthGBps: 8, accumulationBits: 14, dataflow: .inputStationary, clockGHz: 1, technology: "7nm"),
        DesignPoint(name: "wslos", numPEs: 2, peRows: 2, peColumns: 1, lanes: 2, vectorSize: 4, weightCollectorDepth: 2,
                    accumulationCollectorDepth: 2, inputCollectorDepth: 2,
                    weightBufferBytes: 2048, inputBufferBytes: 2048, accumulationBufferBytes: 1024, globalBufferBytes: 2048,
                    dramBandwidthGBps: 8, accumulationBits: 24, dataflow: .weightStationaryLocalOutputStationary, clockGHz: 1, technology: "45nm"),
    ]
    static let layers = ["conv3x3", "conv1x1", "strided", "fc"]

    static func layer(_ name: String) throws -> Layer {
        let path = examplesDirectory.appendingPathComponent("rtl-layers.yaml").path
        return try NetworkFile.layer(name, in: NetworkFile.load(path: path), source: path)
    }

    /// Runs `program`'s testbench (seeded `seed`) in `bench` under iverilog and expects it
    /// bit-exact in exactly the cycles the controller's schedule predicts.
    static func expectBitExact(_ program: RTLLayerProgram, in bench: RTLBench, seed: UInt64, _ label: String) throws {
        for (file, text) in RTLTestbench(program: program, seed: seed, modelCycles: nil).files() {
            try text.write(to: bench.folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let output = bench.simulate()
        #expect(output.contains("PASS"), "\(label): \(output.prefix(2000))")
        #expect(output.contains("cycles \(program.expectedCycles) "), "\(label): \(output.prefix(2000))")
    }

    @Test(arguments: 0..<designs.count)
    func lintsAndSynthesizesWithoutLatches(_ index: Int) throws {
        let bench = try RTLBench(TopEmitter(design: Self.designs[index]).emit())
        let lint = bench.lint(top: TopEmitter.moduleName)
        #expect(lint.status == 0, "\(lint.output.prefix(3000))")
        let script = SynthesisReport.script(files: bench.files, top: TopEmitter.moduleName, statFile: "stat.txt")
        let synthesis = runTool("/usr/bin/yosys", ["-q", "-p", script], in: bench.folder)
        #expect(synthesis.status == 0, "\(synthesis.output.suffix(3000))")
        let report = SynthesisReport(yosysStat: try String(contentsOf: bench.folder.appendingPathComponent("stat.txt"), encoding: .utf8))
        // Black-boxed SRAMs: global buffer + per PE two input banks, and per lane two weight banks
        // and two accumulation banks.
        let design = Self.designs[index]
        #expect(report.memories == 1 + design.numPEs * (2 + 4 * design.lanes))
        // The area and energy model prices exactly these macros (BufferBanks; `is-wrap`'s narrow
        // accumulator is refused by validation, not by elaboration).
        let hardware = design.elaborate(technology: try Technology.named(design.technology))
        let modelled = hardware.storage.filter { $0.technology == .sram }.reduce(0) { $0 + $1.banks * $1.instances }
        #expect(report.memories == modelled)
        #expect(report.cells > report.flipFlops && report.flipFlops > 0)
    }

    /// Every layer on every design, under every split of the PE array the layer allows (channel
    /// groups × row blocks): bit-exact against the reference convolution, in exactly the cycles
    /// the controller's schedule predicts.
    @Test(arguments: 0..<designs.count)
    func runsEveryLayerBitExact(_ index: Int) throws {
        let design = Self.designs[index]
        let bench = try RTLBench(TopEmitter(design: design).emit())
        var runs = 0
        for name in Self.layers {
            for groups in 1...design.numPEs where design.numPEs % groups == 0 {
                guard let program = try? RTLLayerProgram(design: design, shape: Self.layer(name).shape, groups: groups) else { continue }
                try Self.expectBitExact(program, in: bench, seed: UInt64(index * 10 + groups),
                                        "\(design.name) \(name) \(groups)×\(program.split.rowBlocks)")
                runs += 1
            }
        }
        #expect(runs >= Self.layers.count)
    }

    /// Layers whose input does not fit the buffers run in bands of output rows, each band
    /// loading its own input rows (with the filter's halo, strides and padding): bit-exact, in
    /// the cycles predicted, under every split; and a layer that fits whole gives the same
    /// outputs in 2 and 4 bands as in one.
    @Test func runsLayersInBandsBitExact() throws {
        let design = Self.designs[0]
        let bench = try RTLBench(TopEmitter(design: design).emit())
        let shapes = [
            ("3x3 pad 1, 16×16", ConvolutionShape(k: 4, c: 8, p: 16, q: 16, r: 3, s: 3, paddingH: 1, paddingW: 1), nil as Int?),
            ("3x3 stride 2, 8×8", ConvolutionShape(k: 4, c: 8, p: 8, q: 8, r: 3, s: 3, strideH: 2, strideW: 2,
                                                    paddingH: 1, paddingW: 1), nil),
            ("1x1, 24×24", ConvolutionShape(k: 2, c: 4, p: 24, q: 24), nil),
            ("3x3 pad 1, 4×64, C 64", ConvolutionShape(k: 2, c: 64, p: 4, q: 64, r: 3, s: 3, paddingH: 1, paddingW: 1), nil),
            ("5x5 stride 2, 12×12", ConvolutionShape(k: 2, c: 16, p: 12, q: 12, r: 5, s: 5, strideH: 2, strideW: 2,
                                                      paddingH: 2, paddingW: 2), nil),
            ("conv3x3 in 2 bands", try Self.layer("conv3x3").shape, 2),
            ("conv3x3 in 4 bands", try Self.layer("conv3x3").shape, 4),
        ]
        var banded = 0, tiled = 0
        let tilings: [Int?] = [nil, 2, 4]
        for (index, (name, shape, bands)) in shapes.enumerated() {
            for groups in 1...design.numPEs where design.numPEs % groups == 0 {
              for columnTiles in bands == nil ? [nil] : tilings {
                guard let program = try? RTLLayerProgram(design: design, shape: shape, groups: groups, bands: bands,
                                                         columnTiles: columnTiles) else { continue }
                if program.bands > 1 { banded += 1 }
                if program.columnTiles > 1 { tiled += 1 }
                let label = "\(name) \(groups)×\(program.split.rowBlocks) in \(program.bands) band(s) × \(program.columnTiles) tile(s)"
                try Self.expectBitExact(program, in: bench, seed: UInt64(40 + index), label)
              }
            }
        }
        #expect(banded >= 6)
        #expect(tiled >= 6)
    }

    /// Layers whose weights for one pass do not fit a weight-buffer bank run in passes over the
    /// input channels: each loads its channels' weights and adds its partial sums into the
    /// accumulation buffer. Bit-exact in the cycles predicted under every split, with one step
    /// per pixel and pass (the drains that add come every other cycle), and a layer that fits in
    /// one pass gives the same outputs in 2 and 4; the controller's mapping stays valid.
    @Test func runsLayersInChannelPassesBitExact() throws {
        let design = Self.designs[0]
        let bench = try RTLBench(TopEmitter(design: design).emit())
        let hardware = try design.elaborate()
        let shapes: [(String, ConvolutionShape, [Int?])] = [
            // R·S·CT = 3·3·32 = 288 weight vectors per lane against 2 KiB / 2 lanes / 4 B = 256.
            ("3x3 over 128 channels", ConvolutionShape(k: 4, c: 128, p: 4, q: 4, r: 3, s: 3, paddingH: 1, paddingW: 1),
             [nil]),
            ("3x3 pad 1, C 16", ConvolutionShape(k: 4, c: 16, p: 4, q: 4, r: 3, s: 3, paddingH: 1, paddingW: 1), [2, 4]),
            ("1x1, C 8, one step per pass", ConvolutionShape(k: 4, c: 8, p: 4, q: 4), [2]),
        ]
        var passes = 0
        for (index, (name, shape, counts)) in shapes.enumerated() {
            for groups in 1...design.numPEs where design.numPEs % groups == 0 {
                for channelPasses in counts {
                    let program = try RTLLayerProgram(design: design, shape: shape, groups: groups,
                                                      channelPasses: channelPasses)
                    if program.channelPasses > 1 { passes += 1 }
                    #expect(try program.mapping(on: hardware).problems(on: hardware, for: program.paddedShape.problem)
                        .isEmpty)
                    let label = "\(name) \(groups)×\(program.split.rowBlocks) in \(program.channelPasses) channel pass(es)"
                    try Self.expectBitExact(program, in: bench, seed: UInt64(60 + index), label)
                }
            }
        }
        #expect(passes >= 6)
        let refused = #expect(throws: RTLUnsupported.self) {
            try RTLLayerProgram(design: design, shape: shapes[0].1, groups: 1, channelPasses: 1)
        }
        #expect(refused?.message == "R·S·CT = 288 weight vectors per lane must fit a weight-buffer bank: needs 288 words, has 256")
    }

    /// The three weight schedules over several tiles, K passes and channel passes: every tile
    /// reloading the weights; resident (each pass at its own words of the banks, the first tile
    /// loading them all); and the tiles inside the passes (a pass's weights once, every tile's
    /// partial sums kept across channel passes). Each bit-exact in the cycles predicted, its
    /// mapping valid for the model, with the cycles worked out by hand. Forcing a schedule whose
    /// buffers do not suffice is refused with the numbers.
    @Test func everyWeightScheduleRunsBitExact() throws {
        let design = Self.designs[0]
        let bench = try RTLBench(TopEmitter(design: design).emit())
        let hardware = try design.elaborate()
        // One channel group: K passes of 2 lanes, so KT = 4; CT = 4 vectors, 3·3·4 = 36 steps; 2 PEs
        // of 4 rows each in 2 bands × 2 column tiles: n = 2·4 = 8 pixels per PE, W = 6·6·4 = 144
        // input words, read-out 2·8 = 16 cycles.
        let shape = ConvolutionShape(k: 8, c: 16, p: 8, q: 8, r: 3, s: 3, paddingH: 1, paddingW: 1)
        var runs = 0
        for channelPasses in [1, 2] {
            var cycles: [RTLLayerProgram.WeightSchedule: Int] = [:]
            for schedule in RTLLayerProgram.WeightSchedule.allCases {
                let program = try RTLLayerProgram(design: design, shape: shape, groups: 1, bands: 2, columnTiles: 2,
                                                  channelPasses: channelPasses, weightSchedule: schedule)
                #expect(program.weightSchedule == schedule)
                #expect(program.kPasses == 4 && program.bands * program.columnTiles == 4)
                #expect(try program.mapping(on: hardware).problems(on: hardware, for: program.paddedShape.problem)
                    .isEmpty, "\(schedule)")
                cycles[schedule] = program.expectedCycles
                let label = "\(channelPasses) channel pass(es), weights \(program.weightSchedule.summary)"
                try Self.expectBitExact(program, in: bench, seed: UInt64(90 + channelPasses), label)
                runs += 1
            }
            // Every tile's input (W = 144 / CP words with the tiles inside the passes, else 144) fits
            // one of the 256-word input banks and its 8 partial sums per lane one of the 85-word
            // accumulation banks: the inputs alternate, and so do the sums but where the tiles keep
            // theirs across channel passes. A compute phase is 8 pixels × 36 / CP steps + 4, then 3
            // for the last drain; a read-out 2 PEs × 8 pixels + 2; Wₜ = 1 group × 2 lanes × 36 / CP.
            let weights = 72 / channelPasses, phase = 8 * 36 / channelPasses + 4 + 3, readOut = 2 * 8 + 2
            // Passes inside the tiles: the first tile loads its input (144 + 2), then the first pass's
            // weights (Wₜ + 2, the input already in the PEs); each K pass computes CP phases with the
            // later channel passes' weights loading between (Wₜ + 2 each), and all but the last load
            // the next K pass's weights (Wₜ + 2) while the read-out runs. The compute never waits
            // for a read-out (a phase is longer than one). Each later tile's input is in the PEs
            // when it starts (1 cycle to find the global buffer's load done); resident, it loads no
            // weights (1 cycle for PREPARE) and its phases run back to back, each issuing its first
            // step the cycle after the last step of the one before (the next channel pass into the
            // same words, the next K pass into the other accumulation bank, the read-out of the
            // last long done), only the tile's last one flushing; the last read-out ends the run.
            let firstTile = (144 + 2) + (weights + 2) + 4 * channelPasses * phase
                + 4 * (channelPasses - 1) * (weights + 2) + 3 * (weights + 2)
            let issuing = 8 * 36 / channelPasses
            let residentLater = 1 + 1 + (4 * channelPasses - 1) * issuing + phase
            #expect(cycles[.resident]! == firstTile + 3 * residentLater + readOut)
            let reloadedLater = 1 + (weights + 2) + 4 * channelPasses * phase + 4 * (channelPasses - 1) * (weights + 2)
                + 3 * (weights + 2)
            #expect(cycles[.reloadedEveryTile]! == firstTile + 3 * reloadedLater + readOut)
            // Tiles inside the passes: 4 · CP passes of 4 tiles, each computing one phase; the
            // first loads W + 2 and every later one 1 (fetched during the phase before); the first
            // pass's first tile loads its weights (Wₜ + 2), and from its compute phase on each
            // next pass's load into the other weight bank (36 / CP ≤ 128 vectors per lane fit one)
            // in the cycles the loader leaves (phase − W ≥ Wₜ), so every other tile takes 1 cycle to
            // start. With one channel pass the sums alternate and nothing waits; with two, the
            // tiles keep their sums across the passes, tile by tile in the two accumulation banks
            // (2 tiles × 8 pixels fit one), so a later tile of a pass computes while the one before
            // is read out, and only a pass's first tile that follows a read-out (of the last tile of
            // the K pass before) waits for it, 18 cycles from its start.
            let words = 144 / channelPasses
            #expect(phase - words >= weights)
            let later = 16 * channelPasses - 1
            var inside = (words + 2) + (weights + 2) + 16 * channelPasses * phase + readOut
            if channelPasses == 1 {
                inside += later * (1 + 1)
            } else {
                // The first tiles of K passes 1..3 wait; the rest do not.
                inside += 3 * max(1 + 1, readOut) + (later - 3) * (1 + 1)
            }
            #expect(cycles[.tilesInsidePasses]! == inside)
        }
        #expect(runs == 6)
        // 3·3·32 = 288 weight vectors per lane and pass already exceed the 256-word bank, let
        // alone 2 passes over K.
        let wide = ConvolutionShape(k: 4, c: 128, p: 4, q: 4, r: 3, s: 3, paddingH: 1, paddingW: 1)
        let resident = #expect(throws: RTLUnsupported.self) {
            try RTLLayerProgram(design: design, shape: wide, groups: 1, channelPasses: 2, weightSchedule: .resident)
        }
        #expect(resident?.message == "resident weights, 2 K pass(es) × 2 channel pass(es) × 144 weight vectors per "
            + "lane, must fit a weight-buffer bank: needs 576 words, has 256")
        // 16×16 partial sums per PE (2 groups, so 1 row block) against 1 KiB / (2 lanes × 24 bits).
        let large = ConvolutionShape(k: 4, c: 16, p: 16, q: 16, r: 3, s: 3, paddingH: 1, paddingW: 1)
        let held = #expect(throws: RTLUnsupported.self) {
            try RTLLayerProgram(design: design, shape: large, groups: 2, channelPasses: 2,
                                weightSchedule: .tilesInsidePasses)
        }
        #expect(held?.message == "every tile's 16×16 partial sums per lane, kept across 2 channel passes, must fit "
            + "a lane's accumulation buffer: needs 256 words, has 170")
    }

    /// With the tiles inside the passes the buffers hold only a channel pass's input vectors, so
    /// a layer whose tile of one output needs more input than a PE's buffer holds runs in
    /// channel passes: a depthwise 3×3 over 64 channels (16 vectors per pixel) on 128-word input
    /// buffers, bit-exact in the cycles predicted; the other schedules refuse it with the numbers.
    @Test func channelPassesHoldOnlyTheirInput() throws {
        var design = Self.designs[0]
        design.inputBufferBytes = 512
        let bench = try RTLBench(TopEmitter(design: design).emit())
        let shape = ConvolutionShape(g: 64, k: 1, c: 1, p: 4, q: 4, r: 3, s: 3, paddingH: 1, paddingW: 1)
        for schedule in [RTLLayerProgram.WeightSchedule.reloadedEveryTile, .resident] {
            let refused = #expect(throws: RTLUnsupported.self) {
                try RTLLayerProgram(design: design, shape: shape, weightSchedule: schedule)
            }
            #expect(refused?.message == "the padded input of a tile of 1×1 outputs (3×3×16 vectors) must fit each "
                + "PE's input buffer: needs 144 words, has 128 (even in tiles of one output row per PE and one column, "
                + "one channel vector per pass)")
        }
        var runs = 0
        for groups in [1, 2] {
            let program = try RTLLayerProgram(design: design, shape: shape, groups: groups)
            #expect(program.weightSchedule == .tilesInsidePasses && program.channelPasses >= 2)
            #expect(program.tile.inputWords
                        == program.tile.inputRows * program.tile.inputColumns * 16 / program.channelPasses)
            try Self.expectBitExact(program, in: bench, seed: UInt64(95 + groups),
                                    "depthwise 3x3 over 64 channels \(groups)×\(program.split.rowBlocks) in "
                                        + "\(program.channelPasses) channel passes")
            runs += 1
        }
        #expect(runs == 2)
    }

    /// The inputs alternate between a PE's two input banks only when a tile's input fits one, the
    /// partial sums between the two accumulation banks only when a tile's fit one: each of the
    /// four combinations bit-exact in the cycles predicted.
    @Test func buffersAlternateBanksWhenATileFitsOne() throws {
        let design = Self.designs[0]
        let bench = try RTLBench(TopEmitter(design: design).emit())
        let pe = try PEEmitter(design: design)
        #expect(pe.inputBankWords == 256 && pe.accumulationBankWords == 85)
        // (shape, groups, bands; one channel pass): W input words against 256 per bank, n partial
        // sums per lane against 85.
        let cases: [(String, ConvolutionShape, Int, Int, inputs: Bool, sums: Bool)] = [
            // 1×1 over 8 vectors, 2 row blocks of 4 rows: W = 8·8·8 = 512, n = 4·8 = 32.
            ("1x1 C 32, 8×8", ConvolutionShape(k: 4, c: 32, p: 8, q: 8), 1, 1, false, true),
            // 3×3 over 2 vectors, one row block, 2 bands of 8 rows: W = 10·18·2 = 360, n = 8·16 = 128.
            ("3x3 C 8, 16×16 in 2 bands", ConvolutionShape(k: 4, c: 8, p: 16, q: 16, r: 3, s: 3, paddingH: 1, paddingW: 1),
             2, 2, false, false),
            // The same in 4 bands: W = 6·18·2 = 216, n = 4·16 = 64.
            ("3x3 C 8, 16×16 in 4 bands", ConvolutionShape(k: 4, c: 8, p: 16, q: 16, r: 3, s: 3, paddingH: 1, paddingW: 1),
             2, 4, true, true),
            // 1×1 over 1 vector, 2 row blocks, 3 bands of 8 rows: W = 8·24 = 192, n = 4·24 = 96.
            ("1x1 C 4, 24×24 in 3 bands", ConvolutionShape(k: 2, c: 4, p: 24, q: 24), 1, 3, true, false),
        ]
        for (index, (name, shape, groups, bands, inputs, sums)) in cases.enumerated() {
            let program = try RTLLayerProgram(design: design, shape: shape, groups: groups, bands: bands, columnTiles: 1,
                                              channelPasses: 1)
            #expect(program.banks.inputs == inputs && program.banks.readOuts == sums, "\(name)")
            try Self.expectBitExact(program, in: bench, seed: UInt64(120 + index), name)
        }
    }

    /// With the tiles inside the passes, the passes' weights alternate between the two banks of
    /// each lane's weight buffer when a pass's fit one: the next pass's load in the DRAM read
    /// port's free cycles while this pass's tiles compute. Bit-exact in the cycles predicted, by
    /// hand where the weights load wholly ahead and where they do not alternate, and where only
    /// part of them loads ahead.
    @Test func weightsAlternateBanksWhenAPassFitsOne() throws {
        let design = Self.designs[0]
        let bench = try RTLBench(TopEmitter(design: design).emit())
        let pe = try PEEmitter(design: design)
        #expect(pe.weightBankWords == 128 && pe.weightBufferDepth == 256)
        // 4 K passes of 2 lanes, one channel pass (the accumulation banks alternate), 2 column tiles.
        func program(c: Int, groups: Int = 1, size: Int) throws -> RTLLayerProgram {
            try RTLLayerProgram(design: design, shape: ConvolutionShape(k: 8, c: c, p: size, q: size, r: 3, s: 3,
                                                                        paddingH: 1, paddingW: 1),
                                groups: groups, bands: 1, columnTiles: 2, channelPasses: 1,
                                weightSchedule: .tilesInsidePasses)
        }
        // C = 32 over 4×4 outputs: R·S·CT = 9·8 = 72 weight vectors per lane fit a 128-word bank;
        // 2 row blocks of 2 rows, tiles of 2 columns: W = 6·4·8 = 192 input words (the input banks
        // alternate), n = 4 pixels, Wₜ = 2·72 = 144, a compute phase 4·72 + 7 = 295, a read-out
        // 2·4 + 2. The first tile loads its input (194) and weights (146); from its compute phase
        // on, the next pass's weights load in the cycles the global buffer's loader leaves: 295 −
        // 192 = 103 there, 1 + 1 in the next tile's LOAD_GB and PREPARE (its input was fetched
        // during the compute before), the last 39 in its compute phase. So every later tile,
        // a pass's first too, takes 1 cycle to find its input loaded and 1 to start; the last
        // read-out ends the run.
        let ahead = try program(c: 32, size: 4)
        #expect(ahead.banks.weights && ahead.kPasses == 4)
        #expect(ahead.expectedCycles == 194 + 146 + 295 + 7 * (1 + 1 + 295) + 10)
        try Self.expectBitExact(ahead, in: bench, seed: 131, "weights ahead")
        // C = 64 over 2×2: 9·16 = 144 vectors per lane exceed a bank, so a pass's first tile loads
        // its weights (Wₜ = 288: 290 cycles) before it computes. W = 4·3·16 = 192, n = 1, a phase
        // 144 + 7 = 151, in which the loader fetches 151 of the next tile's 192 words (LOAD_GB:
        // 41 + 2); read-out 2·1 + 2.
        let behind = try program(c: 64, size: 2)
        #expect(!behind.banks.weights)
        #expect(behind.expectedCycles
                    == 194 + 290 + 151 + (43 + 1 + 151) + 3 * (43 + 290 + 151) + 3 * (43 + 1 + 151) + 4)
        try Self.expectBitExact(behind, in: bench, seed: 132, "weights behind")
        // C = 32 over 2×2: W = 4·3·8 = 96, a phase 72 + 7 = 79 in which the loader is busy
        // throughout (LOAD_GB: 17 + 2), Wₜ = 144. Only 2 + 1 cycles of a pass's second tile (the end
        // of its LOAD_GB, its PREPARE) and 2 of the next pass's first tile's LOAD_GB are free, so
        // that tile loads the other 139 words (141 cycles) before it computes.
        let partly = try program(c: 32, size: 2)
        #expect(partly.banks.weights)
        #expect(partly.expectedCycles == 98 + 146 + 79 + (19 + 1 + 79) + 3 * (19 + 141 + 79) + 3 * (19 + 1 + 79) + 4)
        try Self.expectBitExact(partly, in: bench, seed: 133, "weights partly ahead")
    }

    /// The tiles that keep their partial sums across channel passes alternate between the
    /// accumulation banks when every other tile's sums fit one bank, so that a tile computes while
    /// the one before is read out: bit-exact in the cycles predicted either way, over two K passes
    /// (a K pass's first tile waits for the last read-out of the one before).
    @Test func heldSumsAlternateBanksWhenEveryOtherTileFitsOne() throws {
        let design = Self.designs[0]
        let bench = try RTLBench(TopEmitter(design: design).emit())
        // K 8 over 2 groups of 2 lanes (2 K passes), C 16 in 2 channel passes, one row block of 10
        // rows: 10×10 = 100 partial sums per lane kept, of the 170 a lane's buffer holds.
        let shape = ConvolutionShape(k: 8, c: 16, p: 10, q: 10, r: 3, s: 3, paddingH: 1, paddingW: 1)
        // 5 bands × 2 column tiles of 2×5 = 10 pixels: 5 tiles' sums (50) fit an 85-word bank; one
        // tile of 100 does not.
        for (bands, columnTiles, alternates) in [(5, 2, true), (1, 1, false)] {
            let program = try RTLLayerProgram(design: design, shape: shape, groups: 2, bands: bands,
                                              columnTiles: columnTiles, channelPasses: 2,
                                              weightSchedule: .tilesInsidePasses)
            #expect(program.kPasses == 2 && program.banks.heldSums == alternates && !program.banks.readOuts)
            try Self.expectBitExact(program, in: bench, seed: UInt64(140 + bands), "\(bands)×\(columnTiles) tiles")
        }
    }

    /// Grouped and depthwise layers run as the dense layer with zero weights between the groups:
    /// bit-exact against the grouped reference convolution, in the cycles predicted, under every
    /// split, strided and padded too.
    @Test func runsGroupedAndDepthwiseLayersBitExact() throws {
        let design = Self.designs[0]
        let bench = try RTLBench(TopEmitter(design: design).emit())
        let shapes: [(String, ConvolutionShape)] = [
            ("depthwise 3x3 pad 1", ConvolutionShape(g: 8, k: 1, c: 1, p: 6, q: 6, r: 3, s: 3, paddingH: 1, paddingW: 1)),
            ("depthwise 3x3 /2", ConvolutionShape(g: 6, k: 1, c: 1, p: 4, q: 4, r: 3, s: 3, strideH: 2, strideW: 2,
                                                  paddingH: 1, paddingW: 1)),
            ("2 groups of 4 → 3, 3x3", ConvolutionShape(g: 2, k: 3, c: 4, p: 4, q: 4, r: 3, s: 3)),
        ]
        var runs = 0
        for (index, (name, shape)) in shapes.enumerated() {
            for groups in 1...design.numPEs where design.numPEs % groups == 0 {
                let program = try RTLLayerProgram(design: design, shape: shape, groups: groups)
                #expect(program.shape.g == 1 && program.shape.k == shape.g * shape.k && program.shape.c == shape.g * shape.c)
                #expect(RTLTestbench(program: program, seed: 0, modelCycles: nil).weights[0].count == shape.weightCount)
                try Self.expectBitExact(program, in: bench, seed: UInt64(80 + index), "\(name) \(groups)×\(program.split.rowBlocks)")
                runs += 1
            }
        }
        #expect(runs == 2 * shapes.count)
    }

    /// A deliberately wrong expectation (one output changed) is reported as a mismatch, so the
    /// testbench does compare.
    @Test func aWrongExpectationFails() throws {
        let design = Self.designs[0]
        let program = try RTLLayerProgram(design: design, shape: Self.layer("fc").shape)
        let bench = try RTLBench(TopEmitter(design: design).emit())
        for (file, text) in RTLTestbench(program: program, seed: 5, modelCycles: nil).files() {
            var text = text
            if file == "expected.hex" { text = "abcdef\n" + text.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n" }
            try text.write(to: bench.folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let output = bench.simulate()
        #expect(output.contains("FAIL 1 of 6 output words differ"), "\(output.prefix(2000))")
        #expect(output.contains("mismatch: output channels 0..1 pixel 0"))
    }

    /// Layers the controller cannot run are refused with the reason.
    @Test func layersThatDoNotFitAreRefused() throws {
        let design = Self.designs[0]
        let big = ConvolutionShape(k: 16, c: 512, p: 32, q: 32, r: 3, s: 3, paddingH: 1, paddingW: 1)
        let error = #expect(throws: RTLUnsupported.self) { try RTLLayerProgram(design: design, shape: big) }
        // Even a tile of one output needs 3×3 input pixels × 128 vectors of 4 channels, against
        // 2 KiB / 4 B per vector; in channel passes, a PE's 32×32 partial sums would have to stay
        // in its accumulation banks (1 KiB / (2 lanes × 24 bits)).
        #expect(error?.description == "layer: not supported by the RTL generator yet: the padded input of a tile of 1×1 outputs (3×3×128 vectors) must fit each PE's input buffer: needs 1152 words, has 512 (even in tiles of one output row per PE and one column, one channel vector per pass); with the tiles inside the passes, every tile's 32×32 partial sums per lane, kept across 128 channel passes, must fit a lane's accumulation buffer: needs 1024 words, has 170")
        // Channel passes must divide the input-channel vectors (16 channels: 4 vectors of 4).
        let passes = #expect(throws: RTLUnsupported.self) {
            try RTLLayerProgram(design: design, shape: ConvolutionShape(k: 4, c: 16, p: 4, q: 4), channelPasses: 3)
        }
        #expect(passes?.message == "1 bands × 1 column tiles × 3 channel passes: they must divide the 4 output rows "
            + "of each PE, the 4 columns and the 4 input-channel vectors")
        let batch = #expect(throws: RTLUnsupported.self) { try RTLLayerProgram(design: design, shape: ConvolutionShape(n: 2, k: 4, c: 4, p: 4, q: 4)) }
        #expect(batch?.message == "batch N = 2; the controller runs N = 1")
        // 2 PEs cannot form 3 channel groups; 2 row blocks do not divide P = 5.
        for (groups, p) in [(3, 4), (1, 5)] {
            let split = #expect(throws: RTLUnsupported.self) {
                try RTLLayerProgram(design: design, shape: ConvolutionShape(k: 4, c: 4, p: p, q: 4), groups: groups)
            }
            #expect(split?.message == "\(groups) channel groups: the 2 PEs must form whole groups, and the row blocks (2 / groups) must divide P = \(p)")
        }
    }

    /// The cost model evaluates the controller's mapping: it is a valid mapping of the padded
    /// layer, and its compute cycles are the steps the controller issues.
    @Test func theControllersMappingIsValidForTheModel() throws {
        let design = Self.designs[0]
        let program = try RTLLayerProgram(design: design, shape: Self.layer("conv3x3").shape)
        let hardware = try design.elaborate()
        let mapping = try program.mapping(on: hardware)
        let problem = program.paddedShape.problem
        #expect(mapping.problems(on: hardware, for: problem).isEmpty)
        let evaluation = CostModel(hardware: hardware, problem: problem).evaluate(mapping)
        // 4 passes × 64 pixels × (3·3·4) steps; the model's cycles are at least that.
        #expect(evaluation.cycles >= 4 * 64 * 36)
        // K padded to 4 passes × 2 PEs × 2 lanes = 16, C = 16, 8×8 pixels, 3×3 filter.
        #expect(evaluation.computes == 16 * 16 * 64 * 9)
    }

    /// The controller's nest satisfies every dataflow's constraints (so one schedule serves all
    /// five): each loop sits in a slot the template's map space allows, and the loops a dataflow
    /// keeps innermost at a buffer come first there.
    @Test(arguments: Dataflow.allCases)
    func theControllersMappingFitsEveryDataflow(_ dataflow: Dataflow) throws {
        var design = Self.designs[2]
        design.dataflow = dataflow
        var layer = try Self.layer("strided")
        let program = try RTLLayerProgram(design: design, shape: layer.shape)
        layer.shape = program.paddedShape
        let hardware = try design.elaborate()
        let mapping = try program.mapping(on: hardware)
        let space = MapSpace.template(design: design, hardware: hardware, layer: layer)
        #expect(mapping.problems(on: hardware, for: layer.problem).isEmpty)
        for (level, loops) in mapping.levels.enumerated() {
            for (slot, list) in [loops.temporal, loops.spatialX, loops.spatialY].enumerated() {
                for loop in list { #expect(space.allowed[level][slot][loop.dimension], "\(dataflow) level \(level) slot \(slot) dimension \(loop.dimension)") }
            }
            let inner = loops.temporal.prefix { space.innermostSet[level].contains($0.dimension) }
            #expect(inner.count == loops.temporal.filter { space.innermostSet[level].contains($0.dimension) }.count, "\(dataflow) level \(level)")
        }
    }
}
