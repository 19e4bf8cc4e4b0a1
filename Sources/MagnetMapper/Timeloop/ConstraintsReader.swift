import MagnetCore
import MagnetWorkload

/// The mapping constraints of a Timeloop input, `architecture_constraints` (what the hardware
/// supports) and `mapspace_constraints` (what the user rules out) merged, per storage level
/// (inner to outer, like ``Hardware/storage``).
///
/// Both sections take a `targets:` list (or the list itself) of entries with a `target` level
/// and a `type`:
/// - `temporal` / `spatial`: `factors` (`R=3 S=3`, `C<=8` for an upper bound, `K=0` for the
///   whole dimension), `permutation` (innermost first), and for spatial entries `split` (the
///   first `split` dimensions of the permutation go over mesh X, the rest over Y);
/// - `bypass` / `datatype`: `keep` and `bypass` lists of data spaces; a data space named in
///   neither is left to the search;
/// - `utilization` / `parallelism`: `min`, the smallest fraction of the innermost storage
///   level's instances a mapping may use (the product of every spatial level's used fan-out
///   over its available fan-out); only at the innermost storage level, as in Timeloop.
///
/// Saying the same thing twice about one level (two permutations, a factor given twice, a data
/// space kept and bypassed) is an error naming both places, as in Timeloop.
struct TimeloopConstraints {
    /// What one `temporal` or `spatial` entry fixes at a level.
    struct Loops {
        /// Exact factors per dimension.
        var factors: [Int: Int] = [:]
        /// Upper bounds per dimension (`C<=8`).
        var maxFactors: [Int: Int] = [:]
        /// Dimensions in order, innermost first (may name only some).
        var permutation: [Int] = []
        /// Spatial only: how many dimensions of the permutation go over mesh X.
        var split: Int?
    }

    /// Per level, per data space: kept (`true`), bypassed (`false`) or left to the search.
    var keeps: [[Bool?]]
    /// Per level, the temporal entry.
    var temporal: [Loops]
    /// Per level, the spatial entry (the fan-out below the level).
    var spatial: [Loops]
    /// Smallest cumulative spatial utilization allowed (`nil`: none).
    var minimumParallelism: Double?

    /// Reads both sections of `top` for storage levels `names` (inner to outer).
    static func read(_ top: ConfigMapping, levelNames names: [String], problem: Problem) throws -> TimeloopConstraints {
        var result = TimeloopConstraints(
            keeps: names.map { _ in problem.dataSpaces.map { _ in nil } },
            temporal: names.map { _ in Loops() }, spatial: names.map { _ in Loops() }, minimumParallelism: nil)
        var seen: [String: ConfigNode] = [:]  // "level/what" → where it was said first
        func once(_ key: String, _ node: ConfigNode) throws {
            if let first = seen[key] {
                throw node.error("re-specification of \(key) (first given at \(first.keyPath)\(first.line.map { ", line \($0)" } ?? "")); the architecture and mapspace constraints may conflict")
            }
            seen[key] = node
        }
        for section in ["architecture_constraints", "mapspace_constraints"] {
            guard let node = top.optional(section) else { continue }
            let list: [ConfigNode]
            if node.isList {
                list = try node.list()
            } else {
                let map = try node.mapping(knownKeys: ["version", "targets"])
                list = try map.optional("targets")?.list() ?? []
            }
            for entry in list {
                try result.apply(entry, levelNames: names, problem: problem, once: once)
            }
        }
        return result
    }

    private mutating func apply(_ entry: ConfigNode, levelNames names: [String], problem: Problem,
                                once: (String, ConfigNode) throws -> Void) throws {
        let target = try entry.mapping(knownKeys: ["target", "type", "factors", "permutation", "split", "keep", "bypass", "min"])
        let typeNode = try target.required("type")
        let type = try typeNode.string()
        let unsupported = ["max_overbooked_proportion", "no_link_transfer", "no_multicast", "no_reduction", "no_multicast_no_reduction"]
        if unsupported.contains(type) { throw typeNode.error("not supported: constraint type `\(type)` at \(typeNode.keyPath)") }
        let types = ["temporal", "spatial", "bypass", "datatype", "bypassing", "utilization", "parallelism"]
        guard types.contains(type) else {
            var message = "unknown constraint type `\(type)`"
            if let near = NearestName.suggestion(for: type, among: types) { message += "; did you mean `\(near)`?" }
            throw typeNode.error(message)
        }
        let targetNode = try target.required("target")
        let name = try targetNode.string()
        guard let level = names.firstIndex(of: name) else {
            throw targetNode.error("unknown target `\(name)`; storage levels: \(names.reversed().joined(separator: ", "))")
        }
        let allowed: [String]
        switch type {
        case "temporal": allowed = ["target", "type", "factors", "permutation"]
        case "spatial": allowed = ["target", "type", "factors", "permutation", "split"]
        case "utilization", "parallelism": allowed = ["target", "type", "min"]
        default: allowed = ["target", "type", "keep", "bypass"]
        }
        for key in target.keys {
            if !allowed.contains(key) { throw try target.required(key).error("`\(key)` does not apply to a \(type) constraint; it takes \(allowed.joined(separator: ", "))") }
        }
        switch type {
        case "temporal", "spatial":
            var loops = type == "temporal" ? temporal[level] : spatial[level]
            if let factors = target.optional("factors") {
                for (dimension, bound, isMax) in try Self.factors(factors, problem: problem) {
                    try once("\(type) factor of \(problem.dimensions[dimension]) at \(name)", factors)
                    if isMax { loops.maxFactors[dimension] = bound } else { loops.factors[dimension] = bound }
                }
            }
            if let permutation = target.optional("permutation") {
                try once("\(type) permutation at \(name)", permutation)
                loops.permutation = try permutation.string().filter { !$0.isWhitespace }.map { character in
                    guard let dimension = problem.dimensionIndex(String(character)) else {
                        throw permutation.error("unknown dimension `\(character)` in permutation; dimensions: \(problem.dimensions.joined(separator: ", "))")
                    }
                    return dimension
                }
            }
            if let split = target.optional("split") {
                try once("spatial split at \(name)", split)
                loops.split = try split.int(in: 0...Int.max)
            }
            if type == "temporal" { temporal[level] = loops } else { spatial[level] = loops }
        case "utilization", "parallelism":
            guard level == 0 else {
                throw targetNode.error("parallelism can only be constrained at the innermost storage level (\(names[0])), not at \(name)")
            }
            let min = try target.required("min")
            try once("minimum parallelism", min)
            minimumParallelism = try min.double(in: 0...1)
        default:
            _ = try MappingReader.keeps(target, problem: problem)  // a data space both kept and bypassed is refused here
            for (key, kept) in [("keep", true), ("bypass", false)] {
                guard let list = target.optional(key) else { continue }
                for item in try list.list() {
                    let space = try MappingReader.dataSpace(item, problem)
                    try once("keep/bypass of \(problem.dataSpaces[space].name) at \(name)", item)
                    keeps[level][space] = kept
                }
            }
        }
    }

    /// Factors of a constraint: `R=3`, `R3`, `C<=8`, `K=0` (the whole dimension), separated by
    /// spaces or commas.
    static func factors(_ node: ConfigNode, problem: Problem) throws -> [(dimension: Int, factor: Int, isBound: Bool)] {
        var text = try node.string()
        for op in ["<=", "="] {
            text = text.replacingOccurrences(of: " \(op)", with: op).replacingOccurrences(of: "\(op) ", with: op)
        }
        var result: [(dimension: Int, factor: Int, isBound: Bool)] = []
        for token in text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) {
            let (dimension, name, value, isMax) = try MappingReader.factor(token, in: node, problem: problem, bounds: true)
            guard var bound = value, bound >= 0, !(isMax && bound == 0) else {
                throw node.error("`\(token)` is not a dimension followed by a factor (`\(name)=4`, `\(name)<=4`, or `\(name)=0` for the whole dimension)")
            }
            if bound == 0 { bound = problem.bounds[dimension] }
            if !isMax && problem.bounds[dimension] % bound != 0 {
                throw node.error("factor \(name)=\(bound) does not divide \(name) = \(problem.bounds[dimension])")
            }
            result.append((dimension, bound, isMax))
        }
        return result
    }
}
