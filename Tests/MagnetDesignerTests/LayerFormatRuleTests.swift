import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner

/// Per-layer formats: how a design file states them, which formats a layer runs at, the
/// datapath they widen, and the hardware a narrower layer sees (its values packed).
@Suite struct LayerFormatRuleTests {
    let base = """
    numPEs: 4
    lanes: 4
    vectorSize: 8
    weightBuffer: 32 KiB
    inputBuffer: 8 KiB
    accumulationBuffer: 3 KiB
    globalBuffer: 64 KiB
    dramBandwidthGBps: 16
    weightFormat: int4
    activationFormat: int8
    accumulationBits: 32
    """

    func design(_ rules: String) throws -> DesignPoint {
        try DesignFile.parse(base + "\nlayerFormats:\n" + rules, file: "d.yaml")
    }

    func error(_ rules: String) -> ConfigError? {
        #expect(throws: ConfigError.self) { try design(rules) }
    }

    @Test func theFirstMatchingRuleGivesALayersFormats() throws {
        let point = try design("""
              - {layers: stem, weightFormat: int8}
              - {layers: "layer4.*", weightFormat: int16, activationFormat: int16}
              - {layers: "layer*", activationFormat: int16}
              - {layers: "fc\\\\[1\\\\]", weightFormat: int8}
            """)
        #expect(point.layerFormats.count == 4)
        #expect(point.formats(ofLayer: "stem") == OperandFormats(weights: .int8, inputs: .int8, outputs: .int8))
        #expect(point.formats(ofLayer: "layer4.0.conv1") == OperandFormats(weights: .int16, inputs: .int16, outputs: .int16))
        #expect(point.formats(ofLayer: "layer1.0.conv1") == OperandFormats(weights: .int4, inputs: .int16, outputs: .int16))
        #expect(point.formats(ofLayer: "fc[1]").weights == .int8 && point.formats(ofLayer: "fc1").weights == .int4)
        #expect(point.formats(ofLayer: "head") == OperandFormats(weights: .int4, inputs: .int8, outputs: .int8))
        // The datapath is as wide as the widest rule, whatever the layers of a network.
        #expect(point.datapathFormats == OperandFormats(weights: .int16, inputs: .int16, outputs: .int16))
        #expect(point.productBits == 32)
        // The rules read back from the report's parameters, as a design.
        let parameters = try DesignReport(point: point).parametersJSON
        let again = try DesignFile.parse(parameters.rendered(pretty: false), file: "again.json")
        #expect(again.layerFormats == point.layerFormats)
    }

    @Test func badRulesAreLocated() {
        #expect(error("  - {layers: stem, weightFormat: int9}")?.message.hasPrefix("unknown value `int9`") == true)
        #expect(error("  - {layers: stem}")?.message == "a rule sets weightFormat, activationFormat or both")
        #expect(error("  - {layers: stem, weights: int8}")?.message.contains("unknown key `weights`") == true)
        let twice = error("  - {layers: stem, weightFormat: int8}\n  - {layers: stem, weightFormat: int16}")
        #expect(twice?.line == 14 && twice?.message.contains("has a rule already") == true, "\(String(describing: twice))")
        #expect(error("  - {layers: \"\", weightFormat: int8}")?.message == "an empty pattern matches no layer")
        // One datapath runs one kind of arithmetic.
        let mixed = error("  - {layers: stem, weightFormat: fp16}")
        #expect(mixed?.keyPath == "layerFormats" && mixed?.message.contains("fp16, int4") == true,
                "\(String(describing: mixed))")
        // A rule widens the datapath, and the accumulator must follow.
        let text = base.replacingOccurrences(of: "accumulationBits: 32", with: "accumulationBits: 24")
            + "\nlayerFormats:\n  - {layers: stem, weightFormat: int16, activationFormat: int16}"
        let accumulator = try? #require(throws: ConfigError.self) { try DesignFile.parse(text, file: "d.yaml") }
        #expect(accumulator?.keyPath == "accumulationBits", "\(String(describing: accumulator))")
        #expect(accumulator?.message.hasSuffix("product of int16 × int16 (the datapath's formats: the widest of the "
                                               + "design's and its layerFormats')") == true)
    }

    /// A narrower layer's values are packed in the memories' words: by hand, on the 16-bit
    /// datapath, an int4-weight, int8-activation layer sees the weight buffer hold 4 weights
    /// per word and the input buffer, global buffer and DRAM 2 activations per word, each access
    /// still costing what it costs; registers, accumulators, MACs, leakage and area unchanged.
    @Test func aNarrowerLayerSeesItsValuesPacked() throws {
        let point = try design("  - {layers: wide, weightFormat: int16, activationFormat: int16}")
        let hardware = try point.elaborate()
        #expect(point.hardware(hardware, running: point.formats(ofLayer: "wide")) == hardware)
        let view = point.hardware(hardware, running: point.formats(ofLayer: "narrow"))
        let factors = ["WeightBuffer": 4, "InputBuffer": 2, "GlobalBuffer": 2, "DRAM": 2]
        for (wide, seen) in zip(hardware.storage, view.storage) {
            let factor = factors[wide.name] ?? 1
            #expect(seen.capacityWords == wide.capacityWords.map { $0 * factor }, "\(wide.name)")
            #expect(seen.wordBits * factor == wide.wordBits && seen.blockSize == wide.blockSize * factor, "\(wide.name)")
            #expect(seen.readBandwidth == wide.readBandwidth.map { $0 * Double(factor) }, "\(wide.name)")
            #expect(seen.readEnergyPJ == wide.readEnergyPJ && seen.writeEnergyPJ == wide.writeEnergyPJ)
            #expect(seen.leakagePJPerCycle == wide.leakagePJPerCycle && seen.areaUM2 == wide.areaUM2)
            #expect(close(seen.networkHopEnergyPJPerWord * Double(factor), wide.networkHopEnergyPJPerWord))
        }
        #expect(view.compute == hardware.compute && view.areaUM2 == hardware.areaUM2)
        // The bytes each level holds are the same: only the values per word change.
        #expect(zip(hardware.storage, view.storage).allSatisfy { $0.capacityBytes == $1.capacityBytes })
    }

    /// Without rules, nothing changes: the datapath is the design's formats.
    @Test func aDesignWithoutRulesIsItsOwnDatapath() throws {
        let point = try DesignFile.parse(base, file: "d.yaml")
        #expect(point.layerFormats.isEmpty)
        #expect(point.datapathFormats == OperandFormats(weights: .int4, inputs: .int8, outputs: .int8))
        #expect(point.formats(ofLayer: "anything") == point.datapathFormats)
        let hardware = try point.elaborate()
        #expect(point.hardware(hardware, running: point.datapathFormats) == hardware)
    }
}
