extension Evaluator {
    /// Fills the count buffers for `nest`.
    mutating func run<Nest: EvaluatedNest>(_ nest: Nest) {
        flatten(nest)
        runFlattened()
    }

    /// Fills the count buffers for the nest flattened last.
    mutating func runFlattened() {
        for space in 0..<spaceCount {
            prepareSteps(space)
            for level in 0..<levelCount { record(space, level) }
            collapse(space)
        }
    }

    // MARK: The flattened nest

    /// Fills the loop buffers (innermost first), the per-level indices and extents, and the
    /// keeps of `nest`.
    mutating func flatten<Nest: EvaluatedNest>(_ nest: Nest) {
        prepareScratch(loops: nest.loopCapacity(levels: levelCount))
        loopCount = 0
        for d in 0..<dimensionCount { running[d] = 1 }
        computeCycles = 1
        utilizedMACs = 1
        let loopDimension = self.loopDimension, loopBound = self.loopBound
        let loopSpatial = self.loopSpatial, loopScale = self.loopScale, running = self.running
        func append(_ loop: Loop, spatial: Bool) {
            loopDimension[loopCount] = loop.dimension
            loopBound[loopCount] = loop.bound
            loopSpatial[loopCount] = spatial
            loopScale[loopCount] = running[loop.dimension]
            running[loop.dimension] *= loop.bound
            loopCount += 1
        }
        for level in 0..<levelCount {
            levelKeeps[level] = nest.keepMask(level: level)
            levelFirst[level] = loopCount
            var fanout = 1
            nest.forEachLoop(level: level, slot: .spatialX) { append($0, spatial: true); fanout *= $0.bound }
            nest.forEachLoop(level: level, slot: .spatialY) { append($0, spatial: true); fanout *= $0.bound }
            utilizedMACs *= fanout
            if loopCount > levelFirst[level] {
                levelMaster[level] = loopCount - 1
                for d in 0..<dimensionCount { masterExtent[level * dimensionCount + d] = running[d] }
            } else {
                levelMaster[level] = -1
            }
            levelFanout[level] = fanout
            let temporalFirst = loopCount
            nest.forEachLoop(level: level, slot: .temporal) { append($0, spatial: false); computeCycles *= $0.bound }
            if loopCount == temporalFirst { append(Loop(dimension: 0, bound: 1), spatial: false) }
            levelBoundary[level] = loopCount - 1
            for d in 0..<dimensionCount { boundaryExtent[level * dimensionCount + d] = running[d] }
        }
        var outside = 1
        for level in stride(from: levelCount - 1, through: 0, by: -1) {
            spatialOutside[level] = outside
            outside *= levelFanout[level]
        }
    }

    /// Size of data space `space`'s box for the extents stored at `base` of `extents`.
    @inline(__always)
    func boxSize(_ space: Int, _ extents: UnsafeMutableBufferPointer<Int>, _ base: Int) -> Int {
        var size = 1
        for rank in rankStart[space]..<rankStart[space + 1] {
            var span = 1
            for t in termStart[rank]..<termStart[rank + 1] { span += termCoefficient[t] * (extents[base + termDimension[t]] - 1) }
            size *= span
        }
        return size
    }

    // MARK: Steps and moves

    private mutating func prepareSteps(_ space: Int) {
        ranks = rankStart[space + 1] - rankStart[space]
        stepCount = 0
        for loop in 0..<loopCount where !loopSpatial[loop] && loopBound[loop] >= 2 {
            let dimension = loopDimension[loop]
            for rank in rankStart[space]..<rankStart[space + 1] {
                var move = 0
                for t in termStart[rank]..<termStart[rank + 1] where termDimension[t] == dimension {
                    move += termCoefficient[t] * loopScale[loop]
                }
                steps[stepCount * ranks + rank - rankStart[space]] = move
            }
            stepBound[stepCount] = loopBound[loop]
            stepLoop[stepCount] = loop
            stepCount += 1
        }
    }

    /// The moves of a tile above loop `below`: each step minus the steps inside it.
    private mutating func prepareMoves(above below: Int) {
        for r in 0..<ranks { shift[r] = 0 }  // running reset
        moveCount = 0
        for k in 0..<stepCount where stepLoop[k] > below {
            for r in 0..<ranks {
                let step = steps[k * ranks + r]
                moves[moveCount * ranks + r] = step - shift[r]
                shift[r] += step
            }
            moveBound[moveCount] = stepBound[k]
            moveCount += 1
        }
    }

    // MARK: Records

    private mutating func record(_ space: Int, _ level: Int) {
        let i = space * levelCount + level
        recordSize[i] = boxSize(space, boundaryExtent, level * dimensionCount)
        let master = levelMaster[level]
        recordUnion[i] = master >= 0 ? boxSize(space, masterExtent, level * dimensionCount) : -1
        hasSpatial = master >= 0
        if hasSpatial { prepareSpatial(space, level) }
        var sums: (Double, Double, Double)
        if level == 0 {
            sums = innermost(master)
        } else {
            sums = child(space, childLevel: level - 1)
        }
        recordContent[i] = sums.0
        recordWeighted[i] = sums.1
        recordLink[i] = sums.2
    }

    private mutating func innermost(_ master: Int) -> (Double, Double, Double) {
        guard hasSpatial else { return (Double(computeCycles), Double(computeCycles), 0) }
        var sums = (Double(classes), Double(childCount), 0.0)
        prepareMoves(above: master)
        var later = 1.0
        for k in stride(from: moveCount - 1, through: 0, by: -1) {
            for r in 0..<ranks { shift[r] = moves[k * ranks + r] }
            let step = spatialStep(words: 1, withShift: true)
            let weight = Double(moveBound[k] - 1) * later
            sums = (sums.0 + weight * step.0, sums.1 + weight * step.1, sums.2 + weight * step.2)
            later *= Double(moveBound[k])
        }
        return sums
    }

    private mutating func child(_ space: Int, childLevel: Int) -> (Double, Double, Double) {
        let base = childLevel * dimensionCount
        full = 1
        for (r, rank) in (rankStart[space]..<rankStart[space + 1]).enumerated() {
            var span = 1
            for t in termStart[rank]..<termStart[rank + 1] { span += termCoefficient[t] * (boundaryExtent[base + termDimension[t]] - 1) }
            extent[r] = span
            full *= span
        }
        prepareMoves(above: levelBoundary[childLevel])
        if !hasSpatial && !slidingPossible() {
            // Every step brings either nothing or the whole tile: the ruler sequence has
            // (n_j − 1)·Π_{i>j} n_i steps carried by loop j.
            var words = Double(full), later = 1.0
            for k in stride(from: moveCount - 1, through: 0, by: -1) {
                var moved = false
                for r in 0..<ranks where moves[k * ranks + r] != 0 { moved = true; break }
                if moved { words += Double(full) * Double(moveBound[k] - 1) * later }
                later *= Double(moveBound[k])
            }
            return (words, words, 0)
        }
        for j in 0...moveCount { memoCount[j] = 0 }
        let startContent = Double(full * (hasSpatial ? classes : 1))
        let startWeighted = Double(full * (hasSpatial ? childCount : 1))
        let rest = block(moveCount, 1 << 6)
        return (startContent + rest.0, startWeighted + rest.1, rest.2)
    }

    /// Whether some move slides the tile along exactly one rank by less than its extent.
    /// `mutating` only so that a call passes the evaluator by reference: as a non-mutating
    /// method, each call first copied the whole evaluator (1,280 bytes) to the stack.
    private mutating func slidingPossible() -> Bool {
        for k in 0..<moveCount {
            var nonzero = 0, axis = 0
            for r in 0..<ranks where moves[k * ranks + r] != 0 {
                nonzero += 1
                axis = r
            }
            if nonzero == 1 && abs(moves[k * ranks + axis]) < extent[axis] { return true }
        }
        return false
    }

    // MARK: The residual dynamic program

    /// Sums over a block of the ruler sequence of loops 1...j, after its first element, whose
    /// state (residual and last delta shape, encoded) is `state`; and the state at its end.
    private mutating func block(_ j: Int, _ state: Int) -> (Double, Double, Double, Int) {
        if j == 0 { return (0, 0, 0, state) }
        let slots = Evaluator.memoSlots
        for s in 0..<memoCount[j] where memoKey[j * slots + s] == state {
            let at = (j * slots + s) * 3
            return (memoSums[at], memoSums[at + 1], memoSums[at + 2], memoEnd[j * slots + s])
        }
        let first = block(j - 1, state)
        let carried = step(from: first.3, move: j - 1)
        let second = block(j - 1, carried.3)
        let weight = Double(moveBound[j - 1] - 1)
        let result = (first.0 + weight * (carried.0 + second.0), first.1 + weight * (carried.1 + second.1),
                      first.2 + weight * (carried.2 + second.2), second.3)
        if memoCount[j] < slots {
            let s = memoCount[j]
            memoKey[j * slots + s] = state
            memoEnd[j * slots + s] = result.3
            let at = (j * slots + s) * 3
            memoSums[at] = result.0
            memoSums[at + 1] = result.1
            memoSums[at + 2] = result.2
            memoCount[j] += 1
        }
        return result
    }

    /// State key: residual (6 bits) | shape kind (2) | rank (4) | negative (1) | width.
    @inline(__always)
    private func key(residual: Int, kind: Int, rank: Int, negative: Bool, width: Int) -> Int {
        residual | kind << 6 | rank << 8 | (negative ? 1 << 12 : 0) | width << 13
    }

    private mutating func step(from state: Int, move m: Int) -> (Double, Double, Double, Int) {
        let residual = state & 63
        // The residual rule (see HyperRectangle.delta).
        var nonzero = 0, axis = 0
        for r in 0..<ranks where moves[m * ranks + r] != 0 {
            nonzero += 1
            axis = r
        }
        var words = full, nextResidual = 0
        if nonzero == 0 {
            words = 0
            nextResidual = rule == .resetOnStrideChangeStrict ? 1 : 0
        } else if nonzero == 1 && abs(moves[m * ranks + axis]) < extent[axis] {
            let diff = moves[m * ranks + axis]
            let sliding = 2 + 2 * axis + (diff < 0 ? 1 : 0)
            // Residual states: 0 no direction, 1 stayed in place, 2 + 2·rank + (0 up, 1 down) sliding.
            let accept = rule.acceptsSlide(previousStationary: residual == 1, previousAxis: residual >= 2 ? (residual - 2) / 2 : 0,
                                           previousDirection: residual >= 2 ? ((residual - 2) % 2 == 0 ? 1 : -1) : 0,
                                           axis: axis, direction: diff < 0 ? -1 : 1)
            if accept {
                words = full / extent[axis] * abs(diff)
                nextResidual = sliding
            }
        }
        var next = key(residual: nextResidual, kind: words == 0 ? 0 : 1, rank: 0, negative: false, width: 0)
        var slabRank = 0, slabNegative = false, slabWidth = 0
        if words != 0 && words != full {
            slabRank = (nextResidual - 2) / 2
            slabNegative = (nextResidual - 2) % 2 == 1
            slabWidth = abs(moves[m * ranks + slabRank])
            next = key(residual: nextResidual, kind: 2, rank: slabRank, negative: slabNegative, width: slabWidth)
        }
        guard words > 0 else { return (0, 0, 0, next) }
        guard hasSpatial else { return (Double(words), Double(words), 0, next) }
        // A neighbour may hold this delta when the previous one had the same shape.
        // Same kind, rank and width (the slab may sit at the other end).
        if state >> 6 & 3 != 0 && (state >> 6) & ~64 == (next >> 6) & ~64 {
            for r in 0..<ranks { shift[r] = moves[m * ranks + r] }
            if words != full {
                let end = extent[slabRank] - slabWidth
                let beforeNegative = state >> 12 & 1 == 1
                shift[slabRank] += (slabNegative ? 0 : end) - (beforeNegative ? 0 : end)
            }
            let s = spatialStep(words: words, withShift: true)
            return (s.0, s.1, s.2, next)
        }
        let s = spatialStep(words: words, withShift: false)
        return (s.0, s.1, s.2, next)
    }
}
