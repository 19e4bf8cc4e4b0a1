import MagnetCore

/// Costs of the template's building blocks, derived from a ``Technology``'s primitives by the
/// rules in docs/technology.md.
extension Technology {
    /// Energy (pJ) and area (µm²) of one multiply-accumulate unit: a multiplier for the two
    /// operand formats plus an accumulator adder `accumulationBits` wide.
    ///
    /// Integer multipliers scale with the product of the operand widths (`m·n/64` of the 8×8
    /// multiplier); integer adders with their width (`bits/32` of the 32-bit adder). Floating
    /// point: an fp16 multiplier (bf16 scaled by its 8×8 vs fp16's 11×11 significand product) and
    /// an fp32 accumulator.
    public func mac(weights: DataFormat, activations: DataFormat, accumulationBits: Int) -> Primitive {
        if weights.isInteger && activations.isInteger {
            let multiplierScale = Double(weights.bits * activations.bits) / 64
            let adderScale = Double(accumulationBits) / 32
            return Primitive(energyPJ: intMultiply8x8.energyPJ * multiplierScale + intAdd32.energyPJ * adderScale,
                             areaUM2: intMultiply8x8.areaUM2 * multiplierScale + intAdd32.areaUM2 * adderScale)
        }
        // A mixed integer/float pair is multiplied in the float unit.
        let usesBF16Only = (weights == .bf16 || weights.isInteger) && (activations == .bf16 || activations.isInteger)
        let multiplierScale = usesBF16Only ? Double(8 * 8) / Double(11 * 11) : 1
        return Primitive(energyPJ: fp16Multiply.energyPJ * multiplierScale + fp32Add.energyPJ,
                         areaUM2: fp16Multiply.areaUM2 * multiplierScale + fp32Add.areaUM2)
    }

    /// Energy (pJ) of requantizing one output (docs/rtl.md, "Requantization"): the sum times the
    /// `Requantization.scaleBits`-bit scale and the rounding term added, by the multiplier's and
    /// the adder's rules above (`m·n/64`, `bits/32`); the shift and the clamp are wiring and
    /// multiplexers, not priced.
    public func requantizePJPerOutput(accumulationBits: Int) -> Double {
        let productBits = Requantization.productBits(accumulationBits: accumulationBits)
        return intMultiply8x8.energyPJ * Double(accumulationBits * Requantization.scaleBits) / 64
            + intAdd32.energyPJ * Double(productBits) / 32
    }

    /// One SRAM bank of `capacityBits`, read and written `widthBits` at a time, at this node and
    /// supply: CACTI 7's macro of that shape (``SRAMMacroTable``) at ``SRAMSource/cactiNodeNM``,
    /// energies × capacitance scale × (V / V_CACTI)², leakage × leakage scale × V / V_CACTI, area
    /// × area scale.
    public func sramBank(capacityBits: Int, widthBits: Int) -> SRAMMacro {
        let table = SRAMMacroTable.cacti7
        let cacti = table.macro(node: sram.cactiNodeNM, capacityBytes: Double(capacityBits) / 8, widthBits: widthBits)
        let supplyRatio = voltageV / (table.nodes[sram.cactiNodeNM]?.vddV ?? voltageV)
        let energyScale = sram.capacitanceScale * supplyRatio * supplyRatio
        return SRAMMacro(readEnergyPJ: cacti.readEnergyPJ * energyScale,
                         writeEnergyPJ: cacti.writeEnergyPJ * energyScale,
                         leakageMW: cacti.leakageMW * sram.leakageScale * supplyRatio,
                         areaMM2: cacti.areaMM2 * sram.areaScale, cycleTimeNS: cacti.cycleTimeNS)
    }

    /// What a register file costs: per access, area and leakage.
    public struct RegisterFile: Sendable, Equatable {
        /// Reading one entry of the full width (pJ).
        public var readPJ: Double
        /// Writing one entry of the full width (pJ).
        public var writePJ: Double
        /// Flip-flops and read multiplexers (µm²).
        public var areaUM2: Double
        /// Leakage (pW).
        public var leakagePW: Double
    }

    /// A register file of `entries` entries `widthBits` wide, written and read one entry at a
    /// time: `entries × width` flip-flops, read through a tree of `entries − 1` 2:1 multiplexers
    /// per output bit, ⌈log₂ entries⌉ levels deep (a one-entry register is read for free: its
    /// output already drives its consumer, and that load is paid by the write).
    public func registerFile(entries: Int, widthBits: Int) -> RegisterFile {
        var levels = 0
        while 1 << levels < entries { levels += 1 }
        let width = Double(widthBits)
        let flipFlops = Double(entries) * width, muxes = Double(max(entries - 1, 0)) * width
        return RegisterFile(readPJ: width * Double(levels) * registers.readPJPerBitPerMuxLevel,
                            writePJ: width * registers.writePJPerBit,
                            areaUM2: flipFlops * registers.flipFlopAreaUM2 + muxes * registers.muxAreaUM2,
                            leakagePW: flipFlops * registers.flipFlopLeakagePW + muxes * registers.muxLeakagePW)
    }

    /// Leakage energy per clock cycle (pJ) of `picowatts` at `clockGHz`: `pW·10⁻¹² / (GHz·10⁹)` J.
    public static func leakagePJPerCycle(picowatts: Double, clockGHz: Double) -> Double {
        picowatts * 1e-9 / clockGHz
    }
}

extension Technology {
    /// This table at supply `volts` (docs/technology.md, "Supply voltage"): every dynamic energy
    /// (arithmetic, registers, wires; SRAM through ``sramBank(capacityBits:widthBits:)``, which
    /// reads ``voltageV``) × (volts / V)², register leakage × volts / V; DRAM, a separate chip,
    /// unchanged. Areas do not depend on the supply.
    public func atVoltage(_ volts: Double) -> Technology {
        guard volts != voltageV else { return self }
        let dynamic = (volts / voltageV) * (volts / voltageV)
        var scaled = self
        for primitive in [\Technology.intMultiply8x8, \.intAdd32, \.fp16Multiply, \.fp32Add] {
            scaled[keyPath: primitive].energyPJ *= dynamic
        }
        scaled.registers.writePJPerBit *= dynamic
        scaled.registers.clockPJPerBitPerCycle *= dynamic
        scaled.registers.readPJPerBitPerMuxLevel *= dynamic
        scaled.wirePJPerBitPerMM *= dynamic
        scaled.registers.flipFlopLeakagePW *= volts / voltageV
        scaled.registers.muxLeakagePW *= volts / voltageV
        scaled.logic.leakagePWPerUM2 *= volts / voltageV
        scaled.voltageV = volts
        return scaled
    }
}
