// A beam search over the branch-and-bound tree, for an early best-so-far: per level, the `width`
// partial candidates with the lowest bounds are kept and expanded, the rest dropped (not cut:
// the descent that follows still visits them).
extension BranchAndBound {
    mutating func beam(width: Int) {
        var frontier = Array(spatialNodes().sorted { $0.lower < $1.lower }.prefix(width))
        for level in stride(from: top, through: 1, by: -1) {
            var next: [Node] = []
            for node in frontier {
                if timeUp() { return }
                guard !cut(node.lower) else { continue }
                candidate.factors = node.factors
                candidate.orders = node.orders
                remaining = node.remaining
                enumerateOutside(level, 0, into: &next)
            }
            frontier = Array(next.sorted { $0.lower < $1.lower }.prefix(width))
        }
        // Complete tilings: their loop orders, searched exactly, in order of their bounds.
        for node in frontier {
            if timeUp() { return }
            guard !cut(node.lower) else { continue }
            candidate.factors = node.factors
            candidate.orders = node.orders
            remaining = node.remaining
            orderPhase(top)
        }
    }
}
