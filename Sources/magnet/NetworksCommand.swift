import ArgumentParser
import MagnetCore
import MagnetWorkload

/// `magnet networks`: the built-in networks and network files.
struct NetworksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "networks",
        abstract: "List the built-in networks, or show one network's layers.",
        discussion: """
        Examples:
          magnet networks                         name, layers, unique shapes, MACs, parameters
          magnet networks --json                  the same as a JSON array
          magnet networks show resnet50           per-layer table
          magnet networks show examples/tiny-cnn.yaml --json
        """,
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the built-in networks with their MAC counts.",
            discussion: "Example:\n  magnet networks list --json")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print a JSON array of objects (keys: name, description, layers, unique_shapes, macs, parameters).")
        var json = false

        func run() throws {
            let networks = Zoo.all
            global.logger("magnet.networks").debug("listing \(networks.count) built-in networks")
            if json {
                print(JSONValue.array(networks.map(\.summaryJSON)).rendered())
                return
            }
            var table = TextTable(["network", "layers", "unique", "MACs", "parameters", "description"],
                                  alignments: [.left, .right, .right, .right, .right, .left])
            for network in networks {
                table.append([network.name, String(network.layers.count), String(network.uniqueShapes.count),
                              NumberText.grouped(network.macs), NumberText.grouped(network.parameters), network.summary])
            }
            print(table.rendered())
            print("\nMACs at batch 1 (conv, FC and matmul layers); parameters are weights without biases.")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every layer of a network: shape, MACs, weights and shape group.",
            discussion: """
            NETWORK is a built-in name (see `magnet networks`), a YAML/JSON file (docs/workloads.md) or an ONNX \
            model (docs/workloads.md, "ONNX models").

            Examples:
              magnet networks show resnet50
              magnet networks show examples/tiny-cnn.yaml --json
              magnet networks show model.onnx --input-shape input=1x3x224x224 --yaml > model.yaml
            """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "A built-in network name, or a path to a network file or an ONNX model.")
        var network: String
        @OptionGroup var networkOptions: NetworkOptions
        @Flag(help: "Print JSON: the summary keys plus layer_list and unique_shape_list.")
        var json = false
        @Flag(help: "Print the network as a network file (YAML) that reads back to the same layers.")
        var yaml = false

        func validate() throws {
            if json && yaml { throw ValidationError("give --json or --yaml, not both") }
        }

        func run() throws {
            let log = global.logger("magnet.networks")
            let net = try networkOptions.resolve(network, logger: log)
            log.debug("loaded \(net.name) with \(net.layers.count) layers")
            if json {
                print(net.detailJSON.rendered())
                return
            }
            if yaml {
                print(NetworkFile.yaml(net), terminator: "")
                return
            }
            let groups = net.uniqueShapes
            var groupOf: [String: Int] = [:]
            for (index, group) in groups.enumerated() { for name in group.layerNames { groupOf[name] = index + 1 } }
            print("\(net.name): \(net.summary)")
            var table = TextTable(["#", "layer", "type", "shape", "N G K C P Q R S", "MACs", "weights", "formats w/i/o", "shape group"],
                                  alignments: [.right, .left, .left, .left, .left, .right, .right, .left, .right])
            for (index, layer) in net.layers.enumerated() {
                let s = layer.shape
                let f = layer.formats
                table.append([String(index + 1), layer.name, layer.operation.rawValue, layer.shapeSummary,
                              [s.n, s.g, s.k, s.c, s.p, s.q, s.r, s.s].map(String.init).joined(separator: " "),
                              NumberText.grouped(layer.macs), NumberText.grouped(layer.parameters),
                              "\(f.weights.rawValue)/\(f.inputs.rawValue)/\(f.outputs.rawValue)",
                              String(groupOf[layer.name] ?? 0)])
            }
            print(table.rendered())
            print("\n\(net.layers.count) layers, \(groups.count) unique shapes, \(NumberText.grouped(net.macs)) MACs, \(NumberText.grouped(net.parameters)) weights")
        }
    }
}
