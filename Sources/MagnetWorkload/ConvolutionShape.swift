/// The loop bounds of a (grouped, strided, dilated) 2-D convolution, the shape every magnet layer
/// is expressed in.
///
/// Dimension letters follow Timeloop: N batch, G groups, K output channels per group, C input
/// channels per group, P×Q output rows × columns, R×S filter rows × columns. Fully-connected
/// layers are 1×1 convolutions on a 1×1 image; a matrix multiply `[M×K]·[K×N]` maps M→P, N→K,
/// K→C and its batch→G. Padding does not change the loop nest; it is kept to describe the input.
public struct ConvolutionShape: Hashable, Sendable {
    /// Batch size.
    public var n: Int
    /// Number of groups (1 for a dense convolution; channels for a depthwise one).
    public var g: Int
    /// Output channels per group.
    public var k: Int
    /// Input channels per group.
    public var c: Int
    /// Output rows.
    public var p: Int
    /// Output columns.
    public var q: Int
    /// Filter rows.
    public var r: Int
    /// Filter columns.
    public var s: Int
    /// Vertical stride.
    public var strideH: Int
    /// Horizontal stride.
    public var strideW: Int
    /// Vertical dilation.
    public var dilationH: Int
    /// Horizontal dilation.
    public var dilationW: Int
    /// Zero padding rows on each side (informational).
    public var paddingH: Int
    /// Zero padding columns on each side (informational).
    public var paddingW: Int

    /// Creates a shape from output sizes. All sizes must be ≥ 1, padding ≥ 0.
    public init(n: Int = 1, g: Int = 1, k: Int, c: Int, p: Int, q: Int, r: Int = 1, s: Int = 1,
                strideH: Int = 1, strideW: Int = 1, dilationH: Int = 1, dilationW: Int = 1,
                paddingH: Int = 0, paddingW: Int = 0) {
        self.n = n; self.g = g; self.k = k; self.c = c; self.p = p; self.q = q; self.r = r; self.s = s
        self.strideH = strideH; self.strideW = strideW; self.dilationH = dilationH; self.dilationW = dilationW
        self.paddingH = paddingH; self.paddingW = paddingW
    }

    /// Output size of a sliding window over `input` positions: `⌊(input + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1`.
    public static func outputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        (input + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    }

    /// Input rows read (without padding): `(P − 1)·strideH + dilationH·(R − 1) + 1 − 2·paddingH`.
    public var inputHeight: Int { (p - 1) * strideH + dilationH * (r - 1) + 1 - 2 * paddingH }
    /// Input columns read (without padding).
    public var inputWidth: Int { (q - 1) * strideW + dilationW * (s - 1) + 1 - 2 * paddingW }

    /// Multiply-accumulates: N·G·K·C·P·Q·R·S.
    public var macs: Int { n * g * k * c * p * q * r * s }
    /// Weight elements: G·K·C·R·S.
    public var weightCount: Int { g * k * c * r * s }
    /// Output elements: N·G·K·P·Q.
    public var outputCount: Int { n * g * k * p * q }

    /// The largest element or operation count magnet models (2^53: counts stay exact as `Double`
    /// and sums of many layers stay within `Int`).
    public static let maximumCount = 1 << 53

    /// The first of this shape's counts — MACs, weights, inputs, outputs — above
    /// ``maximumCount`` (or that overflows on the way), described for an error message; `nil`
    /// when every count is in range.
    public var oversizedCount: String? {
        func product(_ factors: [Int]) -> Int? {
            var value = 1
            for factor in factors {
                let (next, overflow) = value.multipliedReportingOverflow(by: factor)
                guard !overflow, next <= Self.maximumCount else { return nil }
                value = next
            }
            return value
        }
        func extent(_ outputs: Int, _ stride: Int, _ kernel: Int, _ dilation: Int) -> Int? {
            guard let strided = product([outputs - 1, stride]), let dilated = product([kernel - 1, dilation]) else { return nil }
            return strided + dilated + 1
        }
        if product([n, g, k, c, p, q, r, s]) == nil { return "the MAC count N·G·K·C·P·Q·R·S" }
        if product([g, k, c, r, s]) == nil { return "the weight count G·K·C·R·S" }
        if product([n, g, k, p, q]) == nil { return "the output count N·G·K·P·Q" }
        guard let height = extent(p, strideH, r, dilationH), let width = extent(q, strideW, s, dilationW),
              product([n, g, c, height, width]) != nil else { return "the input count N·G·C·H·W" }
        return nil
    }

    /// The dimension order of every convolution problem.
    public static let dimensionNames = ["N", "G", "K", "C", "P", "Q", "R", "S"]

    /// This shape as a Timeloop-style ``Problem`` with data spaces Weights, Inputs and Outputs.
    public var problem: Problem {
        let (N, G, K, C, P, Q, R, S) = (0, 1, 2, 3, 4, 5, 6, 7)
        func t(_ d: Int, _ coefficient: Int = 1) -> ProjectionTerm { ProjectionTerm(dimension: d, coefficient: coefficient) }
        let weights = DataSpace(name: "Weights", isReadWrite: false,
                                projection: [[t(G)], [t(K)], [t(C)], [t(R)], [t(S)]])
        let inputs = DataSpace(name: "Inputs", isReadWrite: false,
                               projection: [[t(N)], [t(G)], [t(C)],
                                            [t(R, dilationH), t(P, strideH)],
                                            [t(S, dilationW), t(Q, strideW)]])
        let outputs = DataSpace(name: "Outputs", isReadWrite: true,
                                projection: [[t(N)], [t(G)], [t(K)], [t(P)], [t(Q)]])
        return Problem(dimensions: Self.dimensionNames, bounds: [n, g, k, c, p, q, r, s],
                       dataSpaces: [weights, inputs, outputs],
                       coefficients: ["Hstride": strideH, "Wstride": strideW,
                                      "Hdilation": dilationH, "Wdilation": dilationW])
    }
}
