import ArgumentParser
import MagnetCore

/// The one rule for options that are a duration: a finite number within the option's range
/// (`nan`, `inf` and values too small to act on are refused, never accepted to hang later).
enum DurationOption {
    /// Throws a `ValidationError` naming `option` unless `value` is finite and in `range`.
    static func check(_ value: Double, _ option: String, in range: ClosedRange<Double>, unit: String = "seconds") throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(option) must be a number of \(unit) from \(text(range.lowerBound)) to "
                                  + "\(text(range.upperBound)), not \(text(value))")
        }
    }

    static func text(_ value: Double) -> String { NumberText.compact(value) }

    /// `--lease`: a second to a week.
    static let leaseSeconds: ClosedRange<Double> = 1...604_800
    /// `--heartbeat`: 50 ms to an hour.
    static let heartbeatSeconds: ClosedRange<Double> = 0.05...3_600
    /// `--minutes`: 0.6 s to a year.
    static let minutes: ClosedRange<Double> = 0.01...525_600
    /// `--wait-for-owner`: none to a day.
    static let ownerWaitSeconds: ClosedRange<Double> = 0...86_400
    /// `--give-up-after`: a second to a week.
    static let giveUpSeconds: ClosedRange<Double> = 1...604_800
}
