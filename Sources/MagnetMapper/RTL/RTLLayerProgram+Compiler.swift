import MagnetDesigner
import MagnetWorkload

extension RTLLayerProgram {
    /// The register compiler (docs/rtl.md, "One map space"): the program that runs `mapping`, a
    /// mapping of `shape` padded to the hardware (``paddedShape``) onto `hardware`, the
    /// elaboration of `design`.
    ///
    /// Reads the split, the tiles, the channel passes and the weight schedule off the mapping
    /// (the channel groups and row blocks are the global buffer's spatial K and P factors, the
    /// bands and column tiles DRAM's P and Q, the channel passes the C factor above the
    /// accumulation buffer; the schedule is where the pass loops sit), builds that program, and
    /// accepts the mapping only when it is exactly the program's own ``mapping(on:)`` — loops of
    /// one trip aside. Where several schedules write the same mapping (one pass, or one tile),
    /// the one with the fewest controller cycles (then the earlier in
    /// ``WeightSchedule/preferenceOrder``), as in ``mapSpace(design:shape:hardware:)``. Throws the
    /// reason otherwise: the level where the mapping leaves the controller's nest, with both, or
    /// what does not fit the buffers.
    public init(compiling mapping: Mapping, design: DesignPoint, shape: ConvolutionShape, hardware: Hardware) throws {
        let names = hardware.storage.map(\.name)
        guard mapping.levels.count == names.count else {
            throw Self.refusal("the mapping has \(mapping.levels.count) storage levels, the design \(names.count) "
                               + "(\(names.joined(separator: ", ")))")
        }
        func level(_ name: String) throws -> LevelMapping {
            guard let index = names.firstIndex(of: name) else {
                throw RTLUnsupported(parameter: "hardware", message: "no \(name) level")
            }
            return mapping.levels[index]
        }
        let dimensions = shape.problem
        func index(_ name: String) -> Int { dimensions.dimensionIndex(name)! }
        let (k, c, p, q) = (index("K"), index("C"), index("P"), index("Q"))
        func product(_ loops: [Loop], _ dimension: Int) -> Int {
            loops.lazy.filter { $0.dimension == dimension }.reduce(1) { $0 * $1.bound }
        }
        let array = try level("GlobalBuffer"), dram = try level("DRAM"), weights = try level("WeightBuffer")
        let spatial = array.spatialX + array.spatialY
        let groups = product(spatial, k), rowBlocks = product(spatial, p)
        guard groups * rowBlocks == design.numPEs else {
            throw Self.refusal("the global buffer's spatial loops split K \(groups) and P \(rowBlocks) ways over the "
                               + "PEs; the controller spreads channel groups × row blocks over all \(design.numPEs)")
        }
        let bands = product(dram.temporal, p), columnTiles = product(dram.temporal, q)
        let channelPasses = product(dram.temporal, c) * product(weights.temporal, c)
        var programs: [RTLLayerProgram] = []
        var firstError: Error?
        for schedule in Self.schedules(writing: dram, weights, passDimensions: [c, k], tileDimensions: [p, q]) {
            do {
                programs.append(try RTLLayerProgram(design: design, shape: shape, groups: groups, bands: bands,
                                                    columnTiles: columnTiles, channelPasses: channelPasses,
                                                    weightSchedule: schedule))
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        guard let plausible = programs.first else { throw firstError! }
        let bounds = plausible.paddedShape.problem.bounds
        for (dimension, bound) in bounds.enumerated() {
            let factors = mapping.levels.reduce(1) { total, level in
                total * product(level.temporal + level.spatialX + level.spatialY, dimension)
            }
            guard factors == bound else {
                throw Self.refusal("the mapping's \(dimensions.dimensions[dimension]) factors multiply to \(factors); "
                                   + "the controller runs the layer padded to \(dimensions.dimensions[dimension]) "
                                   + "= \(bound) (K to a multiple of \(groups) channel groups × "
                                   + "\(design.lanes) lanes, "
                                   + "C to a multiple of \(design.vectorSize))")
            }
        }
        let given = mapping.levels.map(Self.normalized)
        var matching: [RTLLayerProgram] = []
        var firstDifference: String?
        for program in programs {
            let nest = try program.mapping(on: hardware).levels.map(Self.normalized)
            if let differing = nest.indices.first(where: { nest[$0] != given[$0] }) {
                if firstDifference == nil {
                    firstDifference = "at \(names[differing]) the controller runs "
                        + Self.describe(nest[differing], dimensions) + "; the mapping has "
                        + Self.describe(given[differing], dimensions)
                        + " (\(program.split.groups) channel groups × \(program.split.rowBlocks) row blocks, "
                        + "\(program.bands)×\(program.columnTiles) tiles, \(program.channelPasses) channel passes, "
                        + "weights \(program.weightSchedule.summary); docs/rtl.md)"
                }
            } else {
                matching.append(program)
            }
        }
        // The map space keeps, of programs writing one mapping, the fewest cycles, then the earlier
        // in the schedules' preference order: the same rule here.
        func rank(_ program: RTLLayerProgram) -> (Int, Int) {
            (program.expectedCycles, WeightSchedule.preferenceOrder.firstIndex(of: program.weightSchedule)!)
        }
        guard let best = matching.min(by: { rank($0) < rank($1) }) else {
            throw Self.refusal(firstDifference!)
        }
        self = best
    }

    /// The weight schedules that could have written `dram` and `weights` (the levels' mappings):
    /// resident when the weight buffer iterates over the passes; else by where DRAM's pass loops
    /// sit against its tile loops (inside: every tile reloads; outside: the tiles inside the
    /// passes; either when one of the two is absent), the likelier first.
    static func schedules(writing dram: LevelMapping, _ weights: LevelMapping, passDimensions: Set<Int>,
                          tileDimensions: Set<Int>) -> [WeightSchedule] {
        let loops = dram.temporal.filter { $0.bound > 1 }
        if weights.temporal.contains(where: { $0.bound > 1 && passDimensions.contains($0.dimension) }) {
            return [.resident]
        }
        let passes = loops.indices.filter { passDimensions.contains(loops[$0].dimension) }
        let tiles = loops.indices.filter { tileDimensions.contains(loops[$0].dimension) }
        guard let innermostPass = passes.first, let innermostTile = tiles.first else {
            return WeightSchedule.preferenceOrder
        }
        return innermostPass < innermostTile
            ? [.reloadedEveryTile, .tilesInsidePasses, .resident]
            : [.tilesInsidePasses, .reloadedEveryTile, .resident]
    }

    /// `level` without its loops of one trip, which change nothing.
    static func normalized(_ level: LevelMapping) -> LevelMapping {
        LevelMapping(temporal: level.temporal.filter { $0.bound > 1 }, spatialX: level.spatialX.filter { $0.bound > 1 },
                     spatialY: level.spatialY.filter { $0.bound > 1 }, keeps: level.keeps)
    }

    /// A level's loops and keeps in a refusal: `temporal Q8 K4, spatial X K2 P2, keeps Inputs`
    /// (loops inner first, as in Timeloop's permutations).
    static func describe(_ level: LevelMapping, _ problem: Problem) -> String {
        func text(_ loops: [Loop]) -> String {
            loops.map { "\(problem.dimensions[$0.dimension])\($0.bound)" }.joined(separator: " ")
        }
        var parts: [String] = []
        parts.append(level.temporal.isEmpty ? "no temporal loops" : "temporal " + text(level.temporal))
        if !level.spatialX.isEmpty { parts.append("spatial X " + text(level.spatialX)) }
        if !level.spatialY.isEmpty { parts.append("spatial Y " + text(level.spatialY)) }
        let kept = level.keeps.sorted().map { problem.dataSpaces[$0].name }
        parts.append(kept.isEmpty ? "keeps nothing" : "keeps " + kept.joined(separator: ", "))
        return parts.joined(separator: ", ")
    }

    /// A mapping the controller cannot run, and why.
    static func refusal(_ message: String) -> RTLUnsupported {
        RTLUnsupported(parameter: "mapping", message: message)
    }
}
