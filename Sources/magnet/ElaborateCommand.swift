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
        model's, and DIR/mapping.yaml, the mapping the controller runs (of the layer padded to \
        the hardware). The mapper chooses, among the mappings the controller can run (the PE \
        array's split into channel groups × row blocks, the tiles, the channel passes, when the \
        weights load), the one with the lowest EDP on the generated hardware; with --mapping \
        FILE the register compiler runs that mapping instead, or says why the controller \
        cannot (edit a mapping.yaml to try another tiling). With \
        --synth-report it runs yosys and prints the cell counts beside the area model; with \
        --liberty it maps onto that cell library and prints each module's cell area beside the \
        model's, and the cells' leakage (the library's cell_leakage_power) beside the model's \
        (docs/rtl.md). --testbench NETWORK:LAYER,LAYER,... (or NETWORK:FIRST..LAST, the \
        network's layers from FIRST to LAST) runs several layers one after another, each reading \
        its input where the one before wrote its outputs (requantized, in the next layer's \
        layout); each layer's outputs must be the next one's input.

        Example:
          magnet elaborate examples/simba-like.yaml -o rtl/ --testbench examples/rtl-layers.yaml:conv3x3
          rtl/run_iverilog.sh
          magnet elaborate examples/simba-like.yaml -o chain/ --testbench examples/rtl-layers.yaml:conv3x3,conv1x1
          magnet elaborate examples/simba-like.yaml -o rtl2/ --testbench resnet50:layer1.0.conv1 \\
            --mapping rtl/mapping.yaml
        """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The design file (YAML or JSON).")
    var design: String

    @Option(name: .shortAndLong, help: "The folder to write (created if missing).")
    var output: String

    @Option(help: ArgumentHelp("NETWORK:LAYER, a built-in network or network file and one of its layers, to write a "
                               + "testbench for; NETWORK:LAYER,LAYER,... or NETWORK:FIRST..LAST for layers run one "
                               + "after another, each on the last one's outputs."))
    var testbench: String?

    @Option(help: ArgumentHelp("With --testbench: the mapping to run (Timeloop-style mapping YAML, as "
                               + "mapping.yaml), compiled to the controller's registers, instead of the mapper's "
                               + "choice.", valueName: "file"))
    var mapping: String?

    @Option(help: "Seed for the testbench's random weights and inputs.")
    var seed: UInt64 = 1

    @Flag(help: "Synthesize the top with yosys and print its cell counts beside the area model.")
    var synthReport = false

    @Option(help: ArgumentHelp("With --synth-report: map onto this Liberty cell library (.lib or .lib.gz) and "
                               + "print each module's cell area beside the area model's.", valueName: "file"))
    var liberty: String?

    func run() throws {
        let point = try DesignFile.load(path: design)
        if mapping != nil && testbench == nil { throw ValidationError("--mapping goes with --testbench") }
        let files = try TopEmitter(design: point).emit()
        // The layer's program before anything is written: a mapping the controller cannot run
        // leaves the folder as it was.
        let bench = try testbench.map { try layerPrograms($0, point: point) }
        let folder = URL(fileURLWithPath: output)
        try RTLFile.write(files, to: folder)
        print("wrote \(files.count) modules and \(RTLFile.listName) to \(output) (top module \(TopEmitter.moduleName))")
        switch bench {
        case .layer(let chosen)?: try write(chosen, folder: folder)
        case .chain(let chain, let chosen)?: try write(chain, chosen, folder: folder)
        case nil: break
        }
        if liberty != nil && !synthReport { throw ValidationError("--liberty goes with --synth-report") }
        if synthReport { try report(point: point, folder: folder, files: files.map(\.name)) }
    }

    /// A layer's program for the testbench: the mapper's choice, or the compiled `--mapping`.
    struct LayerProgram {
        var layer: Layer
        var program: RTLLayerProgram
        var hardware: Hardware
        var modelCycles: Int?
        /// Why the cost model refuses the mapping, when it does (a resident mapping can be invalid
        /// for it: its global buffer holds a tile's outputs of every pass).
        var modelRefusal: String?
    }

    /// What `--testbench` asks for: one layer, or a chain of them.
    enum Testbench {
        case layer(LayerProgram)
        case chain(RTLLayerChain, [LayerProgram])
    }

    /// The programs of `--testbench NETWORK:LAYER[,LAYER…]`, a chain placed in one DRAM when there
    /// are several (or why one cannot feed the next).
    func layerPrograms(_ argument: String, point: DesignPoint) throws -> Testbench {
        guard let colon = argument.lastIndex(of: ":") else {
            throw ValidationError("--testbench takes NETWORK:LAYER, e.g. resnet50:layer1.0.conv2")
        }
        let source = String(argument[..<colon])
        let network = try NetworkFile.resolve(source), hardware = try point.elaborate()
        let names = try Self.layerNames(String(argument[argument.index(after: colon)...]), in: network,
                                        source: source)
        func program(_ name: String) throws -> LayerProgram {
            try layerProgram(NetworkFile.layer(name, in: network, source: source), point: point, hardware: hardware)
        }
        guard names.count > 1 else { return .layer(try program(names[0])) }
        if mapping != nil { throw ValidationError("--mapping goes with one layer, not a chain of \(names.count)") }
        let chosen = try names.map(program)
        do {
            return .chain(try RTLLayerChain(chosen.map(\.program), names: names), chosen)
        } catch let error as RTLUnsupported {
            throw ValidationError("--testbench \(argument): \(error.message)")
        }
    }

    /// The layers `list` names (`LAYER`, `LAYER,LAYER,…`, and `FIRST..LAST` for the network's
    /// layers from FIRST to LAST in order, in a list too), each name checked against the network.
    static func layerNames(_ list: String, in network: Network, source: String) throws -> [String] {
        var names: [String] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            // A name with dots in it is the layer of that name.
            guard let dots = item.range(of: ".."), network.layer(named: item) == nil else {
                names.append(item)
                continue
            }
            let first = try NetworkFile.layer(String(item[..<dots.lowerBound]), in: network, source: source).name
            let last = try NetworkFile.layer(String(item[dots.upperBound...]), in: network, source: source).name
            let order = network.layers.map(\.name)
            guard let from = order.firstIndex(of: first), let to = order.firstIndex(of: last), from <= to else {
                throw ValidationError("--testbench \(source):\(item): \(last) comes before \(first) in the network")
            }
            names += order[from...to]
        }
        return names
    }

    func layerProgram(_ layer: Layer, point: DesignPoint, hardware: Hardware) throws -> LayerProgram {
        guard let mapping else {
            // The mapper's choice among the mappings the controller can run (docs/rtl.md).
            let choice = try RTLLayerProgram.mapped(design: point, shape: layer.shape, hardware: hardware)
            let program = choice.program
            print("mapper: \(choice.candidates) mapping(s) the controller can run; "
                  + "best by EDP on the generated hardware: "
                  + "\(program.split.groups) channel group(s) × \(program.split.rowBlocks) row block(s) "
                  + "over the \(point.numPEs) PEs")
            return LayerProgram(layer: layer, program: program, hardware: hardware, modelCycles: choice.summary.cycles)
        }
        let nest = try MappingReader.loadLoopNest(path: mapping, hardware: hardware, problem: layer.shape.problem)
        let program: RTLLayerProgram
        do {
            program = try RTLLayerProgram(compiling: nest, design: point, shape: layer.shape, hardware: hardware)
        } catch let error as RTLUnsupported {
            throw ValidationError("\(mapping): \(error)")
        }
        // The model's cycles where the mapping is valid for it (a resident mapping may not be).
        let padded = program.paddedShape.problem
        let refusal = nest.problems(on: hardware, for: padded).first
        let modelCycles = refusal == nil ? CostModel(hardware: hardware, problem: padded).evaluate(nest).cycles : nil
        print("compiled \(mapping): \(program.split.groups) channel group(s) × "
              + "\(program.split.rowBlocks) row block(s) "
              + "over the \(point.numPEs) PEs")
        return LayerProgram(layer: layer, program: program, hardware: hardware, modelCycles: modelCycles,
                            modelRefusal: refusal.map { "\($0)" })
    }

    func write(_ chosen: LayerProgram, folder: URL) throws {
        let program = chosen.program, layer = chosen.layer, hardware = chosen.hardware
        let bench = RTLTestbench(program: program, seed: seed, modelCycles: chosen.modelCycles)
        try bench.write(to: folder)
        // The mapping the controller runs (of the padded layer), which `--mapping` compiles back.
        try program.mappingYAML(on: hardware)
            .write(to: folder.appendingPathComponent("mapping.yaml"), atomically: true, encoding: .utf8)
        let shape = layer.shape
        let groups = shape.g > 1 ? "\(shape.g) groups of " : ""
        let model = chosen.modelCycles.map { "cost model \($0) for the same mapping" }
            ?? "the cost model refuses the mapping: \(chosen.modelRefusal ?? "")"
        print("wrote a testbench for \(layer.name) (\(groups)K \(shape.k), C \(shape.c), \(shape.r)×\(shape.s), "
              + "\(shape.p)×\(shape.q) outputs): \(program.dramWords) DRAM words, \(program.kPasses) pass(es) over K, "
              + "\(program.channelPasses) over C, \(program.bands)×\(program.columnTiles) tile(s), weights "
              + program.weightSchedule.summary
              + (program.banks.weights ? ", each pass's loading while the one before computes" : "")
              + "; controller "
              + "\(program.expectedCycles) cycles, " + model)
        print("run: \(folder.path)/run_iverilog.sh  or  \(folder.path)/run_verilator.sh")
    }

    func write(_ chain: RTLLayerChain, _ chosen: [LayerProgram], folder: URL) throws {
        let bench = RTLTestbench(chain: chain, seed: seed, modelCycles: chosen.map(\.modelCycles))
        try bench.write(to: folder)
        let total = chain.programs.reduce(0) { $0 + $1.expectedCycles }
        print("wrote a testbench for \(chain.names.joined(separator: " → ")), one after another, each reading what the "
              + "one before wrote: \(chain.dramWords) DRAM words; controller \(total) cycles in all")
        for (layer, program) in zip(chosen, chain.programs) {
            let shape = layer.layer.shape
            let model = layer.modelCycles.map { "cost model \($0)" } ?? "the cost model refuses the mapping"
            print("  \(layer.layer.name) (K \(shape.k), C \(shape.c), \(shape.r)×\(shape.s), \(shape.p)×\(shape.q) "
                  + "outputs): \(program.split.groups)×\(program.split.rowBlocks) split, "
                  + "\(program.bands)×\(program.columnTiles) tile(s); controller \(program.expectedCycles) cycles, "
                  + model)
        }
        print("run: \(folder.path)/run_iverilog.sh  or  \(folder.path)/run_verilator.sh")
    }

    func report(point: DesignPoint, folder: URL, files: [String]) throws {
        let libraryFile = try liberty.map { try copyLibrary($0, into: folder) }
        let script = SynthesisReport.script(files: files, top: TopEmitter.moduleName, statFile: "yosys-stat.txt",
                                            liberty: libraryFile)
        let text = try ExternalTool.run("yosys", ["-q", "-p", script], in: folder,
                               missing: "--synth-report needs yosys on PATH (apt-get install yosys)")
        guard text.status == 0 else { throw ValidationError("yosys failed:\n\(text.output)") }
        let stat = try String(contentsOf: folder.appendingPathComponent("yosys-stat.txt"), encoding: .utf8)
        let report = SynthesisReport(yosysStat: stat)
        print("yosys: \(NumberText.grouped(report.cells)) cells, \(NumberText.grouped(report.flipFlops)) of them "
              + "flip-flops, and \(report.memories) SRAM macros (black boxes; full report in yosys-stat.txt)")
        let model = try DesignReport(point: point)
        print("area model: \(NumberText.fixed(model.areaMM2, 3)) mm² at \(point.technology)")
        if let libraryFile, let liberty {
            let path = folder.appendingPathComponent(libraryFile)
            // A library without leakage figures still reports area; the leakage line says why not.
            let cells = Result { try LibertyLibrary(text: String(contentsOf: path, encoding: .utf8)) }
            print(Self.moduleTable(report.compared(with: model), report: report, library: liberty,
                                   cells: try? cells.get(), technology: point.technology))
            switch cells {
            case .success(let cells):
                print(try Self.leakageLines(report: report, library: liberty, cells: cells, point: point))
            case .failure(let error):
                print("leakage on \((liberty as NSString).lastPathComponent): not reported (\(error))")
            }
        }
    }

    /// Two lines: the design's leakage on the library's cells beside the model's
    /// (docs/technology.md, "Logic leakage"), both at the library's voltage: the density of the
    /// cells that are not flip-flops, and the whole design (the logic and the collectors'
    /// registers), the model elaborated at that voltage by its own supply rule
    /// (``Technology/atVoltage(_:)``).
    static func leakageLines(report: SynthesisReport, library: String, cells: LibertyLibrary,
                             point: DesignPoint) throws -> String {
        let table = try Technology.named(point.technology)
        let leakage = cells.leakage(of: report.designCells)
        let name = (library as NSString).lastPathComponent
        let voltage = cells.nominalVoltageV ?? table.voltageV
        let atLibrary = table.atVoltage(voltage)
        let modelNWPerUM2 = atLibrary.logic.leakagePWPerUM2 / 1000
        let hardware = point.elaborate(technology: atLibrary)
        // pJ per cycle at f GHz is f mW: × 1000 for µW.
        let microwattsPerPJPerCycle = hardware.clockGHz * 1000
        let logicUW = hardware.logicLeakagePJPerCycle * microwattsPerPJPerCycle
        let collectorsUW = hardware.storage.leakagePJPerCycle(of: .registers) * microwattsPerPJPerCycle
        let at = "at \(NumberText.fixed(voltage, 2)) V"
        func microwatts(_ value: Double) -> String { NumberText.groupedFixed(value, 1) }
        var line = "leakage on \(name) (cell_leakage_power \(at)): \(microwatts(leakage.totalNW / 1000)) µW in all "
            + "cells, \(microwatts(leakage.flipFlopNW / 1000)) µW of it in \(NumberText.grouped(report.flipFlops)) "
            + "flip-flops"
        if let density = leakage.otherNWPerUM2 {
            line += "; the other cells \(NumberText.fixed(density, 2)) nW/µm² (the model's logic leakage: "
                + "\(NumberText.fixed(modelNWPerUM2, 2)) nW/µm² \(at))"
        }
        line += "\nthe model's leakage of the same cells \(at): \(microwatts(logicUW + collectorsUW)) µW "
            + "(logic \(microwatts(logicUW)), collectors \(microwatts(collectorsUW)))"
        if leakage.totalNW > 0 {
            line += ", \(NumberText.fixed((logicUW + collectorsUW) * 1000 / leakage.totalNW, 2)) of the library's"
        }
        return line
    }

    /// The per-module table of `--liberty`: synthesized cell area beside the model's.
    static func moduleTable(_ rows: [SynthesisReport.ModuleComparison], report: SynthesisReport, library: String,
                            cells: LibertyLibrary?, technology: String) -> String {
        var table = TextTable(["module", "copies", "synthesized µm²", "model µm²", "model / synthesized",
                               "leakage nW"],
                              alignments: [.left, .right, .right, .right, .right, .right])
        for row in rows {
            var ratio = "not modelled"
            if let model = row.modelUM2, let synthesized = row.synthesizedUM2, synthesized > 0 {
                ratio = NumberText.fixed(model / synthesized, 2)
            }
            func area(_ value: Double?) -> String { value.map { NumberText.grouped(Int($0.rounded())) } ?? "—" }
            let ownCells = report.moduleCells[row.module]
            let leakage = cells.flatMap { cells in ownCells.map { cells.leakage(of: $0).totalNW } }
            table.append([row.module, NumberText.grouped(row.copies), area(row.synthesizedUM2), area(row.modelUM2),
                          ratio, leakage.map { NumberText.grouped(Int($0.rounded())) } ?? "—"])
        }
        let name = (library as NSString).lastPathComponent
        var lines = ["cell area on \(name), one copy of each module, beside the area model's standard cells at "
                     + "\(technology) (docs/technology.md, \"Logic from synthesis\"), and the module's own cells' "
                     + "leakage:",
                     table.rendered()]
        if let total = report.totalAreaUM2 {
            lines.append("all cells: \(NumberText.grouped(Int(total.rounded()))) µm² synthesized")
        }
        return lines.joined(separator: "\n")
    }

    /// Copies (or decompresses) the Liberty file into the output folder, where yosys reads it
    /// without quoting; returns its name there.
    func copyLibrary(_ argument: String, into folder: URL) throws -> String {
        let path = URL(fileURLWithPath: argument).path  // tools run in `folder`: relative paths resolved here
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ValidationError("--liberty: cannot read \(path)")
        }
        let name = "cells.lib", destination = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: destination)
        if path.hasSuffix(".gz") {
            // Through the shell so that the library streams to its file, byte for byte.
            let result = try ExternalTool.run("sh", ["-c", "gzip -dc \"$1\" > \"$2\"", "sh", path, destination.path], in: folder,
                                     missing: "--liberty: a .gz library needs sh and gzip on PATH")
            guard result.status == 0 else {
                throw ValidationError("--liberty: cannot decompress \(path): "
                                      + result.output.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        } else {
            try FileManager.default.copyItem(atPath: path, toPath: destination.path)
        }
        return name
    }
}
