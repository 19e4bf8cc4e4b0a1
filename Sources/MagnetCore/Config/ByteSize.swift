import Foundation

/// Reading sizes in bytes from configuration files: `32768`, `32 KiB`, `3KiB`, `1 MiB`, `512 B`.
///
/// Decimal prefixes (`KB`, `MB`) are refused rather than guessed: on-chip buffers are sized in
/// binary units, and "64 KB" is ambiguous.
extension ConfigNode {
    /// This node as a size in bytes, at least `minimum`.
    public func byteSize(minimum: Int = 1) throws -> Int {
        let text = try string().trimmingCharacters(in: .whitespaces)
        let digits = text.prefix { $0.isNumber || $0 == "_" || $0 == "." }
        let unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        guard let number = Double(digits.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected a size such as `32 KiB` or `4096`, found \(kindDescription)")
        }
        let multiplier: Double
        switch unit {
        case "", "B": multiplier = 1
        case "KiB": multiplier = 1024
        case "MiB": multiplier = 1024 * 1024
        case "GiB": multiplier = 1024 * 1024 * 1024
        case "KB", "kB", "MB", "GB":
            throw error("ambiguous unit `\(unit)`; write binary units (KiB, MiB, GiB) or a number of bytes")
        default:
            throw error("unknown size unit `\(unit)`; allowed: B, KiB, MiB, GiB")
        }
        let bytes = number * multiplier
        guard bytes == bytes.rounded(), bytes <= Double(Int.max / 2) else {
            throw error("`\(text)` is not a whole number of bytes")
        }
        let value = Int(bytes)
        guard value >= minimum else {
            throw error("\(value) bytes is too small; the minimum is \(minimum) bytes")
        }
        return value
    }
}
