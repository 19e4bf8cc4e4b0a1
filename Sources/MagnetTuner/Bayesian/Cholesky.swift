import Foundation

/// The Cholesky factor `L` (lower triangular, row-major `n × n`) of a symmetric positive-definite
/// matrix, and the solves a Gaussian process needs.
struct Cholesky {
    let n: Int
    /// `L`, row-major; entries above the diagonal are zero.
    var lower: [Double]

    /// Factors `matrix` (row-major `n × n`), adding `jitter`·I (×10 each retry) until it succeeds.
    init?(_ matrix: [Double], n: Int, jitter: Double = 1e-10) {
        self.n = n
        var extra = 0.0
        for _ in 0..<8 {
            if let factor = Cholesky.factor(matrix, n: n, extra: extra) {
                lower = factor
                return
            }
            extra = extra == 0 ? jitter : extra * 10
        }
        return nil
    }

    static func factor(_ a: [Double], n: Int, extra: Double) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j] + (i == j ? extra : 0)
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        return l
    }

    /// Solves `L x = b`.
    func solveLower(_ b: [Double]) -> [Double] {
        var x = b
        for i in 0..<n {
            var sum = x[i]
            for k in 0..<i { sum -= lower[i * n + k] * x[k] }
            x[i] = sum / lower[i * n + i]
        }
        return x
    }

    /// Solves `Lᵀ x = b`.
    func solveUpper(_ b: [Double]) -> [Double] {
        var x = b
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[i]
            for k in (i + 1)..<max(n, i + 1) { sum -= lower[k * n + i] * x[k] }
            x[i] = sum / lower[i * n + i]
        }
        return x
    }

    /// Solves `L Lᵀ x = b`.
    func solve(_ b: [Double]) -> [Double] { solveUpper(solveLower(b)) }

    /// `log det(L Lᵀ)`.
    var logDeterminant: Double { (0..<n).reduce(0) { $0 + 2 * log(lower[$1 * n + $1]) } }

    /// The inverse of `L Lᵀ`, row-major.
    func inverse() -> [Double] {
        var result = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            var unit = [Double](repeating: 0, count: n)
            unit[column] = 1
            let x = solve(unit)
            for row in 0..<n { result[row * n + column] = x[row] }
        }
        return result
    }
}
