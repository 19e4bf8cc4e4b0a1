import Testing
@testable import MagnetDesigner

@Suite struct BufferBanksTests {
    /// Two banks of half the words each; the second takes the odd word; one word is one bank.
    @Test func aBufferSplitsIntoTwoBanks() {
        #expect(BufferBanks(depthWords: 8).wordsPerBank == [4, 4])
        #expect(BufferBanks(depthWords: 7).wordsPerBank == [3, 4])
        #expect(BufferBanks(depthWords: 7).largestBankWords == 4)
        #expect(BufferBanks(depthWords: 2).wordsPerBank == [1, 1])
        #expect(BufferBanks(depthWords: 1).wordsPerBank == [1])
        #expect(BufferBanks(depthWords: 1).highWords == 0)
    }

    /// The PE emitter's first banks are the rule's: Simba-like's lanes hold 512 weight vectors,
    /// 128 partial sums, and its PEs 1,024 input vectors.
    @Test func theRTLBuildsTheRulesBanks() throws {
        let pe = try PEEmitter(design: simbaLike())
        #expect(pe.weightBankWords == 256 && pe.weightBufferDepth == 512)
        #expect(pe.accumulationBankWords == 64 && pe.accumulationBufferDepth == 128)
        #expect(pe.inputBankWords == 512 && pe.inputBufferDepth == 1024)
    }

    /// The model prices the same banks: per PE, 8 lanes × 2 weight and 2 accumulation banks and
    /// 2 input banks; the global buffer is one macro.
    @Test func theModelPricesTheRulesBanks() throws {
        let hardware = try simbaLike().elaborate()
        let banks = Dictionary(uniqueKeysWithValues: hardware.storage.map { ($0.name, $0.banks) })
        #expect(banks["WeightBuffer"] == 16 && banks["AccumulationBuffer"] == 16)
        #expect(banks["InputBuffer"] == 2 && banks["GlobalBuffer"] == 1)
        #expect(banks["WeightCollector"] == 1 && banks["DRAM"] == 1)
    }
}
