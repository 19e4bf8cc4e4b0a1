/// An axis-aligned hyper-rectangle of data-space coordinates (`min` inclusive, `max`
/// exclusive), with the direction it last moved in.
///
/// This is the tile shape Timeloop's nest analysis works with. Subtraction keeps the result a
/// rectangle: when the difference of two tiles is not one (they differ along more than one
/// axis, or one lies inside the other), the whole tile counts as new. The *gradient* records the
/// axis and sign of the last move, so that residual data can be discarded when a tile changes
/// direction (the "reset on stride change" rule).
struct HyperRectangle: Equatable {
    /// When the residual of the previous tile may be reused.
    enum ResidualRule {
        /// Discard the residual when the tile changes axis or direction; a tile that had not
        /// moved may start moving in any direction (Timeloop master).
        case resetOnStrideChange
        /// As above, except that a tile that stayed in place keeps no residual when it moves (Timeloop v3.0.3).
        case resetOnStrideChangeStrict

        /// Whether a tile may keep its residual while sliding along `axis` in `direction` (±1),
        /// given its previous step: no direction (`previousDirection` 0, possibly after staying in
        /// place), or a slide along `previousAxis` in `previousDirection`.
        func acceptsSlide(previousStationary: Bool, previousAxis: Int, previousDirection: Int, axis: Int, direction: Int) -> Bool {
            switch self {
            case .resetOnStrideChange: return previousDirection == 0 || (previousAxis == axis && previousDirection == direction)
            case .resetOnStrideChangeStrict:
                return !previousStationary && (previousDirection == 0 || (previousAxis == axis && previousDirection == direction))
            }
        }
    }

    var min: [Int]
    var max: [Int]
    /// Axis of the last move, and its signed length (0: no move recorded).
    var gradientAxis = 0
    var gradientValue = 0
    /// Whether the last step found this tile identical to the one before (strict rule only).
    var isStationary = false

    init(min: [Int], max: [Int]) {
        self.min = min
        self.max = max
    }

    /// The empty rectangle of `rank` axes (all bounds 0).
    init(emptyRank rank: Int) {
        self.min = Array(repeating: 0, count: rank)
        self.max = Array(repeating: 0, count: rank)
    }

    var rank: Int { min.count }

    /// Number of points.
    var size: Int {
        var product = 1
        for axis in 0..<min.count { product *= Swift.max(0, max[axis] - min[axis]) }
        return min.isEmpty ? 0 : product
    }

    /// Same bounds (the gradient is not compared).
    static func == (a: HyperRectangle, b: HyperRectangle) -> Bool { a.min == b.min && a.max == b.max }

    mutating func makeEmpty() {
        for axis in 0..<min.count { min[axis] = 0; max[axis] = 0 }
        gradientAxis = 0
        gradientValue = 0
    }

    /// Removes `other` from this rectangle in place when the result stays a rectangle, and
    /// returns the move (axis, signed length) that takes `other` to this rectangle.
    mutating func subtract(_ other: HyperRectangle) -> (axis: Int, value: Int) {
        if size == 0 || other.size == 0 { return (0, 0) }
        if self == other {
            makeEmpty()
            return (0, 0)
        }
        for axis in 0..<rank where other.max[axis] <= min[axis] || other.min[axis] >= max[axis] {
            return (0, 0)  // disjoint: nothing to remove
        }
        var updated = self
        var move = (axis: 0, value: 0)
        var found = false
        for axis in 0..<rank where min[axis] != other.min[axis] || max[axis] != other.max[axis] {
            if found { return (0, 0) }  // differs along two axes: not a rectangle, keep everything
            found = true
            if other.min[axis] <= min[axis] {
                if other.max[axis] <= max[axis] {
                    move = (axis, other.max[axis] - min[axis])
                    updated.min[axis] = other.max[axis]
                } else {
                    move = (0, 0)
                    updated.max[axis] = min[axis]
                }
            } else {
                if other.max[axis] < max[axis] { return (0, 0) }  // would fracture: keep everything
                move = (axis, other.min[axis] - max[axis])
                updated.max[axis] = other.min[axis]
            }
            if updated.min[axis] == updated.max[axis] {
                makeEmpty()
                return (0, 0)
            }
        }
        self = updated
        return move
    }

    /// `self − previous`, the points of this tile not in the previous one, with Timeloop's
    /// residual rules. Updates this rectangle's gradient (it becomes the next `previous`).
    mutating func delta(from previous: HyperRectangle, residualRule: ResidualRule) -> HyperRectangle {
        var difference = self
        difference.gradientAxis = 0
        difference.gradientValue = 0
        difference.isStationary = false
        let move = difference.subtract(previous)
        isStationary = false
        if move.value == 0 {
            // Identical (empty difference) or a jump (whole tile): no direction recorded.
            (gradientAxis, gradientValue) = (0, 0)
            isStationary = residualRule == .resetOnStrideChangeStrict && difference.size == 0
        } else if residualRule.acceptsSlide(previousStationary: previous.isStationary, previousAxis: previous.gradientAxis,
                                            previousDirection: previous.gradientValue.signum(),
                                            axis: move.axis, direction: move.value.signum()) {
            (gradientAxis, gradientValue) = move
        } else {
            // The tile changed direction: the residual is discarded and the whole tile is new.
            difference = self
            difference.gradientAxis = 0
            difference.gradientValue = 0
            (gradientAxis, gradientValue) = (0, 0)
        }
        return difference
    }

    /// Moves the rectangle by `offset` along every axis.
    mutating func translate(by offset: [Int]) {
        for axis in 0..<rank {
            min[axis] += offset[axis]
            max[axis] += offset[axis]
        }
    }

    /// The offset that moves `self` onto `other` (difference of the low corners).
    func translation(to other: HyperRectangle) -> [Int] {
        (0..<rank).map { other.min[$0] - min[$0] }
    }
}
