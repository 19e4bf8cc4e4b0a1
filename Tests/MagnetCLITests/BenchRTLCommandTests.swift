import Foundation
import MagnetCore
import Testing

/// `magnet bench rtl`: per layer, the controller's cycles beside the cost model's; with
/// `--simulate`, each testbench run and its cycles checked against the prediction.
@Suite struct BenchRTLCommandTests {
    /// Every small RTL layer simulates bit-exact under iverilog, in the cycles the table predicts,
    /// and the ratio column is the ratio of the two cycle counts.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/iverilog"), "needs iverilog"))
    func simulatesEveryLayerInThePredictedCycles() throws {
        let run = try CLIRunner.run(["bench", "rtl", "--design", "examples/simba-like.yaml", "--network",
                                     "examples/rtl-layers.yaml", "--simulate", "iverilog", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        guard case .array(let rows) = try JSONValue(parsing: run.stdout) else { Issue.record("not a list"); return }
        #expect(rows.count == 4)
        for row in rows {
            #expect(row["passed"] == .bool(true), "\(row.rendered())")
            let rtl = try #require(row["rtl_cycles"]?.doubleValue), model = try #require(row["model_cycles"]?.doubleValue)
            #expect(row["simulated_cycles"]?.doubleValue == rtl, "\(row.rendered())")
            #expect(abs((row["rtl_over_model"]?.doubleValue ?? 0) - rtl / model) < 1e-9)
        }
    }

    /// Full-size ResNet-50 layers are tiled; the two whose weights exceed a lane's bank are
    /// listed as refused with the numbers.
    @Test func tilesResNetAndListsWhatItRefuses() throws {
        let run = try CLIRunner.run(["bench", "rtl", "--design", "examples/simba-like.yaml", "--network", "resnet50"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("22 of 24 unique layers run"), "\(run.stdout)")
        #expect(run.stdout.contains("layer4.1.conv2: layer: not supported by the RTL generator yet: R·S·CT = 576 weight vectors per lane must fit a weight-buffer bank"))
        let conv2 = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("layer1.0.conv2 ") })
        #expect(conv2.contains("403,613"), "\(conv2)")
    }

    /// Without the simulator on PATH, one error line names the option and the simulator, and
    /// nothing is printed as if it had run.
    @Test func aMissingSimulatorIsOneErrorLine() throws {
        let run = try CLIRunner.run(["bench", "rtl", "--design", "examples/simba-like.yaml", "--network",
                                     "examples/rtl-layers.yaml", "--simulate", "verilator"],
                                    environment: ["PATH": "/nonexistent"])
        #expect(run.status != 0)
        let lines = run.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1 && lines[0].hasPrefix("error: --simulate verilator: "), "\(run.stderr)")
        #expect(!run.stdout.contains("PASS"))
    }
}
