import Foundation
import Testing

@Suite struct ModelCommandTests {
    static let fixtures = CLIRunner.repository.appendingPathComponent("Tests/MagnetMapperTests/Fixtures/timeloop-cases")

    @Test func timeloopJSONMatchesExpected() throws {
        let folder = Self.fixtures.appendingPathComponent("d_eyeriss_like_default_problem")
        let result = try CLIRunner.run(["model", "--timeloop", folder.appendingPathComponent("input.yaml").path,
                                        "--ert", folder.appendingPathComponent("ERT.yaml").path,
                                        "--art", folder.appendingPathComponent("ART.yaml").path, "--json"])
        #expect(result.status == 0)
        let got = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let want = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as? [String: Any])
        #expect(got["cycles"] as? Int == want["cycles"] as? Int)
        let gotLevels = try #require(got["levels"] as? [[String: Any]])
        let wantLevels = try #require(want["levels"] as? [[String: Any]])
        #expect(gotLevels.map { $0["name"] as? String } == wantLevels.map { $0["name"] as? String })
        #expect(gotLevels.map { $0["level_index"] as? Int } == wantLevels.map { $0["level_index"] as? Int })
    }

    @Test func templateModelRuns() throws {
        let result = try CLIRunner.run(["model", "--design", "examples/simba-like.yaml", "--network", "resnet50",
                                        "--layer", "layer1.0.conv2", "--mapping", "examples/simba-like-conv3x3.map.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("computes 115,605,504"))
    }

    @Test func unknownLayerIsSuggested() throws {
        let result = try CLIRunner.run(["model", "--design", "examples/simba-like.yaml", "--network", "resnet50",
                                        "--layer", "layer1.0.conv9", "--mapping", "examples/simba-like-conv3x3.map.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("network `resnet50` has no layer `layer1.0.conv9`; did you mean"))
    }

    @Test func conflictingOptionsAreRefused() throws {
        let result = try CLIRunner.run(["model", "--timeloop", "a.yaml", "--design", "b.yaml"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("give either --timeloop or --design, not both"))
    }
}
