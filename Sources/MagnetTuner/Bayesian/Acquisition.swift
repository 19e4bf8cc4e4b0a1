import Foundation

/// Acquisition functions for Bayesian optimisation, on a log scale so that they stay informative
/// far from the incumbent (Ament et al., "Unexpected improvements to expected improvement", 2023).
public enum Acquisition {
    /// Standard normal density.
    static func density(_ z: Double) -> Double { exp(-0.5 * z * z) / (2 * .pi).squareRoot() }

    /// Standard normal distribution function.
    static func distribution(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// `log Φ(z)`, accurate far into the lower tail.
    public static func logDistribution(_ z: Double) -> Double {
        if z > -5 { return log(distribution(z)) }
        // Φ(z) = φ(z)/|z| · (1 − 1/z² + 3/z⁴ − 15/z⁶ …) for z → −∞.
        let z2 = z * z
        return -0.5 * z2 - 0.5 * log(2 * .pi) - log(-z) + log(1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2))
    }

    /// `log EI` for minimization: expected improvement over `best` of a normal prediction
    /// (`mean`, `deviation`): `EI = σ·h(z)` with `z = (best − μ)/σ` and `h(z) = φ(z) + zΦ(z)`.
    public static func logExpectedImprovement(mean: Double, deviation: Double, best: Double) -> Double {
        let sigma = max(deviation, 1e-12)
        let z = (best - mean) / sigma
        return log(sigma) + logH(z)
    }

    /// `log h(z)` with `h(z) = φ(z) + zΦ(z)`, stable for very negative `z`.
    public static func logH(_ z: Double) -> Double {
        if z > -5 {
            return log(max(density(z) + z * distribution(z), 1e-300))
        }
        // h(z) = φ(z)/z² · (1 − 3/z² + 15/z⁴ − 105/z⁶ …) for z → −∞.
        let z2 = z * z
        return -0.5 * z2 - 0.5 * log(2 * .pi) - 2 * log(-z) + log(1 - 3 / z2 + 15 / (z2 * z2) - 105 / (z2 * z2 * z2))
    }
}
