// The screen's arithmetic: the same instructions for every lane, selects instead of branches.
extension CandidateScreen {
    /// Screens the batch: fits and lower bounds for every lane in use.
    mutating func run() {
        let levels = levelCount, dimensions = dimensionCount, top = levels - 1
        let one = Lanes(repeating: 1), zero = Lanes(repeating: 0)
        var computeCycles = one
        var fitting = SIMDMask<SIMD8<Int32>>(repeating: true)
        for level in 0..<levels {
            var fanX = one, fanY = one
            var dimensions = spatialDimensions[level]
            while dimensions != 0 {
                let i = level * dimensionCount + dimensions.trailingZeroBitCount
                dimensions &= dimensions - 1
                fanX *= spatialX[i]
                fanY *= spatialY[i]
                spatial[i] = spatialX[i] * spatialY[i]
            }
            dimensions = temporalDimensions[level]
            while dimensions != 0 {
                computeCycles *= temporal[level * dimensionCount + dimensions.trailingZeroBitCount]
                dimensions &= dimensions - 1
            }
            fitting .&= (fanX .<= Lanes(repeating: meshX[level])) .& (fanY .<= Lanes(repeating: meshY[level]))
            fanUsed[level] = fanX * fanY
        }
        var outside = one
        for level in stride(from: top, through: 0, by: -1) {
            replication[level] = outside
            outside *= fanUsed[level]
        }
        var active = activeDimensions
        while active != 0 {
            let d = active.trailingZeroBitCount
            active &= active - 1
            var running = one
            for level in 0..<levels {
                let i = level * dimensions + d
                running *= spatial[i] * temporal[i]
                extent[i] = running
            }
        }
        for level in 0..<levels {
            var used = zero
            for space in 0..<spaceCount {
                let words = boxSize(space, level)
                tileWords[level * spaceCount + space] = words
                if keepMasks[level] & (1 << space) != 0 { used += words }
            }
            if let capacity = capacity[level] { fitting .&= used .<= Lanes(repeating: capacity) }
        }
        for level in 0..<levels {
            readWords[level] = zero
            writeWords[level] = zero
        }
        var energy = Lanes(repeating: macEnergyPJ)
        for counted in self.counted {
            energy += countedEnergy(counted, computeCycles: computeCycles)
        }
        var bounded = computeCycles
        for level in 0..<levels {
            let table = levelTables[level]
            if table.readBandwidth > 0 {
                bounded = greater(bounded, readWords[level] / Lanes(repeating: Float(table.readBandwidth)))
            }
            if table.writeBandwidth > 0 {
                bounded = greater(bounded, writeWords[level] / Lanes(repeating: Float(table.writeBandwidth)))
            }
        }
        var perCycle = Lanes(repeating: perCycleEnergyPJ)
        for level in 0..<levels where keepMasks[level] != 0 {
            perCycle += Float(levelTables[level].leakagePJPerCycle) * replication[level]
        }
        energyPJ = energy + perCycle * bounded
        cycles = bounded
        fits = fitting
    }

    /// Words of `space` in each lane's tile at `level`.
    @inline(__always)
    private func boxSize(_ space: Int, _ level: Int) -> Lanes {
        var size = Lanes(repeating: 1)
        for rank in shape.ranks(space) {
            var span = Lanes(repeating: 1)
            for term in shape.terms(rank) {
                span += Float(term.coefficient) * (extent[level * dimensionCount + term.dimension] - 1)
            }
            size *= span
        }
        return size
    }

    /// The energy of a counted data space's reads, fills and updates at every level that keeps it,
    /// as ``MappingBound`` counts them for a whole candidate (`countAccesses`), with what depends
    /// on a sliding coordinate at its least; adds their words to the levels' bandwidth sums.
    @inline(__always)
    private mutating func countedEnergy(_ counted: CountedSpace, computeCycles: Lanes) -> Lanes {
        let levels = levelCount, dimensions = dimensionCount, top = levels - 1, space = counted.space
        let one = Lanes(repeating: 1), zero = Lanes(repeating: 0), infinity = Lanes(repeating: .infinity)
        // Multicast classes over the coordinates that do not slide (the product of their spatial
        // factors: all the classes of a space without sliding coordinates).
        for level in 0..<levels {
            var spread = one
            for d in counted.wholeTileDimensions { spread *= spatial[level * dimensions + d] }
            classes[level] = spread
        }
        // Chains: every transition at or outside the innermost loop over a whole-tile dimension
        // brings the whole tile (docs/mapper.md, "Bounds").
        chain[levels] = one
        var allAbove = one
        for level in stride(from: top, through: 0, by: -1) {
            var innermostWhole = infinity
            for d in counted.wholeTileDimensions {
                let i = level * dimensions + d
                let looped = infinity.replacing(with: position[i], where: temporal[i] .> one)
                innermostWhole = lesser(innermostWhole, looped)
            }
            var atOrOutside = one, all = one
            var looped = temporalDimensions[level]
            while looped != 0 {
                let i = level * dimensions + looped.trailingZeroBitCount
                looped &= looped - 1
                all *= temporal[i]
                atOrOutside *= one.replacing(with: temporal[i], where: position[i] .>= innermostWhole)
            }
            chain[level] = chain[level + 1].replacing(with: atOrOutside * allAbove, where: innermostWhole .< infinity)
            allAbove *= all
        }
        // The MACs' operand reads at the innermost level: one per step without fan-out there; per
        // step and class when every child holds its own; else per step that moves the operand.
        var perClass = chain[0]
        if !counted.sliding { perClass = computeCycles.replacing(with: chain[0], where: classes[0] .< fanUsed[0]) }
        var arriving = computeCycles.replacing(with: classes[0] * perClass, where: fanUsed[0] .> one)
        var energy = zero
        let half = Lanes(repeating: 0.5)
        for level in 0..<levels {
            if level > 0 { arriving *= classes[level] }
            guard keepMasks[level] & (1 << space) != 0 else { continue }
            let content = arriving
            let delta = level < top ? tileWords[level * spaceCount + space] * chain[level + 1] : zero
            var filled = level < counted.outermostKept ? delta : zero
            if counted.sliding && level < top {
                // Neighbours may pass on what the parent's children share.
                filled *= lesser(one, classes[level + 1] / fanUsed[level + 1])
            }
            var reads = content, fills = filled, updates = zero
            if counted.readWrite {
                // What one instance ever holds, at most: the data space over the classes above.
                let whole = tileWords[top * spaceCount + space]
                var partition = whole
                if counted.plain {
                    var divisor = one
                    for above in (level + 1)..<levels { divisor *= classes[above] }
                    partition = whole / divisor
                }
                updates = content
                reads = greater(zero, content - partition)
                fills = greater(zero, filled - partition)
            }
            // Half a word of slack: the model rounds its counts to whole words.
            reads = greater(zero, reads - half)
            fills = greater(zero, fills - half)
            updates = greater(zero, updates - half)
            let table = levelTables[level]
            var paid = replication[level]
            if table.paidInstances < .max { paid = lesser(paid, Lanes(repeating: Float(table.paidInstances))) }
            let perInstance = reads * Float(table.readEnergyPJ / table.block)
                + fills * Float(table.writeEnergyPJ / table.block)
                + updates * Float(table.updateEnergyPJ / table.block)
            energy += perInstance * paid
            readWords[level] += reads
            writeWords[level] += fills + updates
            if level < top { arriving = delta }
        }
        return energy
    }
}

/// The lesser of two vectors, lane by lane (inlined: the standard library's generic form is a call).
@inline(__always)
private func lesser(_ a: CandidateScreen.Lanes, _ b: CandidateScreen.Lanes) -> CandidateScreen.Lanes {
    a.replacing(with: b, where: b .< a)
}

/// The greater of two vectors, lane by lane.
@inline(__always)
private func greater(_ a: CandidateScreen.Lanes, _ b: CandidateScreen.Lanes) -> CandidateScreen.Lanes {
    a.replacing(with: b, where: b .> a)
}
