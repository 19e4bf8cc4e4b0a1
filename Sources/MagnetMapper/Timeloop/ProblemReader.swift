import MagnetCore
import MagnetWorkload

/// Reads `problem: {shape, instance}`.
enum ProblemReader {
    static func read(_ node: ConfigNode) throws -> Problem {
        let map = try node.mapping(knownKeys: ["version", "shape", "instance"])
        let shape = try map.required("shape").mapping(knownKeys: ["name", "dimensions", "data_spaces", "coefficients"])
        let dimensionsNode = try shape.required("dimensions")
        let dimensions = try dimensionsNode.list().map { try $0.string() }
        if dimensions.isEmpty { throw dimensionsNode.error("a problem needs at least one dimension") }

        var coefficients: [String: Int] = [:]
        if let list = shape.optional("coefficients") {
            for entry in try list.list() {
                let coefficient = try entry.mapping(knownKeys: ["name", "default"])
                coefficients[try coefficient.required("name").string()] = try coefficient.optional("default")?.int() ?? 1
            }
        }
        let instanceNode = try map.required("instance")
        let instance = try instanceNode.mapping()
        var bounds: [Int] = []
        for dimension in dimensions {
            guard let value = instance.optional(dimension) else {
                throw instanceNode.error("missing required key `\(dimension)` (the size of dimension \(dimension))")
            }
            bounds.append(try value.int(in: 1...Int(Int32.max)))
        }
        for (key, value) in instance.pairs where !dimensions.contains(key) {
            if key == "densities" {
                if value.isMapping, try !value.mapping().keys.isEmpty { throw value.error("not supported: densities at problem.instance.densities") }
                continue
            }
            coefficients[key] = try value.int()
        }

        let dataSpaces = try shape.required("data_spaces").list().map { entry -> DataSpace in
            let space = try entry.mapping(knownKeys: ["name", "projection", "read_write"])
            let name = try space.required("name").string()
            let projection = try space.required("projection").list().map { rankNode -> [ProjectionTerm] in
                try rankNode.list().map { termNode -> ProjectionTerm in
                    let parts = try termNode.list()
                    guard (1...2).contains(parts.count) else { throw termNode.error("a projection term is [dimension] or [dimension, coefficient]") }
                    let dimensionName = try parts[0].string()
                    guard let dimension = dimensions.firstIndex(of: dimensionName) else {
                        throw parts[0].error("unknown dimension `\(dimensionName)`; dimensions: \(dimensions.joined(separator: ", "))")
                    }
                    var coefficient = 1
                    if parts.count == 2 {
                        let coefficientName = try parts[1].string()
                        if let value = Int(coefficientName) {
                            coefficient = value
                        } else if let value = coefficients[coefficientName] {
                            coefficient = value
                        } else {
                            throw parts[1].error("unknown coefficient `\(coefficientName)`")
                        }
                    }
                    return ProjectionTerm(dimension: dimension, coefficient: coefficient)
                }
            }
            let readWrite = try space.optional("read_write")?.bool() ?? false
            return DataSpace(name: name, isReadWrite: readWrite, projection: projection)
        }
        return Problem(dimensions: dimensions, bounds: bounds, dataSpaces: dataSpaces, coefficients: coefficients)
    }
}
