import Foundation
import Testing

@Suite struct NetworksCommandTests {
    @Test func jsonListsTheZooWithPublishedMACs() throws {
        let result = try CLIRunner.run(["networks", "--json"])
        #expect(result.status == 0)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        var macs: [String: Int] = [:]
        for entry in entries { macs[entry["name"] as! String] = entry["macs"] as? Int }
        #expect(macs["resnet50"] == 4_089_184_256)
        #expect(macs["vgg16"] == 15_470_264_320)
        #expect(macs["resnet18"] == 1_814_073_344)
        #expect(Set(macs.keys) == ["alexnet", "resnet18", "resnet50", "vgg16", "mobilenet_v2", "pilotnet", "bert_base"])
    }

    @Test func textTableHasEveryNetwork() throws {
        let result = try CLIRunner.run(["networks"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("4,089,184,256"))
        #expect(result.stdout.contains("bert_base"))
    }

    @Test func showAFile() throws {
        let result = try CLIRunner.run(["networks", "show", "examples/tiny-cnn.yaml", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "tiny-cnn")
        #expect((object["layer_list"] as? [Any])?.count == 6)
    }

    @Test func unknownNetworkIsOneClearLine() throws {
        let result = try CLIRunner.run(["networks", "show", "resnet5"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: resnet5: unknown network `resnet5`") == true)
    }

    @Test func helpHasAnExample() throws {
        let result = try CLIRunner.run(["networks", "show", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains("--log-level"))
    }
}

/// `networks show` and `map` read ONNX models (scripts/onnx-example.py writes one with onnx's
/// helper: a symbolic batch, a convolution and a classifier).
@Suite struct ONNXCommandTests {
    static func model() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("example.onnx").path
        let python = ProcessInfo.processInfo.environment["MAGNET_PYTHON"] ?? ".venv/bin/python"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["scripts/onnx-example.py", path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(python) could not write an ONNX model: run `make venv`")
        return path
    }

    @Test func showAndMapAnONNXModel() throws {
        let model = try Self.model()
        // The symbolic batch is one clear line naming the input and the option.
        let refused = try CLIRunner.run(["networks", "show", model])
        #expect(refused.status == 1 && refused.stdout.isEmpty)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("graph input `image` has symbolic dimensions (batch×3×16×16)"))
        #expect(lines.first?.contains("--input-shape image=1x3x16x16") == true, "\(refused.stderr)")

        let shown = try CLIRunner.run(["networks", "show", model, "--input-shape", "image=2x3x16x16", "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "example")
        // 2 × (8·16·16·27) + 2 × 2048·10.
        #expect(object["macs"] as? Int == 2 * 8 * 16 * 16 * 27 + 2 * 2048 * 10)

        // As a network file, it maps to the same figures as the model itself.
        let yaml = try CLIRunner.run(["networks", "show", model, "--input-shape", "image=2x3x16x16", "--yaml"])
        let file = URL(fileURLWithPath: model).deletingLastPathComponent().appendingPathComponent("example.yaml").path
        try yaml.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        func map(_ network: String, _ extra: [String]) throws -> Double {
            let result = try CLIRunner.run(["map", "--design", "examples/simba-like.yaml", "--network", network,
                                            "--budget", "300", "--json"] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return try #require((object?["network"] as? [String: Any])?["energy_pJ"] as? Double)
        }
        #expect(try map(model, ["--input-shape", "image=2x3x16x16"]) == (try map(file, [])))

        // A file that is not ONNX is one line too.
        try "not a model".write(toFile: model, atomically: true, encoding: .utf8)
        let bad = try CLIRunner.run(["networks", "show", model])
        #expect(bad.status == 1 && bad.stderr.split(separator: "\n").count == 1)
        #expect(bad.stderr.contains("not an ONNX model"), "\(bad.stderr)")
    }

    /// Bad `--input-shape` and output options: one `error:` line each.
    @Test func badNetworkOptionsAreOneLine() throws {
        let cases: [([String], String)] = [
            (["networks", "show", "resnet50", "--input-shape", "x=1x2"],
             "error: --input-shape is for ONNX models; `resnet50` is not one"),
            (["networks", "show", "resnet50", "--input-shape", "x=1xa"],
             "error: --input-shape `x=1xa`: expected NAME=DIMS, dimensions positive and joined by x (e.g. "
                + "input=1x3x224x224)"),
            (["networks", "show", "resnet50", "--input-shape", "x=1x2", "--input-shape", "x=1x3"],
             "error: --input-shape names `x` twice"),
            (["networks", "show", "resnet50", "--json", "--yaml"], "error: give --json or --yaml, not both"),
            (["dashboard", "study.db", "--port", "70000"], "error: --port must be in 0...65535"),
            (["dashboard", "study.db", "--interval", "0"], "error: --interval must be in 0.2...3600 seconds"),
        ]
        for (arguments, message) in cases {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 1 && result.stdout.isEmpty, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix(message),
                    "\(arguments): \(result.stderr)")
        }
    }
}
