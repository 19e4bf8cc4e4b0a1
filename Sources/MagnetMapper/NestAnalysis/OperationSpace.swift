import MagnetWorkload

/// The data touched by a box of the operation space: one ``HyperRectangle`` per data space.
struct OperationSpace: Equatable {
    var parts: [HyperRectangle]

    /// The empty space for `problem`.
    init(emptyFor problem: ProblemGeometry) {
        parts = problem.ranks.map { HyperRectangle(emptyRank: $0) }
    }

    /// The data touched by the operation-space box `[low, high]` (both inclusive).
    init(problem: ProblemGeometry, low: [Int], high: [Int]) {
        parts = problem.projections.map { projection in
            var min = [Int](), max = [Int]()
            min.reserveCapacity(projection.count)
            max.reserveCapacity(projection.count)
            for terms in projection {
                var lo = 0, hi = 0
                for term in terms {
                    lo += term.coefficient * low[term.dimension]
                    hi += term.coefficient * high[term.dimension]
                }
                min.append(lo)
                max.append(hi + 1)
            }
            return HyperRectangle(min: min, max: max)
        }
    }

    /// Sizes per data space.
    var sizes: [Int] { parts.map(\.size) }
}

/// The projections of a problem in the form the nest analysis reads fast.
struct ProblemGeometry {
    let projections: [[[ProjectionTerm]]]
    let ranks: [Int]
    let isReadWrite: [Bool]
    let dimensionCount: Int

    init(_ problem: Problem) {
        projections = problem.dataSpaces.map(\.projection)
        ranks = problem.dataSpaces.map(\.projection.count)
        isReadWrite = problem.dataSpaces.map(\.isReadWrite)
        dimensionCount = problem.dimensions.count
    }

    var dataSpaceCount: Int { projections.count }
}
