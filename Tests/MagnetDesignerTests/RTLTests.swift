import Foundation
import MagnetCore
import Testing
@testable import MagnetDesigner
import MagnetWorkload

@Suite(.enabled(if: rtlToolsAvailable, "needs yosys, verilator and iverilog (make test installs them)"))
struct VectorMACRTLTests {
    static let configurations: [(vector: Int, weight: Int, input: Int, accumulator: Int)] = [
        (4, 8, 8, 24),     // the Simba-like lane, shortened
        (8, 4, 8, 16),     // int4 weights; the 15-bit sum fits a 16-bit accumulator
        (3, 16, 16, 40),   // int16, an odd vector (the adder tree passes a node through)
        (16, 8, 8, 12),    // an accumulator narrower than the sum: wraps
    ]

    func emitter(_ index: Int) -> VectorMACEmitter {
        let c = Self.configurations[index]
        return VectorMACEmitter(vectorSize: c.vector, weightBits: c.weight, inputBits: c.input, accumulationBits: c.accumulator)
    }

    /// A self-checking testbench: random operands, random clear/enable, expected values from Swift.
    func bench(_ emitter: VectorMACEmitter, cycles: Int, seed: UInt64) throws -> RTLBench {
        let bench = try RTLBench([emitter.emitDot(), emitter.emit()])
        var generator = SeededGenerator(seed: seed)
        var accumulator: UInt64 = 0
        var body = ""
        for cycle in 0..<cycles {
            let weights = (0..<emitter.vectorSize).map { _ in randomSigned(emitter.weightBits, using: &generator) }
            let inputs = (0..<emitter.vectorSize).map { _ in randomSigned(emitter.inputBits, using: &generator) }
            let enable = cycle == 0 || Int.random(in: 0..<5, using: &generator) > 0
            let clear = cycle == 0 || Int.random(in: 0..<7, using: &generator) == 0
            if enable { accumulator = emitter.reference(weights: weights, inputs: inputs, accumulator: accumulator, clear: clear) }
            body += """
                    weights = \(packed(weights, emitter.weightBits)); inputs = \(packed(inputs, emitter.inputBits));
                    en = \(enable ? 1 : 0); clear = \(clear ? 1 : 0);
                    @(posedge clk); #1;
                    if (acc !== \(emitter.accumulationBits)'d\(accumulator)) begin
                        $display("MISMATCH cycle \(cycle): got %0d expected \(accumulator)", acc); errors = errors + 1;
                    end
                    checks = checks + 1;

            """
        }
        try bench.writeTestbench(declarations: """
                reg en = 0, clear = 0;
                reg [\(emitter.vectorSize * emitter.weightBits - 1):0] weights;
                reg [\(emitter.vectorSize * emitter.inputBits - 1):0] inputs;
                wire [\(emitter.accumulationBits - 1):0] acc;
                \(VectorMACEmitter.moduleName) dut (.clk(clk), .en(en), .clear(clear), .weights(weights), .inputs(inputs), .acc(acc));
            """, body: body)
        return bench
    }

    @Test(arguments: 0..<4)
    func simulatesBitExactUnderIverilog(_ index: Int) throws {
        let output = try bench(emitter(index), cycles: 200, seed: UInt64(index + 1)).simulate()
        #expect(output.contains("PASS"), "\(output.prefix(2000))")
    }

    @Test(arguments: 0..<4)
    func lintsCleanAndSynthesizesWithoutLatches(_ index: Int) throws {
        let bench = try bench(emitter(index), cycles: 1, seed: 1)
        bench.expectLintCleanAndSynthesizes(top: VectorMACEmitter.moduleName)
    }

    @Test func floatingPointFormatsAreRefused() throws {
        var design = try DesignFile.parse("""
            numPEs: 4
            lanes: 2
            vectorSize: 4
            weightBuffer: 4 KiB
            inputBuffer: 4 KiB
            accumulationBuffer: 1 KiB
            globalBuffer: 16 KiB
            dramBandwidthGBps: 16
            """, file: "d.yaml")
        #expect(try VectorMACEmitter(design: design).emit().text.contains("module magnet_vector_mac"))
        design.weightFormat = .fp16
        let error = try #require(throws: RTLUnsupported.self) { try VectorMACEmitter(design: design) }
        #expect(error.description == "weightFormat: not supported by the RTL generator yet: fp16 (the generator emits int4, int8 and int16 datapaths)")
    }
}

@Suite(.enabled(if: rtlToolsAvailable, "needs yosys, verilator and iverilog (make test installs them)"))
struct LaneRTLTests {
    static let lanes: [(vector: Int, weight: Int, input: Int, accumulator: Int, weightDepth: Int, accumulationDepth: Int)] = [
        (8, 8, 8, 24, 1, 1),    // the Simba-like lane
        (4, 4, 8, 20, 3, 4),    // int4 weights, a 3-entry weight collector
        (2, 16, 16, 36, 2, 5),
        (5, 8, 8, 14, 4, 2),    // wraps
    ]

    func lane(_ index: Int) -> LaneEmitter {
        let c = Self.lanes[index]
        return LaneEmitter(mac: VectorMACEmitter(vectorSize: c.vector, weightBits: c.weight, inputBits: c.input, accumulationBits: c.accumulator),
                           weightDepth: c.weightDepth, accumulationDepth: c.accumulationDepth)
    }

    func bench(_ lane: LaneEmitter, cycles: Int, seed: UInt64) throws -> RTLBench {
        let bench = try RTLBench([lane.mac.emitDot(), lane.emit()])
        var generator = SeededGenerator(seed: seed)
        let mac = lane.mac
        var model = LaneEmitter.Reference(lane: lane)
        var body = ""
        let wa = LaneEmitter.addressBits(lane.weightDepth), aa = LaneEmitter.addressBits(lane.accumulationDepth)
        // The collectors have no reset: the sequence writes a weight entry before reading it and
        // clears a partial sum before accumulating into it or checking it.
        var writtenWeights = Set<Int>(), clearedSums = Set<Int>()
        for cycle in 0..<cycles {
            let writeEntry = cycle < lane.weightDepth ? cycle : Int.random(in: 0..<lane.weightDepth, using: &generator)
            let doWrite = cycle < lane.weightDepth || Int.random(in: 0..<3, using: &generator) == 0
            let vector = (0..<mac.vectorSize).map { _ in randomSigned(mac.weightBits, using: &generator) }
            let inputs = (0..<mac.vectorSize).map { _ in randomSigned(mac.inputBits, using: &generator) }
            let readable = writtenWeights.sorted()
            let readEntry = readable.isEmpty ? 0 : readable[Int.random(in: 0..<readable.count, using: &generator)]
            let sumEntry = Int.random(in: 0..<lane.accumulationDepth, using: &generator)
            let doMAC = !readable.isEmpty && Int.random(in: 0..<4, using: &generator) > 0
            let clear = !clearedSums.contains(sumEntry) || Int.random(in: 0..<8, using: &generator) == 0
            model.clock(write: doWrite ? (writeEntry, vector) : nil, mac: doMAC ? (readEntry, inputs, sumEntry, clear) : nil)
            if doWrite { writtenWeights.insert(writeEntry) }
            if doMAC { clearedSums.insert(sumEntry) }
            let checkable = clearedSums.sorted()
            let probe = checkable.isEmpty ? 0 : checkable[Int.random(in: 0..<checkable.count, using: &generator)]
            body += """
                    w_we = \(doWrite ? 1 : 0); w_waddr = \(wa)'d\(writeEntry); w_wdata = \(packed(vector, mac.weightBits));
                    mac_en = \(doMAC ? 1 : 0); w_raddr = \(wa)'d\(readEntry); inputs = \(packed(inputs, mac.inputBits));
                    a_addr = \(aa)'d\(sumEntry); a_clear = \(clear ? 1 : 0); a_raddr = \(aa)'d\(probe);
                    @(posedge clk); #1;

            """
            if !checkable.isEmpty {
                body += """
                        if (a_rdata !== \(mac.accumulationBits)'d\(model.partial[probe])) begin
                            $display("MISMATCH cycle \(cycle) entry \(probe): got %0d", a_rdata); errors = errors + 1;
                        end
                        checks = checks + 1;

                """
            }
        }
        try bench.writeTestbench(declarations: """
                reg w_we = 0, mac_en = 0, a_clear = 0;
                reg [\(wa - 1):0] w_waddr, w_raddr;
                reg [\(aa - 1):0] a_addr, a_raddr;
                reg [\(mac.vectorSize * mac.weightBits - 1):0] w_wdata;
                reg [\(mac.vectorSize * mac.inputBits - 1):0] inputs;
                wire [\(mac.accumulationBits - 1):0] a_rdata;
                \(LaneEmitter.moduleName) dut (.clk(clk), .w_we(w_we), .w_waddr(w_waddr), .w_raddr(w_raddr), .a_addr(a_addr),
                    .a_raddr(a_raddr), .w_wdata(w_wdata), .mac_en(mac_en), .a_clear(a_clear), .inputs(inputs), .a_rdata(a_rdata));
            """, body: body, pass: "errors == 0 && checks > \(cycles / 2)")
        return bench
    }

    @Test(arguments: 0..<4)
    func simulatesBitExact(_ index: Int) throws {
        let output = try bench(lane(index), cycles: 300, seed: UInt64(10 + index)).simulate()
        #expect(output.contains("PASS"), "\(output.prefix(2000))")
    }

    @Test(arguments: 0..<4)
    func lintsAndSynthesizes(_ index: Int) throws {
        let bench = try bench(lane(index), cycles: 1, seed: 1)
        bench.expectLintCleanAndSynthesizes(top: LaneEmitter.moduleName)
    }
}

@Suite(.enabled(if: rtlToolsAvailable, "needs yosys, verilator and iverilog (make test installs them)"))
struct SRAMRTLTests {
    /// 400 random cycles of writes and reads on a 24 × 13-bit SRAM, reads compared one cycle later.
    @Test func readsWhatWasWrittenOneCycleLater() throws {
        let bench = try RTLBench([SRAMEmitter().emit()])
        var generator = SeededGenerator(seed: 42)
        let depth = 24, width = 13
        var memory = [Int?](repeating: nil, count: depth)
        var expected: Int?
        var body = ""
        for cycle in 0..<400 {
            let enable = Int.random(in: 0..<6, using: &generator) > 0
            let write = Int.random(in: 0..<2, using: &generator) == 0
            let address = Int.random(in: 0..<depth, using: &generator)
            let data = Int.random(in: 0..<(1 << width), using: &generator)
            body += "        en = \(enable ? 1 : 0); we = \(write ? 1 : 0); addr = 5'd\(address); wdata = 13'd\(data);\n"
            body += "        @(posedge clk); #1;\n"
            if enable && write { memory[address] = data }
            if enable && !write { expected = memory[address] }
            if let expected {
                body += "        if (rdata !== 13'd\(expected)) begin $display(\"MISMATCH cycle \(cycle)\"); errors = errors + 1; end\n"
                body += "        checks = checks + 1;\n"
            }
            if enable && !write && memory[address] == nil { expected = nil }
        }
        try bench.writeTestbench(declarations: """
                reg en = 0, we = 0;
                reg [4:0] addr;
                reg [12:0] wdata;
                wire [12:0] rdata;
                magnet_sram #(.WIDTH(13), .DEPTH(24), .ADDR_BITS(5)) dut (.clk(clk), .en(en), .we(we), .addr(addr), .wdata(wdata), .rdata(rdata));
            """, body: body, pass: "errors == 0 && checks > 200")
        let output = bench.simulate()
        #expect(output.contains("PASS"), "\(output.prefix(1000))")
        bench.expectLintCleanAndSynthesizes(top: SRAMEmitter.moduleName, prelude: "chparam -set WIDTH 13 -set DEPTH 24 -set ADDR_BITS 5 magnet_sram; ")
    }
}

@Suite(.enabled(if: rtlToolsAvailable, "needs yosys, verilator and iverilog (make test installs them)"))
struct PERTLTests {
    typealias Commands = PEEmitter.Reference.Commands

    static let pes: [PEEmitter] = [
        // 2 lanes of 4×int8, one-entry collectors (the Simba-like shape, small).
        PEEmitter(lane: LaneEmitter(mac: VectorMACEmitter(vectorSize: 4, weightBits: 8, inputBits: 8, accumulationBits: 24),
                                    weightDepth: 1, accumulationDepth: 1),
                  lanes: 2, inputDepth: 1, weightBufferDepth: 8, inputBufferDepth: 8, accumulationBufferDepth: 4),
        // 3 lanes of 2×(int4·int8), deeper collectors, a wrapping 14-bit accumulator.
        PEEmitter(lane: LaneEmitter(mac: VectorMACEmitter(vectorSize: 2, weightBits: 4, inputBits: 8, accumulationBits: 14),
                                    weightDepth: 3, accumulationDepth: 2),
                  lanes: 3, inputDepth: 2, weightBufferDepth: 5, inputBufferDepth: 6, accumulationBufferDepth: 3),
    ]

    /// Random commands that keep the controller's rules (see docs/rtl.md).
    func randomCommands(_ pe: PEEmitter, cycles: Int, seed: UInt64) -> [Commands] {
        var g = SeededGenerator(seed: seed)
        let mac = pe.lane.mac
        func random(_ bits: Int) -> Int { randomSigned(bits, using: &g) }
        func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &g)] }
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &g) < percent }
        var model = PEEmitter.Reference(pe: pe)
        var commands: [Commands] = []
        var pendingDrainBank: Bool?
        for _ in 0..<cycles {
            var c = Commands(lanes: pe.lanes)
            // Loads and fills never share a bank in one cycle (each buffer's two banks take a load
            // into one and a fill from the other); fills read only defined words.
            if chance(35) {
                c.loadWeights = (Int.random(in: 0..<pe.lanes, using: &g), Int.random(in: 0..<pe.weightBufferDepth, using: &g),
                                 (0..<mac.vectorSize).map { _ in random(mac.weightBits) })
            }
            let weightLoadBank = c.loadWeights.map { pe.isInHighWeightBank($0.address) }
            if chance(50), let address = pick((0..<pe.weightBufferDepth).filter { a in
                model.weightBuffer.allSatisfy { $0[a] != nil } && pe.isInHighWeightBank(a) != weightLoadBank
            }) {
                c.fillWeights = (address, Int.random(in: 0..<pe.lane.weightDepth, using: &g))
            }
            // The input buffer's two banks take a load and a fill in one cycle when they differ.
            if chance(30) {
                c.loadInputs = (Int.random(in: 0..<pe.inputBufferDepth, using: &g), (0..<mac.vectorSize).map { _ in random(mac.inputBits) })
            }
            let loadBank = c.loadInputs.map { pe.isInHighInputBank($0.address) }
            if chance(50), let address = pick((0..<pe.inputBufferDepth).filter {
                model.inputBuffer[$0] != nil && pe.isInHighInputBank($0) != loadBank
            }) {
                c.fillInputs = (address, Int.random(in: 0..<pe.inputDepth, using: &g))
            }
            // Compute with defined collector entries.
            let weightEntries = (0..<pe.lane.weightDepth).filter { e in model.weightCollector.allSatisfy { $0[e] != nil } }
            let inputEntries = (0..<pe.inputDepth).filter { model.inputCollector[$0] != nil }
            if chance(60), let w = pick(weightEntries), let i = pick(inputEntries) {
                let a = Int.random(in: 0..<pe.lane.accumulationDepth, using: &g)
                let defined = model.partial.allSatisfy { $0[a] != nil }
                c.mac = (w, i, a, !defined || chance(15))
            }
            // A drain, never in the cycle after a drain (its write-back), and a read-out of the
            // other accumulation bank than the drain and the write-back, if any.
            var busyBanks = Set(pendingDrainBank.map { [$0] } ?? [])
            if pendingDrainBank == nil, chance(30),
               let entry = pick((0..<pe.lane.accumulationDepth).filter { e in model.partial.allSatisfy { $0[e] != nil } }) {
                let address = Int.random(in: 0..<pe.accumulationBufferDepth, using: &g)
                let defined = model.accumulationBuffer.allSatisfy { $0[address] != nil }
                c.drain = (entry, address, !defined || chance(20))
                c.psumIn = (0..<pe.lanes).map { _ in UInt64.random(in: 0..<(1 << UInt64(mac.accumulationBits)), using: &g) }
                busyBanks.insert(pe.isInHighAccumulationBank(address))
            }
            if chance(c.drain == nil ? 50 : 30), let address = pick((0..<pe.accumulationBufferDepth).filter { a in
                model.accumulationBuffer.allSatisfy { $0[a] != nil } && !busyBanks.contains(pe.isInHighAccumulationBank(a))
            }) {
                c.read = address
            }
            pendingDrainBank = c.drain.map { pe.isInHighAccumulationBank($0.address) }
            model.clock(c)
            commands.append(c)
        }
        return commands
    }

    /// A self-checking testbench running `commands` on the PE; every read-out whose words the
    /// model knows is checked. Returns the folder, the number of checks and the values read.
    func writeTestbench(_ pe: PEEmitter, _ commands: [Commands]) throws -> (bench: RTLBench, checks: Int, reads: [[UInt64]]) {
        let bench = try RTLBench(pe.emit())
        let mac = pe.lane.mac
        let bits = LaneEmitter.addressBits
        let lb = bits(pe.lanes), wba = bits(pe.weightBufferDepth), iba = bits(pe.inputBufferDepth), aba = bits(pe.accumulationBufferDepth)
        let wa = bits(pe.lane.weightDepth), ia = bits(pe.inputDepth), aa = bits(pe.lane.accumulationDepth)
        func words(_ values: [UInt64]) -> String {
            "\(pe.lanes * mac.accumulationBits)'b" + values.reversed().map { value -> String in
                let text = String(value, radix: 2)
                return String(repeating: "0", count: mac.accumulationBits - text.count) + text
            }.joined()
        }
        var model = PEEmitter.Reference(pe: pe)
        var body = ""
        var checks = 0
        var reads: [[UInt64]] = []
        let zeros = Array(repeating: 0, count: mac.vectorSize)
        for (cycle, c) in commands.enumerated() {
            model.clock(c)
            body += """
                    ld_w_en = \(c.loadWeights == nil ? 0 : 1); ld_w_lane = \(lb)'d\(c.loadWeights?.lane ?? 0); ld_w_addr = \(wba)'d\(c.loadWeights?.address ?? 0); ld_w_data = \(packed(c.loadWeights?.vector ?? zeros, mac.weightBits));
                    ld_i_en = \(c.loadInputs == nil ? 0 : 1); ld_i_addr = \(iba)'d\(c.loadInputs?.address ?? 0); ld_i_data = \(packed(c.loadInputs?.vector ?? zeros, mac.inputBits));
                    fill_w_en = \(c.fillWeights == nil ? 0 : 1); fill_w_addr = \(wba)'d\(c.fillWeights?.address ?? 0); fill_w_entry = \(wa)'d\(c.fillWeights?.entry ?? 0);
                    fill_i_en = \(c.fillInputs == nil ? 0 : 1); fill_i_addr = \(iba)'d\(c.fillInputs?.address ?? 0); fill_i_entry = \(ia)'d\(c.fillInputs?.entry ?? 0);
                    mac_en = \(c.mac == nil ? 0 : 1); mac_w_entry = \(wa)'d\(c.mac?.weightEntry ?? 0); mac_i_entry = \(ia)'d\(c.mac?.inputEntry ?? 0); mac_a_entry = \(aa)'d\(c.mac?.partialEntry ?? 0); mac_clear = \((c.mac?.clear ?? false) ? 1 : 0);
                    drain_en = \(c.drain == nil ? 0 : 1); drain_entry = \(aa)'d\(c.drain?.entry ?? 0); drain_addr = \(aba)'d\(c.drain?.address ?? 0); drain_first = \((c.drain?.first ?? false) ? 1 : 0);
                    psum_in = \(words(c.psumIn));
                    rd_en = \(c.read == nil ? 0 : 1); rd_addr = \(aba)'d\(c.read ?? 0);
                    @(posedge clk); #1;

            """
            if c.read != nil, model.readData.allSatisfy({ $0 != nil }) {
                let values = model.readData.map { $0! }
                reads.append(values)
                body += """
                        if (rd_data !== \(words(values))) begin
                            $display("MISMATCH cycle \(cycle)"); errors = errors + 1;
                        end
                        checks = checks + 1;

                """
                checks += 1
            }
        }
        let n = mac.vectorSize
        try bench.writeTestbench(declarations: """
                reg ld_w_en = 0, ld_i_en = 0, fill_w_en = 0, fill_i_en = 0, mac_en = 0, mac_clear = 0, drain_en = 0, drain_first = 0, rd_en = 0;
                reg [\(lb - 1):0] ld_w_lane;
                reg [\(wba - 1):0] ld_w_addr, fill_w_addr;
                reg [\(iba - 1):0] ld_i_addr, fill_i_addr;
                reg [\(wa - 1):0] fill_w_entry, mac_w_entry;
                reg [\(ia - 1):0] fill_i_entry, mac_i_entry;
                reg [\(aa - 1):0] mac_a_entry, drain_entry;
                reg [\(aba - 1):0] drain_addr, rd_addr;
                reg [\(n * mac.weightBits - 1):0] ld_w_data;
                reg [\(n * mac.inputBits - 1):0] ld_i_data;
                reg [\(pe.lanes * mac.accumulationBits - 1):0] psum_in;
                wire [\(pe.lanes * mac.accumulationBits - 1):0] rd_data;
                \(PEEmitter.moduleName) dut (.clk(clk), .ld_w_en(ld_w_en), .ld_w_lane(ld_w_lane), .ld_w_addr(ld_w_addr), .ld_w_data(ld_w_data),
                    .ld_i_en(ld_i_en), .ld_i_addr(ld_i_addr), .ld_i_data(ld_i_data), .fill_w_en(fill_w_en), .fill_w_addr(fill_w_addr),
                    .fill_w_entry(fill_w_entry), .fill_i_en(fill_i_en), .fill_i_addr(fill_i_addr), .fill_i_entry(fill_i_entry),
                    .mac_en(mac_en), .mac_w_entry(mac_w_entry), .mac_i_entry(mac_i_entry), .mac_a_entry(mac_a_entry), .mac_clear(mac_clear),
                    .drain_en(drain_en), .drain_entry(drain_entry), .drain_addr(drain_addr), .drain_first(drain_first), .psum_in(psum_in),
                    .rd_en(rd_en), .rd_addr(rd_addr), .rd_data(rd_data));
            """, body: body)
        return (bench, checks, reads)
    }

    @Test(arguments: 0..<2)
    func simulatesBitExact(_ index: Int) throws {
        let pe = Self.pes[index]
        let commands = randomCommands(pe, cycles: 1500, seed: UInt64(100 + index))
        // The two banks of a buffer work in the same cycle: a load into one weight or input bank
        // beside a fill from the other, a read-out of one accumulation bank beside a drain into
        // the other.
        let weightLoadsBesideFills = commands.filter { $0.loadWeights != nil && $0.fillWeights != nil }.count
        let loadsBesideFills = commands.filter { $0.loadInputs != nil && $0.fillInputs != nil }.count
        let readsBesideDrains = zip(commands, commands.dropFirst()).filter { before, now in
            now.read != nil && (now.drain != nil || before.drain != nil)
        }.count
        #expect(weightLoadsBesideFills >= 20 && loadsBesideFills >= 20 && readsBesideDrains >= 20,
                "\(weightLoadsBesideFills), \(loadsBesideFills), \(readsBesideDrains)")
        let run = try writeTestbench(pe, commands)
        #expect(run.checks >= 50, "only \(run.checks) read-outs checked")
        let output = run.bench.simulate()
        #expect(output.contains("PASS"), "\(output.prefix(2000))")
    }

    /// A fully-connected layer (K = 2 lanes × 3 passes outputs, C = 4 × 5 inputs) scheduled by
    /// hand on the first PE: weights stationary per pass, inputs loaded once; the read-outs
    /// equal ``ReferenceConvolution`` bit for bit, in Swift and in simulation.
    @Test func computesAFullyConnectedLayer() throws {
        let pe = Self.pes[0]
        let mac = pe.lane.mac, lanes = pe.lanes, n = mac.vectorSize
        let passes = 3, chunks = 5
        let layer = Layer.fullyConnected("fc", inputs: n * chunks, outputs: lanes * passes)
        var g = SeededGenerator(seed: 7)
        let weights = (0..<layer.shape.weightCount).map { _ in Int.random(in: -128...127, using: &g) }
        let inputs = (0..<n * chunks).map { _ in Int.random(in: -128...127, using: &g) }
        let expected = ReferenceConvolution.outputs(layer.shape, weights: weights, inputs: inputs)
        var commands: [Commands] = []
        func cycle(_ edit: (inout Commands) -> Void) {
            var c = Commands(lanes: lanes)
            edit(&c)
            commands.append(c)
        }
        for chunk in 0..<chunks {   // inputs once
            cycle { $0.loadInputs = (chunk, Array(inputs[chunk * n..<(chunk + 1) * n])) }
        }
        for pass in 0..<passes {
            // Lane l computes output k = pass·lanes + l; bank l word `chunk` holds W[k][chunk·n ..< +n].
            for chunk in 0..<chunks {
                for lane in 0..<lanes {
                    let k = pass * lanes + lane
                    cycle { $0.loadWeights = (lane, chunk, Array(weights[k * n * chunks + chunk * n..<k * n * chunks + (chunk + 1) * n])) }
                }
            }
            for chunk in 0..<chunks {
                cycle { $0.fillWeights = (chunk, 0); $0.fillInputs = (chunk, 0) }
                cycle { _ in }   // the collectors take the words at the next edge
                cycle { $0.mac = (0, 0, 0, chunk == 0) }
            }
            cycle { $0.drain = (0, pass, true) }   // psum_in is zero: the first pass over C
            cycle { _ in }                           // write-back
        }
        for pass in 0..<passes { cycle { $0.read = pass } }
        let run = try writeTestbench(pe, commands)
        #expect(run.checks == passes)
        let mask = UInt64(1) << UInt64(mac.accumulationBits) - 1
        let wanted = (0..<passes).map { pass in (0..<lanes).map { UInt64(bitPattern: Int64(expected[pass * lanes + $0])) & mask } }
        #expect(run.reads == wanted)
        let output = run.bench.simulate()
        #expect(output.contains("PASS"), "\(output.prefix(2000))")
    }

    @Test(arguments: 0..<2)
    func lintsAndSynthesizes(_ index: Int) throws {
        let bench = try writeTestbench(Self.pes[index], []).bench
        bench.expectLintCleanAndSynthesizes(top: PEEmitter.moduleName)
    }
}
