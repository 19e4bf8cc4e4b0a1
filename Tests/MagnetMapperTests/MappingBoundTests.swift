import Foundation
import Testing
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// The bounds the optimal search prunes with never exceed the cost model: on random valid
/// mappings of every fixture architecture (and of the template under every dataflow), with both
/// halo rules, the bound of every partial decision on the way to a mapping is at most the energy
/// and cycles of the mapping (``BoundAudit``). `magnet bench bounds` runs the same audit on many
/// more mappings in a release build.
@Suite struct MappingBoundTests {
    static func expectAdmissible(_ report: BoundAudit.Report, _ label: String, minimum: Int) {
        #expect(report.violations.isEmpty,
                "\(label): \(report.violations.count) violations, first: \(report.violations.first ?? "")")
        #expect(report.mappings >= minimum, "\(label): only \(report.mappings) mappings checked")
        #expect(report.screened >= report.mappings, "\(label): the screen saw \(report.screened) candidates")
    }

    @Test(arguments: TimeloopFixtureTests.cases + ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"])
    func neverAboveTheModelOnFixtures(name: String) throws {
        let input = name.hasPrefix("mapper_")
            ? try TimeloopFixtureTests.loadForMapping(name) : try TimeloopFixtureTests.load(name)
        for halo in CostModel.HaloReuse.allCases {
            let report = BoundAudit.run(hardware: input.hardware, problem: input.problem,
                                        keeps: input.mapping.levels.map(\.keeps),
                                        haloReuse: halo, count: 40, seed: 23)
            // Architectures with one-word registers admit few random mappings.
            Self.expectAdmissible(report, "\(name) \(halo)", minimum: 5)
        }
    }

    /// The template's hardware with collectors deep enough for temporal loops, on ResNet-50 layers:
    /// random mappings with the bound that ignores the map space, and candidates of the template's
    /// map space (which keep the dataflow's order constraints) with the bound that relies on the
    /// space's constraints and allowed slots.
    @Test(arguments: Dataflow.allCases)
    func neverAboveTheModelOnTheTemplate(dataflow: Dataflow) throws {
        let (point, hardware) = try Self.design(dataflow)
        let network = try #require(Zoo.network(named: "resnet50"))
        for (index, shape) in network.uniqueShapes.enumerated() where index % 3 == 0 {
            let layer = shape.representative
            let space = index % 6 == 0 ? nil : MapSpace.template(design: point, hardware: hardware, layer: layer)
            let report = BoundAudit.run(hardware: hardware, problem: layer.problem, space: space, count: 12,
                                        seed: UInt64(index))
            let label = "\(dataflow) \(layer.name)" + (space == nil ? "" : " in its map space")
            Self.expectAdmissible(report, label, minimum: 12)
        }
    }

    static func design(_ dataflow: Dataflow) throws -> (DesignPoint, Hardware) {
        var point = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        point.dataflow = dataflow
        point.weightCollectorDepth = 4
        point.accumulationCollectorDepth = 2
        return (point, try point.elaborate())
    }
}
