import Foundation
import MagnetCore
import Testing
@testable import MagnetDesigner

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
        let file = emitter.emit()
        try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
        // A self-checking testbench: random operands, random clear/enable, expected values from Swift.
        var generator = SeededGenerator(seed: seed)
        func random(_ bits: Int) -> Int { Int.random(in: -(1 << (bits - 1))...((1 << (bits - 1)) - 1), using: &generator) }
        func pack(_ values: [Int], _ bits: Int) -> String {
            var digits = ""
            for value in values.reversed() {
                let pattern = UInt64(bitPattern: Int64(value)) & ((1 << UInt64(bits)) - 1)
                let text = String(pattern, radix: 2)
                digits += String(repeating: "0", count: bits - text.count) + text
            }
            return "\(values.count * bits)'b\(digits)"
        }
        var accumulator: UInt64 = 0
        var body = ""
        for cycle in 0..<cycles {
            let weights = (0..<emitter.vectorSize).map { _ in random(emitter.weightBits) }
            let inputs = (0..<emitter.vectorSize).map { _ in random(emitter.inputBits) }
            let enable = cycle == 0 || Int.random(in: 0..<5, using: &generator) > 0
            let clear = cycle == 0 || Int.random(in: 0..<7, using: &generator) == 0
            if enable { accumulator = emitter.reference(weights: weights, inputs: inputs, accumulator: accumulator, clear: clear) }
            body += """
                    weights = \(pack(weights, emitter.weightBits)); inputs = \(pack(inputs, emitter.inputBits));
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
        let compile = runTool("/usr/bin/iverilog", ["-g2012", "-o", "sim", "tb.v", "magnet_vector_mac.v"], in: folder)
        #expect(compile.status == 0, "\(compile.output)")
        let run = runTool("/usr/bin/vvp", ["sim"], in: folder)
        #expect(run.output.contains("PASS"), "\(run.output.prefix(2000))")
    }

    @Test(arguments: 0..<4)
    func lintsCleanAndSynthesizesWithoutLatches(_ index: Int) throws {
        let c = Self.configurations[index]
        let emitter = VectorMACEmitter(vectorSize: c.vector, weightBits: c.weight, inputBits: c.input, accumulationBits: c.accumulator)
        let folder = try write(emitter, cycles: 1, seed: 1)
        let lint = runTool("/usr/bin/verilator", ["--lint-only", "-Wall", "magnet_vector_mac.v"], in: folder)
        #expect(lint.status == 0, "\(lint.output)")
        let synth = runTool("/usr/bin/yosys", ["-q", "-p", "read_verilog magnet_vector_mac.v; synth -top magnet_vector_mac; select -assert-none t:$_DLATCH_* t:$dlatch; stat"],
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
