import Foundation
import Testing
@testable import MagnetMapper

/// The acceptance test of the cost model: every Timeloop reference case reproduces its
/// expected statistics (counts and cycles exactly, energies within 0.01%).
@Suite struct TimeloopFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/timeloop-cases")
    static let cases = [
        "m00_conv1d_1level", "m01_conv1d_2level_os", "m01_conv1d_2level_ws", "m02_conv1d_oc_2level_tiled",
        "m03_conv1d_oc_3level_bypass", "m03_conv1d_oc_3level_no-bypass", "m04_conv1d_oc_3levelspatial_cp",
        "m04_conv1d_oc_3levelspatial_kp", "d_eyeriss_like_default_problem", "d_simba_like_default_problem",
        "d_simple_weight_stationary_default_problem", "d_simple_output_stationary_default_problem",
    ]

    static func load(_ name: String) throws -> TimeloopCase {
        let folder = directory.appendingPathComponent(name)
        return try TimeloopInput.load(input: folder.appendingPathComponent("input.yaml").path,
                                      ert: folder.appendingPathComponent("ERT.yaml").path,
                                      art: folder.appendingPathComponent("ART.yaml").path)
    }

    static func loadForMapping(_ name: String) throws -> TimeloopCase {
        let folder = directory.appendingPathComponent(name)
        return try TimeloopInput.loadForMapping(input: folder.appendingPathComponent("mapper-input.yaml").path,
                                                ert: folder.appendingPathComponent("ERT.yaml").path,
                                                art: folder.appendingPathComponent("ART.yaml").path)
    }

    static func expected(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name).appendingPathComponent("expected.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func actual(_ input: TimeloopCase, halo: CostModel.HaloReuse, nestWalk: Bool = false) throws -> [String: Any] {
        let model = CostModel(hardware: input.hardware, problem: input.problem, haloReuse: halo)
        let evaluation = nestWalk ? model.evaluateByNestWalk(input.mapping) : model.evaluate(input.mapping)
        let text = evaluation.timeloopJSON(hardware: input.hardware, problem: input.problem).rendered()
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Energies are printed to 0.01 pJ: within 0.01% or the print rounding, whichever is larger.
    static func energyMatches(_ actual: Any?, _ expected: Any?) -> Bool {
        guard let a = (actual as? NSNumber)?.doubleValue, let e = (expected as? NSNumber)?.doubleValue else { return false }
        return abs(a - e) <= max(1e-4 * abs(e), 0.011)
    }

    /// Compares one case, field by field; `overrides` replaces expected values ("level/space/field").
    static func compare(_ got: [String: Any], _ want: [String: Any], overrides: [String: Any] = [:], totals: [String: Double] = [:]) {
        #expect(got["cycles"] as? Int == want["cycles"] as? Int)
        #expect(got["computes"] as? Int == want["computes"] as? Int)
        #expect((got["utilization"] as? NSNumber)?.doubleValue == (want["utilization"] as? NSNumber)?.doubleValue)
        for key in ["energy_pJ", "energy_pJ_without_leak", "leakage_energy_pJ"] {
            let expectedTotal: Any? = totals[key] ?? want[key]
            #expect(energyMatches(got[key], expectedTotal), "\(key): \(got[key] ?? "nil") vs \(expectedTotal ?? "nil")")
        }
        let gotLevels = got["levels"] as? [[String: Any]] ?? []
        let wantLevels = want["levels"] as? [[String: Any]] ?? []
        #expect(gotLevels.map { $0["name"] as? String } == wantLevels.map { $0["name"] as? String })
        for (g, w) in zip(gotLevels, wantLevels) {
            let name = w["name"] as? String ?? "?"
            for key in ["level_index", "kind", "instances", "computes", "utilized_instances", "cycles"] where w[key] != nil {
                #expect("\(g[key] ?? "nil")" == "\(w[key]!)", "\(name).\(key)")
            }
            for key in ["energy_pJ", "leakage_energy_pJ"] where w[key] != nil {
                #expect(energyMatches(g[key], w[key]), "\(name).\(key): \(g[key] ?? "nil") vs \(w[key]!)")
            }
            let gotSpaces = g["dataSpaces"] as? [String: [String: Any]] ?? [:]
            let wantSpaces = w["dataSpaces"] as? [String: [String: Any]] ?? [:]
            #expect(Set(gotSpaces.keys) == Set(wantSpaces.keys), "\(name) data spaces")
            for (space, fields) in wantSpaces {
                for (field, value) in fields {
                    let expectedValue = overrides["\(name)/\(space)/\(field)"] ?? value
                    let actualValue = gotSpaces[space]?[field]
                    if field == "energy_pJ" {
                        #expect(energyMatches(actualValue, expectedValue), "\(name).\(space).\(field): \(actualValue ?? "nil") vs \(expectedValue)")
                    } else {
                        #expect("\(actualValue ?? "nil")" == "\(expectedValue)", "\(name).\(space).\(field)")
                    }
                }
            }
        }
    }

    @Test(arguments: cases)
    func reproducesTimeloopV3(name: String) throws {
        let input = try Self.load(name)
        Self.compare(try Self.actual(input, halo: .timeloopV3), try Self.expected(name))
    }

    @Test(arguments: cases)
    func nestWalkReproducesTimeloopV3(name: String) throws {
        let input = try Self.load(name)
        Self.compare(try Self.actual(input, halo: .timeloopV3, nestWalk: true), try Self.expected(name))
    }

    /// Timeloop master reuses the input halo in the two stride-2 cases; everything else is equal.
    @Test(arguments: cases)
    func reproducesTimeloopMaster(name: String) throws {
        let input = try Self.load(name)
        let want = try Self.expected(name)
        var overrides: [String: Any] = [:]
        var totals: [String: Double] = [:]
        if let variant = want["halo_variant"] as? [String: Any] {
            for difference in variant["differences"] as? [[String: Any]] ?? [] {
                overrides["\(difference["level"]!)/\(difference["dataSpace"]!)/\(difference["field"]!)"] = difference["master"]
            }
            totals["energy_pJ"] = (variant["master_energy_pJ"] as? NSNumber)?.doubleValue
            totals["energy_pJ_without_leak"] = (variant["master_energy_pJ_without_leak"] as? NSNumber)?.doubleValue
        }
        Self.compare(try Self.actual(input, halo: .timeloopMaster), want, overrides: overrides, totals: totals)
    }

    @Test func haloVariantOnlyChangesTheTwoStride2Cases() throws {
        for name in Self.cases {
            let input = try Self.load(name)
            let v3 = CostModel(hardware: input.hardware, problem: input.problem, haloReuse: .timeloopV3).evaluateByNestWalk(input.mapping)
            let master = CostModel(hardware: input.hardware, problem: input.problem, haloReuse: .timeloopMaster).evaluateByNestWalk(input.mapping)
            let hasVariant = try Self.expected(name)["halo_variant"] != nil
            #expect((v3 != master) == hasVariant, "\(name)")
        }
    }
}

/// Timeloop's own best mappings on the mapper inputs, evaluated by magnet, give the energy and
/// cycles Timeloop reported for them (Timeloop master, so the master halo rule).
@Suite struct TimeloopBestMappingTests {
    @Test(arguments: ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"])
    func reproducesTimeloopsBest(name: String) throws {
        let folder = TimeloopFixtureTests.directory.appendingPathComponent(name)
        let input = try TimeloopInput.load(input: folder.appendingPathComponent("mapper-input.yaml").path,
                                           mapping: folder.appendingPathComponent("timeloop-best-mapping.yaml").path,
                                           ert: folder.appendingPathComponent("ERT.yaml").path)
        let data = try Data(contentsOf: folder.appendingPathComponent("timeloop-best.json"))
        let best = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["best"] as? [String: Any])
        let model = CostModel(hardware: input.hardware, problem: input.problem, haloReuse: .timeloopMaster)
        let evaluation = model.evaluate(input.mapping)
        #expect(evaluation.cycles == best["cycles"] as? Int)
        #expect(evaluation.utilization == (best["utilization"] as? NSNumber)?.doubleValue)
        let energy = try #require((best["energy_pJ"] as? NSNumber)?.doubleValue)
        #expect(abs(evaluation.energyPJ - energy) <= 1e-4 * energy, "\(evaluation.energyPJ) vs \(energy)")
    }
}
