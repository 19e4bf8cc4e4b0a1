import Foundation
import Testing

@Suite struct DesignCommandTests {
    @Test func showJSONHasTheElaboratedHardware() throws {
        let result = try CLIRunner.run(["design", "show", "examples/simba-like.yaml", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["mac_count"] as? Int == 1024)
        #expect(abs((object["peak_tops"] as? Double ?? 0) - 4.096) < 1e-9)
        // The parameters use the design file's keys (sizes in bytes), as the metrics' names do.
        let parameters = try #require(object["parameters"] as? [String: Any])
        #expect(parameters["weightBuffer"] as? Int == 32 * 1024 && parameters["globalBuffer"] as? Int == 64 * 1024)
        #expect(parameters["weightBufferBytes"] == nil)
        let levels = try #require(object["levels"] as? [[String: Any]])
        #expect(levels.map { $0["name"] as? String } == ["WeightCollector", "AccumulationCollector", "InputCollector",
                                                         "AccumulationBuffer", "WeightBuffer", "InputBuffer", "GlobalBuffer", "DRAM"])
        let breakdown = try #require(object["area_breakdown_mm2"] as? [String: Double])
        let area = try #require(object["area_mm2"] as? Double)
        #expect(abs(breakdown.values.reduce(0, +) - area) < 1e-9)
    }

    @Test func showTextHasTheSummary() throws {
        let result = try CLIRunner.run(["design", "show", "examples/simba-like.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("peak 4.10 TOPS"))
        #expect(result.stdout.contains("area breakdown:"))
    }

    /// A named DRAM type is shown with its channels, energies and source, and `--json`'s
    /// parameters carry it so that they read back as the same design.
    @Test func showNamesTheDRAMType() throws {
        let plain = try CLIRunner.run(["design", "show", "examples/simba-like.yaml"])
        #expect(plain.stdout.contains("DRAM 25.6 GB/s at the 16nm table's energy per bit (no `dram` type)"))
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("magnet-dram-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        let simba = try String(contentsOf: CLIRunner.repository.appendingPathComponent("examples/simba-like.yaml"),
                               encoding: .utf8)
        try simba.replacingOccurrences(of: "dramBandwidthGBps: 25.6", with: "dram: lpddr4\ndramChannels: 4")
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = try CLIRunner.run(["design", "show", path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("DRAM 25.6 GB/s of 4 lpddr4 channels (6.4 GB/s peak each), read 9.38 / "
            + "write 7.98 pJ/bit (Micron 6 Gb LPDDR4-3200 x16 channel (die A) datasheet currents"))
        let json = try CLIRunner.run(["design", "show", path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let parameters = try #require(object["parameters"] as? [String: Any])
        #expect(parameters["dram"] as? String == "lpddr4" && parameters["dramChannels"] as? Int == 4)
        #expect(abs((parameters["dramBandwidthGBps"] as? Double ?? 0) - 25.6) < 1e-12)
        #expect(abs((object["requantize_pJ_per_output"] as? Double ?? 0) - 0.374) < 0.001)
    }

    @Test func validateReportsEveryProblemWithItsLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-cli-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        try """
        numPEs: 16
        lanes: 8
        vectorSize: 8
        weightBuffer: 16 B
        inputBuffer: 8 KiB
        accumulationBuffer: 3 KiB
        globalBuffer: 64 KiB
        dramBandwidthGBps: 25.6
        technology: 16mn
        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CLIRunner.run(["design", "validate", path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines == [
            "error: \(path):4:15: weightBuffer: 16 B cannot hold one weight vector per lane (8 × 8 × 8 bits = 64 B)",
            "error: \(path):9:13: technology: unknown technology node `16mn`; known: 65nm, 45nm, 28nm, 16nm, 7nm, or a path to a table file; did you mean `16nm`?",
        ])
    }

    @Test func validateOK() throws {
        let result = try CLIRunner.run(["design", "validate", "examples/simba-like.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout == "examples/simba-like.yaml: ok\n")
    }

    @Test func malformedFileIsOneLineNoTrace() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-cli-bad-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        try "numPEs: [16\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CLIRunner.run(["design", "show", path])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.hasPrefix("error: \(path):"))
        #expect(result.stderr.contains("syntax error"))
    }
}
