import MagnetCore
import MagnetDesigner
import MagnetWorkload

/// One layer as the generated accelerator runs it (docs/rtl.md): the controller's configuration
/// registers, where weights, inputs and outputs sit in DRAM, and the mapping of the same loop
/// nest for the cost model.
///
/// The PE array splits output channels over `groups` PE groups and output rows over
/// `numPEs / groups` row blocks (``split``). DRAM is word-addressed, one vector (or one partial
/// sum) per word. The layer is padded to the hardware: input channels to a multiple of
/// `vectorSize` (zeros), output channels to a multiple of `groups × lanes` (zero weights), and
/// the input tensor by its own padding (zeros), so the controller never tests a bound. Layout, with CT = ⌈C / vectorSize⌉ and K' the padded K:
/// - weights at 0, in the order the passes load them: with K' = KT passes × groups × lanes and
///   CT in CP channel passes of CT' vectors, channel vector `ct = cp·CT' + c'` of output channel
///   `k = kt·groups·lanes + j` at word `((kt·CP + cp)·groups·lanes + j)·R·S·CT' + (r·S + s)·CT' + c'`
///   (with one channel pass: `((k·R + r)·S + s)·CT + ct`), holding channels `ct·vectorSize ..< +vectorSize`;
/// - inputs after them: word `(y·W' + x)·CT + ct` of the padded input (H' × W');
/// - outputs after them: word `kb·P·Q + p·Q + q` holds the outputs of channels
///   `kb·lanes ..< (kb+1)·lanes` in the activation format (b bits, each sum wrapped to
///   `accumulationBits` and requantized, ``requantization``), channel `kb·lanes + l` in bits
///   `l·b ..< (l+1)·b` (one PE's read-out of one pixel).
public struct RTLLayerProgram: Sendable {
    /// The design point.
    public let design: DesignPoint
    /// Its accelerator (the controller, which knows the PE and the array).
    public let top: TopEmitter
    /// The convolution the hardware computes (unpadded): the layer itself, or for a grouped
    /// layer (depthwise included) the dense one with its G groups' channels side by side, whose
    /// weights between different groups are zero.
    public let shape: ConvolutionShape
    /// The layer as given.
    public let layerShape: ConvolutionShape
    /// How the PE array splits the layer: `groups` channel groups × `rowBlocks` row blocks
    /// (`groups × rowBlocks = numPEs`; `rowBlocks` divides P).
    public let split: (groups: Int, rowBlocks: Int)
    /// Input-channel vectors CT.
    public let channelVectors: Int
    /// Passes over the input channels per pass over K (CP, dividing CT): each loads the weights
    /// of CT / CP channel vectors, and adds its partial sums into the accumulation buffer.
    public let channelPasses: Int
    /// Passes over K.
    public let kPasses: Int
    /// Bands of output rows, run one after another (each loads its own input rows).
    public let bands: Int
    /// Tiles of output columns per band, run one after another (each loads its own input).
    public let columnTiles: Int
    /// When each pass's weights load: every tile, once (resident), or once per pass with the
    /// tiles inside the passes.
    public let weightSchedule: WeightSchedule
    /// Padded input height and width.
    public let paddedHeight: Int, paddedWidth: Int
    /// Where the weights, inputs and outputs sit in DRAM: by default the three regions one after
    /// another from word 0 (above); a chain of layers moves them (``RTLLayerChain``).
    public internal(set) var placement: DRAMPlacement
    /// DRAM word addresses of the three regions, and the words in all.
    public var weightBase: Int { placement.weightBase }
    public var inputBase: Int { placement.inputBase }
    public var outputBase: Int { placement.outputBase }
    public var dramWords: Int { placement.words }
    /// How the read-out turns the layer's sums into its outputs (registers `outputScale`,
    /// `outputShift`, `outputReLU`): the quantized network's factor for this layer; by default
    /// each sum saturated to the activation format.
    public var requantization = Requantization.saturation

    /// Output channels after padding: `kPasses × groups × lanes`.
    public var paddedK: Int { kPasses * split.groups * design.lanes }
    /// One tile of the layer's outputs: its rows and columns and the padded input it reads.
    public struct Tile: Sendable {
        /// Output rows each PE computes in the tile.
        public let rowsPerPE: Int
        /// Output rows and columns of the tile (its band's rows).
        public let rows: Int, columns: Int
        /// Padded input rows and columns the tile reads, with the filter's halo.
        public let inputRows: Int, inputColumns: Int
        /// Input vectors the buffers hold per input pixel: CT, or with the tiles inside the
        /// passes a channel pass's CT / CP.
        public let vectorsPerPixel: Int
        /// Input vectors the tile reads: input rows × input columns × vectors per pixel.
        public let inputWords: Int

        /// A tile of `shape` cut into `bands` bands of rows and `columnTiles` tiles of columns,
        /// its rows split over `rowBlocks` PEs, holding `vectorsPerPixel` input vectors per pixel.
        init(shape: ConvolutionShape, rowBlocks: Int, bands: Int, columnTiles: Int, vectorsPerPixel: Int) {
            rowsPerPE = shape.p / rowBlocks / bands
            rows = rowsPerPE * rowBlocks
            columns = shape.q / columnTiles
            inputRows = (rows - 1) * shape.strideH + (shape.r - 1) * shape.dilationH + 1
            inputColumns = (columns - 1) * shape.strideW + (shape.s - 1) * shape.dilationW + 1
            self.vectorsPerPixel = vectorsPerPixel
            inputWords = inputRows * inputColumns * vectorsPerPixel
        }
    }

    /// The tile the controller runs, ``bands`` × ``columnTiles`` times.
    public var tile: Tile {
        Tile(shape: shape, rowBlocks: split.rowBlocks, bands: bands, columnTiles: columnTiles,
             vectorsPerPixel: Self.vectorsPerPixel(channelVectors: channelVectors, channelPasses: channelPasses,
                                                   schedule: weightSchedule))
    }

    /// Input vectors the buffers hold per input pixel: with the tiles inside the passes, a pass
    /// uses (and loads) only its channel pass's CT / CP; otherwise a tile's input serves every
    /// pass, all CT.
    static func vectorsPerPixel(channelVectors: Int, channelPasses: Int, schedule: WeightSchedule) -> Int {
        schedule == .tilesInsidePasses ? channelVectors / channelPasses : channelVectors
    }
    /// Output rows of a band.
    public var bandRows: Int { tile.rows }
    /// Output rows each PE computes in a band.
    public var rowsPerPE: Int { tile.rowsPerPE }
    /// Output columns of a tile.
    public var tileColumns: Int { tile.columns }
    /// Reduction steps per output pixel and channel pass.
    public var steps: Int { Self.steps(shape, channelVectors: channelVectors, channelPasses: channelPasses) }

    /// Reduction steps per output pixel and channel pass of `shape` (R·S·CT / CP), which are also
    /// the weight vectors each lane holds for a pass.
    static func steps(_ shape: ConvolutionShape, channelVectors: Int, channelPasses: Int) -> Int {
        shape.r * shape.s * channelVectors / channelPasses
    }
    /// Input vectors of the padded input.
    public var inputWords: Int { paddedHeight * paddedWidth * channelVectors }

    /// The program of `shape` on `design` with the PE array split `groups` ways over output
    /// channels (the rest over output rows; all of them over channels by default), the output
    /// rows and columns in tiles (bands of rows × tiles of columns) and the input channels in
    /// passes: of the tilings whose input and weights fit the buffers the one with the fewest
    /// cycles, or `bands` × `columnTiles` × `channelPasses` of them, or an error saying what does
    /// not fit; the weights loaded on the ``WeightSchedule`` of those with the fewest cycles
    /// (then resident, then per pass), or on `weightSchedule`.
    public init(design: DesignPoint, shape: ConvolutionShape, groups: Int? = nil, bands: Int? = nil,
                columnTiles: Int? = nil, channelPasses: Int? = nil, weightSchedule: WeightSchedule? = nil) throws {
        let top = try TopEmitter(design: design), pe = top.controller.pe
        guard shape.n == 1 else { throw RTLUnsupported(parameter: "layer", message: "batch N = \(shape.n); the controller runs N = 1") }
        let layerShape = shape
        var shape = shape
        if shape.g > 1 {
            // Grouped and depthwise layers run as the dense layer with zeros between the groups.
            shape.k *= shape.g
            shape.c *= shape.g
            shape.g = 1
        }
        let groups = groups ?? design.numPEs
        guard groups >= 1, design.numPEs % groups == 0, shape.p % (design.numPEs / groups) == 0 else {
            throw RTLUnsupported(parameter: "layer", message: "\(groups) channel groups: the \(design.numPEs) PEs must form whole groups, and the row blocks (\(design.numPEs) / groups) must divide P = \(shape.p)")
        }
        self.design = design
        self.top = top
        self.shape = shape
        self.layerShape = layerShape
        split = (groups, design.numPEs / groups)
        channelVectors = (shape.c + design.vectorSize - 1) / design.vectorSize
        let perPass = groups * design.lanes
        kPasses = (shape.k + perPass - 1) / perPass
        paddedHeight = shape.inputHeight + 2 * shape.paddingH
        paddedWidth = shape.inputWidth + 2 * shape.paddingW
        let inputBase = kPasses * perPass * shape.r * shape.s * channelVectors
        let outputBase = inputBase + paddedHeight * paddedWidth * channelVectors
        placement = DRAMPlacement(weightBase: 0, inputBase: inputBase, inputPixelWords: channelVectors,
                                  inputRowWords: paddedWidth * channelVectors, outputBase: outputBase,
                                  outputGroupWords: shape.p * shape.q, outputRowWords: shape.q, outputColumnWords: 1,
                                  words: outputBase + kPasses * groups * shape.p * shape.q)
        // Tiles: bands divide the rows each PE computes, column tiles divide Q; every tiling is
        // considered unless given.
        let rowBlocks = design.numPEs / groups, perPE = shape.p / rowBlocks
        let bandCounts = bands.map { [$0] } ?? Factorization.divisors(perPE)
        let tileCounts = columnTiles.map { [$0] } ?? Factorization.divisors(shape.q)
        let vectors = channelVectors
        let channelCounts = channelPasses.map { [$0] } ?? Factorization.divisors(vectors)
        guard bandCounts.allSatisfy({ $0 >= 1 && perPE % $0 == 0 }),
              tileCounts.allSatisfy({ $0 >= 1 && shape.q % $0 == 0 }),
              channelCounts.allSatisfy({ $0 >= 1 && vectors % $0 == 0 }) else {
            throw RTLUnsupported(parameter: "layer",
                                 message: "\(bands ?? 1) bands × \(columnTiles ?? 1) column tiles × "
                                     + "\(channelPasses ?? 1) channel passes: they must divide the \(perPE) output rows of each PE, the "
                                     + "\(shape.q) columns and the \(vectors) input-channel vectors")
        }
        let channelVectors = vectors, passes = kPasses
        func tile(_ count: Int, _ tiles: Int, _ channels: Int, _ schedule: WeightSchedule) -> Tile {
            Tile(shape: shape, rowBlocks: rowBlocks, bands: count, columnTiles: tiles,
                 vectorsPerPixel: Self.vectorsPerPixel(channelVectors: channelVectors, channelPasses: channels,
                                                       schedule: schedule))
        }
        let schedules = weightSchedule.map { [$0] } ?? WeightSchedule.preferenceOrder
        func problems(_ count: Int, _ tiles: Int, _ channels: Int, _ schedule: WeightSchedule) -> [String] {
            let tile = tile(count, tiles, channels, schedule)
            let steps = Self.steps(shape, channelVectors: channelVectors, channelPasses: channels)
            // Resident: every pass's weights together, KT·CP passes of R·S·CT/CP words per lane.
            // Tiles inside several channel passes: a PE's partial sums of every tile.
            let residentWords = schedule == .resident ? passes * channels * steps : 0
            let heldPixels = schedule == .tilesInsidePasses && channels > 1 ? perPE * shape.q : 0
            let what = count == 1 && tiles == 1 ? "the padded input"
                : "the padded input of a tile of \(tile.rows)×\(tile.columns) outputs"
            let input = "\(what) (\(tile.inputRows)×\(tile.inputColumns)×\(tile.vectorsPerPixel) vectors)"
            let checks: [(Int, Int, String)] = [
                (tile.inputWords, pe.inputBufferDepth, "\(input) must fit each PE's input buffer"),
                (tile.inputWords, top.controller.globalBufferDepth, "\(input) must fit the global buffer"),
                (steps, pe.weightBufferDepth, channels == 1
                    ? "R·S·CT = \(steps) weight vectors per lane must fit a weight-buffer bank"
                    : "R·S·CT/CP = \(steps) weight vectors per lane and channel pass must fit a weight-buffer bank"),
                (tile.rowsPerPE * tile.columns, pe.accumulationBufferDepth,
                 "\(tile.rowsPerPE)×\(tile.columns) partial sums per lane must fit a lane's accumulation buffer"),
                (residentWords, pe.weightBufferDepth,
                 "resident weights, \(passes) K pass(es) × \(channels) channel pass(es) × \(steps) weight vectors "
                    + "per lane, must fit a weight-buffer bank"),
                (heldPixels, pe.accumulationBufferDepth,
                 "every tile's \(perPE)×\(shape.q) partial sums per lane, kept across \(channels) channel passes, "
                    + "must fit a lane's accumulation buffer"),
            ]
            return checks.filter { $0.0 > $0.1 }.map { "\($0.2): needs \($0.0) words, has \($0.1)" }
        }
        // Of the tilings that fit, the fewest cycles (then the fewest tiles, bands, channel passes,
        // then resident weights, the tiles inside the passes, the weights reloaded by every tile).
        func cycles(_ count: Int, _ tiles: Int, _ channels: Int, _ schedule: WeightSchedule) -> Int {
            let steps = Self.steps(shape, channelVectors: channelVectors, channelPasses: channels)
            let tile = tile(count, tiles, channels, schedule)
            return Self.cycles(tile, tiles: count * tiles, pes: design.numPEs,
                               weights: groups * design.lanes * steps, steps: steps, kPasses: passes,
                               channelPasses: channels, schedule: schedule,
                               banks: BankAlternation(tile, tiles: count * tiles, pe: pe, steps: steps,
                                                      kPasses: passes, channelPasses: channels, schedule: schedule))
        }
        func rank(_ schedule: WeightSchedule) -> Int { WeightSchedule.preferenceOrder.firstIndex(of: schedule)! }
        let tilings = bandCounts
            .flatMap { count in tileCounts.flatMap { tiles in channelCounts.flatMap { channels in
                schedules.map { (bands: count, columnTiles: tiles, channelPasses: channels, schedule: $0) } } } }
            .filter { problems($0.bands, $0.columnTiles, $0.channelPasses, $0.schedule).isEmpty }
            .map { (tiling: $0, cycles: cycles($0.bands, $0.columnTiles, $0.channelPasses, $0.schedule)) }
            .sorted {
                ($0.cycles, $0.tiling.bands * $0.tiling.columnTiles, $0.tiling.bands, $0.tiling.channelPasses,
                 rank($0.tiling.schedule))
                    < ($1.cycles, $1.tiling.bands * $1.tiling.columnTiles, $1.tiling.bands, $1.tiling.channelPasses,
                       rank($1.tiling.schedule))
            }
        guard let fitting = tilings.first?.tiling else {
            // What the finest tiling lacks: on the schedule asked for, or on the passes inside the
            // tiles and then on the tiles inside the passes.
            let last = (bandCounts.last!, tileCounts.last!, channelCounts.last!)
            let problem = problems(last.0, last.1, last.2, weightSchedule ?? .reloadedEveryTile)[0]
            var message = problem
            if bands == nil && columnTiles == nil && channelPasses == nil {
                message += " (even in tiles of one output row per PE and one column, one channel vector per pass)"
            }
            if weightSchedule == nil, let perPass = problems(last.0, last.1, last.2, .tilesInsidePasses).first,
               perPass != problem {
                message += "; with the tiles inside the passes, " + perPass
            }
            throw RTLUnsupported(parameter: "layer", message: message)
        }
        self.bands = fitting.bands
        self.columnTiles = fitting.columnTiles
        self.channelPasses = fitting.channelPasses
        self.weightSchedule = fitting.schedule
    }

    /// The controller's cycles from start to done (docs/rtl.md, "Cycles"), state by state
    /// (``ControllerTiming``): each tile's input into the global buffer (the first's whole, a
    /// later one's what the loader could not fetch during the compute before it), into the PEs
    /// (copied, or already there when the tiles alternate between the input banks) while weights
    /// load; per pass the compute phases and the loads of later channel passes' weights; the
    /// read-outs, which the next compute phase waits for unless the accumulation banks
    /// alternate, and which wait for each other.
    public var expectedCycles: Int {
        Self.cycles(tile, tiles: bands * columnTiles, pes: design.numPEs, weights: split.groups * design.lanes * steps,
                    steps: steps, kPasses: kPasses, channelPasses: channelPasses, schedule: weightSchedule,
                    banks: banks)
    }

    /// Which buffers the program alternates between their two banks.
    public var banks: BankAlternation {
        BankAlternation(tile, tiles: bands * columnTiles, pe: top.controller.pe, steps: steps, kPasses: kPasses,
                        channelPasses: channelPasses, schedule: weightSchedule)
    }

    /// ``expectedCycles`` of `tiles` times `tile`, with `weights` weight words per channel pass,
    /// `steps` reduction steps per pixel and channel pass, and `channelPasses` compute phases per
    /// pass over K, the weights loaded on `schedule`, the inputs and the partial sums alternating
    /// between their buffers' two banks or not.
    static func cycles(_ tile: Tile, tiles: Int, pes: Int, weights: Int, steps: Int, kPasses: Int,
                       channelPasses: Int, schedule: WeightSchedule, banks: BankAlternation) -> Int {
        ControllerTiming(inputWords: tile.inputWords, pixels: tile.rowsPerPE * tile.columns, tiles: tiles, pes: pes,
                         weights: weights, steps: steps, kPasses: kPasses, channelPasses: channelPasses,
                         schedule: schedule, banks: banks).cycles
    }

    /// The host writes, `(address, value)` in order: the configuration registers, the per-PE
    /// registers, and `control` last (it starts the run).
    public var registers: [(address: Int, value: Int)] {
        let ct = channelVectors, tile = tile, held = tile.vectorsPerPixel, out = placement, banks = banks
        // Strides in the buffers follow a tile's input rows of `held` vectors per pixel; those in
        // DRAM, the padded input's of `inputPixelWords` (CT, or the words per pixel the layer
        // before wrote).
        let pixelWords = out.inputPixelWords, inputRowWords = out.inputRowWords
        let bufferRowWords = tile.inputColumns * held, tileRowWords = tile.inputColumns * pixelWords
        let rowStride = shape.strideH * bufferRowWords
        let config: [(ControllerEmitter.Register, Int)] = [
            (.kPasses, kPasses), (.steps, steps), (.rows, rowsPerPE), (.columns, tileColumns),
            (.filterColumns, shape.s), (.channelVectors, ct / channelPasses), (.channelPasses, channelPasses),
            (.rowStride, rowStride), (.columnStride, shape.strideW * held),
            (.filterRowStride, shape.dilationH * bufferRowWords), (.filterColumnStride, shape.dilationW * held),
            (.inputWords, tile.inputWords), (.pixels, tile.rowsPerPE * tile.columns),
            (.passStride, split.groups * out.outputGroupWords),
            (.weightBase, weightBase), (.inputBase, inputBase), (.outputBase, outputBase), (.groups, split.groups),
            (.bands, bands), (.bandInputStride, bandRows * shape.strideH * inputRowWords),
            (.bandOutputStride, bandRows * out.outputRowWords),
            (.columnTiles, columnTiles), (.tileInputStride, tileColumns * shape.strideW * pixelWords),
            (.tileOutputStride, tileColumns * out.outputColumnWords), (.tileRowWords, tileRowWords),
            (.inputRowWords, inputRowWords),
            (.outputRowWords, out.outputRowWords), (.weightPassStride, weightSchedule == .resident ? steps : 0),
            (.tilesInsidePasses, weightSchedule == .tilesInsidePasses ? 1 : 0),
            (.tileAccumulationStride, weightSchedule == .tilesInsidePasses && channelPasses > 1 && !banks.heldSums
                ? tile.rowsPerPE * tile.columns : 0),
            (.loadVectors, held), (.inputPixelWords, pixelWords), (.alternateInputBanks, banks.inputs ? 1 : 0),
            (.alternateAccumulationBanks, banks.readOuts ? 1 : 0),
            (.outputScale, requantization.scale), (.outputShift, requantization.shift),
            (.outputReLU, requantization.relu ? 1 : 0), (.outputColumnStride, out.outputColumnWords),
            (.alternateWeightBanks, banks.weights ? 1 : 0), (.alternateHeldSums, banks.heldSums ? 1 : 0),
        ]
        var writes = config.map { (address: $0.0.rawValue, value: $0.1) }
        for pe in 0..<design.numPEs {
            let group = pe % split.groups, block = pe / split.groups
            writes.append((ControllerEmitter.address(pe: pe, .inputOffset), block * rowsPerPE * rowStride))
            writes.append((ControllerEmitter.address(pe: pe, .group), group))
            writes.append((ControllerEmitter.address(pe: pe, .outputOffset),
                           group * out.outputGroupWords + block * rowsPerPE * out.outputRowWords))
        }
        writes.append((ControllerEmitter.Register.control.rawValue, 1))
        return writes
    }

    /// Writes the weights, and the inputs unless `nil` (a layer before writes them), into DRAM's
    /// `words` at ``placement`` as bit patterns, element `v` of a vector in bits
    /// `v·width ..< (v+1)·width`, for weights and inputs of ``layerShape`` in
    /// ``ReferenceConvolution``'s layouts (a grouped layer's weights placed on the dense layer's
    /// block diagonal).
    func place(weights: [Int], inputs: [Int]?, in words: inout [[Bool]]) {
        let v = design.vectorSize, ct = channelVectors, perPass = ct / channelPasses
        let perKPass = split.groups * design.lanes
        let wb = design.datapathFormats.weights.bits, ib = design.datapathFormats.inputs.bits
        func put(_ word: Int, _ element: Int, _ value: Int, _ bits: Int) { Self.place(value, bits: bits, at: element * bits, in: &words[word]) }
        // Output channel k of the dense layer is channel k mod K' of group k div K' (K', C' a
        // group's channels): its weights meet that group's input channels only.
        let groupK = layerShape.k, groupC = layerShape.c
        for k in 0..<shape.k { for c in 0..<shape.c where c / groupC == k / groupK { for r in 0..<shape.r {
          for s in 0..<shape.s {
            let value = weights[((k * groupC + c % groupC) * shape.r + r) * shape.s + s]
            let kt = k / perKPass, j = k % perKPass, cp = c / v / perPass, vector = c / v % perPass
            let pass = (kt * channelPasses + cp) * perKPass + j
            put(weightBase + pass * steps + (r * shape.s + s) * perPass + vector, c % v, value, wb)
        } } } }
        guard let inputs else { return }
        let h = shape.inputHeight, w = shape.inputWidth
        let pixelWords = placement.inputPixelWords, rowWords = placement.inputRowWords
        for c in 0..<shape.c { for y in 0..<h { for x in 0..<w {
            let value = inputs[(c * h + y) * w + x]
            put(inputBase + (y + shape.paddingH) * rowWords + (x + shape.paddingW) * pixelWords + c / v, c % v, value, ib)
        } } }
    }

    /// The layer's sums as the accumulators hold them: each of ``ReferenceConvolution``'s exact
    /// outputs wrapped to `accumulationBits` (two's complement, sign kept), for inputs of
    /// `inputHeight × inputWidth` (by default the layer's own).
    public func sums(weights: [Int], inputs: [Int], inputHeight: Int? = nil, inputWidth: Int? = nil) -> [Int] {
        let bits = design.accumulationBits
        return ReferenceConvolution.outputs(layerShape, weights: weights, inputs: inputs, inputHeight: inputHeight,
                                            inputWidth: inputWidth).map { value in
            let wrapped = value & ((1 << bits) - 1)
            return wrapped >= 1 << (bits - 1) ? wrapped - (1 << bits) : wrapped
        }
    }

    /// The outputs as the hardware leaves them for the layer's ``sums(weights:inputs:)``: per
    /// output word (channel group, row, column, in that order) its DRAM address at ``placement``
    /// and its bit pattern (lanes packed, least significant first), each sum requantized to the
    /// activation format; padded output channels are 0.
    public func expectedOutputs(sums: [Int]) -> [(address: Int, bits: [Bool])] {
        let bits = design.datapathFormats.inputs.bits, lanes = design.lanes, pixels = shape.p * shape.q
        var words = Array(repeating: Array(repeating: false, count: lanes * bits), count: paddedK / lanes * pixels)
        for (index, output) in outputs(sums: sums).enumerated() {
            let k = index / pixels, pixel = index % pixels
            Self.place(output, bits: bits, at: k % lanes * bits, in: &words[k / lanes * pixels + pixel])
        }
        return words.enumerated().map { index, word in
            let group = index / pixels, pixel = index % pixels
            return (placement.outputWord(group: group, p: pixel / shape.q, q: pixel % shape.q), word)
        }
    }

    /// The requantized outputs of the layer's `sums` in ``ReferenceConvolution``'s layout (the
    /// unpadded channels), as the next layer of a chain reads them.
    public func outputs(sums: [Int]) -> [Int] {
        let bits = design.datapathFormats.inputs.bits
        return sums.map { requantization.output(ofSum: $0, outputBits: bits) }
    }

    /// The layer the hardware actually computes (channels padded), for the cost model.
    public var paddedShape: ConvolutionShape {
        var padded = shape
        padded.k = paddedK
        padded.c = channelVectors * design.vectorSize
        return padded
    }

    /// The controller's loop nest as a mapping of ``paddedShape`` onto the design's elaborated
    /// storage levels (docs/rtl.md), for the cost model's figures on the same schedule.
    public func mapping(on hardware: Hardware) throws -> Mapping {
        let problem = paddedShape.problem
        func dimension(_ name: String) -> Int { problem.dimensionIndex(name)! }
        let (k, c, r, s, p, q) = (dimension("K"), dimension("C"), dimension("R"), dimension("S"), dimension("P"), dimension("Q"))
        func loops(_ pairs: [(Int, Int)]) -> [Loop] { pairs.filter { $0.1 > 1 }.map { Loop(dimension: $0.0, bound: $0.1) } }
        // The read-out moves the partial sums from the accumulation banks straight to DRAM: the
        // global buffer holds inputs only.
        var levels = hardware.storage.map { level in
            LevelMapping(keeps: Set(problem.dataSpaces.indices.filter { index in
                let name = problem.dataSpaces[index].name
                return level.keeps.contains(name) && !(level.name == "GlobalBuffer" && name == "Outputs")
            }))
        }
        func level(_ name: String) throws -> Int {
            guard let index = hardware.storage.firstIndex(where: { $0.name == name }) else {
                throw RTLUnsupported(parameter: "hardware", message: "no \(name) level")
            }
            return index
        }
        levels[try level("WeightCollector")].spatialX = loops([(c, design.vectorSize)])
        levels[try level("InputCollector")].spatialY = loops([(k, design.lanes)])
        levels[try level("AccumulationBuffer")].temporal = loops([(c, channelVectors / channelPasses), (s, shape.s),
                                                                  (r, shape.r)])
        // Resident weights: the passes run inside the tiles below the weight buffer, which holds
        // every pass's weights; otherwise at DRAM, inside the tiles or outside them.
        let passLoops = [(c, channelPasses), (k, kPasses)], tileLoops = [(q, columnTiles), (p, bands)]
        levels[try level("WeightBuffer")].temporal = loops([(q, tileColumns), (p, rowsPerPE)]
                                                           + (weightSchedule == .resident ? passLoops : []))
        // The PE mesh (peColumns × peRows) takes `groups` channel groups and `rowBlocks` row blocks.
        let array = try level("GlobalBuffer")
        guard let (kx, px) = Self.meshSplit(groups: split.groups, rowBlocks: split.rowBlocks, columns: design.peColumns, rows: design.peRows) else {
            throw RTLUnsupported(parameter: "layer", message: "\(split.groups) channel groups × \(split.rowBlocks) row blocks do not tile the \(design.peColumns)×\(design.peRows) PE mesh")
        }
        levels[array].spatialX = loops([(k, kx), (p, px)])
        levels[array].spatialY = loops([(k, split.groups / kx), (p, split.rowBlocks / px)])
        switch weightSchedule {
        case .reloadedEveryTile: levels[try level("DRAM")].temporal = loops(passLoops + tileLoops)
        case .resident: levels[try level("DRAM")].temporal = loops(tileLoops)
        case .tilesInsidePasses: levels[try level("DRAM")].temporal = loops(tileLoops + passLoops)
        }
        return Mapping(levels: levels)
    }

    /// ``mapping(on:)`` as mapping YAML of ``paddedShape`` (Timeloop's mapping syntax), which
    /// `magnet model` evaluates and the register compiler reads back.
    public func mappingYAML(on hardware: Hardware) throws -> String {
        MappingWriter.yaml(try mapping(on: hardware), hardware: hardware, problem: paddedShape.problem)
    }

    /// Channel-group and row-block factors over the mesh's X axis, whose products with the Y
    /// factors give `groups` and `rowBlocks`, or `nil` when the mesh cannot take them.
    static func meshSplit(groups: Int, rowBlocks: Int, columns: Int, rows: Int) -> (Int, Int)? {
        for kx in 1...groups where groups % kx == 0 && columns % kx == 0 {
            let px = columns / kx
            if rowBlocks % px == 0 && (groups / kx) * (rowBlocks / px) == rows { return (kx, px) }
        }
        return nil
    }

    /// Writes the low `bits` bits of `value` (two's complement) into `word` from bit `offset`.
    static func place(_ value: Int, bits: Int, at offset: Int, in word: inout [Bool]) {
        for bit in 0..<bits { word[offset + bit] = (value >> bit) & 1 == 1 }
    }
}
