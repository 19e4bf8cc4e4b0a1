import Foundation

/// Functions with known optima, for testing and comparing strategies (docs/tuner.md).
public enum TestFunctions {
    /// Branin-Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]; global minimum 0.397887 at (−π, 12.275),
    /// (π, 2.275) and (9.42478, 2.475).
    public static func branin(_ x1: Double, _ x2: Double) -> Double {
        let a = 1.0, b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, r = 6.0, s = 10.0, t = 1 / (8 * Double.pi)
        let term = x2 - b * x1 * x1 + c * x1 - r
        return a * term * term + s * (1 - t) * cos(x1) + s
    }

    /// Hartmann-6 on [0, 1]^6; global minimum −3.32237 at
    /// (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
    public static func hartmann6(_ x: [Double]) -> Double {
        let alpha = [1.0, 1.2, 3.0, 3.2]
        let a: [[Double]] = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                             [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
        let p: [[Double]] = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                             [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
        var total = 0.0
        for i in 0..<4 {
            var inner = 0.0
            for j in 0..<6 { inner += a[i][j] * pow(x[j] - p[i][j] * 1e-4, 2) }
            total += alpha[i] * exp(-inner)
        }
        return -total
    }

    /// ZDT1 on [0, 1]^n (two objectives); Pareto front f2 = 1 − √f1 where x2…xn = 0.
    public static func zdt1(_ x: [Double]) -> [Double] {
        let g = 1 + 9 * x.dropFirst().reduce(0, +) / Double(max(x.count - 1, 1))
        return [x[0], g * (1 - (x[0] / g).squareRoot())]
    }

    /// ZDT2 on [0, 1]^n (two objectives); Pareto front f2 = 1 − f1² where x2…xn = 0.
    public static func zdt2(_ x: [Double]) -> [Double] {
        let g = 1 + 9 * x.dropFirst().reduce(0, +) / Double(max(x.count - 1, 1))
        return [x[0], g * (1 - (x[0] / g) * (x[0] / g))]
    }
}
