/// A workload in Timeloop's terms: named loop dimensions with sizes, and data spaces whose
/// coordinates are projections (sums of coefficient × dimension) of the loop indices.
///
/// A 2-D convolution is the 7-deep loop nest over N, K, C, P, Q, R, S (plus G for groups), with
/// Inputs indexed by `H = Hstride·P + Hdilation·R` and `W = Wstride·Q + Wdilation·S`; because
/// projections carry coefficients, strided and dilated windows have exact tile sizes.
public struct Problem: Hashable, Sendable, CustomStringConvertible {
    /// Dimension names, in a fixed order used by every index-based API.
    public let dimensions: [String]
    /// Size of each dimension (the problem "instance"), same order as ``dimensions``.
    public let bounds: [Int]
    /// The operands and result of the computation.
    public let dataSpaces: [DataSpace]
    /// Named coefficients (e.g. `Hstride`, `Wdilation`) and their values, for display.
    public let coefficients: [String: Int]

    /// Creates a problem; `bounds` must have one entry per dimension and every bound must be ≥ 1.
    public init(dimensions: [String], bounds: [Int], dataSpaces: [DataSpace], coefficients: [String: Int] = [:]) {
        precondition(dimensions.count == bounds.count, "one bound per dimension")
        precondition(bounds.allSatisfy { $0 >= 1 }, "bounds must be positive")
        self.dimensions = dimensions
        self.bounds = bounds
        self.dataSpaces = dataSpaces
        self.coefficients = coefficients
    }

    /// Index of the dimension called `name`.
    public func dimensionIndex(_ name: String) -> Int? { dimensions.firstIndex(of: name) }

    /// Size of the dimension called `name` (1 when the problem has no such dimension).
    public func bound(_ name: String) -> Int {
        dimensionIndex(name).map { bounds[$0] } ?? 1
    }

    /// Index of the data space called `name`.
    public func dataSpaceIndex(_ name: String) -> Int? { dataSpaces.firstIndex { $0.name == name } }

    /// Multiply-accumulate operations: the product of all dimension sizes.
    public var macs: Int { bounds.reduce(1, *) }

    /// Number of elements of data space `dataSpace` touched by a tile whose extent along each
    /// problem dimension is `tile` (same order as ``dimensions``).
    ///
    /// Each data-space coordinate spans `Σ coefficient·(tile[d] − 1) + 1` values: the bounding
    /// box of the projection, as Timeloop counts it.
    public func tileSize(of dataSpace: Int, tile: [Int]) -> Int {
        dataSpaces[dataSpace].projection.reduce(1) { size, terms in
            size * (terms.reduce(1) { $0 + $1.coefficient * (tile[$1.dimension] - 1) })
        }
    }

    /// Number of elements of data space `dataSpace` in the whole problem.
    public func size(of dataSpace: Int) -> Int { tileSize(of: dataSpace, tile: bounds) }

    /// Dimensions that index data space `dataSpace` ("relevant" dimensions in Timeloop's terms).
    public func relevantDimensions(of dataSpace: Int) -> Set<Int> {
        Set(dataSpaces[dataSpace].projection.flatMap { $0.map(\.dimension) })
    }

    /// `N1 G1 K64 C64 P56 Q56 R3 S3`.
    public var description: String {
        zip(dimensions, bounds).map { "\($0)\($1)" }.joined(separator: " ")
    }
}

/// One operand or result of a ``Problem``.
public struct DataSpace: Hashable, Sendable {
    /// Name, e.g. `Weights`, `Inputs`, `Outputs`.
    public let name: String
    /// Whether the data space is written by the computation (partial sums: `Outputs`).
    public let isReadWrite: Bool
    /// One entry per coordinate of the data space; each is a sum of terms.
    public let projection: [[ProjectionTerm]]

    /// Creates a data space.
    public init(name: String, isReadWrite: Bool, projection: [[ProjectionTerm]]) {
        self.name = name
        self.isReadWrite = isReadWrite
        self.projection = projection
    }
}

/// `coefficient × dimension`, one term of a data-space coordinate.
public struct ProjectionTerm: Hashable, Sendable {
    /// Index into ``Problem/dimensions``.
    public let dimension: Int
    /// Multiplier of that dimension's index (stride or dilation; 1 for plain indices).
    public let coefficient: Int

    /// Creates a term.
    public init(dimension: Int, coefficient: Int = 1) {
        self.dimension = dimension
        self.coefficient = coefficient
    }
}
