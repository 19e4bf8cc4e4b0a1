import Foundation
import MagnetCore
import Testing
@testable import MagnetDesigner

@Suite struct TechnologyTests {
    /// Bundled tables are read once per process: asked for again, each node gives its own table,
    /// equal to the file read afresh.
    @Test func bundledTablesLoad() throws {
        for _ in 0..<2 {
            for node in Technology.bundledNodes {
                let table = try Technology.named(node)
                #expect(table.node == node)
                let url = try #require(Technology.bundledTableURL(node))
                #expect(table == (try Technology.load(path: url.path)))
            }
        }
    }

    @Test func unknownNodeSuggestsTheNearest() {
        let error = #expect(throws: (any Error).self) { try Technology.named("17nm") }
        #expect("\(error!)".contains("did you mean `16nm`?"))
    }

    /// Every node's table is the 45 nm table scaled by the rule in docs/technology.md:
    /// energy × (L/45)·(V/0.9)², area × bitcell(node)/bitcell(45 nm), wire × (V/0.9)² of 0.1 pJ/bit/mm at 28 nm.
    @Test(arguments: [("65nm", 65.0, 1.0, 0.57), ("28nm", 28.0, 0.9, 0.127), ("16nm", 16.0, 0.8, 0.074),
                      ("7nm", 7.0, 0.75, 0.027)])
    func tablesFollowTheScalingRule(node: String, feature: Double, volts: Double, bitcell: Double) throws {
        let base = try Technology.named("45nm")
        let table = try Technology.named(node)
        let energy = (feature / 45) * (volts / 0.9) * (volts / 0.9)
        let area = bitcell / 0.346
        let tolerance = 1e-3  // tables hold 4 significant digits
        #expect(table.voltageV == volts)
        for (scaled, original) in [(table.intMultiply8x8, base.intMultiply8x8), (table.intAdd32, base.intAdd32),
                                   (table.fp16Multiply, base.fp16Multiply), (table.fp32Add, base.fp32Add)] {
            #expect(close(scaled.energyPJ, original.energyPJ * energy, relative: tolerance))
            #expect(close(scaled.areaUM2, original.areaUM2 * area, relative: tolerance))
        }
        #expect(close(table.registers.flipFlopAreaUM2, base.registers.flipFlopAreaUM2 * area, relative: tolerance))
        #expect(close(table.registers.muxAreaUM2, base.registers.muxAreaUM2 * area, relative: tolerance))
        #expect(close(table.registers.writePJPerBit, base.registers.writePJPerBit * energy, relative: tolerance))
        #expect(close(table.registers.clockPJPerBitPerCycle, base.registers.clockPJPerBitPerCycle * energy,
                      relative: tolerance))
        #expect(close(table.registers.readPJPerBitPerMuxLevel, base.registers.readPJPerBitPerMuxLevel * energy,
                      relative: tolerance))
        // Leakage scales with device width (area) and linearly with the supply.
        #expect(close(table.registers.flipFlopLeakagePW, base.registers.flipFlopLeakagePW * area * volts / 0.9,
                      relative: tolerance))
        #expect(close(table.wirePJPerBitPerMM, 0.1 * (volts / 0.9) * (volts / 0.9), relative: tolerance))
        // Logic: areas × the area factor, flip-flop counts as they are, leakage per µm² × V/0.9.
        #expect(close(table.logic.dotProductUM2PerAddedProduct, base.logic.dotProductUM2PerAddedProduct * area,
                      relative: tolerance))
        #expect(close(table.logic.controllerUM2, base.logic.controllerUM2 * area, relative: tolerance))
        #expect(close(table.logic.requantizerUM2PerLane, base.logic.requantizerUM2PerLane * area, relative: tolerance))
        #expect(table.logic.peFlipFlopsPerLane == base.logic.peFlipFlopsPerLane)
        #expect(close(table.logic.leakagePWPerUM2, base.logic.leakagePWPerUM2 * volts / 0.9, relative: tolerance))
    }

    /// SRAM is CACTI's macro carried to the node: energy × capacitance scale × (V / V_CACTI)²,
    /// leakage × leakage scale × V / V_CACTI, area × area scale (docs/technology.md).
    @Test func sramIsCACTICarriedToTheNode() throws {
        // 45 nm at 0.9 V from CACTI's 45 nm rows at 1.1 V: 8 KiB × 64 reads 6.13702 pJ in CACTI,
        // × (0.9/1.1)² = 0.669421: 4.10825 pJ (Horowitz's 10 pJ at 45 nm is an older macro).
        let t45 = try Technology.named("45nm").sramBank(capacityBits: 8192 * 8, widthBits: 64)
        #expect(close(t45.readEnergyPJ, 6.13702 * 0.669421, relative: 1e-5))
        #expect(close(t45.writeEnergyPJ, 7.87807 * 0.669421, relative: 1e-5))
        #expect(close(t45.leakageMW, 0.00161708 * 0.9 / 1.1, relative: 1e-9))
        #expect(close(t45.areaMM2, 0.0262673, relative: 1e-9))
        // 16 nm at 0.8 V from CACTI's 22 nm rows at 0.8 V: capacitance × 16/22 (0.7273), area ×
        // 0.074/0.092 (0.8043): 8 KiB × 64 reads 1.59026 × 0.7273 = 1.15660 pJ, 0.00626543 × 0.8043 mm².
        let t16 = try Technology.named("16nm")
        #expect(t16.sram == Technology.SRAMSource(cactiNodeNM: 22, capacitanceScale: 0.7273, areaScale: 0.8043,
                                                  leakageScale: 1))
        let bank16 = t16.sramBank(capacityBits: 8192 * 8, widthBits: 64)
        #expect(close(bank16.readEnergyPJ, 1.15660, relative: 1e-4))
        #expect(close(bank16.areaMM2, 0.00626543 * 0.8043, relative: 1e-9))
        // The factors are the stated rule: feature-size ratio and published bitcell ratio.
        #expect(close(t16.sram.capacitanceScale, 16.0 / 22, relative: 1e-3))
        #expect(close(t16.sram.areaScale, 0.074 / 0.092, relative: 1e-3))
        let t7 = try Technology.named("7nm"), t28 = try Technology.named("28nm")
        #expect(close(t7.sram.capacitanceScale, 7.0 / 22, relative: 1e-3))
        #expect(close(t7.sram.areaScale, 0.027 / 0.092, relative: 1e-3))
        #expect(t28.sram.cactiNodeNM == 32 && close(t28.sram.capacitanceScale, 28.0 / 32, relative: 1e-3))
        #expect(close(t28.sram.areaScale, 0.127 / 0.171, relative: 1e-3))
        #expect(try Technology.named("65nm").sram.cactiNodeNM == 65)
    }

    /// At 0.42 V a 16 nm table (0.8 V nominal) prices dynamic energy × (0.42/0.8)² = 0.275625,
    /// leakage × 0.525; DRAM and areas stay.
    @Test func aLowerSupplyScalesDynamicEnergyBySquareAndLeakageLinearly() throws {
        let nominal = try Technology.named("16nm")
        let low = nominal.atVoltage(0.42)
        #expect(low.voltageV == 0.42)
        #expect(close(low.intMultiply8x8.energyPJ, 0.05619 * 0.275625))
        #expect(close(low.fp32Add.energyPJ, nominal.fp32Add.energyPJ * 0.275625))
        #expect(close(low.registers.writePJPerBit, 0.002361 * 0.275625))
        #expect(close(low.registers.clockPJPerBitPerCycle, 0.001349 * 0.275625))
        #expect(close(low.registers.readPJPerBitPerMuxLevel, 0.0004992 * 0.275625))
        #expect(close(low.wirePJPerBitPerMM, nominal.wirePJPerBitPerMM * 0.275625))
        #expect(close(low.registers.flipFlopLeakagePW, 12307 * 0.525))
        #expect(close(low.logic.leakagePWPerUM2, 16330 * 0.525))
        #expect(low.dramPJPerBit == nominal.dramPJPerBit)
        #expect(low.intMultiply8x8.areaUM2 == nominal.intMultiply8x8.areaUM2)
        // SRAM from CACTI's 22 nm rows at 0.8 V: 8 KiB × 64 reads 1.59026 pJ × 0.7273 × 0.275625.
        let bank = low.sramBank(capacityBits: 8192 * 8, widthBits: 64)
        #expect(close(bank.readEnergyPJ, 1.59026 * 0.7273 * 0.275625))
        #expect(close(bank.leakageMW, 0.00619631 * 0.525))
        #expect(bank.areaMM2 == nominal.sramBank(capacityBits: 8192 * 8, widthBits: 64).areaMM2)
        #expect(nominal.atVoltage(0.8) == nominal)
        #expect(nominal.voltageRangeV == 0.4...1.0)
    }

    /// A supply range that leaves out the nominal supply, or is not two numbers, is located.
    @Test func aVoltageRangeAroundTheNominalSupplyIsRequired() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-tech-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let nominal = try String(contentsOf: try #require(Technology.bundledTableURL("16nm")), encoding: .utf8)
        for bad in ["[0.9, 1.2]", "[0.4]"] {
            let path = folder.appendingPathComponent("range.yaml").path
            try nominal.replacingOccurrences(of: "voltage_range_V: [0.4, 1]", with: "voltage_range_V: \(bad)")
                .write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: ConfigError.self) { try Technology.load(path: path) }
            #expect(error?.description == "\(path):7:18: voltage_range_V: expected [lowest, highest] volts around "
                    + "voltage_V (0.8)", "\(String(describing: error))")
        }
    }

    @Test func aTableNamingANodeCACTIDoesNotHaveIsLocated() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-tech-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("mine.yaml").path
        let text = try String(contentsOf: try #require(Technology.bundledTableURL("16nm")), encoding: .utf8)
            .replacingOccurrences(of: "cacti_node_nm: 22", with: "cacti_node_nm: 14")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try Technology.load(path: path) }
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("cacti_node_nm: 14") }) + 1
        #expect(error?.description == "\(path):\(line):18: sram.cacti_node_nm: CACTI 7's SRAM table has no 14 nm rows; "
                + "it has 22, 32, 45, 65", "\(String(describing: error))")
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
        // 20.97 µW (1 Mbit at 20 pW); at 2 GHz one cycle is 0.5 ns: 20,971,520e-12 × 0.5e-9 J = 0.010486 pJ.
        #expect(close(Technology.leakagePJPerCycle(picowatts: 20_971_520, clockGHz: 2), 0.01048576))
        // 1 mW for a 1 GHz cycle: 1 pJ.
        #expect(close(Technology.leakagePJPerCycle(picowatts: 1e9, clockGHz: 1), 1))
    }

    /// NanGate45's DFF_X1 and MUX2_X1 (1.1 V) carried to the 45 nm table (0.9 V): a write costs
    /// 12.554 fJ × (0.9/1.1)² = 8.404 fJ per bit, a multiplexer level 2.655 fJ × 0.669 = 1.777 fJ;
    /// a free-running flip-flop's clock 7.172 fJ × 0.669 = 4.801 fJ per cycle.
    /// An 8-entry, 64-bit file reads through 3 levels: 64 × 3 × 0.001777 = 0.341184 pJ; writes
    /// 64 × 0.008404 = 0.537856 pJ; 512 flip-flops × 4.522 + 7 × 64 muxes × 1.862 = 3,149.44 µm²;
    /// leakage 512 × 64,728 + 448 × 29,396 = 46,310,144 pW.
    @Test func registerFilesAreFlipFlopsReadThroughMultiplexers() throws {
        let t = try Technology.named("45nm")
        #expect(t.registers == Technology.Registers(clockPJPerBitPerCycle: 0.004801, writePJPerBit: 0.008404,
                                                    readPJPerBitPerMuxLevel: 0.001777,
                                                    flipFlopAreaUM2: 4.522, muxAreaUM2: 1.862,
                                                    flipFlopLeakagePW: 64728, muxLeakagePW: 29396))
        let file = t.registerFile(entries: 8, widthBits: 64)
        #expect(close(file.readPJ, 0.341184) && close(file.writePJ, 0.537856))
        #expect(close(file.areaUM2, 3149.44) && close(file.leakagePW, 46_310_144))
        // One entry: no multiplexer, read for free; 5 entries need 3 levels and 4 muxes per bit.
        let single = t.registerFile(entries: 1, widthBits: 24)
        #expect(single.readPJ == 0 && close(single.areaUM2, 24 * 4.522))
        let five = t.registerFile(entries: 5, widthBits: 1)
        #expect(close(five.readPJ, 3 * 0.001777) && close(five.areaUM2, 5 * 4.522 + 4 * 1.862))
    }
}
