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

/// A Verilog binary literal of signed `values`, element 0 in the low bits.
func packed(_ values: [Int], _ bits: Int) -> String {
    let digits = values.reversed().map { value -> String in
        let text = String(UInt64(bitPattern: Int64(value)) & ((1 << UInt64(bits)) - 1), radix: 2)
        return String(repeating: "0", count: bits - text.count) + text
    }.joined()
    return "\(values.count * bits)'b\(digits)"
}

/// A uniformly random signed `bits`-bit value.
func randomSigned(_ bits: Int, using generator: inout SeededGenerator) -> Int {
    Int.random(in: -(1 << (bits - 1))...((1 << (bits - 1)) - 1), using: &generator)
}

/// A fresh folder holding generated Verilog and a self-checking testbench, and the open tools
/// that check them.
struct RTLBench {
    /// The folder.
    let folder: URL
    /// The generated files' names.
    let files: [String]

    /// Writes `files` into a new temporary folder.
    init(_ files: [RTLFile]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-rtl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files { try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8) }
        self.files = files.map(\.name)
    }

    /// Writes `tb.v`: a clock, `errors` and `checks` counters, the `declarations` (signals and the
    /// device under test), the stimulus `body`, and a final `PASS`/`FAIL` line decided by `pass`.
    func writeTestbench(declarations: String, body: String, pass: String = "errors == 0") throws {
        let text = """
            `timescale 1ns/1ps
            module tb;
                reg clk = 0;
                integer errors = 0, checks = 0;
            \(declarations)
                always #5 clk = ~clk;
                initial begin
            \(body)
                    if (\(pass)) $display("PASS %0d checks", checks); else $display("FAIL %0d errors, %0d checks", errors, checks);
                    $finish;
                end
            endmodule

            """
        try text.write(to: folder.appendingPathComponent("tb.v"), atomically: true, encoding: .utf8)
    }

    /// Compiles the testbench with iverilog and runs it; what it printed.
    func simulate() -> String {
        let compile = runTool("/usr/bin/iverilog", ["-g2012", "-o", "sim", "tb.v"] + files, in: folder)
        guard compile.status == 0 else { return "compile failed: \(compile.output)" }
        return runTool("/usr/bin/vvp", ["sim"], in: folder).output
    }

    /// `verilator --lint-only -Wall` on the design with `top` as top module.
    func lint(top: String) -> (status: Int32, output: String) {
        runTool("/usr/bin/verilator", ["--lint-only", "-Wall", "--top-module", top] + files, in: folder)
    }

    /// `yosys synth` of `top` (after `prelude`, e.g. `chparam`), failing if any latch is inferred.
    func synthesize(top: String, prelude: String = "") -> (status: Int32, output: String) {
        let script = "read_verilog \(files.joined(separator: " ")); \(prelude)synth -top \(top); select -assert-none t:$_DLATCH_* t:$dlatch"
        return runTool("/usr/bin/yosys", ["-q", "-p", script], in: folder)
    }

    /// Expects `verilator --lint-only -Wall` to be clean and `yosys synth` of `top` (after
    /// `prelude`) to succeed without latches; the tools' output is the failure message.
    func expectLintCleanAndSynthesizes(top: String, prelude: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        let lint = lint(top: top)
        #expect(lint.status == 0, "\(lint.output)", sourceLocation: sourceLocation)
        let synth = synthesize(top: top, prelude: prelude)
        #expect(synth.status == 0, "\(synth.output.suffix(2000))", sourceLocation: sourceLocation)
    }
}
