import Testing
@testable import MagnetCore
@testable import MagnetDesigner

@Suite struct DesignFileTests {
    @Test func simbaExampleLoads() throws {
        let point = try DesignFile.load(path: examplesDirectory.appendingPathComponent("simba-like.yaml").path)
        var expected = simbaLike()
        expected.name = "simba-like"
        #expect(point == expected)
    }

    @Test func eyerissExampleLoadsAsA65nmDesignAtOneVolt() throws {
        let point = try DesignFile.load(path: examplesDirectory.appendingPathComponent("eyeriss-like.yaml").path)
        #expect(point.validate().isEmpty)
        #expect(point.macCount == 168 && point.peRows == 12 && point.peColumns == 14)
        #expect(point.technology == "65nm" && point.voltageV == 1.0 && point.clockGHz == 0.2)
        #expect(point.weightBufferBytes == 448 && point.globalBufferBytes == 108 * 1024)
    }

    let valid = """
    numPEs: 16
    lanes: 8
    vectorSize: 8
    weightBuffer: 32 KiB
    inputBuffer: 8 KiB
    accumulationBuffer: 3 KiB
    globalBuffer: 64 KiB
    dramBandwidthGBps: 25.6
    """

    func error(_ text: String) -> ConfigError? {
        #expect(throws: ConfigError.self) { try DesignFile.parse(text, file: "d.yaml") }
    }

    @Test func defaultsFillTheRest() throws {
        let point = try DesignFile.parse(valid, file: "d.yaml")
        #expect(point.peRows == 4 && point.peColumns == 4)
        #expect(point.accumulationBits == 24 && point.technology == "16nm" && point.dataflow == .weightStationary)
    }

    @Test func unknownKeySuggestsTheParameter() {
        let e = error(valid + "\nnumPE: 4\n")
        #expect(e?.description == "d.yaml:9:1: numPE: unknown key `numPE`; did you mean `numPEs`?")
    }

    @Test func validationErrorsPointAtTheLine() {
        let e = error(valid + "\naccumulationBits: 8\n")
        #expect(e?.line == 9)
        #expect(e?.keyPath == "accumulationBits")
        #expect(e?.message == "8 bits is narrower than the 16-bit product of int8 × int8")
    }

    @Test func outOfRangeSaysTheRange() {
        let e = error(valid.replacingOccurrences(of: "lanes: 8", with: "lanes: -2"))
        #expect(e?.description == "d.yaml:2:8: lanes: -2 is out of range; allowed: 1...1048576")
    }

    /// `voltage` is read in volts; one outside the node's range points at its line.
    @Test func aSupplyVoltageIsReadAndCheckedAgainstTheNode() throws {
        #expect(try DesignFile.parse(valid + "\nvoltage: 0.42\n", file: "d.yaml").voltageV == 0.42)
        #expect(try DesignFile.parse(valid, file: "d.yaml").voltageV == nil)
        let e = error(valid + "\nvoltage: 0.3\n")
        #expect(e?.description == "d.yaml:9:10: voltage: 0.3 V is outside 16nm's range, 0.4–1 V")
    }

    @Test func badDataflowListsTheChoices() {
        let e = error(valid + "\ndataflow: OS-WS\n")
        #expect(e?.message.hasPrefix("unknown value `OS-WS`; allowed: WS, OS, IS, WS-LOS, OS-LWS") == true)
    }

    @Test func missingKeyIsNamed() {
        let e = error(valid.replacingOccurrences(of: "globalBuffer: 64 KiB\n", with: ""))
        #expect(e?.message == "missing required key `globalBuffer`")
    }

    @Test func ambiguousSizeUnit() {
        let e = error(valid.replacingOccurrences(of: "64 KiB", with: "64 KB"))
        #expect(e?.keyPath == "globalBuffer")
        #expect(e?.message.contains("ambiguous unit `KB`") == true)
    }

    @Test func everyProblemIsReported() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-design-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        try (valid + "\naccumulationBits: 8\ntechnology: 3nm\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let found = try DesignFile.problems(path: path)
        #expect(found.map(\.keyPath) == ["accumulationBits", "technology"])
        #expect(found.map(\.line) == [9, 10])
    }

    /// `dram` prices the DRAM level by its type; without a bandwidth the channels' peak is taken.
    @Test func aDRAMTypeSetsTheBandwidthFromItsChannels() throws {
        let noBandwidth = valid.replacingOccurrences(of: "dramBandwidthGBps: 25.6", with: "dram: lpddr4")
        let one = try DesignFile.parse(noBandwidth, file: "d.yaml")
        #expect(one.dram == .lpddr4 && one.dramChannels == 1 && one.dramBandwidthGBps == 6.4)
        let four = try DesignFile.parse(noBandwidth + "\ndramChannels: 4\n", file: "d.yaml")
        #expect(four.dramChannels == 4 && abs(four.dramBandwidthGBps - 25.6) < 1e-12)
        let dram = try four.elaborate().storage.last!
        #expect(abs(dram.readEnergyPJ - 64 * DRAMType.lpddr4.pJPerBit(of: .read)) < 1e-9)
        #expect(abs(dram.updateEnergyPJ - 64 * DRAMType.lpddr4.pJPerBit(of: .write)) < 1e-9)
        // A bandwidth below the peak is the design's; the energy stays the type's.
        let slower = try DesignFile.parse(valid + "\ndram: ddr4\ndramChannels: 2\n", file: "d.yaml")
        #expect(slower.dramBandwidthGBps == 25.6 && slower.dramChannels == 2)
        #expect(abs(try slower.elaborate().storage.last!.readEnergyPJ - 64 * DRAMType.ddr4.pJPerBit(of: .read)) < 1e-9)
    }

    @Test func dramKeysThatDisagreeAreRefusedAtTheirLine() {
        let lpddr4 = valid + "\ndram: lpddr4\n"
        #expect(error(lpddr4)?.description == "d.yaml:8:20: dramBandwidthGBps: 25.6 GB/s is above the peak of "
            + "1 lpddr4 channel (1 × 6.4 = 6.4 GB/s): raise dramChannels")
        #expect(error(lpddr4 + "dramChannels: 4\ndramEnergyPJPerBit: 5\n")?.description == "d.yaml:11:21: "
            + "dramEnergyPJPerBit: `dram: lpddr4` prices DRAM accesses already; give the type or an energy per bit, "
            + "not both")
        #expect(error(valid + "\ndramChannels: 2\n")?.description == "d.yaml:9:15: dramChannels: 2 channels of "
            + "no DRAM type: give `dram` too (ddr3, ddr4, lpddr4, hbm2)")
        #expect(error(valid + "\ndram: ddr5\n")?.description == "d.yaml:9:7: dram: unknown value `ddr5`; allowed: "
            + "ddr3, ddr4, lpddr4, hbm2 (did you mean `ddr3`?)")
        // Without a type and without a bandwidth the bandwidth is what is missing.
        let neither = valid.replacingOccurrences(of: "dramBandwidthGBps: 25.6", with: "")
        #expect(error(neither)?.message.contains("dramBandwidthGBps") == true)
    }
}

import Foundation

@Suite struct TechnologyFileReferenceTests {
    @Test func relativeTablePathsAreResolvedAgainstTheDesignFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-tech-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("tables"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bundled = try #require(Technology.bundledTableURL("16nm"))
        try FileManager.default.copyItem(at: bundled, to: directory.appendingPathComponent("tables/mine.yaml"))
        let design = directory.appendingPathComponent("design.yaml")
        try """
        numPEs: 4
        lanes: 2
        vectorSize: 2
        weightBuffer: 1 KiB
        inputBuffer: 1 KiB
        accumulationBuffer: 1 KiB
        globalBuffer: 4 KiB
        dramBandwidthGBps: 8
        technology: tables/mine.yaml
        """.write(to: design, atomically: true, encoding: .utf8)
        let point = try DesignFile.load(path: design.path)
        #expect(point.technology == directory.appendingPathComponent("tables/mine.yaml").standardizedFileURL.path)
        #expect(try point.elaborate().storage.count == 8)
    }

    @Test func brokenTableFileKeepsItsLocation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-tech-bad-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "node: x\nvoltage_V: 0.8\nsram_typo: 1\n".write(to: directory.appendingPathComponent("t.yaml"), atomically: true, encoding: .utf8)
        var point = simbaLike()
        point.technology = directory.appendingPathComponent("t.yaml").path
        let problem = try #require(point.validate().first)
        #expect(problem.parameter == "technology")
        #expect(problem.message.contains("t.yaml:3:1: sram_typo: unknown key `sram_typo`"))
    }

}
