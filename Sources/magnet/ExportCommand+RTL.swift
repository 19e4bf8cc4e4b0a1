import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetSweep
import MagnetWorkload

extension ExportCommand {
    /// What `export --rtl` wrote for one design.
    enum RTLOutcome {
        /// The Verilog and `layers.txt`: how many of the study's unique layer shapes the
        /// controller runs, of how many.
        case written(layersRun: Int, layers: Int)
        /// No RTL: why (a data format or shape the generator does not support yet).
        case refused(String)

        /// The `rtl` entry of summary.json.
        var json: JSONValue {
            switch self {
            case let .written(run, layers):
                return .object([("directory", .string(ExportCommand.rtlFolderName)), ("layers_run", .int(run)),
                                ("layers", .int(layers))])
            case let .refused(reason):
                return .object([("refused", .string(reason))])
            }
        }
    }

    /// The folder, inside a design's folder, that `--rtl` writes.
    static let rtlFolderName = "rtl"
    /// The table of which layers the RTL runs, inside ``rtlFolderName``.
    static let rtlLayersFileName = "layers.txt"
    /// The folder of register programs, inside ``rtlFolderName``: NETWORK/LAYER.json.
    static let rtlProgramsFolderName = "programs"
    /// The folder of testbenches, inside ``rtlFolderName``: NETWORK/LAYER/.
    static let rtlTestbenchesFolderName = "testbenches"

    /// Which layers `--rtl-testbench` asked a testbench for.
    enum TestbenchChoice {
        /// None.
        case none
        /// Every layer the controller runs.
        case all
        /// These unique layers: network name and the name of the layer that represents the shape.
        case layers(Set<LayerName>)

        /// A network's layer by name.
        struct LayerName: Hashable {
            var network: String, layer: String
        }

        /// Resolves `--rtl-testbench` values against the study's networks: each NETWORK:LAYER
        /// names a network of the study and a layer of it (any layer: its shape's testbench).
        init(_ values: [String], networks: [StudyNetwork]) throws {
            if values.isEmpty { self = .none; return }
            if values.contains("all") { self = .all; return }
            var chosen: Set<LayerName> = []
            for value in values {
                let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
                let (networkName, layerName) = (parts[0], parts.count > 1 ? parts[1] : "")
                guard let entry = networks.first(where: { $0.name == networkName }) else {
                    var message = "--rtl-testbench \(value): the study has no network `\(networkName)`"
                    if let near = NearestName.suggestion(for: networkName, among: networks.map(\.name)) {
                        message += "; did you mean `\(near)`?"
                    }
                    throw ValidationError(message)
                }
                let network: Network
                switch entry.network {
                case .success(let read): network = read
                case .failure(let error):
                    throw ValidationError("--rtl-testbench \(value): cannot read \(entry.source): \(oneLine(error))")
                }
                guard let shape = network.uniqueShapes.first(where: { $0.layerNames.contains(layerName) }) else {
                    var message = "--rtl-testbench \(value): network `\(networkName)` has no layer `\(layerName)`"
                    if let near = NearestName.suggestion(for: layerName, among: network.layers.map(\.name)) {
                        message += "; did you mean `\(near)`?"
                    }
                    throw ValidationError(message)
                }
                chosen.insert(LayerName(network: networkName, layer: shape.representative.name))
            }
            self = .layers(chosen)
        }

        /// Whether `layer` (a shape's representative) of `network` gets a testbench.
        func includes(network: String, layer: String) -> Bool {
            switch self {
            case .none: false
            case .all: true
            case .layers(let names): names.contains(LayerName(network: network, layer: layer))
            }
        }
    }

    /// Writes the Verilog of the design in `designFile` into `folder` with a table of which
    /// unique layers of `networks` its controller runs (docs/rtl.md): the mapper's split and the
    /// cost model's cycles for those it runs, the reason for the others; and, for each layer it
    /// runs, its register program and DRAM layout (`programs/NETWORK/LAYER.json`), and the
    /// `testbenches` asked for (`testbenches/NETWORK/LAYER/`, whose files.f names the Verilog two
    /// folders up). A network that could not be read (a file moved since the sweep) is listed as
    /// such.
    static func writeRTL(designFile: URL, into folder: URL, networks: [StudyNetwork],
                         testbenches: TestbenchChoice = .none) throws -> RTLOutcome {
        let point = try DesignFile.load(path: designFile.path)
        let files: [RTLFile]
        do {
            files = try TopEmitter(design: point).emit()
        } catch let error as RTLUnsupported {
            return .refused(error.description)
        }
        try RTLFile.write(files, to: folder)
        let hardware = try point.elaborate()
        var table = TextTable(["network", "layer", "shape", "runs", "detail"],
                              alignments: [.left, .left, .left, .left, .left])
        var run = 0, layers = 0
        for entry in networks {
            let name = entry.name
            let network: Network
            switch entry.network {
            case .success(let read): network = read
            case .failure(let error):
                table.append([name, "—", "—", "unknown", "cannot read \(entry.source): \(oneLine(error))"])
                continue
            }
            for shape in network.uniqueShapes {
                let layer = shape.representative
                layers += 1
                do {
                    let choice = try RTLLayerProgram.mapped(design: point, shape: layer.shape, hardware: hardware)
                    run += 1
                    // Network and layer names come from the user's files: one safe component each.
                    let programs = folder.appendingPathComponent(rtlProgramsFolderName)
                        .appendingPathComponent(FileName.component(name))
                    try FileManager.default.createDirectory(at: programs, withIntermediateDirectories: true)
                    let program = JSONValue.object([("network", .string(name)), ("layer", .string(layer.name)),
                                                    ("shape", .string(layer.shapeSummary))]
                                                   + choice.program.jsonFields(modelCycles: choice.summary.cycles))
                    try (program.rendered() + "\n").write(
                        to: programs.appendingPathComponent(FileName.component(layer.name) + ".json"),
                        atomically: true, encoding: .utf8)
                    // The same program as a mapping (of the layer padded to the hardware), which
                    // `magnet model` evaluates and `magnet elaborate --mapping` compiles back.
                    try choice.program.mappingYAML(on: hardware)
                        .write(to: programs.appendingPathComponent(FileName.component(layer.name) + ".mapping.yaml"),
                               atomically: true, encoding: .utf8)
                    if testbenches.includes(network: name, layer: layer.name) {
                        let bench = folder.appendingPathComponent(rtlTestbenchesFolderName)
                            .appendingPathComponent(FileName.component(name))
                            .appendingPathComponent(FileName.component(layer.name))
                        try FileManager.default.createDirectory(at: bench, withIntermediateDirectories: true)
                        try RTLTestbench(program: choice.program, seed: 1, modelCycles: choice.summary.cycles)
                            .write(to: bench)
                        let modules = files.map { "../../../" + $0.name }
                        try (modules.joined(separator: "\n") + "\n").write(
                            to: bench.appendingPathComponent(RTLFile.listName), atomically: true, encoding: .utf8)
                    }
                    table.append([name, layer.name, layer.shapeSummary, "yes",
                                  "\(choice.program.split.groups) channel group(s) × "
                                  + "\(choice.program.split.rowBlocks) row block(s)"
                                  + (choice.program.channelPasses > 1
                                     ? " in \(choice.program.channelPasses) channel passes" : "")
                                  + ", weights \(choice.program.weightSchedule.summary), controller "
                                  + "\(NumberText.grouped(choice.program.expectedCycles)) cycles, cost model "
                                  + "\(NumberText.grouped(choice.summary.cycles)); program: "
                                  + "\(rtlProgramsFolderName)/\(FileName.component(name))/\(FileName.component(layer.name)).json; "
                                  + "testbench: magnet elaborate "
                                  + "../design.yaml -o tb/ --testbench \(entry.source):\(layer.name)"])
                } catch {
                    table.append([name, layer.name, layer.shapeSummary, "no", oneLine(error)])
                }
            }
        }
        let header = """
            # Which unique layers of the study's networks the generated controller runs (docs/rtl.md).
            # It runs a layer whose weights for one pass over a share of the input channels and whose
            # input for one tile of outputs fit its buffers. \(run) of \(layers) run; each one's
            # register program and DRAM layout is in \(rtlProgramsFolderName)/NETWORK/LAYER.json, its
            # mapping (of the layer padded to the hardware) in LAYER.mapping.yaml.

            """
        try (header + table.rendered() + "\n").write(to: folder.appendingPathComponent(rtlLayersFileName),
                                                     atomically: true, encoding: .utf8)
        return .written(layersRun: run, layers: layers)
    }

    /// An error's text on one line, for a table cell.
    private static func oneLine(_ error: Error) -> String {
        ErrorText.describe(error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// A study's network for `--rtl`: read once for every design exported.
    struct StudyNetwork {
        /// Its name and how the sweep named it.
        var name: String, source: String
        /// The network, or why it could not be read.
        var network: Result<Network, Error>

        /// The networks of `view`, each read once.
        static func all(of view: StudyView) -> [StudyNetwork] {
            view.networks().map { StudyNetwork(name: $0.name, source: $0.source, network: $0.network) }
        }
    }
}
