import MagnetDesigner
import MagnetWorkload

/// The mappings a search may choose from: which dimensions may be split where, fixed factors,
/// loop-order constraints and keep/bypass choices, per storage level.
public struct MapSpace: Sendable, Hashable {
    /// Slots a factor can go to at one level.
    public enum Slot: Int, Sendable, CaseIterable {
        /// A temporal loop.
        case temporal
        /// A spatial loop over mesh X.
        case spatialX
        /// A spatial loop over mesh Y.
        case spatialY
    }

    /// The hardware.
    public internal(set) var hardware: Hardware
    /// The problem (one layer).
    public let problem: Problem
    /// Data spaces kept per level (inner to outer).
    public var keeps: [Set<Int>]
    /// `fixed[level][slot][dimension]`: a required factor, or `nil` where the search chooses.
    public var fixed: [[[Int?]]]
    /// `allowed[level][slot][dimension]`: whether a factor above 1 may go there.
    public var allowed: [[[Bool]]]
    /// Per level, dimensions that must be the innermost temporal loops, innermost first.
    public var innermostOrder: [[Int]]
    /// Per level, dimensions that must sit inside every other temporal loop (in any order among
    /// themselves), just outside ``innermostOrder``.
    public var innermostSet: [Set<Int>]
    /// `maxFactor[level][kind][dimension]`, kind 0 temporal, 1 spatial (X × Y together): an
    /// upper bound on the factor, or `nil`.
    public var maxFactor: [[[Int?]]]
    /// Per level, data spaces whose keep or bypass the search chooses (``keeps`` holds the
    /// starting choice); the others stay as ``keeps`` says.
    public var freeKeeps: [[Int]]
    /// Smallest allowed product, over the levels that fan out, of used over available fan-out
    /// (Timeloop's `utilization`/`parallelism` constraint), or `nil`.
    public var minimumParallelism: Double?

    /// The unconstrained space: every dimension anywhere the fan-out allows, the hardware's keeps.
    public init(hardware: Hardware, problem: Problem, keeps: [Set<Int>]? = nil) {
        self.hardware = hardware
        self.problem = problem
        let levelCount = hardware.storage.count
        let dimensions = problem.dimensions.count
        self.keeps = keeps ?? hardware.storage.map { level in
            Set(problem.dataSpaces.indices.filter { level.keeps.contains(problem.dataSpaces[$0].name) })
        }
        fixed = Array(repeating: Array(repeating: Array(repeating: nil, count: dimensions), count: 3), count: levelCount)
        allowed = (0..<levelCount).map { level in
            let fanout = hardware.fanout(of: level)
            return [Array(repeating: true, count: dimensions), Array(repeating: fanout.x > 1, count: dimensions),
                    Array(repeating: fanout.y > 1, count: dimensions)]
        }
        innermostOrder = Array(repeating: [], count: levelCount)
        innermostSet = Array(repeating: [], count: levelCount)
        maxFactor = Array(repeating: Array(repeating: Array(repeating: nil, count: dimensions), count: 2), count: levelCount)
        freeKeeps = Array(repeating: [], count: levelCount)
    }

    /// Fixes the factor of `dimension` in `slot` at `level` (1 forbids splitting it there).
    public mutating func fix(level: Int, slot: Slot, dimension: Int, factor: Int) {
        fixed[level][slot.rawValue][dimension] = factor
        if factor == 1 { allowed[level][slot.rawValue][dimension] = false }
    }

    /// Problems with the space itself (fixed factors that cannot multiply to the dimensions).
    public func validate() -> [String] {
        var found: [String] = []
        for (dimension, name) in problem.dimensions.enumerated() {
            var product = 1
            for level in fixed { for slot in level { if let factor = slot[dimension] { product *= factor } } }
            if problem.bounds[dimension] % product != 0 {
                found.append("the fixed factors of \(name) multiply to \(product), which does not divide \(name) = \(problem.bounds[dimension])")
            }
        }
        return found
    }
}

extension MapSpace {
    /// Every (level, data space) whose keep or bypass the search chooses (``freeKeeps``), level
    /// by level: bit `i` of a choice mask stands for choice `i`.
    public var keepChoices: [(level: Int, dataSpace: Int)] {
        freeKeeps.enumerated().flatMap { level, spaces in spaces.map { (level: level, dataSpace: $0) } }
    }

    /// ``keeps`` with each of `choices` whose bit is set in `flips` flipped (kept ↔ bypassed).
    public func keeps(flipping flips: Int, of choices: [(level: Int, dataSpace: Int)]) -> [Set<Int>] {
        var chosen = keeps
        for (bit, choice) in choices.enumerated() where flips >> bit & 1 == 1 {
            chosen[choice.level].formSymmetricDifference([choice.dataSpace])
        }
        return chosen
    }
}
