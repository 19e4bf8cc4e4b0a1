import Foundation
import Testing

@Suite struct ModelCommandTests {
    static let fixtures = CLIRunner.repository.appendingPathComponent("Tests/MagnetMapperTests/Fixtures/timeloop-cases")

    static let cases = ["m00_conv1d_1level", "m01_conv1d_2level_os", "m01_conv1d_2level_ws", "m02_conv1d_oc_2level_tiled",
                        "m03_conv1d_oc_3level_bypass", "m03_conv1d_oc_3level_no-bypass", "m04_conv1d_oc_3levelspatial_cp",
                        "m04_conv1d_oc_3levelspatial_kp", "d_eyeriss_like_default_problem", "d_simba_like_default_problem",
                        "d_simple_weight_stationary_default_problem", "d_simple_output_stationary_default_problem"]

    /// `magnet model --timeloop … --json` equals expected.json but for `source` and `halo_variant`.
    @Test(arguments: cases)
    func timeloopJSONEqualsExpected(name: String) throws {
        let folder = Self.fixtures.appendingPathComponent(name)
        let result = try CLIRunner.run(["model", "--timeloop", folder.appendingPathComponent("input.yaml").path,
                                        "--ert", folder.appendingPathComponent("ERT.yaml").path,
                                        "--art", folder.appendingPathComponent("ART.yaml").path, "--json"])
        #expect(result.status == 0)
        var got = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        var want = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as? [String: Any])
        for key in ["source", "halo_variant"] {
            got[key] = nil
            want[key] = nil
        }
        #expect(NSDictionary(dictionary: got).isEqual(to: want), "\(name)")
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
