import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetMapper

/// The evaluator scores a search candidate directly (``EvaluatedNest``: ``Evaluator/fits(_:)``
/// and ``Evaluator/summaryIfFits(_:)``) exactly as it scores the mapping the candidate stands
/// for: the same fit, energy, cycles and utilization.
@Suite struct EvaluatedNestTests {
    /// Compares both ways on `count` candidates of `space`: random ones (many do not fit) and
    /// neighbours of filled starts. Returns how many fitted.
    static func compare(_ space: MapSpace, count: Int, seed: UInt64, label: String) -> Int {
        let sampler = CandidateSampler(space: space)
        var direct = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var viaMapping = Evaluator(CostModel(hardware: space.hardware, problem: space.problem))
        var generator = SeededGenerator(seed: seed)
        var fitted = 0
        for index in 0..<count {
            var candidate = sampler.random(using: &generator)
            if index % 2 == 1, let start = sampler.filled(using: &generator, evaluator: &direct) {
                candidate = sampler.neighbour(of: start, using: &generator)
            }
            let mapping = candidate.mapping()
            let fits = direct.fits(candidate)
            #expect(fits == viaMapping.fits(mapping), "\(label): \(mapping)")
            let once = direct.summaryIfFits(candidate)
            #expect((once != nil) == fits, "\(label): \(mapping)")
            guard fits else { continue }
            fitted += 1
            let b = viaMapping.summary(mapping)
            #expect(once?.energyPJ == b.energyPJ && once?.cycles == b.cycles && once?.utilization == b.utilization,
                    "\(label): \(String(describing: once)) against \(b) for \(mapping)")
        }
        return fitted
    }

    @Test(arguments: ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"])
    func timeloopSpaces(name: String) throws {
        #expect(Self.compare(try MapSearchTests.mapperSpace(name), count: 200, seed: 2, label: name) > 20)
    }

    @Test func templateSpaces() throws {
        var fitted = 0
        for (index, (space, label)) in try randomTemplateSpaces(count: 12, seed: 41).enumerated() {
            fitted += Self.compare(space, count: 30, seed: UInt64(index), label: label)
        }
        #expect(fitted >= 12 * 5, "only \(fitted) fitting candidates")
    }
}
