import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

extension BenchCommand {
    /// `magnet bench rtl`: per unique layer of a network, the generated controller's cycles
    /// against the cost model's for the same mapping, and optionally a simulation of each.
    struct RTL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rtl",
            abstract: "Per layer: the generated accelerator's cycles against the cost model's, optionally simulated.",
            discussion: """
            For each unique layer shape of --network, takes the mapping the mapper chooses from the controller's map space, by EDP on the generated hardware (magnet elaborate --testbench does the same), and prints its tiles, when the weights load (every tile, once: resident, or once per pass with the tiles inside the passes), the controller's cycles (RTLLayerProgram.expectedCycles, exact: every simulation checks it) and the cost model's for that mapping. With --simulate it writes each layer's testbench into a scratch folder, runs it under Verilator (or Icarus Verilog), and adds whether it passed bit-exact, the simulated cycles and the simulation's seconds and cycles per second. Layers the controller cannot run are listed with the reason (docs/rtl.md). When every layer runs, a last line gives the whole network on the generated hardware: each unique layer times its count, the controller's cycles and milliseconds, the model's cycles for the same mappings, and the energy per inference (the model's for the accesses, leakage and clocking over the controller's cycles).

            Example:
              swift build -c release
                  && .build/release/magnet bench rtl --design examples/simba-like.yaml --network resnet50
            """)

        /// The simulator that runs each testbench.
        enum Simulator: String, ExpressibleByArgument, CaseIterable {
            case verilator, iverilog

            /// The testbench's script for this simulator.
            var script: String { "run_\(rawValue).sh" }
        }

        @OptionGroup var global: GlobalOptions
        @Option(help: "The design file.")
        var design = "examples/simba-like.yaml"
        @Option(help: "A built-in network name or a network file.")
        var network = "resnet50"
        @Option(help: "Simulate each layer under this simulator (verilator or iverilog).")
        var simulate: Simulator?
        @Option(help: "Seed for the testbenches' random weights and inputs.")
        var seed: UInt64 = 1
        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let point = try DesignFile.load(path: design)
            let hardware = try point.elaborate()
            let net = try NetworkFile.resolve(network)
            let scratch = FileManager.default.temporaryDirectory
                .appendingPathComponent("magnet-bench-rtl-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            if simulate != nil { try RTLFile.write(try TopEmitter(design: point).emit(), to: scratch) }
            var columns = ["layer", "shape", "split", "tiles", "C passes", "weights", "RTL cycles", "model cycles", "RTL / model"]
            if simulate != nil { columns += ["simulated", "sim s", "cycles/s"] }
            var table = TextTable(columns, alignments: [.left, .left, .left, .left, .right, .left]
                                  + Array(repeating: .right, count: columns.count - 6))
            var rows: [JSONValue] = []
            var ran = 0, runnable = 0
            // The whole network: each unique layer times the layers of its shape.
            var networkCycles = 0, networkModelCycles = 0, networkEnergyPJ = 0.0
            var refusals: [String] = []
            for shape in net.uniqueShapes {
                let layer = shape.representative
                let choice: RTLLayerProgram.Choice
                do {
                    choice = try RTLLayerProgram.mapped(design: point, shape: layer.shape, hardware: hardware)
                } catch {
                    let reason = ErrorText.describe(error)
                    table.append([layer.name, layer.shapeSummary, "—", "—", "—", "—", "refused"]
                                 + Array(repeating: "", count: columns.count - 7))
                    refusals.append("\(layer.name): \(reason)")
                    rows.append(.object([("layer", .string(layer.name)), ("refused", .string(reason))]))
                    continue
                }
                runnable += 1
                let program = choice.program, model = choice.summary.cycles
                let count = shape.layerNames.count
                networkCycles += program.expectedCycles * count
                networkModelCycles += model * count
                networkEnergyPJ += choice.controllerSummary.energyPJ * Double(count)
                let ratio = Double(program.expectedCycles) / Double(model)
                var cells = [layer.name, layer.shapeSummary,
                             "\(program.split.groups)×\(program.split.rowBlocks)",
                             "\(program.bands)×\(program.columnTiles)", "\(program.channelPasses)",
                             program.weightSchedule.label + (program.banks.weights ? ", ahead" : ""),
                             NumberText.grouped(program.expectedCycles), NumberText.grouped(model),
                             NumberText.fixed(ratio, 2)]
                var fields: [(String, JSONValue)] = [
                    ("layer", .string(layer.name)), ("groups", .int(program.split.groups)),
                    ("row_blocks", .int(program.split.rowBlocks)), ("bands", .int(program.bands)),
                    ("column_tiles", .int(program.columnTiles)), ("channel_passes", .int(program.channelPasses)),
                    ("weight_schedule", .string(program.weightSchedule.rawValue)),
                    ("weights_ahead", .bool(program.banks.weights)),
                    ("rtl_cycles", .int(program.expectedCycles)),
                    ("model_cycles", .int(model)), ("rtl_over_model", .double(ratio)),
                    ("layers", .int(count)), ("controller_energy_pJ", .double(choice.controllerSummary.energyPJ)),
                ]
                if let simulate {
                    let result = try Self.simulate(program, model: model, seed: seed, in: scratch, with: simulate)
                    if result.passed && result.cycles == program.expectedCycles { ran += 1 }
                    let predicted = result.cycles == program.expectedCycles
                    let verdict = result.passed ? (predicted ? "PASS" : "PASS, cycles differ") : "FAIL"
                    cells += [verdict, NumberText.fixed(result.seconds, 1),
                              NumberText.grouped(Int((Double(result.cycles ?? 0) / result.seconds).rounded()))]
                    fields += [("passed", .bool(result.passed)), ("simulated_cycles", .optional(result.cycles)),
                               ("simulation_seconds", .double(result.seconds))]
                }
                table.append(cells)
                rows.append(.object(fields))
                if !json && simulate != nil {
                    FileHandle.standardError.write(Data("\(layer.name) done\n".utf8))
                }
            }
            if json {
                print(JSONValue.array(rows).rendered())
                return
            }
            print("\(point.name), \(net.name): cycles of the generated controller and of the cost model "
                  + "for the same mapping")
            print(table.rendered())
            if !refusals.isEmpty { print("refused:\n" + refusals.map { "  " + $0 }.joined(separator: "\n")) }
            var summary = "\(runnable) of \(net.uniqueShapes.count) unique layers run"
            if let simulate {
                summary += "; \(ran) passed bit-exact in the predicted cycles under \(simulate.rawValue)"
            }
            print(summary)
            if runnable == net.uniqueShapes.count {
                let milliseconds = Double(networkCycles) / (point.clockGHz * 1e6)
                print("\(net.name) on the generated hardware, its \(net.layers.count) layers one after another: "
                      + "\(NumberText.grouped(networkCycles)) controller cycles (\(NumberText.fixed(milliseconds, 3)) ms "
                      + "at \(NumberText.fixed(point.clockGHz, 2)) GHz; the cost model: "
                      + "\(NumberText.grouped(networkModelCycles)) for the same mappings), "
                      + "\(NumberText.fixed(networkEnergyPJ / 1e6, 1)) µJ per inference (the model's energy for "
                      + "their accesses, leakage and clocking over the controller's cycles)")
            }
        }

        /// Runs one layer's testbench; whether it printed PASS, the cycles it printed, and the
        /// seconds the script took (compilation included).
        static func simulate(_ program: RTLLayerProgram, model: Int, seed: UInt64, in folder: URL,
                             with simulator: Simulator) throws -> (passed: Bool, cycles: Int?, seconds: Double) {
            try RTLTestbench(program: program, seed: seed, modelCycles: model).write(to: folder)
            let began = Date()
            let (status, output) = try ExternalTool.run(
                folder.appendingPathComponent(simulator.script).path, [], in: folder,
                missing: "--simulate \(simulator.rawValue): needs \(simulator.rawValue) on PATH "
                    + "(apt-get install \(simulator.rawValue))")
            let seconds = Date().timeIntervalSince(began)
            if status != 0 && !output.contains("PASS") && !output.contains("FAIL") {
                throw ValidationError("--simulate \(simulator.rawValue): \(simulator.script) failed: "
                                      + output.split(whereSeparator: \.isNewline).prefix(3).joined(separator: " "))
            }
            let cycles = output.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cycles ") }
                .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) }
            return (output.contains("PASS"), cycles, seconds)
        }
    }
}
