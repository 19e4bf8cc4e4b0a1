/// How a layer's integer sums become its output activations, as the generated accelerator's
/// read-out computes them (docs/rtl.md, "Requantization"): each sum, at the accumulator's width,
/// is multiplied by ``scale``, divided by 2^``shift`` rounding half up, clipped below at zero
/// with ``relu``, and saturated to the output format.
///
/// `scale / 2^shift` is the fixed-point form of the real factor a quantized network applies
/// between a layer's sums and its next layer's inputs (the product of the weight and input
/// scales over the output scale, per tensor): with a `scaleBits`-bit scale normalized to its top
/// bit, the factor is kept to 2^−15 relative, as integer inference runtimes keep it.
public struct Requantization: Hashable, Sendable, Codable {
    /// Bits of ``scale`` (unsigned).
    public static let scaleBits = 16
    /// Bits of ``shift`` in the controller's register.
    public static let shiftBits = 6

    /// Width of the product and the rounded value for sums of `accumulationBits`: a sum times an
    /// unsigned scale, plus the rounding term of the largest shift, never overflows it.
    public static func productBits(accumulationBits: Int) -> Int { accumulationBits + scaleBits + 2 }

    /// The multiplier, 1 ..< 2^``scaleBits``.
    public var scale: Int
    /// The right shift after the multiplication, 0 ... ``maximumShift(accumulationBits:)``.
    public var shift: Int
    /// Whether negative results become zero (a ReLU fused into the read-out).
    public var relu: Bool

    /// Creates a requantization (check it with ``problem(accumulationBits:)``).
    public init(scale: Int, shift: Int, relu: Bool) {
        self.scale = scale
        self.shift = shift
        self.relu = relu
    }

    /// Scale 1, no shift, no ReLU: each sum saturated to the output format.
    public static let saturation = Requantization(scale: 1, shift: 0, relu: false)

    /// The largest shift for sums of `accumulationBits`: beyond it every output is 0 or −1, and
    /// the rounding term would no longer fit the hardware's product width.
    public static func maximumShift(accumulationBits: Int) -> Int {
        min(accumulationBits + scaleBits, (1 << shiftBits) - 1)
    }

    /// What is wrong with this requantization for sums of `accumulationBits`, or `nil`.
    public func problem(accumulationBits: Int) -> String? {
        if scale < 1 || scale >= 1 << Self.scaleBits {
            return "scale \(scale) is outside 1...\((1 << Self.scaleBits) - 1)"
        }
        let limit = Self.maximumShift(accumulationBits: accumulationBits)
        if shift < 0 || shift > limit {
            return "shift \(shift) is outside 0...\(limit) (\(accumulationBits)-bit sums, \(Self.scaleBits)-bit scale)"
        }
        return nil
    }

    /// The output activation of `sum` (a value of the accumulator, sign included) in a signed
    /// format of `outputBits`.
    public func output(ofSum sum: Int, outputBits: Int) -> Int {
        let product = sum * scale
        let rounded = shift == 0 ? product : (product + (1 << (shift - 1))) >> shift
        let highest = (1 << (outputBits - 1)) - 1, lowest = relu ? 0 : -(1 << (outputBits - 1))
        return min(max(rounded, lowest), highest)
    }

    /// A requantization that maps sums up to `largestMagnitude` onto about twice the output
    /// format's range (so that the largest sums saturate and the rest spread over it), with the
    /// given `scale` and `relu`: the smallest shift that brings `largestMagnitude · scale` within
    /// twice the largest output. What a testbench uses to exercise every part of the read-out.
    public static func spreading(largestMagnitude: Int, outputBits: Int, accumulationBits: Int,
                                 scale: Int, relu: Bool) -> Requantization {
        let target = 2 * ((1 << (outputBits - 1)) - 1)
        var shift = 0
        while shift < maximumShift(accumulationBits: accumulationBits) && (largestMagnitude * scale) >> shift > target {
            shift += 1
        }
        return Requantization(scale: scale, shift: shift, relu: relu)
    }
}
