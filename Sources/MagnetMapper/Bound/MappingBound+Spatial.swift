// Multicast classes: how many distinct data-space offsets the children of a level's spatial
// loops hold (docs/cost-model.md, section 3), which the model's parent reads are counted per.
extension MappingBound {
    /// Whether the candidate's spatial factors differ from those the classes were computed for.
    mutating func spatialChanged(_ candidate: Candidate) -> Bool {
        var changed = false
        for level in 0..<levelCount {
            for slot in 1...2 {
                for d in 0..<dimensionCount {
                    let factor = candidate.factor(level, slot, d)
                    let i = (level * 2 + slot - 1) * dimensionCount + d
                    if cachedSpatial[i] != factor { cachedSpatial[i] = factor; changed = true }
                }
            }
        }
        return changed
    }

    /// Per level and data space: the distinct data-space offsets among the children of the
    /// level's spatial loops (multicast classes), the same counted over non-sliding coordinates
    /// only, and whether link transfers can lower the parent's reads below one read per class.
    /// Depends only on the spatial factors (and, where two dimensions spread one coordinate, on
    /// the extents below; then the classes of a level above the decided ones are taken as 1).
    mutating func prepareSpatial(_ candidate: Candidate) {
        _ = spatialChanged(candidate)
        spatialReady = true
        for level in 0..<levelCount {
            for space in 0..<spaceCount {
                let i = level * spaceCount + space
                guard fanUsed[level] > 1 else {
                    classes[i] = 1
                    classesNonSliding[i] = 1
                    linkable[i] = false
                    continue
                }
                classes[i] = Double(distinctOffsets(space, level, candidate, nonSlidingOnly: false))
                classesNonSliding[i] = shape.isSliding[space]
                    ? Double(distinctOffsets(space, level, candidate, nonSlidingOnly: true)) : classes[i]
                // A step that moves a sliding coordinate by less than the children's spread can be
                // served by a mesh neighbour (a link transfer) instead of the parent. (At the
                // innermost level, a step that does not move at all can be too: see `baseReads`.)
                var slidingSpread = false
                for d in 0..<dimensionCount where spatial[level * dimensionCount + d] > 1 && shape.slidingRank(space,
                    d) != -1 {
                    slidingSpread = true
                }
                linkable[i] = slidingSpread
            }
        }
    }

    /// Distinct offsets of `space` among the children of `level`'s spatial loops (X loops, then Y,
    /// each in dimension order, as ``Candidate/mapping()`` writes them).
    private mutating func distinctOffsets(_ space: Int, _ level: Int, _ candidate: Candidate,
                                          nonSlidingOnly: Bool) -> Int {
        // Simple case: every rank is spread by at most one dimension, every dimension spreads at
        // most one rank; then the offsets are distinct per index (loops of one dimension over X and
        // Y nest like one loop) and the classes are the product of the spreading factors.
        var simple = true
        var product = 1
        for d in 0..<dimensionCount where spatial[level * dimensionCount + d] > 1 {
            let moved = shape.ranksMoved(space, by: d, nonSlidingOnly: nonSlidingOnly)
            if moved > 1 { simple = false }
            if moved > 0 { product *= spatial[level * dimensionCount + d] }
        }
        if simple {
            for rank in shape.ranks(space) where !nonSlidingOnly || !shape.rankSlides[rank] {
                var spreading = 0
                for term in shape.terms(rank) where spatial[level * dimensionCount + term.dimension] > 1 {
                    spreading += 1
                }
                if spreading > 1 { simple = false }
            }
        }
        if simple { return product }
        // Otherwise enumerate the children's offsets.
        // The loops' strides are the extents below the level, known only once its inner levels
        // are decided; before that, one class is all that is certain.
        spatialReady = false  // depends on the decided extents: recomputed at every call
        guard level == 0 || tileDecided(level - 1) else { return 1 }
        codes.removeAll(keepingCapacity: true)
        for child in 0..<fanUsed[level] {
            var rest = child
            var code = 0
            var offsets = (0..<dimensionCount).map { _ in 0 }
            for slot in 1...2 {
                for d in 0..<dimensionCount {
                    let bound = candidate.factor(level, slot, d)
                    guard bound > 1 else { continue }
                    let scale = (level == 0 ? 1 : extent[(level - 1) * dimensionCount + d])
                        * (slot == 2 ? candidate.factor(level, 1, d) : 1)
                    offsets[d] += (rest % bound) * scale
                    rest /= bound
                }
            }
            for rank in shape.ranks(space) where !nonSlidingOnly || !shape.rankSlides[rank] {
                var offset = 0
                for term in shape.terms(rank) { offset += term.coefficient * offsets[term.dimension] }
                code = code &* 1_000_003 &+ offset
            }
            codes.insert(code)
        }
        return codes.count
    }

}
