import MagnetCore

/// One tunable parameter and the values it may take.
public struct Parameter: Hashable, Sendable {
    /// The values a parameter ranges over.
    public enum Domain: Hashable, Sendable {
        /// Whole numbers in a range.
        case integer(ClosedRange<Int>)
        /// Powers of two whose exponents lie in a range (`2^lo … 2^hi`); encoded on a log scale.
        case powerOfTwo(exponents: ClosedRange<Int>)
        /// An ordered list of numbers (encoded by position).
        case ordinal([Double])
        /// Unordered names (encoded one-hot).
        case categorical([String])
        /// One value, not searched.
        case fixed(Value)
    }

    /// A parameter's value.
    public enum Value: Hashable, Sendable, CustomStringConvertible {
        /// A whole number.
        case int(Int)
        /// A number.
        case double(Double)
        /// A name.
        case string(String)

        public var description: String {
            switch self {
            case .int(let v): return String(v)
            case .double(let v): return String(v)
            case .string(let v): return v
            }
        }
    }

    /// The parameter's name (a design-point key for the sweep).
    public var name: String
    /// Its domain.
    public var domain: Domain

    /// Creates a parameter.
    public init(_ name: String, _ domain: Domain) {
        self.name = name
        self.domain = domain
    }

    /// Number of distinct values.
    public var cardinality: Int {
        switch domain {
        case .integer(let range): return range.count
        case .powerOfTwo(let exponents): return exponents.count
        case .ordinal(let values): return values.count
        case .categorical(let names): return names.count
        case .fixed: return 1
        }
    }

    /// The `index`-th value in the domain's order.
    public func value(at index: Int) -> Value {
        switch domain {
        case .integer(let range): return .int(range.lowerBound + index)
        case .powerOfTwo(let exponents): return .int(1 << (exponents.lowerBound + index))
        case .ordinal(let values): return .double(values[index])
        case .categorical(let names): return .string(names[index])
        case .fixed(let value): return value
        }
    }

    /// The position of `value` in the domain, if it belongs to it.
    public func index(of value: Value) -> Int? {
        (0..<cardinality).first { self.value(at: $0) == value }
    }

    /// Columns this parameter takes in the encoded vector.
    var encodedWidth: Int {
        switch domain {
        case .categorical(let names): return names.count
        case .fixed: return 0
        default: return 1
        }
    }
}

/// The parameters of a study, and the unit-cube encoding models work in: log2 for powers of two
/// (their exponent, scaled), position for integers and ordinals, one-hot for categories; fixed
/// parameters take no column.
public struct SearchSpace: Hashable, Sendable {
    /// The parameters, in order.
    public var parameters: [Parameter]

    /// Creates a space.
    public init(_ parameters: [Parameter]) {
        self.parameters = parameters
    }

    /// Length of an encoded point.
    public var encodedDimension: Int { parameters.reduce(0) { $0 + $1.encodedWidth } }

    /// Number of distinct points (saturating at `Int.max`).
    public var size: Int {
        parameters.reduce(1) { total, parameter in
            let (product, overflow) = total.multipliedReportingOverflow(by: parameter.cardinality)
            return overflow ? Int.max : product
        }
    }

    /// A point as the position of each parameter's value in its domain.
    public func point(indices: [Int]) -> [Parameter.Value] {
        zip(parameters, indices).map { $0.value(at: $1) }
    }

    /// The point at `linearIndex` (0 ..< ``size``) in grid order, the last parameter fastest.
    public func point(linearIndex: Int) -> [Parameter.Value] {
        var rest = linearIndex
        var indices = Array(repeating: 0, count: parameters.count)
        for k in stride(from: parameters.count - 1, through: 0, by: -1) {
            indices[k] = rest % parameters[k].cardinality
            rest /= parameters[k].cardinality
        }
        return point(indices: indices)
    }

    /// A uniformly random point.
    public func randomPoint(using generator: inout SeededGenerator) -> [Parameter.Value] {
        parameters.map { $0.value(at: Int.random(in: 0..<$0.cardinality, using: &generator)) }
    }

    /// The point in the unit cube.
    public func encode(_ point: [Parameter.Value]) -> [Double] {
        var encoded: [Double] = []
        encoded.reserveCapacity(encodedDimension)
        for (parameter, value) in zip(parameters, point) {
            let index = parameter.index(of: value) ?? 0
            switch parameter.domain {
            case .fixed: break
            case .categorical(let names):
                for k in names.indices { encoded.append(k == index ? 1 : 0) }
            default:
                let count = parameter.cardinality
                encoded.append(count > 1 ? Double(index) / Double(count - 1) : 0)
            }
        }
        return encoded
    }

    /// The nearest point to an encoded vector (inverse of ``encode(_:)`` on encoded points).
    public func decode(_ encoded: [Double]) -> [Parameter.Value] {
        var column = 0
        return parameters.map { parameter in
            switch parameter.domain {
            case .fixed(let value):
                return value
            case .categorical(let names):
                let slice = encoded[column..<(column + names.count)]
                column += names.count
                let best = slice.indices.max { slice[$0] < slice[$1] }! - slice.startIndex
                return .string(names[best])
            default:
                let count = parameter.cardinality
                let x = min(max(encoded[column], 0), 1)
                column += 1
                return parameter.value(at: Int((x * Double(count - 1)).rounded()))
            }
        }
    }
}
