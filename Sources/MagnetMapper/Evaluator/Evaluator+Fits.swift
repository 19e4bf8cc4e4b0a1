extension Evaluator {
    /// Whether a mapping that covers every dimension fits the hardware: spatial factors within
    /// each level's fan-out, kept tiles within each level's capacity. Allocation-free.
    public mutating func fits(_ mapping: Mapping) -> Bool { fits(nest: mapping) }

    /// Whether a candidate fits the hardware (the same as its ``Candidate/mapping()``).
    mutating func fits(_ candidate: Candidate) -> Bool { fits(nest: candidate) }

    mutating func fits<Nest: EvaluatedNest>(nest: Nest) -> Bool {
        for level in 0..<levelCount {
            var fanoutX = 1, fanoutY = 1
            nest.forEachLoop(level: level, slot: .spatialX) { fanoutX *= $0.bound }
            nest.forEachLoop(level: level, slot: .spatialY) { fanoutY *= $0.bound }
            if fanoutX > meshX[level] || fanoutY > meshY[level] { return false }
        }
        flatten(nest)
        for level in 0..<levelCount {
            if !tilesFit(level, keeps: levelKeeps[level], boundaryExtent, base: level * dimensionCount) { return false }
        }
        return true
    }

    /// Whether every kept tile of `candidate` fits its level's capacity: the capacity test of
    /// ``fits(_:)-swift.method`` (whose fan-out test ``CandidateSampler/room(_:_:_:)`` keeps for
    /// each move of a filled start), from the factors directly instead of a flattened nest, and
    /// without touching the flattened nest. Allocation-free.
    /// `mutating` only so that a call passes the evaluator by reference: as a non-mutating
    /// method, each call first copied the whole evaluator (1,280 bytes) to the stack.
    mutating func tilesFit(_ candidate: Candidate) -> Bool {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: dimensionCount) { extent in
            for d in 0..<dimensionCount { extent[d] = 1 }
            for level in 0..<levelCount {
                for d in 0..<dimensionCount {
                    extent[d] *= candidate.factor(level, 0, d) * candidate.factor(level, 1, d)
                        * candidate.factor(level, 2, d)
                }
                if !tilesFit(level, keeps: candidate.keepMasks[level], extent, base: 0) { return false }
            }
            return true
        }
    }

    /// Whether the tiles of the data spaces in `keeps` (a bit each), with extents
    /// `extents[base + d]`, fit `level`'s capacity.
    @inline(__always)
    private func tilesFit(_ level: Int, keeps: Int, _ extents: UnsafeMutableBufferPointer<Int>, base: Int) -> Bool {
        let capacity = capacityWords[level]
        guard capacity >= 0 else { return true }
        var used = 0
        for space in 0..<spaceCount where keeps & (1 << space) != 0 { used += boxSize(space, extents, base) }
        return used <= capacity
    }

    /// Whether `level` keeps data space `space` in the nest flattened last.
    @inline(__always)
    func keeps(_ level: Int, _ space: Int) -> Bool { levelKeeps[level] & (1 << space) != 0 }
}
