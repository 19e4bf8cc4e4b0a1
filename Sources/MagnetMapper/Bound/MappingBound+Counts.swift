import MagnetDesigner

// From delta sums to reads, fills and updates, and from those to energy and cycles, as the
// model's collapse does (docs/cost-model.md, section 4), with every count taken at its least.
extension MappingBound {
    /// Reads, fills and updates per instance of every level for one data space.
    mutating func countAccesses(_ space: Int, computeCycles: Int) {
        let top = levelCount - 1
        var outermostKept = -1
        for level in 0..<levelCount where keptMask[level] & (1 << space) != 0 { outermostKept = level }
        // Words arriving at a level per instance before its multicast classes: the MACs' operand
        // reads, then each kept level's delta sum, multiplied by the classes of the levels above
        // it up to the next kept level (the bypassed levels' children re-read what they received).
        var arriving = baseReads(space, computeCycles: computeCycles)
        for level in 0..<levelCount {
            let i = level * spaceCount + space
            if level > 0 { arriving *= linkable[i] ? classesNonSliding[i] : classes[i] }
            guard keptMask[level] & (1 << space) != 0 else {
                reads[i] = 0
                fills[i] = 0
                updates[i] = 0
                continue
            }
            let content = arriving
            var filled = 0.0
            if level < outermostKept {
                filled = delta[i]
                let parent = (level + 1) * spaceCount + space
                if linkable[parent] {
                    // Words a neighbour passes on count in the child's fills only when the parent
                    // keeps the data space, and then divided by the parent's replication; the
                    // parent's share always covers one child per non-sliding class.
                    let peerShare = keptMask[level + 1] & (1 << space) != 0 ? 1 / Double(replication[level + 1]) : 0
                    filled *= min(1, max(peerShare, classesNonSliding[parent] / Double(fanUsed[level + 1])))
                }
            }
            if readWrite[space] {
                let part = partitionBound(space, level)
                updates[i] = content
                reads[i] = max(0, content - part)
                fills[i] = level < outermostKept ? max(0, filled - part) : 0
            } else {
                updates[i] = 0
                reads[i] = content
                fills[i] = filled
            }
            if level < top { arriving = delta[i] }
        }
    }

    /// The reads of a data space by the MACs, as the innermost level counts them: one per MAC
    /// step and class without spatial fan-out there, else per step one per class (non-sliding
    /// classes where link transfers may serve some), and where classes are multicast at that
    /// level, steps that do not move the operand may be served by a neighbour for nothing.
    private mutating func baseReads(_ space: Int, computeCycles: Int) -> Double {
        guard fanUsed[0] > 1 else { return Double(computeCycles) }
        let i = space
        let perStep = linkable[i] ? classesNonSliding[i] : classes[i]
        if classes[i] >= Double(fanUsed[0]) { return perStep * Double(computeCycles) }
        return perStep * unitSteps(space)
    }

    /// An upper bound on a read-write data space's partition at a level (the part of it one
    /// instance ever holds), which the model subtracts from reads and fills: exact for a whole
    /// tiling; the data space over the spatial split above for plain coordinates; else all of it.
    private func partitionBound(_ space: Int, _ level: Int) -> Double {
        let top = levelCount - 1
        if decided.temporalThrough == top {
            // The collapse's own integer arithmetic.
            var part = Int(tileWords[top * spaceCount + space])
            var l = top - 1
            while l >= level {
                let size = Int(tileWords[l * spaceCount + space])
                let denominator = fanUsed[l + 1] > 1 ? unionSize(space, below: l) : size
                if denominator != 0 { part = part * size / denominator }
                l -= 1
            }
            return Double(part)
        }
        var whole = tileWords[top * spaceCount + space]
        guard shape.isPlain(space) else { return whole }
        for above in (level + 1)..<levelCount {
            for d in 0..<dimensionCount where shape.relevant[space] & (1 << d) != 0 {
                whole /= Double(spatial[above * dimensionCount + d])
            }
        }
        return whole
    }

    /// Words of the union of the children's tiles at level `below + 1` (its spatial extent).
    private func unionSize(_ space: Int, below: Int) -> Int {
        let extent = self.extent, spatial = self.spatial, dimensions = dimensionCount
        return shape.boxSize(space) { extent[below * dimensions + $0] * spatial[(below + 1) * dimensions + $0] }
    }

    /// Energy and cycles from the counts: per kept level and data space, accesses of whole blocks
    /// at the level's energies times its paid instances; cycles from compute and bandwidth;
    /// leakage over those cycles; the MACs' energy.
    func energyAndCycles(computeCycles: Int) -> Value {
        var energy = macEnergyPJ
        var cycles = Double(computeCycles)
        for level in 0..<levelCount {
            let table = levelTables[level]
            let paid = min(replication[level], table.paidInstances)
            var readWords = 0.0, writeWords = 0.0
            for space in 0..<spaceCount where keptMask[level] & (1 << space) != 0 {
                let i = level * spaceCount + space
                // Half a word of slack: the model rounds its counts to whole words.
                let r = max(0, reads[i] - 0.5), f = max(0, fills[i] - 0.5), u = max(0, updates[i] - 0.5)
                let perInstance = (r / table.block).rounded(.up) * table.readEnergyPJ
                    + (f / table.block).rounded(.up) * table.writeEnergyPJ
                    + (u / table.block).rounded(.up) * table.updateEnergyPJ
                energy += perInstance * Double(paid)
                readWords += r
                writeWords += f + u
            }
            if table.readBandwidth > 0 { cycles = max(cycles, (readWords / table.readBandwidth).rounded(.up)) }
            if table.writeBandwidth > 0 { cycles = max(cycles, (writeWords / table.writeBandwidth).rounded(.up)) }
        }
        for level in 0..<levelCount where keptMask[level] != 0 {
            energy += levelTables[level].leakagePJPerCycle * cycles * Double(replication[level])
        }
        return Value(energyPJ: energy, cycles: cycles)
    }
}

/// A storage level's numbers for the bound (0 bandwidth: unlimited).
struct LevelTable {
    /// Placeholder for empty tables.
    static let none = LevelTable(block: 1, readEnergyPJ: 0, writeEnergyPJ: 0, updateEnergyPJ: 0, leakagePJPerCycle: 0,
                                 readBandwidth: 0, writeBandwidth: 0, instances: 1, clusterSize: 1)

    let block: Double
    let readEnergyPJ: Double
    let writeEnergyPJ: Double
    let updateEnergyPJ: Double
    let leakagePJPerCycle: Double
    let readBandwidth: Double
    let writeBandwidth: Double
    let instances: Int
    let clusterSize: Int

    /// The most instances whose accesses are paid: clustered instances share one array's
    /// accesses (`Int.max`: every replica pays).
    var paidInstances: Int { clusterSize <= 1 ? .max : instances / clusterSize }

    init(block: Double, readEnergyPJ: Double, writeEnergyPJ: Double, updateEnergyPJ: Double, leakagePJPerCycle: Double,
         readBandwidth: Double, writeBandwidth: Double, instances: Int, clusterSize: Int) {
        self.block = block
        self.readEnergyPJ = readEnergyPJ
        self.writeEnergyPJ = writeEnergyPJ
        self.updateEnergyPJ = updateEnergyPJ
        self.leakagePJPerCycle = leakagePJPerCycle
        self.readBandwidth = readBandwidth
        self.writeBandwidth = writeBandwidth
        self.instances = instances
        self.clusterSize = clusterSize
    }

    init(_ storage: StorageLevel) {
        block = Double(storage.blockSize)
        readEnergyPJ = storage.readEnergyPJ
        writeEnergyPJ = storage.writeEnergyPJ
        updateEnergyPJ = storage.updateEnergyPJ
        leakagePJPerCycle = storage.leakagePJPerCycle
        readBandwidth = storage.readBandwidth ?? 0
        writeBandwidth = storage.writeBandwidth ?? 0
        instances = storage.instances
        clusterSize = storage.clusterSize
    }
}
