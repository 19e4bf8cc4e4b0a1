import MagnetCore

/// The accelerator's controller in Verilog-2005 (`magnet_controller`, docs/rtl.md): it runs one
/// loop nest over a layer whose bounds, address strides and DRAM regions the host writes into
/// configuration registers, so one RTL runs any convolution or fully-connected layer whose
/// weights for one pass over a share of the input channels fit its weight banks and whose input
/// for one tile of output rows (at least one per PE) and columns fits its input buffers; the
/// tiles run one after another, the channel passes of a tile add into the accumulation banks.
///
/// The PE array splits output channels and output rows: PE `pe` belongs to channel group
/// `group[pe]` and starts its rows at input word `inputOffset[pe]` (per-PE registers). The nest,
/// outer to inner (K passes, then a PE's output pixels, then the reduction):
///
/// ```
/// for band in 0..<bands, tile in 0..<columnTiles:    // tiles of output rows × columns
/// load the tile's input: DRAM → global buffer (what the loader has not fetched yet)
///   → every PE's input buffer (multicast)
/// for kt in 0..<KT:                                   // kPasses
///   for cp in 0..<CP:                                 // channelPasses, CT' = CT / CP vectors each
///     load weights: DRAM → every PE of group g, lane l, word base + (r·S + s)·CT' + ct (multicast per
///       group; base = (kt·CP + cp)·weightPassStride; resident weights: the first tile only)
///     for p in 0..<rows, q in 0..<Q:                   // each PE: one output pixel per lane
///       for r in 0..<R, s in 0..<S, ct in 0..<CT':
///         fill weights (word base + (r·S+s)·CT'+ct) and inputs
///           (word inputOffset[pe] + p·SP + q·SQ + r·SR + s·SS + cp·CT' + ct);
///         two cycles later: compute (clearing the partial sum on the first step)
///       drain the partial sum into accumulation-buffer word p·Q + q (added to it when cp > 0)
///   read out every PE's accumulation buffer into DRAM, one pixel (all lanes, requantized) per cycle (after the
///     last K pass, while the next tile loads)
/// ```
///
/// The weights of a pass load while the inputs go from the global buffer into the PEs (first
/// pass) or while the previous pass is read out (they use other ports); a later channel pass's
/// weights load between compute phases (the compute phase reads the weight banks). When every
/// pass's weights fit the banks together (`weightPassStride` ≠ 0), each pass has its own words
/// and only the first tile loads them; with `tilesInsidePasses`, the tiles run inside each pass
/// and a pass's weights load once, and with `alternateWeightBanks` the next pass's weights load
/// into the weight buffers' other bank while this pass's tiles compute. The global buffer's
/// loader fetches the next tile's input from DRAM while the PEs compute (the DRAM read port and
/// the global buffer are free then), and a read-out engine moves a tile's outputs to DRAM while
/// the next tile's input loads and goes into the PEs (it uses the accumulation banks and the
/// DRAM write port). The compute phase issues one step per cycle; what else the PEs do beside it
/// goes to the other bank of a buffer (the next tile's input, the next pass's weights, the last
/// tile's read-out), since each bank has one port.
public struct ControllerEmitter: Sendable {
    /// The configuration registers (32-bit words on the host interface).
    public enum Register: Int, CaseIterable, Sendable {
        /// Write 1 to start; reads `{done, busy}` in bits 1 and 0.
        case control = 0
        /// Cycles from start to done (read only).
        case cycles = 1
        /// Passes over K (each covers numPEs × lanes output channels).
        case kPasses = 2
        /// Reduction steps per output pixel and channel pass: R × S × CT / CP.
        case steps = 3
        /// Output rows per PE in a band (a band's rows divided by the PEs that split P).
        case rows = 4
        /// Output columns of a tile (Q divided by the column tiles).
        case columns = 5
        /// Filter columns S.
        case filterColumns = 6
        /// Input-channel vectors of one channel pass: CT / CP, CT = ⌈C / vectorSize⌉.
        case channelVectors = 7
        /// Input-buffer stride of an output row: strideH × tileInputColumns × loadVectors.
        case rowStride = 8
        /// Input-buffer stride of an output column: strideW × loadVectors.
        case columnStride = 9
        /// Input-buffer stride of a filter row: dilationH × tileInputColumns × loadVectors.
        case filterRowStride = 10
        /// Input-buffer stride of a filter column: dilationW × loadVectors.
        case filterColumnStride = 11
        /// Input vectors of one tile's (padded) input in the buffers: tileInputRows ×
        /// tileInputColumns × loadVectors.
        case inputWords = 12
        /// Output pixels per PE in a band: rows × Q.
        case pixels = 13
        /// DRAM output words per pass: groups × P × Q (groups with the outputs in the next layer's
        /// layout, docs/rtl.md, "Chained layers").
        case passStride = 14
        /// DRAM word address of the weights.
        case weightBase = 15
        /// DRAM word address of the inputs.
        case inputBase = 16
        /// DRAM word address of the outputs.
        case outputBase = 17
        /// Channel groups: PEs that split K (the rest split P).
        case groups = 18
        /// Bands of output rows run one after another, each with its own input rows.
        case bands = 19
        /// DRAM words from one band's first input row to the next band's: bandRows × rowStride.
        case bandInputStride = 20
        /// DRAM output words from one band's first output row to the next's: bandRows ×
        /// ``outputRowWords``.
        case bandOutputStride = 21
        /// Tiles of output columns per band, run one after another.
        case columnTiles = 22
        /// DRAM words from one column tile's first input column to the next's: tileColumns ×
        /// strideW × CT.
        case tileInputStride = 23
        /// DRAM output words from one column tile's first output column to the next's: tileColumns ×
        /// ``outputColumnStride``.
        case tileOutputStride = 24
        /// DRAM words of one input row of a tile: tileInputColumns × CT.
        case tileRowWords = 25
        /// DRAM words of one row of the padded input: paddedWidth × CT, or as the layer before wrote
        /// it (its output columns, padded, × ``inputPixelWords``).
        case inputRowWords = 26
        /// DRAM output words of one output row: Q, or a row of the next layer's padded input.
        case outputRowWords = 27
        /// Passes over the input channels per pass over K (CP, dividing CT): each loads the
        /// weights of its CT / CP channel vectors and adds its partial sums into the accumulation
        /// buffer; ``channelVectors`` counts the vectors of one.
        case channelPasses = 28
        /// Weight-bank words from one pass's weights to the next (R·S·CT / CP) when the weights
        /// of every pass stay in the banks (loaded by the first tile, used by every tile); 0 when
        /// every tile reloads them, each pass over the last.
        case weightPassStride = 29
        /// 1: the tiles run inside each pass (a pass's weights load once, before its first tile;
        /// the last channel pass reads each tile out after computing it); 0: the passes run inside
        /// each tile.
        case tilesInsidePasses = 30
        /// Accumulation-bank words from one tile's partial sums to the next's when every tile's
        /// stay in the banks across channel passes (tiles inside the passes, CP > 1): a tile's
        /// pixels per PE; otherwise 0. Unused when they alternate banks (``alternateHeldSums``).
        case tileAccumulationStride = 31
        /// Input vectors the buffers hold per input pixel: CT, or with the tiles inside the passes
        /// a channel pass's CT / CP (the loader fetches only those of each pixel).
        case loadVectors = 32
        /// DRAM words of one input pixel: CT, or the words per pixel the layer before wrote (its
        /// padded K over the lanes).
        case inputPixelWords = 33
        /// 1: the tiles' inputs alternate between the input buffer's two banks (a tile's fits
        /// one, ``PEEmitter/inputBankWords``): the loader writes each word into the PEs' other
        /// bank as it stores it in the global buffer, so the next tile's input goes into the PEs
        /// while they compute and needs no copy; 0: one tile's input at a time, copied from the
        /// global buffer into the PEs between compute phases.
        case alternateInputBanks = 34
        /// 1: the read-out units (a tile's, or a K pass's of it) alternate between the two banks
        /// of each accumulation buffer (a unit's partial sums fit one,
        /// ``PEEmitter/accumulationBankWords``), so the next unit computes while the last is
        /// read out; 0: a compute phase waits for the read-out before it.
        case alternateAccumulationBanks = 35
        /// The read-out's requantization multiplier, 1 ..< 2^16 (``Requantization/scale``).
        case outputScale = 36
        /// The read-out's requantization shift (``Requantization/shift``).
        case outputShift = 37
        /// 1: negative outputs become zero (``Requantization/relu``).
        case outputReLU = 38
        /// DRAM output words from one output column to the next: 1 with the channel groups apart
        /// (``outputRowWords`` = Q), or the next layer's words per input pixel when the outputs
        /// go where the next layer reads its input.
        case outputColumnStride = 39
        /// 1: with the tiles inside the passes, the passes' weights alternate between the two
        /// banks of each lane's weight buffer (a pass's fit one, ``PEEmitter/weightBankWords``):
        /// the next pass's weights load into one bank, in the cycles the DRAM read port is free,
        /// while the tiles of this pass compute from the other; 0: a pass's weights load before
        /// its first tile computes.
        case alternateWeightBanks = 40
        /// 1: the tiles that keep their partial sums across channel passes (the tiles inside
        /// several passes) alternate between the accumulation banks, tile `t` of a pass at word
        /// ⌊t/2⌋·``pixels`` of the low bank (t even) or the high one (t odd), so that a tile
        /// computes while the one before it is read out; 0: at `t`·``tileAccumulationStride``.
        case alternateHeldSums = 41
    }

    /// Per-PE registers, at host address `perPEBase + 4·pe + field`.
    public enum PERegister: Int, CaseIterable, Sendable {
        /// Input-buffer word where the PE's first output row starts.
        case inputOffset = 0
        /// The PE's channel group (which weights it is loaded with).
        case group = 1
        /// DRAM offset of the PE's outputs within a pass: group × P × Q + first row × Q (in the
        /// next layer's layout: group + first row × ``Register/outputRowWords``).
        case outputOffset = 2
    }

    /// Host address of the first per-PE register.
    public static let perPEBase = 64

    /// The host address of `field` of PE `pe`.
    public static func address(pe: Int, _ field: PERegister) -> Int { perPEBase + 4 * pe + field.rawValue }

    /// The name of the register at host `address`, the inverse of ``address(pe:_:)`` for the
    /// per-PE ones: `kPasses`, `inputOffset[3]`, or nil for an address no register has.
    public static func registerName(at address: Int) -> String? {
        if let register = Register(rawValue: address) { return "\(register)" }
        let offset = address - perPEBase
        guard offset >= 0, let field = PERegister(rawValue: offset % 4) else { return nil }
        return "\(field)[\(offset / 4)]"
    }

    /// The PE the controller drives (arithmetic, lanes, buffer depths).
    public var pe: PEEmitter
    /// PEs in the array.
    public var peCount: Int
    /// Words (input vectors) in the global buffer.
    public var globalBufferDepth: Int

    /// The module name.
    public static let moduleName = "magnet_controller"

    /// Creates the emitter.
    public init(pe: PEEmitter, peCount: Int, globalBufferDepth: Int) {
        self.pe = pe
        self.peCount = peCount
        self.globalBufferDepth = globalBufferDepth
    }

    /// Bits of a weight vector, an input vector, a partial sum.
    var weightWordBits: Int { pe.lane.mac.vectorSize * pe.lane.mac.weightBits }
    var inputWordBits: Int { pe.lane.mac.vectorSize * pe.lane.mac.inputBits }
    /// Bits of an output activation: the activation format, as the next layer reads it.
    var outputBits: Int { pe.lane.mac.inputBits }
    /// Bits of a DRAM word: wide enough for a weight vector, an input vector, or a PE's outputs
    /// for one pixel (one per lane, requantized).
    public var dramWordBits: Int { max(weightWordBits, inputWordBits, pe.lanes * outputBits) }
    /// The read-out's post-processing: a PE pixel's sums to output activations.
    public var requantizer: RequantizerEmitter {
        RequantizerEmitter(lanes: pe.lanes, accumulationBits: pe.lane.mac.accumulationBits, outputBits: outputBits)
    }

    /// A port of the controller: its name, width, and whether the controller drives it.
    struct Port {
        var name: String
        var bits: Int
        var isOutput: Bool

        /// A bus indexed per PE keeps a range even when one bit wide (one PE).
        var range: String { bits > 1 || name == "ld_w_mask" ? "[\(bits - 1):0] " : "" }

        /// One declaration per line, `input  wire [w-1:0] name,` (the last without a comma).
        static func declarations(_ ports: [Port], indent: String) -> String {
            ports.enumerated().map { index, port in
                "\(indent)\(port.isOutput ? "output" : "input ") wire \(port.range)\(port.name)\(index == ports.count - 1 ? "" : ",")"
            }.joined(separator: "\n")
        }
    }

    /// The host and DRAM ports, which `magnet_top` passes through.
    var externalPorts: [Port] {
        let dw = dramWordBits
        return [Port(name: "host_we", bits: 1, isOutput: false), Port(name: "host_addr", bits: 16, isOutput: false),
                Port(name: "host_wdata", bits: 32, isOutput: false), Port(name: "host_rdata", bits: 32, isOutput: true),
                Port(name: "dram_rd_en", bits: 1, isOutput: true), Port(name: "dram_rd_addr", bits: 32, isOutput: true),
                Port(name: "dram_rd_data", bits: dw, isOutput: false), Port(name: "dram_wr_en", bits: 1, isOutput: true),
                Port(name: "dram_wr_addr", bits: 32, isOutput: true), Port(name: "dram_wr_data", bits: dw, isOutput: true)]
    }

    /// The ports towards the global buffer and the PE array (wires inside `magnet_top`).
    var arrayPorts: [Port] {
        let bits = LaneEmitter.addressBits
        let gba = bits(globalBufferDepth), wba = bits(pe.weightBufferDepth), iba = bits(pe.inputBufferDepth)
        let aba = bits(pe.accumulationBufferDepth), pb = bits(peCount), lb = bits(pe.lanes)
        let out: [(String, Int)] = [
            ("gb_en", 1), ("gb_we", 1), ("gb_addr", gba), ("gb_wdata", inputWordBits),
            ("ld_w_en", 1), ("ld_w_mask", peCount), ("ld_w_lane", lb), ("ld_w_addr", wba), ("ld_w_data", weightWordBits),
            ("ld_i_en", 1), ("ld_i_addr", iba), ("ld_i_data", inputWordBits),
            ("fill_w_en", 1), ("fill_w_addr", wba), ("fill_i_en", 1), ("fill_i_addrs", peCount * iba),
            ("mac_en", 1), ("mac_clear", 1), ("drain_en", 1), ("drain_addr", aba), ("drain_first", 1),
            ("rd_en", 1), ("rd_pe", pb), ("rd_addr", aba),
        ]
        return out.map { Port(name: $0.0, bits: $0.1, isOutput: true) }
            + [Port(name: "gb_rdata", bits: inputWordBits, isOutput: false), Port(name: "rd_data", bits: pe.lanes * pe.lane.mac.accumulationBits, isOutput: false)]
    }

    /// The Verilog file.
    public func emit() -> RTLFile {
        let bits = LaneEmitter.addressBits
        let dw = dramWordBits, ww = weightWordBits, iw = inputWordBits, ab = pe.lane.mac.accumulationBits
        let lanes = pe.lanes
        let gba = bits(globalBufferDepth), wba = bits(pe.weightBufferDepth), iba = bits(pe.inputBufferDepth)
        let aba = bits(pe.accumulationBufferDepth), pb = bits(peCount), lb = bits(lanes)
        func reg(_ r: Register) -> String { "cfg[\(r.rawValue)]" }
        let cfgBits = bits(Register.allCases.count)
        // Entering the compute phase (from the input copy, or from a read-out with a pass to go).
        let startCompute = "state <= COMPUTE; step <= 32'd0; p <= 32'd0; q <= 32'd0; s <= 32'd0; ct <= 32'd0; pixel <= 32'd0; "
            + "at_p <= 32'd0; at_q <= 32'd0; at_r <= 32'd0; at_s <= 32'd0;"
        // The other of a buffer's two banks (``BufferBanks``): `base` is the first word of the one in use.
        func otherBank(_ base: String, bankWords: Int) -> String { "\(base) == 32'd0 ? 32'd\(bankWords) : 32'd0" }
        // The weight loader starts again at the first group, lane and step of a pass.
        let restartWeightLoader = "w_group <= 32'd0; w_lane <= 32'd0; w_step <= 32'd0;"
        // The next channel pass of a tile: its input-channel vectors and its weights.
        let nextChannelPass = "cp <= cp + 32'd1; at_c <= at_c + \(reg(.channelVectors)); "
            + "pass_base <= pass_base + \(reg(.weightPassStride));"
        // The next K pass of a tile: its outputs a pass further, its channels from the first, its weights.
        let nextKPass = "out_base <= out_base + \(reg(.passStride)); cp <= 32'd0; at_c <= 32'd0; kt <= kt + 32'd1; "
            + "pass_base <= pass_base + \(reg(.weightPassStride));"
        // The next tile of the same passes (the next column tile of this band, or the next band's
        // first): its input first, its partial sums at the next accumulation words.
        func nextTile(indent: String) -> String {
            [
                "state <= LOAD_GB;",
                "if (alternate_held) begin",
                "    // The even tile of a pair in the low accumulation bank, the odd one in the high.",
                "    acc_base <= held_odd ? acc_base - 32'd\(pe.accumulationBankWords) + \(reg(.pixels))",
                "        : acc_base + 32'd\(pe.accumulationBankWords);",
                "    held_odd <= !held_odd;",
                "end else acc_base <= acc_base + \(reg(.tileAccumulationStride));",
                "if (next_tile) begin",
                "    tile <= tile + 32'd1;",
                "    in_base <= in_base + \(reg(.tileInputStride));",
                "    tile_out <= tile_out + \(reg(.tileOutputStride));",
                "    out_base <= tile_out + \(reg(.tileOutputStride));",
                "end else begin",
                "    tile <= 32'd0;",
                "    band <= band + 32'd1;",
                "    band_in <= band_in + \(reg(.bandInputStride));",
                "    in_base <= band_in + \(reg(.bandInputStride));",
                "    band_out <= band_out + \(reg(.bandOutputStride));",
                "    tile_out <= band_out + \(reg(.bandOutputStride));",
                "    out_base <= band_out + \(reg(.bandOutputStride));",
                "end",
            ].joined(separator: "\n" + indent)
        }
        // Tiles inside the passes: the first tile again, for the next pass (whose weights load
        // while its input goes into the PEs). `channels`: the pass's vector offset in a DRAM
        // pixel; `outputs`: the DRAM word of its K pass's outputs.
        func firstTile(indent: String, channels: String, outputs: String) -> String {
            [
                "state <= LOAD_GB;",
                "tile <= 32'd0; band <= 32'd0; acc_base <= 32'd0; held_odd <= 1'b0; reuse_weights <= 1'b0;",
                "chan_in <= \(channels);",
                "in_base <= \(reg(.inputBase)) + \(channels); band_in <= \(reg(.inputBase)) + \(channels);",
                "band_out <= \(outputs); tile_out <= \(outputs); out_base <= \(outputs);",
            ].joined(separator: "\n" + indent)
        }
        let ob = outputBits
        let pixelWord = dw > lanes * ob ? "{{\(dw - lanes * ob){1'b0}}, pixel_outputs}" : "pixel_outputs"
        let text = """
            // Generated by magnet (docs/rtl.md): the controller of \(peCount) PE(s) × \(lanes) lane(s), programmed through
            // \(Register.allCases.count) configuration registers (ControllerEmitter.Register).
            /* verilator lint_off UNUSEDSIGNAL */
            module \(ControllerEmitter.moduleName) (
                input  wire clk,
                input  wire rst,
            \(Port.declarations(externalPorts + arrayPorts, indent: "    "))
            );
                localparam IDLE = 3'd0, LOAD_GB = 3'd1, PREPARE = 3'd2, COMPUTE = 3'd3, FLUSH = 3'd4, READ_OUT = 3'd5,
                    LOAD_W = 3'd6, FINISH = 3'd7;
                reg [31:0] cfg [0:\(Register.allCases.count - 1)];
                reg [2:0] state;
                reg done;
                reg [31:0] pe_input_offset [0:\(peCount - 1)];
                reg [31:0] pe_group [0:\(peCount - 1)];
                reg [31:0] pe_output_offset [0:\(peCount - 1)];
                reg [31:0] cycles, i, kt, step, p, q, s, ct, pixel, at_p, at_q, at_r, at_s, weight_dram, out_base;
                reg [31:0] band, in_base, band_in, band_out, tile, tile_out, in_col, in_row, cp, at_c;
                // The read-out engine: started when a tile's (or, with the passes inside the tiles, a K
                // pass's) compute ends, it moves one PE pixel (every lane) per cycle from the
                // accumulation banks to DRAM, from r_out_base and r_acc_base, while the next tile's
                // input loads and goes into the PEs; the next compute waits for it.
                reg r_active;
                reg [31:0] r_pe, r_pixel, r_col, r_col_word, r_row, r_out_base, r_acc_base;
                reg [31:0] w_group, w_lane, w_step;
                // Resident weights: load_base is where the pass being loaded goes in the banks,
                // pass_base where the pass being computed is; reuse_weights once the first tile
                // has loaded them all.
                reg [31:0] load_base, pass_base;
                reg reuse_weights;
                // Tiles inside the passes: pass_out is the DRAM output base of the K pass,
                // acc_base the accumulation-bank word of the tile's first pixel.
                reg [31:0] pass_out, acc_base;
                // The global buffer's loader: g_i words of the tile at DRAM word g_base loaded (in_row,
                // in_col: where in it), g_valid/g_addr the write of the word read the cycle before.
                // Armed once a tile's input has gone into the PEs, it loads the next tile's input
                // while the PEs compute (the DRAM read port and the global buffer are free then).
                reg [31:0] g_i, g_base, g_addr, in_vec;
                reg g_valid, g_armed;
                // Tiles inside the passes: the buffers hold only the channel pass's vectors of each
                // pixel (at_c stays 0) and chan_in is their offset in a DRAM pixel.
                reg [31:0] chan_in;
                // Alternating input banks: compute_bank is the input-buffer word where the tile
                // being computed starts, load_bank where the loader puts the one it loads.
                wire alternate = \(reg(.alternateInputBanks)) != 32'd0;
                reg [31:0] compute_bank, load_bank;
                // Alternating accumulation banks: a compute phase drains into one while the read-out
                // engine reads the other.
                wire alternate_sums = \(reg(.alternateAccumulationBanks)) != 32'd0;
                wire tiles_inside = \(reg(.tilesInsidePasses)) != 32'd0;
                // Alternating weight banks: w_ahead while the next pass's weights may load into the
                // bank at load_base (the DRAM read port's cycles the global buffer's loader leaves),
                // from a pass's first compute phase until the next pass computes.
                wire alternate_weights = \(reg(.alternateWeightBanks)) != 32'd0;
                reg w_ahead;
                // Held sums alternating banks: held_odd when the tile being computed is the odd one
                // of its pair; a pass's later tiles compute while the one before is read out.
                wire alternate_held = \(reg(.alternateHeldSums)) != 32'd0;
                reg held_odd;
                reg d_valid, di_valid, dw_valid;
                reg [31:0] d_addr, di_addr, dw_addr, dw_group, dw_lane;
                reg bubble;
                reg [3:1] pipe_valid, pipe_first, pipe_last, pipe_drain_first;
                reg [31:0] pipe_acc [1:3];
                // Phases back to back: a read-out that starts r_delay cycles on, once the last drain of
                // the K pass it reads out has been written back (from r_pend_out and r_pend_acc).
                reg r_pending;
                reg [2:0] r_delay;
                reg [31:0] r_pend_out, r_pend_acc;
                reg [31:0] pipe_pixel [1:3];

                // Host interface.
                wire [15:0] pe_register = (host_addr - 16'd\(ControllerEmitter.perPEBase)) >> 2;
                reg [31:0] host_word;
                assign host_rdata = host_word;
                always @(*) begin
                    case (host_addr)
                        16'd\(Register.control.rawValue): host_word = {30'd0, done, state != IDLE};
                        16'd\(Register.cycles.rawValue): host_word = cycles;
                        default: host_word = host_addr < 16'd\(Register.allCases.count) ? cfg[host_addr[\(cfgBits - 1):0]] : 32'd0;
                    endcase
                end

                // Weights load while the inputs go into the PEs (first pass) and while the previous
                // pass is read out (the weight banks and the DRAM read port are free then).
                wire next_pass = kt + 32'd1 < \(reg(.kPasses));
                wire next_band = band + 32'd1 < \(reg(.bands));
                wire next_tile = tile + 32'd1 < \(reg(.columnTiles));
                wire next_channels = cp + 32'd1 < \(reg(.channelPasses));
                wire issue_gb = g_i < \(reg(.inputWords))
                    && (state == LOAD_GB || (g_armed && (state == COMPUTE || state == FLUSH)));
                wire issue_inputs = state == PREPARE && i < \(reg(.inputWords));
                wire issue_weights = w_group < \(reg(.groups)) && (((state == PREPARE || state == LOAD_W
                    || (state == READ_OUT && next_pass && !tiles_inside)) && !reuse_weights) || (w_ahead && !issue_gb));
                wire weights_done = reuse_weights || (w_group >= \(reg(.groups)) && !dw_valid);
                wire last_pass_weight = last_weight && w_lane == \(lanes - 1) && w_group == \(reg(.groups)) - 32'd1;
                wire last_weight = w_step == \(reg(.steps)) - 32'd1;
                wire issue_step = state == COMPUTE && p < \(reg(.rows)) && !bubble;
                wire last_step = step == \(reg(.steps)) - 32'd1;

                // DRAM, global buffer and PE commands.
                assign dram_rd_en = issue_gb | issue_weights;
                assign dram_rd_addr = issue_gb ? g_base + in_row + in_col + in_vec : weight_dram;
                wire issue_read_out = r_active && r_pe < \(peCount);
                wire reading = issue_read_out || d_valid || r_pending;
                assign dram_wr_en = d_valid;
                assign dram_wr_addr = d_addr;
                // The read-out's post-processing: each lane's sum requantized to the activation format.
                wire [\(lanes * ob - 1):0] pixel_outputs;
                \(RequantizerEmitter.moduleName) requantize (.sums(rd_data), .scale(\(reg(.outputScale))[\(Requantization.scaleBits - 1):0]),
                    .shift(\(reg(.outputShift))[\(Requantization.shiftBits - 1):0]), .relu(\(reg(.outputReLU)) != 32'd0),
                    .outputs(pixel_outputs));
                assign dram_wr_data = \(pixelWord);
                assign gb_en = g_valid | issue_inputs;
                assign gb_we = g_valid;
                assign gb_addr = g_valid ? g_addr[\(gba - 1):0] : i[\(gba - 1):0];
                assign gb_wdata = dram_rd_data[\(iw - 1):0];
                assign ld_w_en = dw_valid;
                genvar each;
                generate for (each = 0; each < \(peCount); each = each + 1) begin : pes_
                    assign ld_w_mask[each] = pe_group[each] == dw_group;
                    wire [31:0] pe_input_word = input_word + pe_input_offset[each];
                    assign fill_i_addrs[each * \(iba) +: \(iba)] = pe_input_word[\(iba - 1):0];
                end endgenerate
                assign ld_w_lane = dw_lane[\(lb - 1):0];
                assign ld_w_addr = dw_addr[\(wba - 1):0];
                assign ld_w_data = dram_rd_data[\(ww - 1):0];
                // The input into the PEs: copied from the global buffer, or with alternating banks
                // written by the loader as it stores it.
                wire [31:0] load_word = load_bank + g_addr;
                assign ld_i_en = di_valid | (g_valid & alternate);
                assign ld_i_addr = alternate ? load_word[\(iba - 1):0] : di_addr[\(iba - 1):0];
                assign ld_i_data = alternate ? dram_rd_data[\(iw - 1):0] : gb_rdata;
                assign fill_w_en = issue_step;
                wire [31:0] weight_word = pass_base + step;
                assign fill_w_addr = weight_word[\(wba - 1):0];
                assign fill_i_en = issue_step;
                wire [31:0] input_word = compute_bank + at_p + at_q + at_r + at_s + at_c + ct;
                assign mac_en = pipe_valid[2];
                assign mac_clear = pipe_first[2];
                assign drain_en = pipe_valid[3] && pipe_last[3];
                // A drain goes where its step was issued to (the next phase may have started since).
                wire [31:0] drain_word = pipe_acc[3] + pipe_pixel[3], read_word = r_acc_base + r_pixel;
                assign drain_addr = drain_word[\(aba - 1):0];
                assign drain_first = pipe_drain_first[3];
                // The next phase of a tile issues its first step the cycle after this one's last when it needs
                // nothing of its last drains: resident weights, and either the next channel pass (it
                // adds into the same words after them) or the next K pass, draining into the other
                // accumulation bank, with the read-out engine free to read this one out.
                wire last_pixel = p == \(reg(.rows)) - 32'd1 && q == \(reg(.columns)) - 32'd1;
                wire chain = reuse_weights && !tiles_inside
                    && (next_channels || (next_pass && alternate_sums && !reading));
                assign rd_en = issue_read_out;
                assign rd_pe = r_pe[\(pb - 1):0];
                assign rd_addr = read_word[\(aba - 1):0];

                always @(posedge clk) begin
                    if (host_we && state == IDLE && host_addr < 16'd\(Register.allCases.count) && host_addr != 16'd\(Register.cycles.rawValue))
                        cfg[host_addr[\(cfgBits - 1):0]] <= host_wdata;
                    if (host_we && state == IDLE && host_addr >= 16'd\(ControllerEmitter.perPEBase) && host_addr < 16'd\(ControllerEmitter.perPEBase + 4 * peCount))
                        case (host_addr[1:0])
                            2'd\(PERegister.inputOffset.rawValue): pe_input_offset[pe_register[\(pb - 1):0]] <= host_wdata;
                            2'd\(PERegister.group.rawValue): pe_group[pe_register[\(pb - 1):0]] <= host_wdata;
                            2'd\(PERegister.outputOffset.rawValue): pe_output_offset[pe_register[\(pb - 1):0]] <= host_wdata;
                            default: ;
                        endcase
                    if (state != IDLE) cycles <= cycles + 32'd1;
                    d_valid <= issue_read_out;
                    if (issue_read_out) begin
                        d_addr <= r_out_base + pe_output_offset[r_pe[\(pb - 1):0]] + r_row + r_col_word;
                        if (r_pixel != \(reg(.pixels)) - 32'd1) begin
                            r_pixel <= r_pixel + 32'd1;
                            if (r_col != \(reg(.columns)) - 32'd1) begin
                                r_col <= r_col + 32'd1; r_col_word <= r_col_word + \(reg(.outputColumnStride));
                            end else begin
                                r_col <= 32'd0; r_col_word <= 32'd0; r_row <= r_row + \(reg(.outputRowWords));
                            end
                        end else begin
                            r_pixel <= 32'd0; r_pe <= r_pe + 32'd1; r_col <= 32'd0; r_col_word <= 32'd0; r_row <= 32'd0;
                        end
                    end
                    g_valid <= issue_gb;
                    if (issue_gb) begin
                        // The tile's input, row by row out of the padded input's rows.
                        g_addr <= g_i;
                        g_i <= g_i + 32'd1;
                        if (in_vec != \(reg(.loadVectors)) - 32'd1) in_vec <= in_vec + 32'd1;
                        else begin
                            in_vec <= 32'd0;
                            if (in_col != \(reg(.tileRowWords)) - \(reg(.inputPixelWords)))
                                in_col <= in_col + \(reg(.inputPixelWords));
                            else begin in_col <= 32'd0; in_row <= in_row + \(reg(.inputRowWords)); end
                        end
                    end
                    di_valid <= issue_inputs;
                    if (issue_inputs) di_addr <= i;
                    dw_valid <= issue_weights;
                    if (issue_weights) begin
                        dw_addr <= load_base + w_step; dw_group <= w_group; dw_lane <= w_lane;
                        if (last_pass_weight) load_base <= load_base + \(reg(.weightPassStride));
                        weight_dram <= weight_dram + 32'd1;
                        if (!last_weight) w_step <= w_step + 32'd1;
                        else begin
                            w_step <= 32'd0;
                            if (w_lane != \(lanes - 1)) w_lane <= w_lane + 32'd1;
                            else begin w_lane <= 32'd0; w_group <= w_group + 32'd1; end
                        end
                    end
                    pipe_valid <= {pipe_valid[2:1], issue_step};
                    pipe_first <= {pipe_first[2:1], step == 32'd0};
                    pipe_last <= {pipe_last[2:1], last_step};
                    pipe_pixel[1] <= pixel;
                    pipe_pixel[2] <= pipe_pixel[1];
                    pipe_pixel[3] <= pipe_pixel[2];
                    pipe_acc[1] <= acc_base;
                    pipe_acc[2] <= pipe_acc[1];
                    pipe_acc[3] <= pipe_acc[2];
                    pipe_drain_first <= {pipe_drain_first[2:1], cp == 32'd0};
                    if (r_pending) begin
                        if (r_delay != 3'd0) r_delay <= r_delay - 3'd1;
                        else begin
                            r_pending <= 1'b0;
                            r_active <= 1'b1;
                            r_pe <= 32'd0; r_pixel <= 32'd0; r_col <= 32'd0; r_col_word <= 32'd0; r_row <= 32'd0;
                            r_out_base <= r_pend_out; r_acc_base <= r_pend_acc;
                        end
                    end
                    bubble <= issue_step && last_step && \(reg(.steps)) == 32'd1;
                    if (rst) begin
                        state <= IDLE;
                        done <= 1'b0;
                        pipe_valid <= 3'd0;
                        g_valid <= 1'b0;
                        r_active <= 1'b0;
                        r_pending <= 1'b0;
                        w_ahead <= 1'b0;
                    end else case (state)
                        IDLE: if (host_we && host_addr == 16'd\(Register.control.rawValue) && host_wdata[0]) begin
                            state <= LOAD_GB;
                            done <= 1'b0;
                            cycles <= 32'd0;
                            i <= 32'd0;
                            kt <= 32'd0;
                            weight_dram <= \(reg(.weightBase));
                            out_base <= \(reg(.outputBase));
                            band <= 32'd0;
                            tile <= 32'd0;
                            in_base <= \(reg(.inputBase));
                            band_in <= \(reg(.inputBase));
                            band_out <= \(reg(.outputBase));
                            tile_out <= \(reg(.outputBase));
                            in_col <= 32'd0; in_row <= 32'd0;
                            g_i <= 32'd0; g_base <= \(reg(.inputBase)); g_armed <= 1'b0;
                            in_vec <= 32'd0; chan_in <= 32'd0;
                            compute_bank <= 32'd0; load_bank <= 32'd0;
                            cp <= 32'd0; at_c <= 32'd0;
                            load_base <= 32'd0; pass_base <= 32'd0; reuse_weights <= 1'b0;
                            \(restartWeightLoader) w_ahead <= 1'b0;
                            pass_out <= \(reg(.outputBase)); acc_base <= 32'd0; held_odd <= 1'b0;
                            r_active <= 1'b0; r_pending <= 1'b0;
                        end
                        LOAD_GB: begin
                            // The rest of the tile's input (the loader's issues above), then into the PEs
                            // (already there with alternating banks).
                            if (g_i >= \(reg(.inputWords)) && !g_valid) begin
                                state <= PREPARE;
                                i <= alternate ? \(reg(.inputWords)) : 32'd0;
                                g_armed <= 1'b0;
                                if (!alternate_weights) begin \(restartWeightLoader) end
                            end
                        end
                        PREPARE: begin
                            if (i < \(reg(.inputWords))) i <= i + 32'd1;
                            else if (!di_valid && weights_done
                                     && (!reading || alternate_sums || (alternate_held && reuse_weights))) begin
                                \(startCompute)
                                // Compute from the bank the tile loaded into; the next loads into the other.
                                compute_bank <= load_bank;
                                if (alternate) load_bank <= \(otherBank("load_bank", bankWords: pe.inputBankWords));
                                if (alternate_weights && !reuse_weights) begin
                                    // This pass's weights are in: it computes from their bank while the
                                    // next pass's load into the other.
                                    pass_base <= load_base;
                                    load_base <= \(otherBank("load_base", bankWords: pe.weightBankWords));
                                    \(restartWeightLoader)
                                    w_ahead <= next_channels || next_pass;
                                end
                                // The global buffer is free: arm its loader with the next tile in the run's
                                // order (this pass's next, or with the tiles inside the passes the next
                                // pass's first).
                                g_i <= 32'd0; in_col <= 32'd0; in_row <= 32'd0; in_vec <= 32'd0;
                                g_armed <= next_tile || next_band || (tiles_inside && (next_channels || next_pass));
                                if (next_tile) g_base <= in_base + \(reg(.tileInputStride));
                                else if (next_band) g_base <= band_in + \(reg(.bandInputStride));
                                else if (next_channels)
                                    g_base <= \(reg(.inputBase)) + chan_in + \(reg(.channelVectors));
                                else g_base <= \(reg(.inputBase));
                            end
                        end
                        COMPUTE: begin
                            if (issue_step) begin
                                if (!last_step) begin
                                    step <= step + 32'd1;
                                    if (ct != \(reg(.channelVectors)) - 32'd1) ct <= ct + 32'd1;
                                    else begin
                                        ct <= 32'd0;
                                        if (s != \(reg(.filterColumns)) - 32'd1) begin s <= s + 32'd1; at_s <= at_s + \(reg(.filterColumnStride)); end
                                        else begin s <= 32'd0; at_s <= 32'd0; at_r <= at_r + \(reg(.filterRowStride)); end
                                    end
                                end else begin
                                    step <= 32'd0; ct <= 32'd0; s <= 32'd0; at_s <= 32'd0; at_r <= 32'd0;
                                    pixel <= pixel + 32'd1;
                                    if (q != \(reg(.columns)) - 32'd1) begin q <= q + 32'd1; at_q <= at_q + \(reg(.columnStride)); end
                                    else begin q <= 32'd0; at_q <= 32'd0; p <= p + 32'd1; at_p <= at_p + \(reg(.rowStride)); end
                                    if (last_pixel && chain) begin
                                        // Back to back: the next phase issues its first step in the next
                                        // cycle; a K pass's read-out starts when it would have after a
                                        // FLUSH, 7 cycles on.
                                        if (next_channels) begin
                                            \(nextChannelPass)
                                        end else begin
                                            r_pending <= 1'b1; r_delay <= 3'd6; r_pend_out <= out_base; r_pend_acc <= acc_base;
                                            \(nextKPass)
                                            acc_base <= \(otherBank("acc_base", bankWords: pe.accumulationBankWords));
                                        end
                                        \(startCompute)
                                    end
                                end
                            end else if (p >= \(reg(.rows)) && pipe_valid == 3'd0) begin
                                state <= FLUSH;
                                i <= 32'd0;
                            end
                        end
                        FLUSH: begin
                            // Let the last drain write back before reading out (and the last read-out end).
                            if (i != 32'd2) i <= i + 32'd1;
                            else if (next_channels || !reading) begin
                                if (!alternate_weights) begin \(restartWeightLoader) end
                                if (!next_channels) begin
                                    // Read this tile (this K pass of it) out, from where its outputs go.
                                    r_active <= 1'b1;
                                    r_pe <= 32'd0; r_pixel <= 32'd0; r_col <= 32'd0; r_col_word <= 32'd0; r_row <= 32'd0;
                                    r_out_base <= out_base; r_acc_base <= acc_base;
                                end
                                if (tiles_inside) begin
                                    // The next tile of this pass; after the last, the next pass's first.
                                    if (next_tile || next_band) begin
                                        \(nextTile(indent: "                                        "))
                                        reuse_weights <= 1'b1;
                                    end else if (next_channels) begin
                                        \(firstTile(indent: "                                        ",
                                                     channels: "chan_in + \(reg(.channelVectors))", outputs: "pass_out"))
                                        cp <= cp + 32'd1;
                                    end else if (next_pass) begin
                                        \(firstTile(indent: "                                        ", channels: "32'd0",
                                                     outputs: "pass_out + \(reg(.passStride))"))
                                        kt <= kt + 32'd1;
                                        cp <= 32'd0; at_c <= 32'd0;
                                        pass_out <= pass_out + \(reg(.passStride));
                                    end else state <= FINISH;
                                end else if (next_channels && reuse_weights) begin
                                    // The next channel pass's weights are in the banks already.
                                    \(nextChannelPass)
                                    \(startCompute)
                                end else if (next_channels) state <= LOAD_W;
                                else if (next_pass) state <= READ_OUT;
                                else if (next_tile || next_band) begin
                                    // The next tile (columns of this band, or the next band's first):
                                    // its input, then its passes, while this one is read out.
                                    \(nextTile(indent: "                                    "))
                                    cp <= 32'd0; at_c <= 32'd0;
                                    kt <= 32'd0;
                                    weight_dram <= \(reg(.weightBase));
                                    pass_base <= 32'd0;
                                    reuse_weights <= \(reg(.weightPassStride)) != 32'd0;
                                end else state <= FINISH;
                                // The next read-out unit drains into the other accumulation bank.
                                if (alternate_sums && !next_channels)
                                    acc_base <= \(otherBank("acc_base", bankWords: pe.accumulationBankWords));
                            end
                        end
                        LOAD_W: begin
                            // The next channel pass's weights, then its compute phase.
                            if (weights_done) begin
                                \(nextChannelPass)
                                \(startCompute)
                            end
                        end
                        READ_OUT: begin
                            // A K pass of the tile is read out while the next one's weights load;
                            // then the next pass computes.
                            if ((!reading || alternate_sums) && weights_done) begin
                                \(nextKPass)
                                \(startCompute)
                            end
                        end
                        FINISH: if (!reading) begin state <= IDLE; done <= 1'b1; end
                        default: state <= IDLE;
                    endcase
                end
            endmodule
            /* verilator lint_on UNUSEDSIGNAL */

            """
        return RTLFile(name: "\(ControllerEmitter.moduleName).v", text: text)
    }
}
