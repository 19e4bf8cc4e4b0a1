/// A hash of text that is the same on every run and machine (Swift's `Hasher` is seeded per
/// process): FNV-1a, 64 bits.
public enum StableHash {
    /// FNV-1a 64-bit of the UTF-8 text, as 16 hex digits.
    public static func hex(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
        return hex(value)
    }

    /// `value` as 16 hex digits, zero-padded.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
