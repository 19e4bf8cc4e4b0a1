extension Evaluator {
    /// Offsets (as integer codes) and multicast groups of the children of `level`'s spatial run.
    mutating func prepareSpatial(_ space: Int, _ level: Int) {
        let first = levelFirst[level], master = levelMaster[level]
        childCount = levelFanout[level]
        let rankBase = rankStart[space]
        // Per rank: the range of offsets, for a radix that encodes differences uniquely.
        var multiplier = 1
        for r in 0..<ranks {
            var extentHere = 1
            for t in termStart[rankBase + r]..<termStart[rankBase + r + 1] {
                for loop in first...master where loopDimension[loop] == termDimension[t] {
                    extentHere += termCoefficient[t] * loopScale[loop] * (loopBound[loop] - 1)
                }
            }
            span[r] = extentHere
            radix[r] = multiplier
            multiplier *= 2 * extentHere + 1
        }
        // Multicast groups: with each rank moved by at most one spatial loop (and each loop moving
        // at most one rank), the distinct offsets are the product of the moving loops' bounds.
        spatialSpace = space
        spatialLevel = level
        codesReady = false
        var simple = true
        var product = 1
        for r in 0..<ranks { rankMoved[r] = 0 }
        for loop in first...master where loopBound[loop] > 1 {
            var moves = 0
            for r in 0..<ranks {
                for t in termStart[rankBase + r]..<termStart[rankBase + r + 1] where termDimension[t] == loopDimension[loop] {
                    moves += 1
                    rankMoved[r] += 1
                    break
                }
            }
            if moves > 1 { simple = false }
            if moves > 0 { product *= loopBound[loop] }
        }
        for r in 0..<ranks where rankMoved[r] > 1 { simple = false }
        if simple {
            classes = product
        } else {
            computeCodes()
            classes = distinctCount(codes, childCount)
        }
        linkCount = 0
        meshWidth = meshX[level]
        meshHeight = meshY[level]
    }

    /// The offset code of every child of the current spatial run.
    mutating func computeCodes() {
        let first = levelFirst[spatialLevel], master = levelMaster[spatialLevel]
        let rankBase = rankStart[spatialSpace]
        for index in 0..<childCount {
            var rest = index
            for d in 0..<dimensionCount { running[d] = 0 }
            for loop in first...master {
                running[loopDimension[loop]] += (rest % loopBound[loop]) * loopScale[loop]
                rest /= loopBound[loop]
            }
            var code = 0
            for r in 0..<ranks {
                var offset = 0
                for t in termStart[rankBase + r]..<termStart[rankBase + r + 1] { offset += termCoefficient[t] * running[termDimension[t]] }
                code += (offset + span[r]) * radix[r]
            }
            codes[index] = code
        }
        codesReady = true
    }

    /// Parent reads for one step in which every child needs `words`; with `withShift`, `shift`
    /// holds how far the delta moved since the previous step, and children whose mesh
    /// neighbour's offset differs by exactly that take it from the neighbour.
    mutating func spatialStep(words: Int, withShift: Bool) -> (Double, Double, Double) {
        let w = Double(words)
        let without = (w * Double(classes), w * Double(childCount), 0.0)
        guard withShift else { return without }
        var encoded = 0
        for r in 0..<ranks {
            guard abs(shift[r]) < span[r] else { return without }
            encoded += shift[r] * radix[r]
        }
        var found = -1
        for k in 0..<linkCount where linkShift[k] == encoded { found = k; break }
        if found < 0 {
            if !codesReady { computeCodes() }
            var served = 0, unserved = 0
            let width = meshWidth, height = meshHeight
            for index in 0..<childCount {
                let x = index % width, y = index / width
                let target = codes[index] + encoded
                var hit = false
                if height > 1 {
                    if y >= 1, (y - 1) * width + x < childCount, codes[(y - 1) * width + x] == target { hit = true }
                    if !hit, y + 1 < height, (y + 1) * width + x < childCount, codes[(y + 1) * width + x] == target { hit = true }
                }
                if !hit && width > 1 {
                    if x >= 1, codes[y * width + x - 1] == target { hit = true }
                    if !hit, x + 1 < width, y * width + x + 1 < childCount, codes[y * width + x + 1] == target { hit = true }
                }
                if hit {
                    served += 1
                } else {
                    unservedCodes[unserved] = codes[index]
                    unserved += 1
                }
            }
            let linkClassCount = distinctCount(unservedCodes, unserved)
            guard linkCount < linkShift.count else {
                // Cache full (not seen in practice): use the outcome without keeping it.
                guard served > 0, linkClassCount < classes else { return without }
                return (w * Double(linkClassCount), w * Double(unserved), w * Double(served))
            }
            linkShift[linkCount] = encoded
            linkServed[linkCount] = served
            linkClasses[linkCount] = linkClassCount
            linkUnserved[linkCount] = unserved
            found = linkCount
            linkCount += 1
        }
        guard linkServed[found] > 0, linkClasses[found] < classes else { return without }
        return (w * Double(linkClasses[found]), w * Double(linkUnserved[found]), w * Double(linkServed[found]))
    }

    // MARK: Collapse

    /// Timeloop's collapse for one data space: partitions, parent shares, bypass, and the split
    /// into reads, fills and updates (see TileCollapse, which this mirrors on flat buffers).
    mutating func collapse(_ space: Int) {
        let base = space * levelCount
        for level in 0..<levelCount {
            let i = base + level
            tileSize[level] = recordSize[i]
            tileContent[level] = recordContent[i]
            tileWeighted[level] = recordWeighted[i]
            tileLink[level] = recordLink[i]
            tileReplication[level] = spatialOutside[level]
            tileFanout[level] = levelFanout[level]
            tileShare[level] = 0
            tilePeer[level] = 0
            tileDenominator[level] = 0
        }
        for level in 1..<max(levelCount, 1) {
            let union = recordUnion[base + level]
            tileDenominator[level - 1] = union >= 0 ? union : tileSize[level - 1]
        }
        // Partitions.
        var partition = tileSize[levelCount - 1]
        tilePartition[levelCount - 1] = partition
        for level in stride(from: levelCount - 2, through: 0, by: -1) {
            if tileDenominator[level] != 0 { partition = partition * tileSize[level] / tileDenominator[level] }
            tilePartition[level] = partition
        }
        // Parent shares.
        for level in 0..<levelCount where tileSize[level] != 0 {
            tileShare[level] = level + 1 < levelCount ? tileWeighted[level + 1] / Double(tileFanout[level + 1]) : 0
        }
        // Bypass.
        var outermostKept = -1
        for level in 0..<levelCount where keeps(level, space) { outermostKept = level }
        for level in 0..<levelCount where tileSize[level] != 0 && !keeps(level, space) {
            var outer = level + 1
            while outer < levelCount && tileSize[outer] == 0 { outer += 1 }
            if outer == levelCount {
                clearTile(level)
                break
            }
            let weighted = tileWeighted[outer]
            let factor = weighted == 0 ? 0 : tileContent[level] * Double(tileFanout[outer]) / weighted
            tileContent[outer] *= factor
            tileWeighted[outer] *= factor
            tileLink[outer] = 0
            let replication = tileReplication[level], fanout = tileFanout[level]
            clearTile(level)
            tileReplication[level] = replication
            tileFanout[level] = fanout
        }
        if outermostKept >= 0 {
            for level in (outermostKept + 1)..<levelCount { clearTile(level) }
            tileShare[outermostKept] = 0
        }
        // Peer accesses from link transfers.
        for level in stride(from: levelCount - 1, to: 0, by: -1) where tileLink[level] != 0 {
            tilePeer[level - 1] += tileLink[level] / Double(tileReplication[level - 1])
        }
        // Reads, fills, updates.
        for level in 0..<levelCount {
            let i = base + level
            guard tileSize[level] != 0 else {
                countKept[i] = false
                countSize[i] = 0
                countInstances[i] = 0
                countReads[i] = 0
                countFills[i] = 0
                countUpdates[i] = 0
                continue
            }
            countKept[i] = true
            countSize[i] = tileSize[level]
            countInstances[i] = tileReplication[level]
            let content = tileContent[level] + tilePeer[level]
            if readWrite[space] {
                countUpdates[i] = tileContent[level].rounded()
                countReads[i] = (content - Double(tilePartition[level])).rounded()
                countFills[i] = level == outermostKept ? 0 : (tileShare[level] + tilePeer[level] - Double(tilePartition[level])).rounded()
            } else {
                countUpdates[i] = 0
                countReads[i] = content.rounded()
                countFills[i] = level == outermostKept ? 0 : tileShare[level] + tilePeer[level]
            }
        }
    }

    @inline(__always)
    private mutating func clearTile(_ level: Int) {
        tileSize[level] = 0
        tileContent[level] = 0
        tileWeighted[level] = 0
        tileLink[level] = 0
        tileReplication[level] = 0
        tileFanout[level] = 1
        tilePartition[level] = 0
        tileShare[level] = 0
        tilePeer[level] = 0
    }
}
