import MagnetCore
import MagnetDesigner
import MagnetWorkload

/// Reads a Timeloop `mapping:` list (targets, temporal/spatial factors and permutations,
/// `datatype`/`bypass` keep lists) into a ``Mapping``, storage levels inner to outer.
///
/// The same syntax maps layers onto magnet's own template (docs/cost-model.md, "Mapping files").
public enum MappingReader {
    /// Reads a mapping file for `hardware` and `problem`. A level without a keep entry keeps
    /// what the hardware level keeps.
    public static func load(path: String, hardware: Hardware, problem: Problem) throws -> Mapping {
        try read(ConfigNode.load(path: path), hardware: hardware, problem: problem)
    }

    /// Reads mapping text (as ``MappingWriter`` writes it; `file` names it in errors).
    public static func parse(_ text: String, file: String, hardware: Hardware, problem: Problem) throws -> Mapping {
        try read(ConfigNode.parse(text, file: file), hardware: hardware, problem: problem)
    }

    /// Reads mapping text for `hardware` with `problem`'s dimensions and data spaces, without
    /// checking that the factors multiply to `problem`'s sizes or that the mapping fits the
    /// hardware: for a mapping of a layer padded to the hardware, which the register compiler
    /// (``RTLLayerProgram/init(compiling:design:shape:hardware:)``) checks against the padding.
    public static func parseLoopNest(_ text: String, file: String, hardware: Hardware,
                                     problem: Problem) throws -> Mapping {
        try read(ConfigNode.parse(text, file: file), hardware: hardware, problem: problem, checked: false)
    }

    /// ``parseLoopNest(_:file:hardware:problem:)`` of the file at `path`.
    public static func loadLoopNest(path: String, hardware: Hardware, problem: Problem) throws -> Mapping {
        try read(ConfigNode.load(path: path), hardware: hardware, problem: problem, checked: false)
    }

    static func read(_ root: ConfigNode, hardware: Hardware, problem: Problem, checked: Bool = true) throws -> Mapping {
        let list = root.isMapping ? try root.mapping(knownKeys: ["mapping"]).required("mapping") : root
        let names = hardware.storage.reversed().map(\.name)
        let keeps = hardware.storage.reversed().map { level in
            Set(problem.dataSpaces.indices.filter { level.keeps.contains(problem.dataSpaces[$0].name) })
        }
        let mapping = try read(list, levelNames: names, defaultKeeps: keeps, problem: problem, checkingSizes: checked)
        guard checked else { return mapping }
        if let first = mapping.problems(on: hardware, for: problem).first {
            throw list.error("\(first)")
        }
        return mapping
    }

    static func read(_ node: ConfigNode, components: ArchitectureReader.Components, problem: Problem) throws -> Mapping {
        let allSpaces = Set(0..<problem.dataSpaces.count)
        return try read(node, levelNames: components.storage.map(\.name), defaultKeeps: components.storage.map { _ in allSpaces }, problem: problem)
    }

    /// `levelNames` and `defaultKeeps` are outer to inner, as Timeloop lists them.
    static func read(_ node: ConfigNode, levelNames names: [String], defaultKeeps: [Set<Int>], problem: Problem,
                     checkingSizes: Bool = true) throws -> Mapping {
        var levels = defaultKeeps.map { LevelMapping(keeps: $0) }  // outer to inner, like `names`
        var seen: Set<String> = []
        for entry in try node.list() {
            let map = try entry.mapping(knownKeys: ["target", "type", "factors", "permutation", "split", "keep", "bypass"])
            let targetNode = try map.required("target")
            let target = try targetNode.string()
            guard let index = names.firstIndex(of: target) else {
                var message = "unknown target `\(target)`"
                if let near = NearestName.suggestion(for: target, among: names) { message += "; did you mean `\(near)`?" } else { message += "; storage levels: \(names.joined(separator: ", "))" }
                throw targetNode.error(message)
            }
            let type = try map.required("type").choice([(name: "temporal", value: "temporal"), (name: "spatial", value: "spatial"),
                                                        (name: "datatype", value: "keep"), (name: "bypass", value: "keep")])
            let signature = "\(target)/\(type)"
            if !seen.insert(signature).inserted { throw entry.error("a second `\(type)` entry for target `\(target)`") }
            switch type {
            case "keep":
                levels[index].keeps = try keeps(map, problem: problem)
            default:
                let loops = try factorsAndPermutation(map, problem: problem, spatial: type == "spatial")
                if type == "temporal" {
                    levels[index].temporal = loops.map(\.loop).filter { $0.bound > 1 }
                } else {
                    let split = try map.optional("split")?.int(in: 0...loops.count) ?? loops.count
                    levels[index].spatialX = loops.prefix(split).map(\.loop).filter { $0.bound > 1 }
                    levels[index].spatialY = loops.dropFirst(split).map(\.loop).filter { $0.bound > 1 }
                    for (axis, axisLoops) in [("X", loops.prefix(split)), ("Y", loops.dropFirst(split))] {
                        let dims = axisLoops.map(\.loop.dimension)
                        if let repeated = dims.first(where: { d in dims.filter { $0 == d }.count > 1 }) {
                            throw entry.error("dimension `\(problem.dimensions[repeated])` appears twice on mesh axis \(axis) (split \(split))")
                        }
                    }
                }
            }
        }
        // Every dimension's factors must multiply out to its size.
        for (dimension, name) in problem.dimensions.enumerated() where checkingSizes {
            var product = 1
            for level in levels {
                for loop in level.temporal + level.spatialX + level.spatialY where loop.dimension == dimension { product *= loop.bound }
            }
            if product != problem.bounds[dimension] {
                throw node.error("the factors of \(name) multiply to \(product), but the problem has \(name) = \(problem.bounds[dimension]); every dimension's factors across levels must multiply to its size")
            }
        }
        return Mapping(levels: levels.reversed())
    }

    /// A loop-free mapping with the keep/bypass choices of the constraints (see
    /// ``TimeloopConstraints``); a data space the constraints leave open is kept.
    static func keepsOnly(_ top: ConfigMapping, components: ArchitectureReader.Components, problem: Problem) throws -> Mapping {
        let names = components.storage.map(\.name).reversed()  // inner to outer
        let constraints = try TimeloopConstraints.read(top, levelNames: Array(names), problem: problem)
        return Mapping(levels: constraints.keeps.map { choices in
            LevelMapping(keeps: Set(choices.indices.filter { choices[$0] ?? true }))
        })
    }

    /// Factors in written order (`C1 M8 R3` or `R=3,P=16`). With `allowRepeats` (spatial
    /// entries), a dimension may appear twice: once on each side of the split (magnet's
    /// extension for a dimension spread over both mesh axes of one level).
    static func parseFactorList(_ node: ConfigNode, problem: Problem, allowRepeats: Bool) throws -> [(Int, Int)] {
        var factors: [(Int, Int)] = []
        for token in try node.string().split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) {
            let factor = try self.factor(token, in: node, problem: problem, bounds: false)
            guard let bound = factor.value, bound >= 1 else {
                throw node.error("`\(token)` is not a dimension followed by a positive factor")
            }
            let count = factors.filter { $0.0 == factor.dimension }.count
            if count >= (allowRepeats ? 2 : 1) {
                throw node.error(allowRepeats ? "dimension `\(factor.name)` appears more than twice in spatial factors (at most once per mesh axis)"
                                              : "dimension `\(factor.name)` appears twice in factors")
            }
            factors.append((factor.dimension, bound))
        }
        return factors
    }

    /// One written factor, `R=3` or `R3` (and, with `bounds`, an upper bound `C<=8`): its
    /// dimension, whether it is a bound, and its value (`nil` when not a number). An unknown
    /// dimension is an error naming the dimensions.
    static func factor(_ token: String, in node: ConfigNode, problem: Problem,
                       bounds: Bool) throws -> (dimension: Int, name: String, value: Int?, isBound: Bool) {
        let name: String, value: String, isBound: Bool
        if bounds, let range = token.range(of: "<=") {
            (name, value, isBound) = (String(token[..<range.lowerBound]), String(token[range.upperBound...]), true)
        } else if let equals = token.firstIndex(of: "=") {
            (name, value, isBound) = (String(token[..<equals]), String(token[token.index(after: equals)...]), false)
        } else {
            let digits = token.reversed().prefix { $0.isNumber }
            (name, value, isBound) = (String(token.dropLast(digits.count)), String(digits.reversed()), false)
        }
        guard let dimension = problem.dimensionIndex(name) else {
            throw node.error("unknown dimension `\(name)` in factors; dimensions: \(problem.dimensions.joined(separator: ", "))")
        }
        return (dimension, name, Int(value), isBound)
    }

    /// The data spaces a `keep`/`bypass` entry keeps: the `keep` list if given (a data space
    /// also in `bypass` is an error), else everything not in `bypass`.
    static func keeps(_ entry: ConfigMapping, problem: Problem) throws -> Set<Int> {
        var keeps = Set(problem.dataSpaces.indices)
        if let keepNode = entry.optional("keep") {
            keeps = Set(try keepNode.list().map { try dataSpace($0, problem) })
        }
        if let bypassNode = entry.optional("bypass") {
            let bypassed = Set(try bypassNode.list().map { try dataSpace($0, problem) })
            if entry.contains("keep") {
                if let overlap = keeps.intersection(bypassed).first {
                    throw bypassNode.error("`\(problem.dataSpaces[overlap].name)` is both kept and bypassed")
                }
            } else {
                keeps.subtract(bypassed)
            }
        }
        return keeps
    }

    static func dataSpace(_ node: ConfigNode, _ problem: Problem) throws -> Int {
        let name = try node.string()
        guard let index = problem.dataSpaceIndex(name) else {
            throw node.error("unknown data space `\(name)`; data spaces: \(problem.dataSpaces.map(\.name).joined(separator: ", "))")
        }
        return index
    }

    /// Loops in permutation order (innermost first); dimensions the permutation leaves out follow.
    /// In a spatial entry a dimension may appear twice (once per mesh axis); its k-th place in
    /// the permutation takes its k-th factor.
    static func factorsAndPermutation(_ map: ConfigMapping, problem: Problem, spatial: Bool = false) throws -> [(name: String, loop: Loop)] {
        let factors = try map.optional("factors").map { try parseFactorList($0, problem: problem, allowRepeats: spatial) } ?? []
        var order: [Int] = []
        if let permutationNode = map.optional("permutation") {
            let text = try permutationNode.string()
            let singleLetters = problem.dimensions.allSatisfy { $0.count == 1 }
            let names = singleLetters ? text.filter { !$0.isWhitespace }.map(String.init) : text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            for name in names {
                guard let dimension = problem.dimensionIndex(name) else {
                    throw permutationNode.error("unknown dimension `\(name)` in permutation; dimensions: \(problem.dimensions.joined(separator: ", "))")
                }
                let allowed = max(1, factors.filter { $0.0 == dimension }.count)
                if order.filter({ $0 == dimension }).count >= allowed {
                    throw permutationNode.error("dimension `\(name)` appears \(allowed == 1 ? "twice" : "more often than in the factors") in the permutation")
                }
                order.append(dimension)
            }
        }
        for dimension in problem.dimensions.indices {
            let missing = max(1, factors.filter { $0.0 == dimension }.count) - order.filter { $0 == dimension }.count
            if missing > 0 { order += Array(repeating: dimension, count: missing) }
        }
        var used: [Int: Int] = [:]
        return order.map { dimension in
            let occurrences = factors.filter { $0.0 == dimension }.map(\.1)
            let k = used[dimension, default: 0]
            used[dimension] = k + 1
            return (problem.dimensions[dimension], Loop(dimension: dimension, bound: k < occurrences.count ? occurrences[k] : 1))
        }
    }
}
