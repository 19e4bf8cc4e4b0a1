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

    /// Writes the Verilog of the design in `designFile` into `folder` with a table of which
    /// unique layers of `networks` its controller runs (docs/rtl.md): the mapper's split and the
    /// cost model's cycles for those it runs, the reason for the others; and, for each layer it
    /// runs, its register program and DRAM layout (`programs/NETWORK/LAYER.json`). A network that
    /// could not be read (a file moved since the sweep) is listed as such.
    static func writeRTL(designFile: URL, into folder: URL, networks: [StudyNetwork]) throws -> RTLOutcome {
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
                    var program = choice.program.json(modelCycles: choice.summary.cycles)
                    if case .object(let fields) = program {
                        program = .object([("network", .string(name)), ("layer", .string(layer.name)),
                                           ("shape", .string(layer.shapeSummary))] + fields)
                    }
                    try (program.rendered() + "\n").write(
                        to: programs.appendingPathComponent(FileName.component(layer.name) + ".json"),
                        atomically: true, encoding: .utf8)
                    table.append([name, layer.name, layer.shapeSummary, "yes",
                                  "\(choice.program.split.groups) channel group(s) × "
                                  + "\(choice.program.split.rowBlocks) row block(s)"
                                  + (choice.program.channelPasses > 1
                                     ? " in \(choice.program.channelPasses) channel passes" : "")
                                  + ", weights \(choice.program.weightSchedule.summary), cost model "
                                  + "\(NumberText.grouped(choice.summary.cycles)) cycles; program: "
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
            # register program and DRAM layout is in \(rtlProgramsFolderName)/NETWORK/LAYER.json.

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
