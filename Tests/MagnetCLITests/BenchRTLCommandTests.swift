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

    /// Full-size ResNet-50 layers are tiled: all 24 run on the Simba-like design, the two 3×3
    /// layers over 512 channels (576 weight vectors per lane against a 512-deep bank) in channel
    /// passes, the tiles inside the passes; layer1.0.conv2's weights stay in the banks across its
    /// tiles (the mapper's choices over the controller's whole map space). With an eighth of its input buffer, the layers whose tile of one output needs more
    /// input than the buffer holds, and whose partial sums cannot stay in the accumulation banks
    /// across channel passes, are listed as refused with the numbers.
    @Test func tilesResNetAndListsWhatItRefuses() throws {
        let run = try CLIRunner.run(["bench", "rtl", "--design", "examples/simba-like.yaml", "--network", "resnet50"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("24 of 24 unique layers run"), "\(run.stdout)")
        let rows = run.stdout.split(separator: "\n")
        let conv2 = try #require(rows.first { $0.hasPrefix("layer1.0.conv2 ") })
        // 8 groups × 2 row blocks, 4×28 tiles of 14×2 outputs, 1 K pass, weights resident. By hand
        // (docs/rtl.md, "Cycles"): W = 16·4·8 = 512 input words, which fit one of the two 512-word
        // input banks; n = 7·2 = 14 pixels, which fit one of the two 64-word accumulation banks;
        // Wₜ = 8·8·72 = 4,608; C = 14·72 + 4 + 3 = 1,015; a read-out 16·14 + 2 = 226. The first tile
        // loads its input (514), the weights (4,610; its input went into the PEs as it loaded) and
        // computes (1,015); each of the 111 others finds its input loaded and in the PEs (fetched
        // during the compute before it: 1 cycle, then 1 to start) and computes while the tile
        // before it is read out of the other accumulation bank; the last read-out ends the run:
        // 514 + 4,610 + 1,015 + 111·(1 + 1 + 1,015) + 226.
        #expect(conv2.contains("8×2") && conv2.contains("4×28") && conv2.contains("resident")
                    && conv2.contains("119,252"), "\(conv2)")
        let wide = try #require(rows.first { $0.hasPrefix("layer4.1.conv2 ") })
        // 16 groups, the whole 7×7 output in one tile (n = 49 pixels per PE), 4 K passes × 8 channel
        // passes of 9·8 = 72 steps, the tiles inside the passes: the tile holds a pass's 9·9·8 = 648
        // input words (more than one 512-word input bank: copied into the PEs, max(W, w) + 2) and
        // keeps its partial sums across the channel passes; a pass's Wₜ = 16·8·72 = 9,216 weight
        // words fit one 256-word bank per lane, so from a pass's compute phase (C = 49·72 + 4 + 3 =
        // 3,535) the next pass's load into the other bank in the 3,535 − 648 = 2,887 cycles the
        // global buffer's loader leaves, and 1 more in the next LOAD_GB (its input fetched during
        // the compute); the next pass's PREPARE loads the other 6,328 (6,330). The first tile loads
        // its input (650) and weights (9,218); a K pass's read-out (16·49 + 2 = 786) runs beside the
        // next PREPARE; the last ends the run: 650 + 9,218 + 3,535 + 31·(1 + 6,330 + 3,535) + 786.
        #expect(wide.contains("1×1") && wide.split(separator: " ").contains("8") && wide.contains("per pass, ahead")
                    && wide.contains("320,035"), "\(wide)")

        // The whole network: every unique layer times its count (54 layers), the sum of the rows.
        let json = try CLIRunner.run(["bench", "rtl", "--design", "examples/simba-like.yaml", "--network", "resnet50",
                                      "--json"])
        guard case .array(let table) = try JSONValue(parsing: json.stdout) else { Issue.record("not a list"); return }
        func int(_ row: JSONValue, _ key: String) -> Int { row[key]?.doubleValue.map { Int($0) } ?? -1 }
        #expect(table.reduce(0) { $0 + int($1, "layers") } == 54)
        let total = table.reduce(0) { $0 + int($1, "rtl_cycles") * int($1, "layers") }
        let model = table.reduce(0) { $0 + int($1, "model_cycles") * int($1, "layers") }
        let energy = table.reduce(0.0) { $0 + ($1["controller_energy_pJ"]?.doubleValue ?? 0) * Double(int($1, "layers")) }
        #expect(energy > 0)
        #expect(run.stdout.contains("resnet50 on the generated hardware, its 54 layers one after another: "
            + "\(NumberText.grouped(total)) controller cycles (\(NumberText.fixed(Double(total) / 2e6, 3)) ms at 2.00 GHz; "
            + "the cost model: \(NumberText.grouped(model)) for the same mappings), "
            + "\(NumberText.fixed(energy / 1e6, 1)) µJ per inference"), "\(run.stdout)")

        let source = try String(contentsOfFile: CLIRunner.repository.appendingPathComponent("examples/simba-like.yaml").path,
                                encoding: .utf8)
        let small = FileManager.default.temporaryDirectory
            .appendingPathComponent("magnet-rtl-small-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        try source.replacingOccurrences(of: "inputBuffer: 8 KiB", with: "inputBuffer: 1 KiB")
            .write(toFile: small, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: small) }
        let refused = try CLIRunner.run(["bench", "rtl", "--design", small, "--network", "resnet50"])
        #expect(refused.status == 0, "\(refused.stderr)")
        // The layers over 512 channels run in channel passes, each holding its channels' input;
        // those over 128 channels at 28×28 would need a PE's 784 partial sums kept across them.
        #expect(refused.stdout.contains("22 of 24 unique layers run"), "\(refused.stdout)")
        #expect(!refused.stdout.contains("on the generated hardware"), "no network total without every layer")
        #expect(refused.stdout.contains("layer2.1.conv2: layer: not supported by the RTL generator yet: the padded input "
            + "of a tile of 1×1 outputs (3×3×16 vectors) must fit each PE's input buffer: needs 144 words, has 128 "
            + "(even in tiles of one output row per PE and one column, one channel vector per pass); with the tiles "
            + "inside the passes, every tile's 28×28 partial sums per lane, kept across 16 channel passes, must fit a "
            + "lane's accumulation buffer: needs 784 words, has 128"), "\(refused.stdout)")
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
