import Foundation
import Testing
@testable import MagnetMapper

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
