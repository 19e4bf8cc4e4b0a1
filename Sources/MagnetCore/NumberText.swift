/// Formatting numbers for people: thousands separators and engineering prefixes.
public enum NumberText {
    /// `4089184256` → `4,089,184,256`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// ``fixed(_:_:)`` with thousands separators in its integral part: `1190.46, 1` → `1,190.5`.
    public static func groupedFixed(_ value: Double, _ digits: Int) -> String {
        let text = fixed(value, digits)
        guard value.isFinite, !text.contains("e") else { return text }
        let negative = text.hasPrefix("-")
        let unsigned = negative ? text.dropFirst() : Substring(text)
        let dot = unsigned.firstIndex(of: ".") ?? unsigned.endIndex
        guard let integral = Int(unsigned[..<dot]) else { return text }
        return (negative ? "-" : "") + grouped(integral) + unsigned[dot...]
    }

    /// `4`, `0.5`, `1e-06`: integral values without a fraction (messages, keys, design files).
    public static func compact(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// A value with `digits` fraction digits, e.g. `fixed(3.14159, 2)` → `3.14`.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: "."), !text.contains("e") {
            let fraction = text[text.index(after: dot)...]
            if fraction.count < digits {
                text += String(repeating: "0", count: digits - fraction.count)
            } else if digits == 0 {
                text = String(text[..<dot])
            }
        }
        return text
    }

    /// A byte count in binary units: `32768` → `32 KiB`, `3072` → `3 KiB`, `1536` → `1.5 KiB`.
    public static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        let text = amount == amount.rounded() ? String(Int(amount)) : fixed(amount, 2)
        return "\(text) \(units[unit])"
    }
}
