import MagnetDesigner
import MagnetWorkload

/// Why a mapping cannot run on a hardware hierarchy.
public struct MappingProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// The storage level concerned (its name), or `mapping` for the whole.
    public var level: String
    /// What is wrong, with the numbers.
    public var message: String

    /// `level: message`.
    public var description: String { "\(level): \(message)" }
}

extension Mapping {
    /// Every reason this mapping cannot run `problem` on `hardware`; empty when it is valid.
    ///
    /// Checks: one entry per storage level; every dimension's factors multiply to its size; the
    /// spatial factors of each level fit its fan-out over mesh X and Y; the tiles a level keeps
    /// fit its capacity.
    public func problems(on hardware: Hardware, for problem: Problem) -> [MappingProblem] {
        var found: [MappingProblem] = []
        guard levels.count == hardware.storage.count else {
            return [MappingProblem(level: "mapping", message: "has \(levels.count) levels but the hardware has \(hardware.storage.count) storage levels")]
        }
        var products = Array(repeating: 1, count: problem.dimensions.count)
        for (index, level) in levels.enumerated() {
            let name = hardware.storage[index].name
            for loop in level.temporal + level.spatialX + level.spatialY {
                guard problem.dimensions.indices.contains(loop.dimension) else {
                    found.append(MappingProblem(level: name, message: "loop over unknown dimension index \(loop.dimension)"))
                    continue
                }
                if loop.bound < 1 {
                    found.append(MappingProblem(level: name, message: "factor \(loop.bound) for \(problem.dimensions[loop.dimension]) must be at least 1"))
                }
                products[loop.dimension] *= max(loop.bound, 1)
            }
            let fanout = hardware.fanout(of: index)
            if level.fanoutX > fanout.x {
                found.append(MappingProblem(level: name, message: "spatial factors over X multiply to \(level.fanoutX), beyond the fan-out of \(fanout.x)"))
            }
            if level.fanoutY > fanout.y {
                found.append(MappingProblem(level: name, message: "spatial factors over Y multiply to \(level.fanoutY), beyond the fan-out of \(fanout.y)"))
            }
        }
        for (dimension, name) in problem.dimensions.enumerated() where products[dimension] != problem.bounds[dimension] {
            found.append(MappingProblem(level: "mapping", message: "the factors of \(name) multiply to \(products[dimension]), but \(name) = \(problem.bounds[dimension])"))
        }
        if !found.isEmpty { return found }
        // Capacity: the tiles of the kept data spaces at each level, against its capacity in words.
        var extents = Array(repeating: 1, count: problem.dimensions.count)
        for (index, level) in levels.enumerated() {
            for loop in level.temporal + level.spatialX + level.spatialY { extents[loop.dimension] *= loop.bound }
            let storage = hardware.storage[index]
            guard let capacity = storage.capacityWords else { continue }
            let used = level.keeps.reduce(0) { $0 + problem.tileSize(of: $1, tile: extents) }
            if used > capacity {
                let detail = level.keeps.sorted().map { "\(problem.dataSpaces[$0].name) \(problem.tileSize(of: $0, tile: extents))" }.joined(separator: " + ")
                found.append(MappingProblem(level: storage.name, message: "tiles need \(used) words (\(detail)) but the level holds \(capacity)"))
            }
        }
        return found
    }
}
