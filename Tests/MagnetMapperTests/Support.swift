import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, name: String = "file.yaml") throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-mapper-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// A fixture's folder.
func fixture(_ name: String) -> URL { TimeloopFixtureTests.directory.appendingPathComponent(name) }

/// Expects `mapping` to keep `space`'s rules: fixed factors in place, factors above 1 only in
/// allowed slots, and each level's required-inner loops inside its other loops (just outside its
/// fixed innermost ones).
func expectWithinSpace(_ mapping: Mapping, _ space: MapSpace, _ label: String) {
    for (level, levelMapping) in mapping.levels.enumerated() {
        for (slot, loops) in [levelMapping.temporal, levelMapping.spatialX, levelMapping.spatialY].enumerated() {
            for d in space.problem.dimensions.indices {
                let factor = loops.filter { $0.dimension == d }.reduce(1) { $0 * $1.bound }
                if let required = space.fixed[level][slot][d] {
                    #expect(factor == required, "\(label): fixed factor at level \(level) slot \(slot) dim \(d)")
                } else if factor > 1 {
                    #expect(space.allowed[level][slot][d], "\(label): level \(level) slot \(slot) dim \(d)")
                }
            }
        }
        let order = levelMapping.temporal.filter { $0.bound > 1 }.map(\.dimension)
        let fixedCount = space.innermostOrder[level].filter { order.contains($0) }.count
        if let firstOther = order[fixedCount...].firstIndex(where: { !space.innermostSet[level].contains($0) }) {
            #expect(!order[firstOther...].contains { space.innermostSet[level].contains($0) },
                    "\(label): level \(level) order \(order)")
        }
    }
}

/// The template's map space of the ResNet-50 layer `layer` on examples/simba-like.yaml.
func simbaLikeSpace(layer name: String) throws -> MapSpace {
    let design = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
    let hardware = try design.elaborate()
    let layer = try #require(Zoo.network(named: "resnet50")?.uniqueShapes.first {
        $0.representative.name == name
    }).representative
    return MapSpace.template(design: design, hardware: hardware, layer: layer)
}

/// `count` template map spaces of random designs around the Simba-like one
/// (``WarmStartTests/randomDesign(_:base:)``: every dataflow, collector depth, array and buffer
/// size), each on a random ResNet-50 layer, with a label naming both.
func randomTemplateSpaces(count: Int, seed: UInt64) throws -> [(space: MapSpace, label: String)] {
    let base = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
    let network = try #require(Zoo.network(named: "resnet50"))
    var generator = SeededGenerator(seed: seed)
    var spaces: [(space: MapSpace, label: String)] = []
    while spaces.count < count {
        let design = WarmStartTests.randomDesign(&generator, base: base)
        guard design.validate().isEmpty, let hardware = try? design.elaborate() else { continue }
        let layer = network.uniqueShapes[Int.random(in: 0..<network.uniqueShapes.count,
                                                    using: &generator)].representative
        spaces.append((MapSpace.template(design: design, hardware: hardware, layer: layer),
                       "\(design.dataflow) \(layer.name)"))
    }
    return spaces
}
