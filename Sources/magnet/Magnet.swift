import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetStore

/// The `magnet` command: design neural-network accelerators.
@main
struct Magnet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "magnet",
        abstract: "Design neural-network accelerators: networks in, accelerator designs out.",
        discussion: """
        magnet describes networks the Timeloop way (loop dimensions, data spaces, projections), elaborates MAGNet-template design points into hardware models with per-component energy and area, counts every access of a mapping exactly as Timeloop does, and searches for the best mapping of every layer.

        Examples:
          magnet networks                                  list the built-in networks
          magnet networks show resnet50                    per-layer table of ResNet-50
          magnet design show examples/simba-like.yaml      the elaborated hardware
          magnet design validate my-design.yaml            check a design file
          magnet map --design examples/simba-like.yaml --network resnet50
                                                           best mapping of every layer
          magnet dataflows --design examples/simba-like.yaml --network resnet50
                                                           compare the five dataflows
          magnet model --timeloop input.yaml --ert ERT.yaml --json
                                                           Timeloop's statistics for a mapping
          magnet sweep examples/quickstart.yaml            search a design space (resumable)
          magnet status quickstart.db                      progress and best designs of a study
          magnet export quickstart.db --objective energy_per_inference_uJ --best-per "area_mm2<=0.5,1"
                                                           best design per area budget
        """,
        version: MagnetVersion.string,
        subcommands: [NetworksCommand.self, DesignCommand.self, ModelCommand.self, MapCommand.self, DataflowsCommand.self, ElaborateCommand.self,
                      SweepCommand.self, CoordinatorCommand.self, WorkerCommand.self, KeysCommand.self, StatusCommand.self, TrialsCommand.self, ParetoCommand.self, ExportCommand.self, ReportCommand.self, DashboardCommand.self,
                      BenchCommand.self]
    )

    /// Runs the command. Every failure — malformed arguments, an option out of range, bad input
    /// files, a study that does not match or is in use — is one `error:` line on stderr and exit
    /// status 1 (`--help` and `--version` print as usual; a command that exits with a status of
    /// its own, such as a failed check, keeps it).
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            fail(message(for: error) + " (see `magnet help` and `magnet VERB --help`)")
        }
        do {
            try command.run()
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            // `magnet VERB --help` parses as a help command whose run throws to print the help.
            if exitCode(for: error) == .success { exit(withError: error) }
            fail(ErrorText.describe(error))
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(1)
    }
}

/// The version printed by `magnet --version`.
enum MagnetVersion {
    static let string = "0.1.0"
}
