/// Names people chose (a network, a layer, a metric) turned into one file name inside a folder.
///
/// A name read from a network file or a study can hold anything: `../../x`, `a/b`, a leading
/// dot, control characters, thousands of bytes. ``component(_:)`` makes it one path component
/// that stays in its folder: `/`, `\`, `%`, control characters and a leading `.` are written as
/// `%XX` (so distinct names stay distinct and `..` cannot climb), and a name too long for a file
/// system is cut and given a hash of the whole name.
public enum FileName {
    /// The longest component written (bytes); file systems allow 255, and callers add suffixes.
    public static let maximumBytes = 200

    /// `name` as one safe path component (never empty, `.` or `..`, never containing `/`).
    public static func component(_ name: String) -> String {
        var text = ""
        for (offset, scalar) in name.unicodeScalars.enumerated() {
            let unsafe = scalar == "/" || scalar == "\\" || scalar == "%" || scalar.value < 0x20 || scalar.value == 0x7F
                || (offset == 0 && scalar == ".")
            if unsafe {
                for byte in String(scalar).utf8 { text += "%" + hex(byte) }
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        if text.isEmpty { return "%00" }
        guard text.utf8.count > maximumBytes else { return text }
        let suffix = "~" + StableHash.hex(name)
        var cut = ""
        for character in text {
            guard cut.utf8.count + String(character).utf8.count + suffix.utf8.count <= maximumBytes else { break }
            cut.append(character)
        }
        return cut + suffix
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
