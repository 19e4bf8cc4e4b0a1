import Testing
@testable import MagnetDesigner

@Suite struct ElaborationTests {
    @Test func simbaLikeLevels() throws {
        let hardware = try simbaLike().elaborate()
        #expect(hardware.validate().isEmpty)
        #expect(hardware.storage.map(\.name) == ["WeightCollector", "AccumulationCollector", "InputCollector", "AccumulationBuffer",
                                                 "WeightBuffer", "InputBuffer", "GlobalBuffer", "DRAM"])
        #expect(hardware.storage.map(\.instances) == [128, 128, 16, 16, 16, 16, 1, 1])
        #expect(hardware.storage.map { $0.keeps.sorted() } == [["Weights"], ["Outputs"], ["Inputs"], ["Outputs"], ["Weights"],
                                                               ["Inputs"], ["Inputs", "Outputs"], ["Inputs", "Outputs", "Weights"]])
        // Capacities in words: 3 KiB of 24-bit partial sums = 3072·8/24 = 1024; 32 KiB of int8 = 32768.
        #expect(hardware.storage.map(\.capacityWords) == [8, 1, 8, 1024, 32768, 8192, 65536, nil])
        #expect(hardware.compute.instances == 1024)
        #expect(hardware.compute.meshX == 32 && hardware.compute.meshY == 32)
        // Fan-outs: vector lanes spread over X (8), lanes over Y (8), PEs 4 × 4 from the global buffer.
        #expect(hardware.fanout(of: 0) == (8, 1))
        #expect(hardware.fanout(of: 2) == (1, 8))
        #expect(hardware.fanout(of: 6) == (4, 4))
        #expect(hardware.fanout(of: 7) == (1, 1))
    }

    @Test func simbaLikeEnergiesByHand() throws {
        let hardware = try simbaLike().elaborate()
        let t = try Technology.named("16nm")
        // MAC: 0.05619 × 64/64 + 0.02809 × 24/32 = 0.0772575 pJ.
        #expect(close(hardware.compute.energyPerMACPJ, 0.0772575))
        // WeightBuffer: 8 lanes' buffers of 4 KiB, each two banks of 2 KiB (BufferBanks) read
        // 64 bits at a time: CACTI's 22 nm 2 KiB × 64 macro (read 0.648284 pJ, write 0.942908 pJ,
        // 0.00177527 mW, 0.00179767 mm²) at 16 nm: energy × 16/22 (0.7273; both at 0.8 V), area ×
        // 0.074/0.092 (0.8043).
        let weightBuffer = hardware.storage[4]
        #expect(close(weightBuffer.readEnergyPJ, 0.648284 * 0.7273))
        #expect(close(weightBuffer.readEnergyPJ, 0.471497, relative: 1e-5))
        #expect(close(weightBuffer.updateEnergyPJ, (0.648284 + 0.942908) * 0.7273))
        // Area: 16 banks × 0.00179767 mm² × 0.8043 = 23,134 µm² per PE.
        #expect(close(weightBuffer.areaUM2, 16 * 0.00179767 * 0.8043 * 1e6))
        // Leakage: 16 banks × 0.00177527 mW at 2 GHz = 0.0142022 pJ per cycle.
        #expect(close(weightBuffer.leakagePJPerCycle, 16 * 0.00177527 / 2))
        // DRAM: one 64-bit burst at 3.9 pJ/bit = 249.6 pJ, 8 int8 words; 25.6 GB/s at 2 GHz = 12.8 B = 12.8 words per cycle.
        let dram = hardware.storage[7]
        #expect(close(dram.readEnergyPJ, 249.6) && dram.blockSize == 8)
        #expect(close(dram.readBandwidth ?? 0, 12.8))
        // Collectors: a one-entry, 8-wide int8 weight register is written (clock included) at
        // 64 × 0.002361 pJ and read for free (its flip-flops drive the MACs directly).
        #expect(close(hardware.storage[0].writeEnergyPJ, 64 * t.registers.writePJPerBit))
        #expect(close(hardware.storage[0].writeEnergyPJ, 0.151104))
        // Clock of the free-running flip-flops, 0.001349 pJ each per cycle: each PE's
        // 13.7 + 47.6 × 8 beyond its collectors and the controller's 3,409 + 68.6 × 16.
        #expect(close(hardware.clockPJPerCycle, (16 * (13.7 + 47.6 * 8) + 3_409 + 68.6 * 16) * 0.001349))
        // Logic leakage: the 10,818.6 flip-flops outside the collectors at 12,307 pW, the rest of the
        // lanes', PE control's, controller's and requantizer's cells at 16,330 pW/µm², per 2 GHz cycle.
        let logic = t.templateLogic(numPEs: 16, lanes: 8, vectorSize: 8, weights: .int8, activations: .int8,
                                    accumulationBits: 24)
        let cellsUM2 = 128 * logic.dotProductLaneUM2 + 16 * logic.peControlUM2 + logic.controllerUM2
            + logic.requantizerUM2
        let logicFlipFlops = 16 * (13.7 + 47.6 * 8) + 3_409 + 68.6 * 16
        let leakagePW = (cellsUM2 - logicFlipFlops * 0.9673) * 16_330 + logicFlipFlops * 12_307
        #expect(close(hardware.logicLeakagePJPerCycle, leakagePW * 1e-9 / 2))
        #expect(hardware.storage[0].readEnergyPJ == 0)
        // Requantizing one output: a 24 × 16 multiply, 0.05619 × 384/64, and the 42-bit rounding
        // add, 0.02809 × 42/32: 0.3740 pJ.
        #expect(close(hardware.postProcessingPJPerOutput, 0.05619 * 6 + 0.02809 * 42 / 32, relative: 1e-3))
    }

    /// The Simba-like design at Simba's 0.42 V: the MAC costs 0.0772575 × (0.42/0.8)² pJ, the
    /// weight buffer read 0.648284 × 0.7273 × (0.42/0.8)²; DRAM bursts do not change.
    @Test func aDesignAtALowerSupplyElaboratesWithScaledEnergies() throws {
        var point = simbaLike()
        point.voltageV = 0.42
        let low = try point.elaborate(), nominal = try simbaLike().elaborate()
        #expect(close(low.compute.energyPerMACPJ, 0.0772575 * 0.275625))
        #expect(close(low.storage[4].readEnergyPJ, 0.648284 * 0.7273 * 0.275625))
        #expect(low.storage[7].readEnergyPJ == nominal.storage[7].readEnergyPJ)
        #expect(low.areaUM2 == nominal.areaUM2)
        point.voltageV = 1.3
        #expect(point.validate() == [DesignProblem(parameter: "voltage", message: "1.3 V is outside 16nm's range, 0.4–1 V")])
    }

    @Test func noInputCollectorWhenDepthIsZero() throws {
        var point = simbaLike()
        point.inputCollectorDepth = 0
        let hardware = try point.elaborate()
        #expect(!hardware.storage.map(\.name).contains("InputCollector"))
        #expect(hardware.validate().isEmpty)
        // The accumulation buffer now fans out straight to the lanes.
        #expect(hardware.fanout(of: 2) == (1, 8))
    }

    @Test func areaAddsUp() throws {
        let report = try DesignReport(point: simbaLike())
        let sum = report.areaBreakdownMM2.reduce(0) { $0 + $1.areaMM2 }
        #expect(close(sum, report.areaMM2))
        // Buffers: in each of the 16 PEs 16 weight banks of 2 KiB × 64 bits (two per lane), 16
        // accumulation banks of 192 B × 24 bits and two 4 KiB × 64-bit input banks; one 64 KiB ×
        // 64-bit global buffer.
        let t = try Technology.named("16nm")
        func bank(_ bytes: Int, _ width: Int) -> Double { t.sramBank(capacityBits: bytes * 8, widthBits: width).areaMM2 }
        let sramMM2 = 16 * (16 * bank(2048, 64) + 16 * bank(192, 24) + 2 * bank(4096, 64)) + bank(65536, 64)
        let buffersMM2 = report.areaBreakdownMM2.filter { $0.component.hasSuffix("Buffer") }.reduce(0) { $0 + $1.areaMM2 }
        #expect(close(buffersMM2, sramMM2))
        // The 24-bit accumulation bank is 24/64 of CACTI's 512 B × 64 (the same 64 words).
        #expect(close(bank(192, 24), 0.00051069 * 24 / 64 * 0.8043))
    }

    /// A lane's weight buffer of 1,023 words of 64 bits is a bank of 511 words and one of 512
    /// (``BufferBanks``): an access costs the 512-word bank's energy, area and leakage are both banks'.
    @Test func anOddDepthBufferIsPricedAtItsLargerBank() throws {
        var point = simbaLike()
        point.weightBufferBytes = 8 * 8 * 1023
        let level = try point.elaborate().storage[4]
        let t = try Technology.named("16nm")
        let low = t.sramBank(capacityBits: 511 * 64, widthBits: 64)
        let high = t.sramBank(capacityBits: 512 * 64, widthBits: 64)
        #expect(low.readEnergyPJ < high.readEnergyPJ)
        #expect(level.readEnergyPJ == high.readEnergyPJ && level.writeEnergyPJ == high.writeEnergyPJ)
        #expect(close(level.areaUM2, 8 * (low.areaMM2 + high.areaMM2) * 1e6))
        #expect(close(level.leakagePJPerCycle, 8 * (low.leakageMW + high.leakageMW) / 2))
        #expect(level.banks == 16)
    }

    @Test func mismatchedMeshesAreReported() throws {
        var hardware = try simbaLike().elaborate()
        hardware.storage[6].meshX = 3
        hardware.storage[6].meshY = 1
        hardware.storage[6].instances = 3
        #expect(!hardware.validate().isEmpty)
    }

    @Test func wordWidthsFollowTheFormats() throws {
        var point = simbaLike()
        point.weightFormat = .int4
        point.activationFormat = .int16
        point.accumulationBits = 32
        let hardware = try point.elaborate()
        #expect(hardware.storage[4].wordBits == 4 && hardware.storage[4].capacityWords == 65536)
        #expect(hardware.storage[5].wordBits == 16 && hardware.storage[5].capacityWords == 4096)
        #expect(hardware.storage[3].wordBits == 32)
    }
}

extension ElaborationTests {
    /// The Simba-like design's area terms: the logic blocks from the 16 nm table, the placement
    /// whitespace (cells × (1/0.33 − 1)), and one halo ring per SRAM bank: per PE two banks of
    /// each lane's weight and accumulation buffers and of the input buffer, plus the global buffer.
    @Test func placementTermsByHand() throws {
        let hardware = try simbaLike().elaborate()
        let t = try Technology.named("16nm")
        let logic = t.templateLogic(numPEs: 16, lanes: 8, vectorSize: 8, weights: .int8, activations: .int8,
                                    accumulationBits: 24)
        func term(_ name: String) throws -> AreaTerm { try #require(hardware.otherAreas.first { $0.name == name }) }
        #expect(try term("PEControl").totalUM2 == 16 * logic.peControlUM2)
        #expect(try term("Controller").totalUM2 == logic.controllerUM2)
        #expect(try term("Requantizer").totalUM2 == logic.requantizerUM2)
        #expect(close(hardware.compute.areaUM2 * 1024, logic.dotProductLaneUM2 * 128))
        let registersUM2 = hardware.storage.filter { $0.technology == .registers }
            .reduce(0) { $0 + $1.areaUM2 * Double($1.instances) }
        let chipUM2 = logic.controllerUM2 + logic.requantizerUM2
        let cellsUM2 = logic.dotProductLaneUM2 * 128 + registersUM2 + 16 * logic.peControlUM2 + chipUM2
        #expect(close(try term("PlacementWhitespace").totalUM2, cellsUM2 * (1 / 0.33 - 1)))
        func halo(_ bytes: Int, _ width: Int) -> Double {
            t.macroHaloUM2(macroAreaUM2: t.sramBank(capacityBits: bytes * 8, widthBits: width).areaMM2 * 1e6)
        }
        let halosUM2 = 16 * (16 * halo(2048, 64) + 16 * halo(192, 24) + 2 * halo(4096, 64)) + halo(65536, 64)
        #expect(close(try term("MacroHalos").totalUM2, halosUM2))
        // The PE pitch a network hop spans is the side of the placed PE: its cells ÷ 0.33, its
        // banks and their halos.
        let sramPerPEUM2 = hardware.storage.filter { $0.technology == .sram && $0.instances == 16 }
            .reduce(0) { $0 + $1.areaUM2 }
        let peUM2 = (cellsUM2 - chipUM2) / 16 / 0.33 + sramPerPEUM2
            + (16 * halo(2048, 64) + 16 * halo(192, 24) + 2 * halo(4096, 64))
        #expect(close(hardware.storage[6].networkHopEnergyPJPerWord,
                      t.wirePJPerBitPerMM * peUM2.squareRoot() / 1000 * 8))
    }
}
