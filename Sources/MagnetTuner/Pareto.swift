/// Pareto utilities for minimized objectives.
public enum Pareto {
    /// Whether `a` dominates `b`: no worse in every objective, better in at least one.
    public static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
        var better = false
        for (x, y) in zip(a, b) {
            if x > y { return false }
            if x < y { better = true }
        }
        return better
    }

    /// Indices of the points no other point dominates (duplicates keep their first copy).
    public static func nonDominated(_ points: [[Double]]) -> [Int] {
        points.indices.filter { i in
            !points.indices.contains { j in
                j != i && (dominates(points[j], points[i]) || (j < i && points[j] == points[i]))
            }
        }
    }

    /// The area dominated by two-objective points and bounded by `reference` (both minimized);
    /// points beyond the reference add nothing.
    public static func hypervolume2D(_ points: [[Double]], reference: [Double]) -> Double {
        // Sweep in increasing first objective; a point counts only where it lowers the second.
        let inside = points.filter { $0[0] < reference[0] && $0[1] < reference[1] }
            .sorted { $0[0] < $1[0] || ($0[0] == $1[0] && $0[1] < $1[1]) }
        var volume = 0.0
        var previousY = reference[1]
        for point in inside where point[1] < previousY {
            volume += (reference[0] - point[0]) * (previousY - point[1])
            previousY = point[1]
        }
        return volume
    }
}
