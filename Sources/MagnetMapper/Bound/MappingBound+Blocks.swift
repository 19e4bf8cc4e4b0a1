/// What is known of the order of a block of loops.
enum BlockKind {
    /// Decided loops in a decided order.
    case fixed
    /// Decided loops in any order.
    case free
    /// The innermost loop of the undecided levels (one dimension, any split of its factor).
    case undecidedFirst
    /// The other factors of the undecided levels: any split over them, any order.
    case undecided
}

// The temporal loops above a level as a sequence of blocks, inner to outer: per decided inner
// level, its decided innermost loops (in order), then the loops that must stay inside the others,
// then the rest; the undecided levels; the outermost level when decided. Every loop of a block is
// inside every loop of the blocks after it.
extension MappingBound {
    mutating func prepareBlocks(_ candidate: Candidate) {
        blockCount = 0
        var dimsUsed = 0
        func open(_ level: Int, _ kind: BlockKind) {
            blockLevel[blockCount] = level
            blockKind[blockCount] = kind
            blockStart[blockCount] = dimsUsed
            blockEnd[blockCount] = dimsUsed
        }
        func add(_ d: Int) {
            blockDims[dimsUsed] = d
            dimsUsed += 1
            blockEnd[blockCount] = dimsUsed
        }
        func close() { if blockEnd[blockCount] > blockStart[blockCount] { blockCount += 1 } }
        var undecidedEmitted = false
        for level in 0..<levelCount {
            levelFirstBlock[level] = blockCount
            guard decided.decides(level) else {
                guard !undecidedEmitted else {
                    // Every undecided level starts at the undecided blocks.
                    levelFirstBlock[level] = levelFirstBlock[level - 1]
                    continue
                }
                undecidedEmitted = true
                if undecidedInnermost >= 0 {
                    open(-1, .undecidedFirst)
                    add(undecidedInnermost)
                    close()
                }
                open(-1, .undecided)
                for d in 0..<dimensionCount where remainder[d] > 1 && d != undecidedInnermost { add(d) }
                close()
                continue
            }
            let base = level * dimensionCount
            let ordered = decided.orderedCount(level)
            if ordered == .max {
                open(level, .fixed)
                for d in candidate.order(level) where temporal[base + d] > 1 { add(d) }
                close()
                continue
            }
            var placed = 0
            open(level, .fixed)
            if ordered > 0 {
                // A partly decided order: its innermost loops, then the others within the constraints.
                for d in candidate.order(level) where temporal[base + d] > 1
                    && blockEnd[blockCount] - blockStart[blockCount] < ordered {
                    add(d)
                    placed |= 1 << d
                }
            }
            for k in innermostOrderStart[level]..<innermostOrderStart[level + 1] {
                let d = innermostOrderDims[k]
                if temporal[base + d] > 1 && placed & (1 << d) == 0 { add(d); placed |= 1 << d }
            }
            close()
            open(level, .free)
            for d in 0..<dimensionCount where innermostSet[level] & (1 << d) != 0 && placed & (1 << d) == 0
                && temporal[base + d] > 1 {
                add(d)
                placed |= 1 << d
            }
            close()
            open(level, .free)
            for d in 0..<dimensionCount where placed & (1 << d) == 0 && temporal[base + d] > 1 { add(d) }
            close()
        }
        levelFirstBlock[levelCount] = blockCount
        refreshOutside()
    }

    /// Recomputes `blockOutside` (after the factors left out of the undecided blocks change).
    mutating func refreshOutside() {
        var outside = 1.0
        var b = blockCount - 1
        while b >= 0 {
            blockOutside[b] = outside
            outside *= Double(blockProduct(b, allDimensions))
            b -= 1
        }
    }

    /// The first block at or above level `level`.
    @inline(__always)
    func firstBlock(from level: Int) -> Int { levelFirstBlock[min(level, levelCount)] }

    /// The factor of `d` in block `b`.
    @inline(__always)
    func blockFactor(_ b: Int, _ d: Int) -> Int {
        let level = blockLevel[b]
        if level >= 0 { return temporal[level * dimensionCount + d] }
        return regionExcluded & (1 << d) != 0 ? 1 : remainder[d]
    }

    /// Π of block `b`'s factors over the dimensions in `mask`.
    @inline(__always)
    func blockProduct(_ b: Int, _ mask: Int) -> Int {
        var product = 1
        for k in blockStart[b]..<blockEnd[b] where mask & (1 << blockDims[k]) != 0 { product *= blockFactor(b,
            blockDims[k]) }
        return product
    }

    /// Whether the loops of block `b` come in a known order.
    @inline(__always)
    func ordered(_ b: Int) -> Bool { blockKind[b] == .fixed || blockKind[b] == .undecidedFirst }

    /// In an ordered block: position (index into `blockDims`) of its innermost loop over `mask`.
    @inline(__always)
    func innermostPosition(_ b: Int, _ mask: Int) -> Int? {
        for k in blockStart[b]..<blockEnd[b] where mask & (1 << blockDims[k]) != 0 { return k }
        return nil
    }

    /// In an ordered block: Π of its factors from position `k` outward.
    @inline(__always)
    func productFrom(_ b: Int, _ k: Int) -> Double {
        var product = 1
        var p = k
        while p < blockEnd[b] { product *= blockFactor(b, blockDims[p]); p += 1 }
        return Double(product)
    }

    /// A loop's step in dimension `d` units (the extent of `d` inside it): exact for decided levels,
    /// the least it can be for the undecided ones.
    @inline(__always)
    func loopStride(_ b: Int, _ d: Int) -> Int {
        let level = blockLevel[b]
        if level < 0 {
            // At least the extent at the level below the undecided loops (or at the child inside them).
            let below = max(decided.temporalThrough, regionChild)
            return below >= 0 ? extent[below * dimensionCount + d] : 1
        }
        return (level == 0 ? 1 : extent[(level - 1) * dimensionCount + d]) * spatial[level * dimensionCount + d]
    }

    /// Transitions carried by a block's loop over `d` at position `k`, as few as they can be: its
    /// bound minus one, times the loops surely outside it. For the undecided levels, the innermost
    /// loop over `d` has some bound `a | n` and the rest of `n` outside it: `(a − 1)·n/a ≥ n(1 − 1/p)`.
    @inline(__always)
    func transitions(_ b: Int, _ d: Int, position k: Int) -> Double {
        let n = blockFactor(b, d)
        switch blockKind[b] {
        case .fixed: return Double(n - 1) * productFrom(b, k + 1) * blockOutside[b]
        case .free: return Double(n - 1) * blockOutside[b]
        case .undecidedFirst, .undecided:
            return Double(n) * (1 - 1 / Double(Factorization.smallestPrime(n))) * blockOutside[b]
        }
    }
}
