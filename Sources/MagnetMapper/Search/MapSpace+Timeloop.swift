import MagnetCore
import MagnetWorkload

extension TimeloopInput {
    /// Loads a Timeloop mapper input: its architecture and problem, and the map space its
    /// `architecture_constraints` and `mapspace_constraints` allow (fixed and bounded factors,
    /// loop orders, X/Y splits, keep/bypass, minimum parallelism; see ``TimeloopConstraints``).
    /// A data space neither kept nor bypassed at a level is left to the search, except at the
    /// outermost level (which keeps everything, as in Timeloop) and at dummy levels (which hold
    /// nothing unless told to).
    public static func loadMapSpace(input: String, ert: String, art: String? = nil) throws -> MapSpace {
        let files = try read(input: input, ert: ert, art: art)
        let loaded = try parse(files.root, energies: files.energies, areas: files.areas, mappingRequired: false)
        let top = try files.root.mapping()
        let names = loaded.hardware.storage.map(\.name)
        let problem = loaded.problem
        let constraints = try TimeloopConstraints.read(top, levelNames: names, problem: problem)
        var space = MapSpace(hardware: loaded.hardware, problem: problem, keeps: loaded.mapping.levels.map(\.keeps))
        space.minimumParallelism = constraints.minimumParallelism
        for level in names.indices {
            if level < names.count - 1 && !loaded.isDummy[level] {
                space.freeKeeps[level] = problem.dataSpaces.indices.filter { constraints.keeps[level][$0] == nil }
            }
            let temporal = constraints.temporal[level]
            for (dimension, factor) in temporal.factors { space.fix(level: level, slot: .temporal, dimension: dimension, factor: factor) }
            for (dimension, bound) in temporal.maxFactors { space.maxFactor[level][0][dimension] = bound }
            space.innermostOrder[level] = temporal.permutation
            let spatial = constraints.spatial[level]
            for (dimension, bound) in spatial.maxFactors { space.maxFactor[level][1][dimension] = bound }
            for dimension in problem.dimensions.indices {
                let onX = spatial.split.map { (spatial.permutation.firstIndex(of: dimension) ?? Int.max) < $0 }
                if let factor = spatial.factors[dimension] {
                    // Timeloop puts a fixed spatial factor on X unless the split sends it to Y.
                    let x = onX ?? true
                    space.fix(level: level, slot: x ? .spatialX : .spatialY, dimension: dimension, factor: factor)
                    space.fix(level: level, slot: x ? .spatialY : .spatialX, dimension: dimension, factor: 1)
                } else if let onX {
                    space.allowed[level][onX ? 2 : 1][dimension] = false
                }
            }
        }
        return space
    }
}
