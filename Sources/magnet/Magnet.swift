import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner

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
        """,
        version: MagnetVersion.string,
        subcommands: [NetworksCommand.self, DesignCommand.self, ModelCommand.self, MapCommand.self, DataflowsCommand.self, BenchCommand.self]
    )

    /// Runs the command; input errors become one `error:` line on stderr and exit status 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ConfigError {
            fail(error.description)
        } catch let error as DesignProblem {
            fail(error.description)
        } catch {
            exit(withError: error)
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
