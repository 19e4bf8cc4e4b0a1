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
        // WeightBuffer: 8 banks of 32768 bits, 64-bit reads: 64 × (0.00564 + 0.0001529 × √32768) = 2.13235 pJ.
        let weightBuffer = hardware.storage[4]
        #expect(close(weightBuffer.readEnergyPJ, 64 * (0.00564 + 0.0001529 * 32768.0.squareRoot())))
        #expect(close(weightBuffer.readEnergyPJ, 2.13235, relative: 1e-5))
        #expect(close(weightBuffer.updateEnergyPJ, 2 * weightBuffer.readEnergyPJ))
        // Area: 262,144 bits × 0.074 µm² / 0.7 = 27,712.9 µm² per PE.
        #expect(close(weightBuffer.areaUM2, 262_144 * 0.074 / 0.7))
        // Leakage: 262,144 bits × 20 pW × 1e-9 / 2 GHz = 0.00262144 pJ per cycle.
        #expect(close(weightBuffer.leakagePJPerCycle, 0.00262144))
        // DRAM: one 64-bit burst at 3.9 pJ/bit = 249.6 pJ, 8 int8 words; 25.6 GB/s at 2 GHz = 12.8 B = 12.8 words per cycle.
        let dram = hardware.storage[7]
        #expect(close(dram.readEnergyPJ, 249.6) && dram.blockSize == 8)
        #expect(close(dram.readBandwidth ?? 0, 12.8))
        // Collectors: an 8-wide int8 weight register access is 64 bits × 0.00564 pJ.
        #expect(close(hardware.storage[0].readEnergyPJ, 64 * t.registerAccessPJPerBit))
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
        // Buffers by hand: (16 × (32 + 8 + 3) KiB + 64 KiB) × 8 bits × 0.074 / 0.7 µm².
        let sramUM2 = Double((16 * 43 + 64) * 1024 * 8) * 0.074 / 0.7
        let sramMM2 = report.areaBreakdownMM2.filter { $0.component.hasSuffix("Buffer") }.reduce(0) { $0 + $1.areaMM2 }
        #expect(close(sramMM2, sramUM2 / 1e6))
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
