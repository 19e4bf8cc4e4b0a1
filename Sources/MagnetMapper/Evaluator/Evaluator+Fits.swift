extension Evaluator {
    /// Whether a mapping that covers every dimension fits the hardware: spatial factors within
    /// each level's fan-out, kept tiles within each level's capacity. Allocation-free.
    public mutating func fits(_ mapping: Mapping) -> Bool { fits(nest: mapping) }

    /// Whether a candidate fits the hardware (the same as its ``Candidate/mapping()``).
    mutating func fits(_ candidate: Candidate) -> Bool { fits(nest: candidate) }

    mutating func fits<Nest: EvaluatedNest>(nest: Nest) -> Bool {
        let hardware = model.hardware
        for level in 0..<levelCount {
            var fanoutX = 1, fanoutY = 1
            nest.forEachLoop(level: level, slot: .spatialX) { fanoutX *= $0.bound }
            nest.forEachLoop(level: level, slot: .spatialY) { fanoutY *= $0.bound }
            if fanoutX > meshX[level] || fanoutY > meshY[level] { return false }
        }
        flatten(nest)
        for level in 0..<levelCount {
            guard let capacity = hardware.storage[level].capacityWords else { continue }
            var used = 0
            for space in 0..<spaceCount where keeps(level, space) {
                used += boxSize(space, boundaryExtent, level * dimensionCount)
            }
            if used > capacity { return false }
        }
        return true
    }

    /// Whether `level` keeps data space `space` in the nest flattened last.
    @inline(__always)
    func keeps(_ level: Int, _ space: Int) -> Bool { levelKeeps[level] & (1 << space) != 0 }
}
