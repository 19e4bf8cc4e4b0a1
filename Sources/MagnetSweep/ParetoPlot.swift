import Foundation
import MagnetCore
import MagnetStore

/// An SVG scatter plot of a study's trials on two metrics, with the Pareto front drawn as a
/// staircase: complete trials as dots, infeasible ones as crosses, the front highlighted.
public struct ParetoPlot {
    /// The horizontal metric and its direction.
    public var x: ObjectiveSpec
    /// The vertical metric and its direction.
    public var y: ObjectiveSpec
    /// Plot size in pixels.
    public var width = 720.0, height = 480.0

    /// Creates a plot of `x` against `y`.
    public init(x: ObjectiveSpec, y: ObjectiveSpec) {
        self.x = x
        self.y = y
    }

    /// The SVG document for `trials` (failed trials and trials missing a metric are left out).
    public func svg(_ trials: [TrialRecord], title: String) -> String {
        let points = trials.compactMap { trial -> (trial: TrialRecord, x: Double, y: Double)? in
            guard trial.state != .failed, let vx = trial.metric(x.metric), let vy = trial.metric(y.metric),
                  vx.isFinite, vy.isFinite else { return nil }
            return (trial, vx, vy)
        }
        let feasible = points.filter { $0.trial.state == .complete }
        let front = feasible.filter { p in
            !feasible.contains { q in
                let qx = x.minimized(q.x), qy = y.minimized(q.y), px = x.minimized(p.x), py = y.minimized(p.y)
                return qx <= px && qy <= py && (qx < px || qy < py)
            }
        }.sorted { $0.x < $1.x }

        let left = 80.0, right = 20.0, top = 40.0, bottom = 60.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xs = points.map(\.x), ys = points.map(\.y)
        let (xTicks, xRange) = ParetoPlot.ticks(xs.min() ?? 0, xs.max() ?? 1)
        let (yTicks, yRange) = ParetoPlot.ticks(ys.min() ?? 0, ys.max() ?? 1)
        func px(_ v: Double) -> Double { left + (v - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth }
        func py(_ v: Double) -> Double { top + plotHeight - (v - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * plotHeight }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func label(_ v: Double) -> String { String(format: "%g", (v * 1e6).rounded() / 1e6) }

        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <title>\(MarkupText.escaped(title))</title>
            <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="white"/>
            <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="14">\(MarkupText.escaped(title))</text>
            <g stroke="#ddd">

            """
        for t in xTicks { out += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotHeight))\"/>\n" }
        for t in yTicks { out += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py(t)))\"/>\n" }
        out += "</g>\n<g fill=\"#333\">\n"
        for t in xTicks { out += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\">\(label(t))</text>\n" }
        for t in yTicks { out += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(label(t))</text>\n" }
        out += """
            <text x="\(f(left + plotWidth / 2))" y="\(f(height - 16))" text-anchor="middle">\(MarkupText.escaped(x.metric)) (\(x.direction.rawValue))</text>
            <text x="18" y="\(f(top + plotHeight / 2))" text-anchor="middle" transform="rotate(-90 18 \(f(top + plotHeight / 2)))">\(MarkupText.escaped(y.metric)) (\(y.direction.rawValue))</text>
            </g>
            <rect x="\(f(left))" y="\(f(top))" width="\(f(plotWidth))" height="\(f(plotHeight))" fill="none" stroke="#999"/>

            """
        // The front as a staircase, in the order of x.
        if front.count > 1 {
            var path = "M \(f(px(front[0].x))) \(f(py(front[0].y)))"
            for p in front.dropFirst() { path += " H \(f(px(p.x))) V \(f(py(p.y)))" }
            out += "<path class=\"front-line\" d=\"\(path)\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n"
        }
        let frontNumbers = Set(front.map(\.trial.number))
        for p in points {
            let tip = "<title>trial \(p.trial.number): \(x.metric) \(label(p.x)), \(y.metric) \(label(p.y))\(p.trial.state == .infeasible ? " (infeasible)" : "")</title>"
            if p.trial.state == .infeasible {
                let cx = px(p.x), cy = py(p.y)
                out += "<path class=\"infeasible\" d=\"M \(f(cx - 3)) \(f(cy - 3)) L \(f(cx + 3)) \(f(cy + 3)) M \(f(cx - 3)) \(f(cy + 3)) L \(f(cx + 3)) \(f(cy - 3))\" stroke=\"#d62728\" stroke-opacity=\"0.6\">\(tip)</path>\n"
            } else if frontNumbers.contains(p.trial.number) {
                out += "<circle class=\"front\" cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"5\" fill=\"#1f77b4\">\(tip)</circle>\n"
            } else {
                out += "<circle class=\"trial\" cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"#888\" fill-opacity=\"0.6\">\(tip)</circle>\n"
            }
        }
        out += """
            <g font-size="11">
            <circle cx="\(f(left + plotWidth - 150))" cy="\(f(top + 14))" r="5" fill="#1f77b4"/><text x="\(f(left + plotWidth - 140))" y="\(f(top + 18))">Pareto front (\(front.count))</text>
            <circle cx="\(f(left + plotWidth - 150))" cy="\(f(top + 32))" r="3" fill="#888"/><text x="\(f(left + plotWidth - 140))" y="\(f(top + 36))">feasible (\(feasible.count))</text>
            <text x="\(f(left + plotWidth - 154))" y="\(f(top + 54))" fill="#d62728">×</text><text x="\(f(left + plotWidth - 140))" y="\(f(top + 54))">infeasible (\(points.count - feasible.count))</text>
            </g>
            </svg>

            """
        return out
    }

    /// "Nice" tick values (steps of 1, 2 or 5 × 10ᵏ) covering `low…high`, and the axis range.
    static func ticks(_ low: Double, _ high: Double) -> ([Double], ClosedRange<Double>) {
        var low = low, high = high
        if high <= low { let pad = max(abs(low) * 0.1, 1); low -= pad; high += pad }
        let raw = (high - low) / 6
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let start = floor(low / step) * step, end = ceil(high / step) * step
        let ticks = stride(from: start, through: end + step / 2, by: step).map { $0 }
        return (ticks, start...end)
    }
}
