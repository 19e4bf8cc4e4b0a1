import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetMapper

/// Bad Timeloop input: one clear error naming the file and key path.
@Suite struct TimeloopInputErrorTests {
    /// The m02 input with `edit` applied to its text.
    func load(editing edit: (String) -> String, ert: String? = nil) throws -> TimeloopCase {
        let folder = fixture("m02_conv1d_oc_2level_tiled")
        let text = try String(contentsOf: folder.appendingPathComponent("input.yaml"), encoding: .utf8)
        let path = try temporaryFile(edit(text), name: "input.yaml")
        return try TimeloopInput.load(input: path, ert: ert ?? folder.appendingPathComponent("ERT.yaml").path)
    }

    func error(editing edit: @escaping (String) -> String, ert: String? = nil) -> ConfigError? {
        #expect(throws: ConfigError.self) { try load(editing: edit, ert: ert) }
    }

    @Test func unchangedInputLoads() throws {
        let input = try load(editing: { $0 })
        #expect(input.problem.dimensions == ["K", "R", "P"])
        #expect(input.hardware.storage.map(\.name) == ["Buffer", "MainMemory"])
    }

    @Test func malformedYAML() {
        let e = error(editing: { $0.replacingOccurrences(of: "factors: R=1,P=16,K=16", with: "factors: [R=1") })
        #expect(e?.message.hasPrefix("syntax error") == true)
        #expect(e?.line != nil)
    }

    @Test func mappingThatDoesNotCoverADimension() {
        let e = error(editing: { $0.replacingOccurrences(of: "factors: R=1,P=16,K=16", with: "factors: R=1,P=8,K=16") })
        #expect(e?.message == "the factors of P multiply to 8, but the problem has P = 16; every dimension's factors across levels must multiply to its size")
        #expect(e?.keyPath == "mapping")
    }

    @Test func unknownTargetIsSuggested() {
        let e = error(editing: { $0.replacingOccurrences(of: "target: Buffer", with: "target: Bufer") })
        #expect(e?.message == "unknown target `Bufer`; did you mean `Buffer`?")
    }

    @Test func missingInstanceSize() {
        let e = error(editing: { $0.replacingOccurrences(of: "        P: 16\n", with: "") })
        #expect(e?.message == "missing required key `P` (the size of dimension P)")
        #expect(e?.keyPath == "problem.instance")
    }

    @Test func unsupportedAttributeIsNamed() {
        let e = error(editing: { $0.replacingOccurrences(of: "                depth: 64\n", with: "                depth: 64\n                metadata_storage_width: 4\n") })
        #expect(e?.message.hasPrefix("not supported: metadata_storage_width at architecture.subtree[0].local[1].attributes.metadata_storage_width") == true)
    }

    @Test func sparseOptimizationsAreRefused() {
        let e = error(editing: { $0 + "sparse_optimizations:\n    version: '0.4'\n" })
        #expect(e?.message == "not supported: sparse_optimizations at sparse_optimizations")
    }

    @Test func ertWithoutANeededAction() throws {
        let folder = fixture("m02_conv1d_oc_2level_tiled")
        var ert = try String(contentsOf: folder.appendingPathComponent("ERT.yaml"), encoding: .utf8)
        ert = ert.replacingOccurrences(of: "          - name: compute", with: "          - name: computation")
        let path = try temporaryFile(ert, name: "ERT.yaml")
        let e = error(editing: { $0 }, ert: path)
        #expect(e?.file == path)
        #expect(e?.message.hasPrefix("no `compute` energy for component `MACC`") == true)
    }

    @Test func meshThatDoesNotMatchTheInstances() {
        let e = error(editing: { $0.replacingOccurrences(of: "name: MACC[1..1]", with: "name: MACC[1..4]") })
        #expect(e?.message == "meshX × meshY (1 × 1) differs from the 4 instances")
    }

    @Test func architectureWithoutCompute() {
        let e = error(editing: { $0.replacingOccurrences(of: "class: intmac", with: "class: regfile") })
        #expect(e?.message.hasPrefix("not supported: storage below the compute component") == true
                || e?.message == "the architecture has no compute component (a class such as `intmac`)")
    }

    @Test func nestedSubtreesAreRefused() {
        let e = error(editing: { text in
            guard let range = text.range(of: "        local:\n") else { return text }
            return text.replacingCharacters(in: range, with: "        subtree:\n          - name: PE\n            local: []\n        local:\n")
        })
        #expect(e?.message.hasPrefix("not supported: nested subtrees") == true, "\(String(describing: e))")
    }

    @Test func sparseDensitiesAreRefused() {
        let e = error(editing: { $0.replacingOccurrences(of: "densities: {}", with: "densities: {Weights: 0.5}") })
        #expect(e?.message == "not supported: densities at problem.instance.densities")
    }

    @Test func keptAndBypassedAtOnce() {
        let e = error(editing: { $0.replacingOccurrences(of: "mapping:\n", with: "mapping:\n  - target: Buffer\n    type: bypass\n    keep: [Weights, Outputs]\n    bypass: [Outputs]\n") })
        #expect(e?.message == "`Outputs` is both kept and bypassed")
    }

    @Test func unknownDataSpaceInKeepList() {
        let e = error(editing: { $0.replacingOccurrences(of: "mapping:\n", with: "mapping:\n  - target: Buffer\n    type: bypass\n    bypass: [Outputz]\n") })
        #expect(e?.message == "unknown data space `Outputz`; data spaces: Weights, Inputs, Outputs")
    }
}
