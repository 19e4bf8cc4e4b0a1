import Foundation
import MagnetCore
import Testing
@testable import MagnetDesigner
import MagnetWorkload

/// Runs a program; returns its status and combined output.
func runTool(_ path: String, _ arguments: [String], in directory: URL) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    guard (try? process.run()) != nil else { return (-1, "cannot run \(path)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A Verilog binary literal of signed `values`, element 0 in the low bits.
func packed(_ values: [Int], _ bits: Int) -> String {
    let digits = values.reversed().map { value -> String in
        let text = String(UInt64(bitPattern: Int64(value)) & ((1 << UInt64(bits)) - 1), radix: 2)
        return String(repeating: "0", count: bits - text.count) + text
    }.joined()
    return "\(values.count * bits)'b\(digits)"
}

/// yosys, verilator and iverilog, as `make test` and CI install them.
let rtlToolsAvailable = ["/usr/bin/yosys", "/usr/bin/verilator", "/usr/bin/iverilog", "/usr/bin/vvp"]
    .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

@Suite(.enabled(if: rtlToolsAvailable, "needs yosys, verilator and iverilog (make test installs them)"))
struct VectorMACRTLTests {
    static let configurations: [(vector: Int, weight: Int, input: Int, accumulator: Int)] = [
        (4, 8, 8, 24),     // the Simba-like lane, shortened
        (8, 4, 8, 16),     // int4 weights; the 15-bit sum fits a 16-bit accumulator
        (3, 16, 16, 40),   // int16, an odd vector (the adder tree passes a node through)
        (16, 8, 8, 12),    // an accumulator narrower than the sum: wraps
    ]

    func write(_ emitter: VectorMACEmitter, cycles: Int, seed: UInt64) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-rtl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in [emitter.emitDot(), emitter.emit()] {
            try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
        }
        // A self-checking testbench: random operands, random clear/enable, expected values from Swift.
        var generator = SeededGenerator(seed: seed)
        func random(_ bits: Int) -> Int { Int.random(in: -(1 << (bits - 1))...((1 << (bits - 1)) - 1), using: &generator) }
        var accumulator: UInt64 = 0
        var body = ""
        for cycle in 0..<cycles {
            let weights = (0..<emitter.vectorSize).map { _ in random(emitter.weightBits) }
            let inputs = (0..<emitter.vectorSize).map { _ in random(emitter.inputBits) }
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

            """
        }
        let testbench = """
            `timescale 1ns/1ps
            module tb;
                reg clk = 0, en = 0, clear = 0;
                reg [\(emitter.vectorSize * emitter.weightBits - 1):0] weights;
                reg [\(emitter.vectorSize * emitter.inputBits - 1):0] inputs;
                wire [\(emitter.accumulationBits - 1):0] acc;
                integer errors = 0;
                \(VectorMACEmitter.moduleName) dut (.clk(clk), .en(en), .clear(clear), .weights(weights), .inputs(inputs), .acc(acc));
                always #5 clk = ~clk;
                initial begin
            \(body)
                    if (errors == 0) $display("PASS"); else $display("FAIL %0d", errors);
                    $finish;
                end
            endmodule

            """
        try testbench.write(to: folder.appendingPathComponent("tb.v"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test(arguments: 0..<4)
    func simulatesBitExactUnderIverilog(_ index: Int) throws {
        let c = Self.configurations[index]
        let emitter = VectorMACEmitter(vectorSize: c.vector, weightBits: c.weight, inputBits: c.input, accumulationBits: c.accumulator)
        let folder = try write(emitter, cycles: 200, seed: UInt64(index + 1))
        let compile = runTool("/usr/bin/iverilog", ["-g2012", "-o", "sim", "tb.v", "magnet_vector_mac.v", "magnet_dot.v"], in: folder)
        #expect(compile.status == 0, "\(compile.output)")
        let run = runTool("/usr/bin/vvp", ["sim"], in: folder)
        #expect(run.output.contains("PASS"), "\(run.output.prefix(2000))")
    }

    @Test(arguments: 0..<4)
    func lintsCleanAndSynthesizesWithoutLatches(_ index: Int) throws {
        let c = Self.configurations[index]
        let emitter = VectorMACEmitter(vectorSize: c.vector, weightBits: c.weight, inputBits: c.input, accumulationBits: c.accumulator)
        let folder = try write(emitter, cycles: 1, seed: 1)
        let lint = runTool("/usr/bin/verilator", ["--lint-only", "-Wall", "--top-module", "magnet_vector_mac", "magnet_vector_mac.v", "magnet_dot.v"], in: folder)
        #expect(lint.status == 0, "\(lint.output)")
        let synth = runTool("/usr/bin/yosys", ["-q", "-p", "read_verilog magnet_vector_mac.v magnet_dot.v; synth -top magnet_vector_mac; select -assert-none t:$_DLATCH_* t:$dlatch; stat"],
                            in: folder)
        #expect(synth.status == 0, "\(synth.output.suffix(2000))")
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

    func write(_ lane: LaneEmitter, cycles: Int, seed: UInt64) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-lane-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in [lane.mac.emitDot(), lane.emit()] {
            try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
        }
        var generator = SeededGenerator(seed: seed)
        let mac = lane.mac
        func random(_ bits: Int) -> Int { Int.random(in: -(1 << (bits - 1))...((1 << (bits - 1)) - 1), using: &generator) }
        var model = LaneEmitter.Reference(lane: lane)
        var body = ""
        let wa = LaneEmitter.addressBits(lane.weightDepth), aa = LaneEmitter.addressBits(lane.accumulationDepth)
        // The collectors have no reset: the sequence writes a weight entry before reading it and
        // clears a partial sum before accumulating into it or checking it.
        var writtenWeights = Set<Int>(), clearedSums = Set<Int>()
        for cycle in 0..<cycles {
            let writeEntry = cycle < lane.weightDepth ? cycle : Int.random(in: 0..<lane.weightDepth, using: &generator)
            let doWrite = cycle < lane.weightDepth || Int.random(in: 0..<3, using: &generator) == 0
            let vector = (0..<mac.vectorSize).map { _ in random(mac.weightBits) }
            let inputs = (0..<mac.vectorSize).map { _ in random(mac.inputBits) }
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
        let testbench = """
            `timescale 1ns/1ps
            module tb;
                reg clk = 0, w_we = 0, mac_en = 0, a_clear = 0;
                reg [\(wa - 1):0] w_waddr, w_raddr;
                reg [\(aa - 1):0] a_addr, a_raddr;
                reg [\(mac.vectorSize * mac.weightBits - 1):0] w_wdata;
                reg [\(mac.vectorSize * mac.inputBits - 1):0] inputs;
                wire [\(mac.accumulationBits - 1):0] a_rdata;
                integer errors = 0, checks = 0;
                \(LaneEmitter.moduleName) dut (.clk(clk), .w_we(w_we), .w_waddr(w_waddr), .w_raddr(w_raddr), .a_addr(a_addr),
                    .a_raddr(a_raddr), .w_wdata(w_wdata), .mac_en(mac_en), .a_clear(a_clear), .inputs(inputs), .a_rdata(a_rdata));
                always #5 clk = ~clk;
                initial begin
            \(body)
                    if (errors == 0 && checks > \(cycles / 2)) $display("PASS %0d checks", checks); else $display("FAIL %0d of %0d", errors, checks);
                    $finish;
                end
            endmodule

            """
        try testbench.write(to: folder.appendingPathComponent("tb.v"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test(arguments: 0..<4)
    func simulatesBitExact(_ index: Int) throws {
        let folder = try write(lane(index), cycles: 300, seed: UInt64(10 + index))
        let compile = runTool("/usr/bin/iverilog", ["-g2012", "-o", "sim", "tb.v", "magnet_lane.v", "magnet_dot.v"], in: folder)
        #expect(compile.status == 0, "\(compile.output)")
        let run = runTool("/usr/bin/vvp", ["sim"], in: folder)
        #expect(run.output.contains("PASS"), "\(run.output.prefix(2000))")
    }

    @Test(arguments: 0..<4)
    func lintsAndSynthesizes(_ index: Int) throws {
        let folder = try write(lane(index), cycles: 1, seed: 1)
        let lint = runTool("/usr/bin/verilator", ["--lint-only", "-Wall", "--top-module", "magnet_lane", "magnet_lane.v", "magnet_dot.v"], in: folder)
        #expect(lint.status == 0, "\(lint.output)")
        let synth = runTool("/usr/bin/yosys", ["-q", "-p", "read_verilog magnet_lane.v magnet_dot.v; synth -top magnet_lane; select -assert-none t:$_DLATCH_* t:$dlatch"], in: folder)
        #expect(synth.status == 0, "\(synth.output.suffix(2000))")
    }
}

@Suite(.enabled(if: rtlToolsAvailable, "needs yosys, verilator and iverilog (make test installs them)"))
struct SRAMRTLTests {
    /// 400 random cycles of writes and reads on a 24 × 13-bit SRAM, reads compared one cycle later.
    @Test func readsWhatWasWrittenOneCycleLater() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-sram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = SRAMEmitter().emit()
        try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
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
        let testbench = """
            `timescale 1ns/1ps
            module tb;
                reg clk = 0, en = 0, we = 0;
                reg [4:0] addr;
                reg [12:0] wdata;
                wire [12:0] rdata;
                integer errors = 0, checks = 0;
                magnet_sram #(.WIDTH(13), .DEPTH(24), .ADDR_BITS(5)) dut (.clk(clk), .en(en), .we(we), .addr(addr), .wdata(wdata), .rdata(rdata));
                always #5 clk = ~clk;
                initial begin
            \(body)
                    if (errors == 0 && checks > 200) $display("PASS %0d", checks); else $display("FAIL %0d of %0d", errors, checks);
                    $finish;
                end
            endmodule

            """
        try testbench.write(to: folder.appendingPathComponent("tb.v"), atomically: true, encoding: .utf8)
        #expect(runTool("/usr/bin/iverilog", ["-g2012", "-o", "sim", "tb.v", "magnet_sram.v"], in: folder).status == 0)
        let run = runTool("/usr/bin/vvp", ["sim"], in: folder)
        #expect(run.output.contains("PASS"), "\(run.output.prefix(1000))")
        let lint = runTool("/usr/bin/verilator", ["--lint-only", "-Wall", "magnet_sram.v"], in: folder)
        #expect(lint.status == 0, "\(lint.output)")
        let synth = runTool("/usr/bin/yosys", ["-q", "-p", "read_verilog magnet_sram.v; chparam -set WIDTH 13 -set DEPTH 24 -set ADDR_BITS 5 magnet_sram; synth -top magnet_sram; select -assert-none t:$_DLATCH_* t:$dlatch"], in: folder)
        #expect(synth.status == 0, "\(synth.output.suffix(1000))")
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
        func random(_ bits: Int) -> Int { Int.random(in: -(1 << (bits - 1))...((1 << (bits - 1)) - 1), using: &g) }
        func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &g)] }
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &g) < percent }
        var model = PEEmitter.Reference(pe: pe)
        var commands: [Commands] = []
        var drainLastCycle = false
        for _ in 0..<cycles {
            var c = Commands(lanes: pe.lanes)
            // Loads and fills never share a buffer in one cycle; fills read only defined words.
            if chance(35) {
                c.loadWeights = (Int.random(in: 0..<pe.lanes, using: &g), Int.random(in: 0..<pe.weightBufferDepth, using: &g),
                                 (0..<mac.vectorSize).map { _ in random(mac.weightBits) })
            } else if chance(50), let address = pick((0..<pe.weightBufferDepth).filter { a in model.weightBuffer.allSatisfy { $0[a] != nil } }) {
                c.fillWeights = (address, Int.random(in: 0..<pe.lane.weightDepth, using: &g))
            }
            if chance(30) {
                c.loadInputs = (Int.random(in: 0..<pe.inputBufferDepth, using: &g), (0..<mac.vectorSize).map { _ in random(mac.inputBits) })
            } else if chance(50), let address = pick((0..<pe.inputBufferDepth).filter { model.inputBuffer[$0] != nil }) {
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
            // A drain or a read-out, never in the cycle after a drain (its write-back).
            if !drainLastCycle {
                let partials = (0..<pe.lane.accumulationDepth).filter { e in model.partial.allSatisfy { $0[e] != nil } }
                if chance(30), let entry = pick(partials) {
                    let address = Int.random(in: 0..<pe.accumulationBufferDepth, using: &g)
                    let defined = model.accumulationBuffer.allSatisfy { $0[address] != nil }
                    c.drain = (entry, address, !defined || chance(20))
                    c.psumIn = (0..<pe.lanes).map { _ in UInt64.random(in: 0..<(1 << UInt64(mac.accumulationBits)), using: &g) }
                } else if chance(50), let address = pick((0..<pe.accumulationBufferDepth).filter { a in model.accumulationBuffer.allSatisfy { $0[a] != nil } }) {
                    c.read = address
                }
            }
            drainLastCycle = c.drain != nil
            model.clock(c)
            commands.append(c)
        }
        return commands
    }

    /// A self-checking testbench running `commands` on the PE; every read-out whose words the
    /// model knows is checked. Returns the folder, the number of checks and the values read.
    func writeTestbench(_ pe: PEEmitter, _ commands: [Commands]) throws -> (folder: URL, checks: Int, reads: [[UInt64]]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-pe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in pe.emit() { try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8) }
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

                """
                checks += 1
            }
        }
        let n = mac.vectorSize
        let testbench = """
            `timescale 1ns/1ps
            module tb;
                reg clk = 0;
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
                integer errors = 0;
                \(PEEmitter.moduleName) dut (.clk(clk), .ld_w_en(ld_w_en), .ld_w_lane(ld_w_lane), .ld_w_addr(ld_w_addr), .ld_w_data(ld_w_data),
                    .ld_i_en(ld_i_en), .ld_i_addr(ld_i_addr), .ld_i_data(ld_i_data), .fill_w_en(fill_w_en), .fill_w_addr(fill_w_addr),
                    .fill_w_entry(fill_w_entry), .fill_i_en(fill_i_en), .fill_i_addr(fill_i_addr), .fill_i_entry(fill_i_entry),
                    .mac_en(mac_en), .mac_w_entry(mac_w_entry), .mac_i_entry(mac_i_entry), .mac_a_entry(mac_a_entry), .mac_clear(mac_clear),
                    .drain_en(drain_en), .drain_entry(drain_entry), .drain_addr(drain_addr), .drain_first(drain_first), .psum_in(psum_in),
                    .rd_en(rd_en), .rd_addr(rd_addr), .rd_data(rd_data));
                always #5 clk = ~clk;
                initial begin
            \(body)
                    if (errors == 0) $display("PASS"); else $display("FAIL %0d", errors);
                    $finish;
                end
            endmodule

            """
        try testbench.write(to: folder.appendingPathComponent("tb.v"), atomically: true, encoding: .utf8)
        return (folder, checks, reads)
    }

    func simulate(_ folder: URL) -> String {
        let compile = runTool("/usr/bin/iverilog", ["-g2012", "-o", "sim", "tb.v", "magnet_pe.v", "magnet_sram.v", "magnet_dot.v"], in: folder)
        guard compile.status == 0 else { return "compile failed: \(compile.output)" }
        return runTool("/usr/bin/vvp", ["sim"], in: folder).output
    }

    @Test(arguments: 0..<2)
    func simulatesBitExact(_ index: Int) throws {
        let pe = Self.pes[index]
        let run = try writeTestbench(pe, randomCommands(pe, cycles: 1500, seed: UInt64(100 + index)))
        #expect(run.checks >= 50, "only \(run.checks) read-outs checked")
        let output = simulate(run.folder)
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
        let output = simulate(run.folder)
        #expect(output.contains("PASS"), "\(output.prefix(2000))")
    }

    @Test(arguments: 0..<2)
    func lintsAndSynthesizes(_ index: Int) throws {
        let run = try writeTestbench(Self.pes[index], [])
        let lint = runTool("/usr/bin/verilator", ["--lint-only", "-Wall", "--top-module", "magnet_pe", "magnet_pe.v", "magnet_sram.v", "magnet_dot.v"], in: run.folder)
        #expect(lint.status == 0, "\(lint.output)")
        let synth = runTool("/usr/bin/yosys", ["-q", "-p", "read_verilog magnet_pe.v magnet_sram.v magnet_dot.v; synth -top magnet_pe; select -assert-none t:$_DLATCH_* t:$dlatch"], in: run.folder)
        #expect(synth.status == 0, "\(synth.output.suffix(2000))")
    }
}
