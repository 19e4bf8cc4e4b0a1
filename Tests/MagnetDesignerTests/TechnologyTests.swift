import Testing
@testable import MagnetDesigner

@Suite struct TechnologyTests {
    @Test func bundledTablesLoad() throws {
        for node in Technology.bundledNodes {
            let table = try Technology.named(node)
            #expect(table.node == node)
        }
    }

    @Test func unknownNodeSuggestsTheNearest() {
        let error = #expect(throws: (any Error).self) { try Technology.named("17nm") }
        #expect("\(error!)".contains("did you mean `16nm`?"))
    }

    /// Every node's table is the 45 nm table scaled by the rule in docs/technology.md:
    /// energy × (L/45)·(V/0.9)², area × bitcell(node)/bitcell(45 nm), wire × (V/0.9)² of 0.1 pJ/bit/mm at 28 nm.
    @Test(arguments: [("28nm", 28.0, 0.9, 0.127), ("16nm", 16.0, 0.8, 0.074), ("7nm", 7.0, 0.75, 0.027)])
    func tablesFollowTheScalingRule(node: String, feature: Double, volts: Double, bitcell: Double) throws {
        let base = try Technology.named("45nm")
        let table = try Technology.named(node)
        let energy = (feature / 45) * (volts / 0.9) * (volts / 0.9)
        let area = bitcell / 0.346
        let tolerance = 1e-3  // tables hold 4 significant digits
        #expect(table.voltageV == volts)
        #expect(table.sramBitcellAreaUM2 == bitcell)
        for (scaled, original) in [(table.intMultiply8x8, base.intMultiply8x8), (table.intAdd32, base.intAdd32),
                                   (table.fp16Multiply, base.fp16Multiply), (table.fp32Add, base.fp32Add)] {
            #expect(close(scaled.energyPJ, original.energyPJ * energy, relative: tolerance))
            #expect(close(scaled.areaUM2, original.areaUM2 * area, relative: tolerance))
        }
        #expect(close(table.sramReadPJPerBitIntercept, base.sramReadPJPerBitIntercept * energy, relative: tolerance))
        #expect(close(table.sramReadPJPerBitPerSqrtBit, base.sramReadPJPerBitPerSqrtBit * energy, relative: tolerance))
        #expect(close(table.registerAreaUM2PerBit, base.registerAreaUM2PerBit * area, relative: tolerance))
        #expect(close(table.wirePJPerBitPerMM, 0.1 * (volts / 0.9) * (volts / 0.9), relative: tolerance))
    }

    /// Horowitz (ISSCC 2014, 45 nm): a 64-bit read costs 10 pJ from 8 KB, 20 pJ from 32 KB and
    /// 100 pJ from 1 MB. The fitted `64·(a + b·√bits)` stays within 5% of each.
    @Test func sramFitReproducesHorowitz() throws {
        let t = try Technology.named("45nm")
        #expect(close(t.sramReadPJ(capacityBits: 8 * 1024 * 8, widthBits: 64), 10, relative: 0.05))
        #expect(close(t.sramReadPJ(capacityBits: 32 * 1024 * 8, widthBits: 64), 20, relative: 0.05))
        #expect(close(t.sramReadPJ(capacityBits: 1024 * 1024 * 8, widthBits: 64), 100, relative: 0.05))
        // By hand for 8 KB: 64 × (0.020077 + 0.00054412 × √65536) = 64 × (0.020077 + 0.139295) = 10.1998 pJ.
        #expect(close(t.sramReadPJ(capacityBits: 65536, widthBits: 64), 10.1998, relative: 1e-4))
    }

    @Test func macCostsFollowTheOperandWidths() throws {
        let t = try Technology.named("45nm")
        // int8×int8 with a 24-bit accumulator: 0.2 + 0.1 × 24/32 = 0.275 pJ; 282 + 137 × 0.75 = 384.75 µm².
        let int8 = t.mac(weights: .int8, activations: .int8, accumulationBits: 24)
        #expect(close(int8.energyPJ, 0.275))
        #expect(close(int8.areaUM2, 384.75))
        // int4×int8, 16-bit accumulator: 0.2 × 32/64 + 0.1 × 16/32 = 0.15 pJ.
        #expect(close(t.mac(weights: .int4, activations: .int8, accumulationBits: 16).energyPJ, 0.15))
        // int16×int16 multiplier alone: 0.2 × 256/64 = 0.8 pJ (Horowitz's 32-bit multiply, 3.1 pJ, is 0.2 × 16 = 3.2 by this rule).
        #expect(close(t.mac(weights: .int16, activations: .int16, accumulationBits: 32).energyPJ, 0.8 + 0.1))
        // fp16: 1.1 pJ multiply + 0.9 pJ fp32 add; bf16 multiplier scaled by 64/121.
        #expect(close(t.mac(weights: .fp16, activations: .fp16, accumulationBits: 32).energyPJ, 2.0))
        #expect(close(t.mac(weights: .bf16, activations: .bf16, accumulationBits: 32).energyPJ, 1.1 * 64 / 121 + 0.9))
    }

    @Test func leakagePerCycle() {
        // 1 Mbit leaking 20 pW/bit = 20.97 µW; at 2 GHz one cycle is 0.5 ns: 1,048,576 × 20e-12 × 0.5e-9 J = 0.010486 pJ.
        #expect(close(Technology.leakagePJPerCycle(bits: 1_048_576, pWPerBit: 20, clockGHz: 2), 0.01048576))
    }
}
