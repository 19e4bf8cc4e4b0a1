import Foundation
import MagnetCore
import MagnetDesigner
import MagnetWorkload

/// A self-checking testbench for one layer, or a chain of layers, on the generated accelerator
/// (docs/rtl.md): random integer weights and inputs in the design's formats, a DRAM image and the
/// expected outputs from ``ReferenceConvolution``, and a `tb.v` that programs the controller
/// through the host registers, runs the layer (each layer of a chain in turn, the next reading
/// what the last wrote) and compares every output word. It prints `PASS` (or the first
/// mismatches), then the simulated cycles next to the cost model's cycles for the same mapping.
///
/// The read-out's requantization is drawn too, so that every part of it is exercised: a random
/// 16-bit scale, ReLU on or off, and the shift that brings the largest sum to about twice the
/// largest output (``Requantization/spreading(largestMagnitude:outputBits:accumulationBits:scale:relu:)``).
public struct RTLTestbench: Sendable {
    /// The layers' programs, each with its drawn requantization, placed in one DRAM.
    public let programs: [RTLLayerProgram]
    /// The layers' names (empty for a single layer).
    public let names: [String]
    /// Weights drawn for each layer, and the first layer's inputs (``ReferenceConvolution``
    /// layouts); a later layer's inputs are the outputs of the one before.
    public let weights: [[Int]], inputs: [Int]
    /// Each layer's sums at the accumulators' width (``RTLLayerProgram/sums(weights:inputs:)``).
    public let sums: [[Int]]
    /// The cost model's cycles for each layer's controller mapping (`nil` when the model rejects it).
    public let modelCycles: [Int?]
    /// Words of DRAM.
    public let dramWords: Int

    /// The (last) layer's program.
    public var program: RTLLayerProgram { programs[programs.count - 1] }

    /// Draws the data and the requantization for `program` from `seed`; `modelCycles` is printed
    /// beside the simulated count.
    public init(program: RTLLayerProgram, seed: UInt64, modelCycles: Int?) {
        self.init(programs: [program], names: [], dramWords: program.dramWords, seed: seed, modelCycles: [modelCycles])
    }

    /// Draws the data and each layer's requantization for `chain` from `seed`; `modelCycles` (one
    /// per layer) are printed beside the simulated counts.
    public init(chain: RTLLayerChain, seed: UInt64, modelCycles: [Int?]) {
        self.init(programs: chain.programs, names: chain.names, dramWords: chain.dramWords, seed: seed,
                  modelCycles: modelCycles)
    }

    private init(programs: [RTLLayerProgram], names: [String], dramWords: Int, seed: UInt64, modelCycles: [Int?]) {
        self.names = names
        self.dramWords = dramWords
        self.modelCycles = modelCycles
        var generator = SeededGenerator(seed: seed)
        func draw(_ count: Int, _ format: DataFormat) -> [Int] {
            let bits = format.bits
            return (0..<count).map { _ in Int.random(in: -(1 << (bits - 1))...((1 << (bits - 1)) - 1), using: &generator) }
        }
        var weights: [[Int]] = [], sums: [[Int]] = [], requantized: [RTLLayerProgram] = []
        var firstInputs: [Int] = [], layerInputs: [Int] = []
        for program in programs {
            let shape = program.layerShape
            let datapath = program.design.datapathFormats
            weights.append(draw(shape.weightCount, datapath.weights))
            if requantized.isEmpty {
                firstInputs = draw(shape.g * shape.c * shape.inputHeight * shape.inputWidth, datapath.inputs)
                layerInputs = firstInputs
            }
            // A later layer reads the whole of the last one's outputs: rows and columns its stride
            // never reaches are there, and its windows read those they do reach before its padding.
            let before = requantized.last?.shape
            let layerSums = program.sums(weights: weights[weights.count - 1], inputs: layerInputs,
                                         inputHeight: before?.p, inputWidth: before?.q)
            var drawn = program
            drawn.requantization = .spreading(
                largestMagnitude: layerSums.reduce(0) { max($0, abs($1)) }, outputBits: datapath.inputs.bits,
                accumulationBits: program.design.accumulationBits,
                scale: Int.random(in: (1 << (Requantization.scaleBits - 1))..<(1 << Requantization.scaleBits),
                                  using: &generator),
                relu: Bool.random(using: &generator))
            sums.append(layerSums)
            layerInputs = drawn.outputs(sums: layerSums)
            requantized.append(drawn)
        }
        self.programs = requantized
        self.weights = weights
        self.inputs = firstInputs
        self.sums = sums
    }

    /// Writes ``files()`` into `folder` (which holds the design's modules and `files.f`), the
    /// scripts executable.
    public func write(to folder: URL) throws {
        for (name, text) in files() {
            let url = folder.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            if name.hasSuffix(".sh") {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            }
        }
    }

    /// The files: `dram.hex`, `expected.hex` and `addresses.hex` (every layer's output words and
    /// their DRAM addresses), `tb.v`, `run_iverilog.sh`, `run_verilator.sh` (the scripts read the
    /// module list from `files.f`).
    public func files() -> [(name: String, text: String)] {
        let design = program.design
        let dw = program.top.controller.dramWordBits, ob = design.datapathFormats.inputs.bits * design.lanes
        let lanes = design.lanes
        var image = Array(repeating: Array(repeating: false, count: dw), count: dramWords)
        for (index, layer) in programs.enumerated() {
            layer.place(weights: weights[index], inputs: index == 0 ? inputs : nil, in: &image)
        }
        let expected = programs.indices.map { programs[$0].expectedOutputs(sums: sums[$0]) }
        let all = expected.flatMap { $0 }
        let dram = image.map { Self.hex($0) }.joined(separator: "\n") + "\n"
        let outputs = all.map { Self.hex($0.bits) }.joined(separator: "\n") + "\n"
        let addresses = all.map { String($0.address, radix: 16) }.joined(separator: "\n") + "\n"
        let chained = programs.count > 1
        var runs: [String] = [], checks: [String] = [], reports: [String] = []
        var first = 0
        for (index, layer) in programs.enumerated() {
            let writes = layer.registers.map { "        write_register(16'd\($0.address), 32'd\($0.value));" }
            let timeout = 2 * layer.expectedCycles + 10_000
            let which = chained ? "\(names[index]) " : ""
            let wait = """
                        host_addr = 16'd\(ControllerEmitter.Register.control.rawValue);
                        waited = 0;
                        #1;
                        while (host_rdata[1] !== 1'b1 && waited < \(timeout)) begin
                            @(negedge clk);
                            waited = waited + 1;
                        end
                        if (waited >= \(timeout)) begin $display("FAIL: \(which)no done after %0d cycles", waited); stuck = 1; end
                        host_addr = 16'd\(ControllerEmitter.Register.cycles.rawValue);
                        #1;
                        cycles[\(index)] = host_rdata;
                """
            let comment = chained ? ["        // \(names[index]), layer \(index + 1) of \(programs.count)."] : []
            runs.append((comment + writes + [wait]).joined(separator: "\n"))
            let pixels = layer.shape.p * layer.shape.q, count = expected[index].count
            checks.append("""
                        for (i = \(first); i < \(first + count); i = i + 1) begin
                            got = dram[expected_address[i]][\(ob - 1):0];
                            if (got !== expected[i]) begin
                                errors = errors + 1;
                                if (errors <= 10)
                                    $display("mismatch: \(which)output channels %0d..%0d pixel %0d: got %h, expected %h", (i - \(first)) / \(pixels) * \(lanes), (i - \(first)) / \(pixels) * \(lanes) + \(lanes - 1), (i - \(first)) % \(pixels), got, expected[i]);
                            end
                        end
                """)
            let model = modelCycles[index].map { "\($0)" } ?? "-1"
            reports.append("        $display(\"cycles %0d (cost model: \(model) for the same mapping)"
                           + (chained ? ", \(names[index])" : "") + "\", cycles[\(index)]);")
            first += count
        }
        let header = programs.enumerated().map { index, layer -> String in
            let shape = layer.shape, group = layer.layerShape
            let groups = group.g > 1 ? " (\(group.g) groups of \(group.c) → \(group.k), run as the dense layer)" : ""
            let name = chained ? "\(names[index]): " : ""
            let requantization = layer.requantization
            return "// \(name)K \(shape.k), C \(shape.c), \(shape.r)×\(shape.s) filter, \(shape.p)×\(shape.q) outputs, "
                + "stride \(shape.strideH)\(groups).\n"
                + "// Outputs requantized at the read-out: scale \(requantization.scale), shift \(requantization.shift)"
                + (requantization.relu ? ", ReLU." : ".")
        }.joined(separator: "\n")
        let bench = """
            `timescale 1ns/1ps
            // Generated by magnet (docs/rtl.md): \(design.name)\(chained ? ", \(programs.count) layers one after another, each reading what the one before wrote" : "").
            \(header)
            module tb;
                reg clk = 0, rst = 1;
                always #5 clk = ~clk;
                reg host_we = 0;
                reg [15:0] host_addr = 0;
                reg [31:0] host_wdata = 0;
                wire [31:0] host_rdata;
                wire dram_rd_en, dram_wr_en;
                wire [31:0] dram_rd_addr, dram_wr_addr;
                wire [\(dw - 1):0] dram_wr_data;
                reg [\(dw - 1):0] dram_rd_data;
                reg [\(dw - 1):0] dram [0:\(dramWords - 1)];
                reg [\(ob - 1):0] expected [0:\(all.count - 1)];
                reg [31:0] expected_address [0:\(all.count - 1)];
                always @(posedge clk) begin
                    if (dram_rd_en) dram_rd_data <= dram[dram_rd_addr];
                    if (dram_wr_en) dram[dram_wr_addr] <= dram_wr_data;
                end
                \(TopEmitter.moduleName) dut (.clk(clk), .rst(rst), .host_we(host_we), .host_addr(host_addr), .host_wdata(host_wdata),
                    .host_rdata(host_rdata), .dram_rd_en(dram_rd_en), .dram_rd_addr(dram_rd_addr), .dram_rd_data(dram_rd_data),
                    .dram_wr_en(dram_wr_en), .dram_wr_addr(dram_wr_addr), .dram_wr_data(dram_wr_data));
                task write_register(input [15:0] address, input [31:0] value);
                    begin
                        @(negedge clk);
                        host_we = 1; host_addr = address; host_wdata = value;
                        @(negedge clk);
                        host_we = 0;
                    end
                endtask
                integer i, errors, waited, stuck;
                integer cycles [0:\(programs.count - 1)];
                reg [\(ob - 1):0] got;
                initial begin
                    $readmemh("dram.hex", dram);
                    $readmemh("expected.hex", expected);
                    $readmemh("addresses.hex", expected_address);
                    stuck = 0;
                    @(negedge clk);
                    @(negedge clk);
                    rst = 0;
            \(runs.joined(separator: "\n"))
                    errors = 0;
            \(checks.joined(separator: "\n"))
                    if (stuck) ;
                    else if (errors == 0) $display("PASS \(all.count) output words (\(all.count * lanes) outputs)");
                    else $display("FAIL %0d of \(all.count) output words differ", errors);
            \(reports.joined(separator: "\n"))
                    $finish;
                end
            endmodule

            """
        let iverilog = """
            #!/bin/sh
            # Runs the testbench under Icarus Verilog (iverilog -g2012); prints PASS or the first mismatches, and cycles.
            set -e
            cd "$(dirname "$0")"
            iverilog -g2012 -o sim.vvp -f files.f tb.v
            vvp -n sim.vvp

            """
        let verilator = """
            #!/bin/sh
            # Runs the testbench under Verilator (--binary --timing); prints PASS or the first mismatches, and cycles.
            set -e
            cd "$(dirname "$0")"
            verilator --binary --timing --timescale 1ns/1ps -Wno-fatal -Wno-lint -Wno-style --top-module tb -o sim -f files.f tb.v \\
                > verilator.log 2>&1 || { cat verilator.log; exit 1; }
            ./obj_dir/sim

            """
        return [("dram.hex", dram), ("expected.hex", outputs), ("addresses.hex", addresses), ("tb.v", bench),
                ("run_iverilog.sh", iverilog), ("run_verilator.sh", verilator)]
    }

    /// A bit pattern (least significant first) as hexadecimal digits, most significant first.
    static func hex(_ bits: [Bool]) -> String {
        let digits = (bits.count + 3) / 4
        return String((0..<digits).reversed().map { digit -> Character in
            var value = 0
            for bit in 0..<4 where digit * 4 + bit < bits.count && bits[digit * 4 + bit] { value |= 1 << bit }
            return Character(String(value, radix: 16))
        })
    }
}
