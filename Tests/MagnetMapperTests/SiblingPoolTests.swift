import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

/// A shape's pool of reshaped siblings: starts come out distinct, best first, at most as many as
/// asked; the adoption takes the best entry only where it beats the shape's own mapping.
@Suite struct SiblingPoolTests {
    @Test func startsAreDistinctAndBestFirst() throws {
        let point = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        let hardware = try point.elaborate()
        let shapes = try #require(Zoo.network(named: "resnet50")).uniqueShapes.map(\.representative)
        let target = shapes[7]
        let space = MapSpace.template(design: point, hardware: hardware, layer: target)
        var pool = SiblingPool(space: space)
        for (index, sibling) in shapes.enumerated() where index != 7 {
            let siblingSpace = MapSpace.template(design: point, hardware: hardware, layer: sibling)
            let mapping = try #require(MapSearch(space: siblingSpace).run(budget: 100, threads: 1, seed: 2).mapping)
            pool.add(mapping, of: sibling.problem)
            pool.add(mapping, of: sibling.problem)   // the same reshape twice
        }
        #expect(pool.entries.count >= 20, "\(pool.entries.count) valid reshapes")
        let starts = pool.starts(after: [], count: 6, objective: .edp, energyWeight: 0.5)
        #expect(starts.count == 6 && Set(starts).count == 6)
        let model = CostModel(hardware: hardware, problem: target.problem)
        let edps = starts.map { model.evaluate($0).energyPJ * Double(model.evaluate($0).cycles) }
        #expect(edps == edps.sorted())
        let lowest = pool.entries.map(\.summary.energyDelayProduct).min()!
        #expect(abs(edps[0] - lowest) <= 1e-9 * lowest)
        // Adoption: the best entry beats a poor own mapping, and nothing beats the best entry.
        let poor = try #require(pool.entries.max { $0.summary.energyDelayProduct < $1.summary.energyDelayProduct })
        let taken = try #require(pool.better(than: poor, objective: .edp, energyWeight: 0.5))
        #expect(taken.summary.energyDelayProduct == lowest)
        #expect(pool.better(than: taken, objective: .edp, energyWeight: 0.5) == nil)
    }
}
