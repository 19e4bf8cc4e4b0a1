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

    /// One SRAM bank of `capacityBits`, read and written `widthBits` at a time, at this node and
    /// supply: CACTI 7's macro of that shape (``SRAMMacroTable``) at ``SRAMSource/cactiNodeNM``,
    /// energies × capacitance scale × (V / V_CACTI)², leakage × leakage scale × V / V_CACTI, area
    /// × area scale.
    public func sramBank(capacityBits: Int, widthBits: Int) -> SRAMMacro {
        let table = SRAMMacroTable.cacti7
        let cacti = table.macro(node: sram.cactiNodeNM, capacityBytes: Double(capacityBits) / 8, widthBits: widthBits)
        let supplyRatio = voltageV / (table.nodes[sram.cactiNodeNM]?.vddV ?? voltageV)
        let energyScale = sram.capacitanceScale * supplyRatio * supplyRatio
        return SRAMMacro(readEnergyPJ: cacti.readEnergyPJ * energyScale, writeEnergyPJ: cacti.writeEnergyPJ * energyScale,
                         leakageMW: cacti.leakageMW * sram.leakageScale * supplyRatio,
                         areaMM2: cacti.areaMM2 * sram.areaScale, cycleTimeNS: cacti.cycleTimeNS)
    }

    /// Energy (pJ) of one register-file access `widthBits` wide (read or write).
    public func registerAccessPJ(widthBits: Int) -> Double {
        Double(widthBits) * registerAccessPJPerBit
    }

    /// Area (µm²) of `bits` flip-flops.
    public func registerAreaUM2(bits: Int) -> Double {
        Double(bits) * registerAreaUM2PerBit
    }

    /// Leakage energy per clock cycle (pJ) of `milliwatts` at `clockGHz`: `mW·10⁻³ / (GHz·10⁹)` J.
    public static func leakagePJPerCycle(milliwatts: Double, clockGHz: Double) -> Double {
        milliwatts / clockGHz
    }

    /// Leakage energy per clock cycle (pJ) of `bits` storage leaking `pWPerBit`, at `clockGHz`.
    ///
    /// `P = bits·pW·10⁻¹² W`; per cycle `P / (clockGHz·10⁹)` J = `bits·pW·10⁻⁹ / clockGHz` pJ.
    public static func leakagePJPerCycle(bits: Int, pWPerBit: Double, clockGHz: Double) -> Double {
        Double(bits) * pWPerBit * 1e-9 / clockGHz
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
        scaled.registerAccessPJPerBit *= dynamic
        scaled.wirePJPerBitPerMM *= dynamic
        scaled.registerLeakagePWPerBit *= volts / voltageV
        scaled.voltageV = volts
        return scaled
    }
}
