import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// A design's per-layer formats in the mapper: layers of one shape at different formats are
/// mapped apart, each on the hardware as it sees it (its values packed).
@Suite struct LayerFormatsMappingTests {
    @Test func layersAtOtherFormatsAreMappedApartOnThePackedHardware() throws {
        var point = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        let tiny = try NetworkFile.resolve(repositoryRoot.appendingPathComponent("examples/tiny-cnn.yaml").path)
        let method = MappingMethod.sampled(budget: 300, seed: 4)
        let plain = try NetworkMapping.map(network: tiny, design: point, hardware: try point.elaborate(), method: method)
        #expect(plain.layers.contains { $0.layerNames == ["pw[0]", "pw[1]"] })

        // pw[1] at int4 weights; the datapath stays int8 (the design's).
        point.layerFormats = [LayerFormatRule(layers: #"pw\[1\]"#, weightFormat: .int4)]
        let hardware = try point.elaborate()
        var withoutRules = point
        withoutRules.layerFormats = []
        #expect(hardware == (try withoutRules.elaborate()))
        let mapping = try NetworkMapping.map(network: tiny, design: point, hardware: hardware, method: method)
        let wide = try #require(mapping.layers.first { $0.layerNames == ["pw[0]"] })
        let narrow = try #require(mapping.layers.first { $0.layerNames == ["pw[1]"] })
        #expect(wide.layer.formats.weights == .int8 && narrow.layer.formats.weights == .int4)
        #expect(mapping.layers.count == plain.layers.count + 1)
        // Each result is its mapping evaluated on the hardware its layer sees.
        let packed = point.hardware(hardware, running: narrow.layer.formats)
        #expect(packed != hardware)
        #expect(CostModel(hardware: packed, problem: narrow.layer.problem).evaluate(narrow.mapping) == narrow.evaluation)
        #expect(CostModel(hardware: hardware, problem: wide.layer.problem).evaluate(wide.mapping) == wide.evaluation)
        // The wide layer's mapping costs less on the packed hardware: fewer weight-buffer and
        // DRAM accesses for the same values, the MACs priced the same.
        let onPacked = CostModel(hardware: packed, problem: wide.layer.problem).evaluate(wide.mapping)
        #expect(onPacked.energyPJ < wide.evaluation.energyPJ)
        #expect(onPacked.computeEnergyPJ == wide.evaluation.computeEnergyPJ)
    }
}
