import Foundation

/// A Gaussian-process regression model with a Matérn 5/2 kernel and one length scale per input
/// column (automatic relevance determination), on inputs in the unit cube.
///
/// Targets are standardized (mean 0, variance 1) before fitting. The hyperparameters (log length
/// scales, log signal variance, log noise variance) maximize the log marginal likelihood,
/// by gradient ascent (Adam) from a default start, within box bounds that keep the model sane
/// with few points.
public struct GaussianProcess: Sendable {
    /// The hyperparameters, on a log scale.
    public struct Hyperparameters: Sendable, Equatable {
        /// log of each column's length scale.
        public var logLengthScales: [Double]
        /// log of the signal variance (of standardized targets).
        public var logSignalVariance: Double
        /// log of the noise variance.
        public var logNoiseVariance: Double

        /// Defaults for `dimension` columns: length scales 0.3, signal 1, noise 10⁻⁴.
        public init(dimension: Int) {
            logLengthScales = Array(repeating: log(0.3), count: dimension)
            logSignalVariance = 0
            logNoiseVariance = log(1e-4)
        }
    }

    /// Training inputs (each of length `dimension`).
    public private(set) var inputs: [[Double]]
    /// Training targets (raw).
    public private(set) var targets: [Double]
    /// The fitted hyperparameters.
    public private(set) var hyperparameters: Hyperparameters
    let mean: Double
    let scale: Double
    var cholesky: Cholesky
    var alpha: [Double]

    /// Fits a model; `fitHyperparameters` false keeps `start` (used for constant-liar refits).
    public init?(inputs: [[Double]], targets: [Double], start: Hyperparameters? = nil,
                 fitHyperparameters: Bool = true, iterations: Int = 60) {
        guard !inputs.isEmpty, inputs.count == targets.count else { return nil }
        let dimension = inputs[0].count
        self.inputs = inputs
        self.targets = targets
        let mean = targets.reduce(0, +) / Double(targets.count)
        let variance = targets.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(targets.count)
        self.mean = mean
        self.scale = variance > 1e-300 ? variance.squareRoot() : 1
        let standardized = targets.map { ($0 - mean) / (variance > 1e-300 ? variance.squareRoot() : 1) }
        var theta = start ?? Hyperparameters(dimension: dimension)
        if fitHyperparameters, inputs.count >= 3 {
            theta = GaussianProcess.fit(inputs: inputs, targets: standardized, start: theta, iterations: iterations)
        }
        guard let factor = Cholesky(GaussianProcess.covariance(inputs, theta), n: inputs.count, jitter: 1e-8) else { return nil }
        hyperparameters = theta
        cholesky = factor
        alpha = factor.solve(standardized)
    }

    /// Posterior mean and standard deviation at `x`, in the targets' units.
    public func predict(_ x: [Double]) -> (mean: Double, deviation: Double) {
        let theta = hyperparameters
        let signal = exp(theta.logSignalVariance)
        let scales = theta.logLengthScales.map { exp(-$0) }
        var k = [Double](repeating: 0, count: inputs.count)
        var mu = 0.0
        for i in inputs.indices {
            k[i] = GaussianProcess.matern(inputs[i], x, inverseScales: scales, signal: signal)
            mu += k[i] * alpha[i]
        }
        let v = cholesky.solveLower(k)
        let variance = max(signal - v.reduce(0) { $0 + $1 * $1 }, 1e-12)
        return (mean + scale * mu, scale * variance.squareRoot())
    }

    // MARK: Kernel

    static func matern(_ a: [Double], _ b: [Double], inverseScales: [Double], signal: Double) -> Double {
        var squared = 0.0
        for k in a.indices {
            let d = (a[k] - b[k]) * inverseScales[k]
            squared += d * d
        }
        let r5 = (5 * squared).squareRoot()
        return signal * (1 + r5 + 5 * squared / 3) * exp(-r5)
    }

    static func covariance(_ inputs: [[Double]], _ theta: Hyperparameters) -> [Double] {
        let n = inputs.count
        let signal = exp(theta.logSignalVariance), noise = exp(theta.logNoiseVariance)
        let scales = theta.logLengthScales.map { exp(-$0) }
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                let value = matern(inputs[i], inputs[j], inverseScales: scales, signal: signal) + (i == j ? noise : 0)
                matrix[i * n + j] = value
                matrix[j * n + i] = value
            }
        }
        return matrix
    }

    // MARK: Fitting

    /// Bounds on the log hyperparameters.
    static let lengthScaleBounds = (log(0.01), log(20.0))
    static let signalBounds = (log(0.05), log(20.0))
    static let noiseBounds = (log(1e-6), log(0.5))

    /// Log marginal likelihood of standardized targets and its gradient with respect to
    /// (log length scales…, log signal, log noise); a weak prior pulls length scales toward 0.5.
    static func logLikelihood(inputs: [[Double]], targets: [Double], theta: Hyperparameters) -> (value: Double, gradient: [Double])? {
        let n = inputs.count, d = theta.logLengthScales.count
        let matrix = covariance(inputs, theta)
        guard let factor = Cholesky(matrix, n: n, jitter: 1e-8) else { return nil }
        let alpha = factor.solve(targets)
        var value = -0.5 * zip(targets, alpha).reduce(0) { $0 + $1.0 * $1.1 } - 0.5 * factor.logDeterminant
            - 0.5 * Double(n) * log(2 * .pi)
        // W = α αᵀ − K⁻¹; ∂L/∂θ = ½ tr(W ∂K/∂θ).
        let inverse = factor.inverse()
        let signal = exp(theta.logSignalVariance), noise = exp(theta.logNoiseVariance)
        let scales = theta.logLengthScales.map { exp(-$0) }
        var gradient = [Double](repeating: 0, count: d + 2)
        for i in 0..<n {
            for j in 0..<n {
                let w = alpha[i] * alpha[j] - inverse[i * n + j]
                var squared = 0.0
                var parts = [Double](repeating: 0, count: d)
                for k in 0..<d {
                    let diff = (inputs[i][k] - inputs[j][k]) * scales[k]
                    parts[k] = diff * diff
                    squared += parts[k]
                }
                let r5 = (5 * squared).squareRoot()
                let e = exp(-r5)
                let kernel = signal * (1 + r5 + 5 * squared / 3) * e
                let common = signal * (5.0 / 3.0) * (1 + r5) * e
                for k in 0..<d { gradient[k] += 0.5 * w * common * parts[k] }
                gradient[d] += 0.5 * w * kernel
                if i == j { gradient[d + 1] += 0.5 * w * noise }
            }
        }
        // Log-normal prior on each length scale around 0.5 (σ = 1.5 in log space).
        for k in 0..<d {
            let z = theta.logLengthScales[k] - log(0.5)
            value -= 0.5 * z * z / 2.25
            gradient[k] -= z / 2.25
        }
        return (value, gradient)
    }

    static func fit(inputs: [[Double]], targets: [Double], start: Hyperparameters, iterations: Int) -> Hyperparameters {
        let d = start.logLengthScales.count
        var params = start.logLengthScales + [start.logSignalVariance, start.logNoiseVariance]
        var best = start
        var bestValue = -Double.infinity
        var m = [Double](repeating: 0, count: d + 2), v = m
        let rate = 0.1, beta1 = 0.9, beta2 = 0.999
        func clamp(_ p: inout [Double]) {
            for k in 0..<d { p[k] = min(max(p[k], lengthScaleBounds.0), lengthScaleBounds.1) }
            p[d] = min(max(p[d], signalBounds.0), signalBounds.1)
            p[d + 1] = min(max(p[d + 1], noiseBounds.0), noiseBounds.1)
        }
        func theta(_ p: [Double]) -> Hyperparameters {
            var h = Hyperparameters(dimension: d)
            h.logLengthScales = Array(p[0..<d])
            h.logSignalVariance = p[d]
            h.logNoiseVariance = p[d + 1]
            return h
        }
        for step in 1...max(iterations, 1) {
            guard let (value, gradient) = logLikelihood(inputs: inputs, targets: targets, theta: theta(params)) else { break }
            if value > bestValue { bestValue = value; best = theta(params) }
            for k in params.indices {
                m[k] = beta1 * m[k] + (1 - beta1) * gradient[k]
                v[k] = beta2 * v[k] + (1 - beta2) * gradient[k] * gradient[k]
                let mHat = m[k] / (1 - pow(beta1, Double(step))), vHat = v[k] / (1 - pow(beta2, Double(step)))
                params[k] += rate * mHat / (vHat.squareRoot() + 1e-8)
            }
            clamp(&params)
        }
        return best
    }
}
