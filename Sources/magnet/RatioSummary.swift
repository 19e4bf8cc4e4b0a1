import Foundation
import MagnetCore

/// Layers' EDP over a reference EDP (their best known, or a larger search's), summarized the way
/// the mapper benchmarks report it: the share within 1% and 10%, the median, the 90th percentile
/// and the geometric mean.
struct RatioSummary {
    /// How many ratios.
    var count = 0
    var median = 0.0
    var p90 = 0.0
    var within1Percent = 0.0
    var within10Percent = 0.0
    var geomean = 0.0

    /// Whether `ratio` counts as within 1% of its reference.
    static func isWithin1Percent(_ ratio: Double) -> Bool { ratio <= 1.01 }

    init(_ ratios: [Double]) {
        guard !ratios.isEmpty else { return }
        let sorted = ratios.sorted()
        count = sorted.count
        median = sorted[count / 2]
        p90 = sorted[min(count - 1, count * 9 / 10)]
        within1Percent = Double(sorted.filter(Self.isWithin1Percent).count) / Double(count)
        within10Percent = Double(sorted.filter { $0 <= 1.10 }.count) / Double(count)
        geomean = exp(sorted.reduce(0) { $0 + log($1) } / Double(count))
    }

    var withinText: String { NumberText.fixed(within1Percent * 100, 1) + "%" }
    var p90Text: String { NumberText.fixed(p90, 3) }
    var geomeanText: String { NumberText.fixed(geomean, 4) }
    /// `within_1_percent`, `p90` and `geomean`.
    var json: [(String, JSONValue)] {
        [("within_1_percent", .double(within1Percent)), ("p90", .double(p90)), ("geomean", .double(geomean))]
    }
}
