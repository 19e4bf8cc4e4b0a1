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
