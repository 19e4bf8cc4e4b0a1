/// How the template splits a PE's buffer into single-port SRAM banks: each lane's weight and
/// accumulation buffer and each PE's input buffer is two banks, words `0 ..< lowWords` and the
/// rest, so that one bank loads (or is read out) while compute uses the other; a buffer of a
/// single word is one bank (docs/architecture.md, "Buffers and their banks"). The RTL builds these
/// banks (``PEEmitter``) and the area and energy model prices them (``DesignPoint/elaborate(technology:)``).
public struct BufferBanks: Sendable, Equatable {
    /// Words in the first bank.
    public var lowWords: Int
    /// Words in the second bank (0 when the buffer is one bank).
    public var highWords: Int

    /// The banks of a buffer of `depthWords` words.
    public init(depthWords: Int) {
        lowWords = depthWords >= 2 ? depthWords / 2 : depthWords
        highWords = depthWords - lowWords
    }

    /// The banks' sizes in words, the first bank first.
    public var wordsPerBank: [Int] { highWords > 0 ? [lowWords, highWords] : [lowWords] }

    /// Words in the larger bank (the second when the depth is odd).
    public var largestBankWords: Int { max(lowWords, highWords) }
}
