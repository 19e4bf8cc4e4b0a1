/// What the ``Evaluator`` reads of a loop nest: per storage level, its loops in each slot (the
/// temporal ones innermost first) and the data spaces it keeps. A ``Mapping`` is one; so is a
/// search's candidate, which the evaluator then scores without building a ``Mapping`` for it
/// (an allocation per candidate in the search's hot path).
protocol EvaluatedNest {
    /// Calls `body` with each loop of `level` in `slot`, in order (temporal: innermost first).
    func forEachLoop(level: Int, slot: MapSpace.Slot, _ body: (Loop) -> Void)
    /// A bit per data space `level` keeps.
    func keepMask(level: Int) -> Int
    /// At least as many loops as the flattened nest of `levels` levels has, counting one
    /// placeholder for each level without temporal loops.
    func loopCapacity(levels: Int) -> Int
}

extension Mapping: EvaluatedNest {
    func forEachLoop(level: Int, slot: MapSpace.Slot, _ body: (Loop) -> Void) {
        let levelMapping = levels[level]
        switch slot {
        case .temporal: for loop in levelMapping.temporal { body(loop) }
        case .spatialX: for loop in levelMapping.spatialX { body(loop) }
        case .spatialY: for loop in levelMapping.spatialY { body(loop) }
        }
    }

    func keepMask(level: Int) -> Int {
        var mask = 0
        for space in levels[level].keeps { mask |= 1 << space }
        return mask
    }

    func loopCapacity(levels count: Int) -> Int {
        var loops = 0
        for level in levels.prefix(count) {
            loops += level.spatialX.count + level.spatialY.count + max(level.temporal.count, 1)
        }
        return loops
    }
}

extension Candidate: EvaluatedNest {
    /// The loops ``mapping()`` would build: spatial ones in dimension order, temporal ones in
    /// the level's order, factors of 1 left out.
    func forEachLoop(level: Int, slot: MapSpace.Slot, _ body: (Loop) -> Void) {
        switch slot {
        case .temporal:
            for d in order(level) where factor(level, 0, d) > 1 {
                body(Loop(dimension: d, bound: factor(level, 0, d)))
            }
        case .spatialX, .spatialY:
            for d in 0..<dimensions where factor(level, slot.rawValue, d) > 1 {
                body(Loop(dimension: d, bound: factor(level, slot.rawValue, d)))
            }
        }
    }

    func keepMask(level: Int) -> Int { keepMasks[level] }

    /// Every slot of every level holds at most one loop per dimension.
    func loopCapacity(levels: Int) -> Int { levels * (3 * dimensions + 1) }
}
