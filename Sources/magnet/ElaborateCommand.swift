import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

/// `magnet elaborate`: the design point's Verilog, and optionally a layer testbench.
struct ElaborateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "elaborate",
        abstract: "Write synthesizable Verilog for a design point (and a layer testbench).",
        discussion: """
        Writes one Verilog-2005 file per module (top module magnet_top) and DIR/files.f, the list \
        iverilog, verilator and yosys read. With --testbench NETWORK:LAYER it also writes a \
        self-checking testbench for that layer (random integer data drawn from --seed, expected \
        outputs from the reference convolution) and DIR/run_iverilog.sh and DIR/run_verilator.sh, \
        which print PASS or the first mismatches and the simulated cycles next to the cost \
        model's. The mapper chooses, among the mappings the controller can run (how the PE \
        array splits output channels and output rows), the one with the lowest EDP. With --synth-report it runs yosys and prints the cell counts beside the area \
        model (docs/rtl.md).

        Example:
          magnet elaborate examples/simba-like.yaml -o rtl/ --testbench examples/rtl-layers.yaml:conv3x3
          rtl/run_iverilog.sh
        """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The design file (YAML or JSON).")
    var design: String

    @Option(name: .shortAndLong, help: "The folder to write (created if missing).")
    var output: String

    @Option(help: "NETWORK:LAYER, a built-in network or network file and one of its layers, to write a testbench for.")
    var testbench: String?

    @Option(help: "Seed for the testbench's random weights and inputs.")
    var seed: UInt64 = 1

    @Flag(help: "Synthesize the top with yosys and print its cell counts beside the area model.")
    var synthReport = false

    func run() throws {
        let point = try DesignFile.load(path: design)
        let files = try TopEmitter(design: point).emit()
        let folder = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files { try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8) }
        try (files.map(\.name).joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("files.f"), atomically: true, encoding: .utf8)
        print("wrote \(files.count) modules and files.f to \(output) (top module \(TopEmitter.moduleName))")
        if let testbench { try writeTestbench(testbench, point: point, folder: folder) }
        if synthReport { try report(point: point, folder: folder, files: files.map(\.name)) }
    }

    func writeTestbench(_ argument: String, point: DesignPoint, folder: URL) throws {
        guard let colon = argument.lastIndex(of: ":") else { throw ValidationError("--testbench takes NETWORK:LAYER, e.g. resnet50:layer1.0.conv2") }
        let source = String(argument[..<colon]), layerName = String(argument[argument.index(after: colon)...])
        let layer = try NetworkFile.layer(layerName, in: NetworkFile.resolve(source), source: source)
        let hardware = try point.elaborate()
        // The mapper's choice among the mappings the controller can run (docs/rtl.md).
        let choice = try RTLLayerProgram.mapped(design: point, shape: layer.shape, hardware: hardware)
        let program = choice.program
        print("mapper: \(choice.candidates) mapping(s) the controller can run; best by EDP: \(program.split.groups) channel group(s) × \(program.split.rowBlocks) row block(s) over the \(point.numPEs) PEs")
        let bench = RTLTestbench(program: program, seed: seed, modelCycles: choice.summary.cycles)
        for (name, text) in bench.files() {
            let url = folder.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            if name.hasSuffix(".sh") { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
        }
        print("wrote a testbench for \(layer.name) (K \(layer.shape.k), C \(layer.shape.c), \(layer.shape.r)×\(layer.shape.s), \(layer.shape.p)×\(layer.shape.q) outputs): \(program.dramWords) DRAM words, \(program.kPasses) pass(es) over K; cost model: \(choice.summary.cycles) cycles")
        print("run: \(folder.path)/run_iverilog.sh  or  \(folder.path)/run_verilator.sh")
    }

    func report(point: DesignPoint, folder: URL, files: [String]) throws {
        let script = SynthesisReport.script(files: files, top: TopEmitter.moduleName, statFile: "yosys-stat.txt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["yosys", "-q", "-p", script]
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let missing = ValidationError("--synth-report needs yosys on PATH (apt-get install yosys)")
        do { try process.run() } catch { throw missing }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus != 127 else { throw missing }  // env: command not found
        guard process.terminationStatus == 0 else { throw ValidationError("yosys failed:\n\(text)") }
        let report = SynthesisReport(yosysStat: try String(contentsOf: folder.appendingPathComponent("yosys-stat.txt"), encoding: .utf8))
        print("yosys: \(NumberText.grouped(report.cells)) cells, \(NumberText.grouped(report.flipFlops)) of them flip-flops, and \(report.memories) SRAM macros (black boxes; full report in yosys-stat.txt)")
        let model = try DesignReport(point: point)
        print("area model: \(NumberText.fixed(model.areaMM2, 3)) mm² at \(point.technology)")
    }
}
