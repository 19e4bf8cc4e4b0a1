import Testing
@testable import MagnetMapper

/// The worked example of docs/cost-model.md, number by number.
@Suite struct HandComputedTests {
    @Test func conv1DTwoLevels() throws {
        let input = try TimeloopFixtureTests.load("m02_conv1d_oc_2level_tiled")
        let e = CostModel(hardware: input.hardware, problem: input.problem).evaluate(input.mapping)
        let buffer = e.levels[0], memory = e.levels[1]
        let (weights, inputs, outputs) = (0, 1, 2)
        // Tiles: Weights K2·R3, Inputs (P1−1)+(R3−1)+1, Outputs K2·P1.
        #expect(buffer.dataSpaces.map { $0?.utilizedCapacity } == [6, 3, 2])
        // One weight read per MAC; fills change only with K: 16 K-steps × 6 words.
        #expect(buffer.dataSpaces[weights]?.reads == 1536)
        #expect(buffer.dataSpaces[weights]?.fills == 16 * 6)
        // Inputs: each K step fetches 3 words, then 15 one-word slides along P.
        #expect(buffer.dataSpaces[inputs]?.fills == 16 * (3 + 15))
        // Outputs: an update per MAC; the first write of each of the 32·16 outputs is not a read.
        #expect(buffer.dataSpaces[outputs]?.updates == 1536)
        #expect(buffer.dataSpaces[outputs]?.reads == 1536 - 32 * 16)
        #expect(buffer.dataSpaces[outputs]?.temporalReductions == 1024)
        #expect(buffer.dataSpaces[outputs]?.fills == 0)
        #expect(memory.dataSpaces[weights]?.reads == 96)
        #expect(memory.dataSpaces[inputs]?.reads == 288)
        #expect(memory.dataSpaces[outputs]?.updates == 512)
        #expect(memory.dataSpaces[outputs]?.reads == 0)
        // Energy: Buffer block 1, MainMemory block 64/8 = 8 words.
        #expect(abs(buffer.dataSpaces[weights]!.energyPJ - (1536 + 96) * 0.42564) < 1e-9)
        #expect(abs(memory.dataSpaces[inputs]!.energyPJ - 36 * 43.353054) < 1e-9)
        #expect(abs(memory.dataSpaces[outputs]!.energyPJ - 64 * 30.878292) < 1e-9)
        #expect(abs(e.computeEnergyPJ - 1536 * 0.845) < 1e-9)
        // Cycles: 16·16 at MainMemory × 2·3 at the Buffer; leakage 0.000861 pJ × 1536 cycles.
        #expect(e.cycles == 16 * 16 * 2 * 3)
        #expect(abs(buffer.leakageEnergyPJ - 0.000861 * 1536) < 1e-9)
        #expect(e.utilization == 1)
    }
}
