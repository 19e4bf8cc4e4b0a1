import MagnetCore

/// A reason a design point is impossible, tied to the parameter (YAML key) at fault.
public struct DesignProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// The parameter, as spelt in design files (e.g. `weightBuffer`).
    public var parameter: String
    /// What is wrong and what would be allowed.
    public var message: String

    /// `parameter: message`.
    public var description: String { "\(parameter): \(message)" }
}

extension DesignPoint {
    /// Every reason this point cannot be built; empty when it is valid.
    public func validate() -> [DesignProblem] {
        var problems: [DesignProblem] = []
        func require(_ condition: Bool, _ parameter: String, _ message: @autoclosure () -> String) {
            if !condition { problems.append(DesignProblem(parameter: parameter, message: message())) }
        }
        let positives: [(String, Int)] = [
            ("numPEs", numPEs), ("lanes", lanes), ("vectorSize", vectorSize),
            ("weightCollectorDepth", weightCollectorDepth), ("accumulationCollectorDepth", accumulationCollectorDepth),
            ("weightBuffer", weightBufferBytes), ("inputBuffer", inputBufferBytes),
            ("accumulationBuffer", accumulationBufferBytes), ("globalBuffer", globalBufferBytes),
        ]
        for (parameter, value) in positives {
            require(value > 0, parameter, "must be greater than zero (got \(value))")
        }
        require(inputCollectorDepth >= 0, "inputCollectorDepth", "must be zero (no input collector) or more (got \(inputCollectorDepth))")
        if numPEs > 0 {
            require(peRows > 0 && peColumns > 0 && peRows * peColumns == numPEs, "peRows",
                    "peRows × peColumns (\(peRows) × \(peColumns)) must equal numPEs (\(numPEs))")
        }
        require(dramBandwidthGBps > 0, "dramBandwidthGBps", "must be greater than zero (got \(dramBandwidthGBps))")
        require(clockGHz > 0 && clockGHz <= 10, "clockGHz", "must be in (0, 10] GHz (got \(clockGHz))")
        if let dramEnergyPJPerBit {
            require(dramEnergyPJPerBit >= 0, "dramEnergyPJPerBit", "must not be negative (got \(dramEnergyPJPerBit))")
        }
        problems += dramProblems()

        // Arithmetic widths, of the datapath (the widest formats of the design's layers).
        problems += layerFormatProblems()
        let datapath = datapathFormats
        let weightFormat = datapath.weights, activationFormat = datapath.inputs
        if weightFormat.isInteger && activationFormat.isInteger {
            require(accumulationBits >= productBits, "accumulationBits",
                    "\(accumulationBits) bits is narrower than the \(productBits)-bit product of \(weightFormat.rawValue) × \(activationFormat.rawValue)"
                        + (layerFormats.isEmpty ? "" : " (the datapath's formats: the widest of the design's and its layerFormats')"))
            require(accumulationBits <= 64, "accumulationBits", "at most 64 bits (got \(accumulationBits))")
        } else {
            require(accumulationBits == 32, "accumulationBits", "floating-point formats accumulate in fp32: use 32 (got \(accumulationBits))")
        }

        // Each buffer must hold at least what one cycle of the array consumes from it.
        if lanes > 0 && vectorSize > 0 {
            let weightVectorBytes = lanes * vectorSize * weightFormat.bits
            require(weightBufferBytes * 8 >= weightVectorBytes, "weightBuffer",
                    "\(weightBufferBytes) B cannot hold one weight vector per lane (\(lanes) × \(vectorSize) × \(weightFormat.bits) bits = \(weightVectorBytes / 8) B)")
            let inputVectorBits = vectorSize * activationFormat.bits
            require(inputBufferBytes * 8 >= inputVectorBits, "inputBuffer",
                    "\(inputBufferBytes) B cannot hold one input vector (\(vectorSize) × \(activationFormat.bits) bits = \(inputVectorBits / 8) B)")
            let partialSumBits = lanes * accumulationBits
            require(accumulationBufferBytes * 8 >= partialSumBits, "accumulationBuffer",
                    "\(accumulationBufferBytes) B cannot hold one partial sum per lane (\(lanes) × \(accumulationBits) bits = \(partialSumBits / 8) B)")
            let globalBits = inputVectorBits + lanes * activationFormat.bits
            require(globalBufferBytes * 8 >= globalBits, "globalBuffer",
                    "\(globalBufferBytes) B cannot hold one input vector and one output vector (\(globalBits / 8) B)")
        }
        do {
            let table = try Technology.named(technology)
            if let voltageV, !table.voltageRangeV.contains(voltageV) {
                problems.append(DesignProblem(parameter: "voltage", message: "\(NumberText.compact(voltageV)) V is "
                    + "outside \(table.node)'s range, \(NumberText.compact(table.voltageRangeV.lowerBound))–"
                    + "\(NumberText.compact(table.voltageRangeV.upperBound)) V"))
            }
        } catch let error as ConfigError {
            // An unknown name is reported as is; a broken table file keeps its own location.
            problems.append(DesignProblem(parameter: "technology", message: error.line == nil ? error.message : error.description))
        } catch {
            problems.append(DesignProblem(parameter: "technology", message: "\(error)"))
        }
        return problems
    }
}

extension DesignPoint {
    /// What is wrong with the DRAM keys: channels without a type, a type and an energy override
    /// together, or more bandwidth than the type's channels give.
    func dramProblems() -> [DesignProblem] {
        guard let dram else {
            guard let dramChannels else { return [] }
            return [DesignProblem(parameter: "dramChannels", message: "\(dramChannels) channels of no DRAM type: "
                + "give `dram` too (\(DRAMType.namesText))")]
        }
        if dramEnergyPJPerBit != nil {
            return [DesignProblem(parameter: "dramEnergyPJPerBit", message: "`dram: \(dram.rawValue)` prices DRAM "
                + "accesses already; give the type or an energy per bit, not both")]
        }
        let channels = dramChannels ?? 1
        guard channels >= 1 else {
            return [DesignProblem(parameter: "dramChannels", message: "must be at least 1 (got \(channels))")]
        }
        let peakGBps = Double(channels) * dram.channelBandwidthGBps
        guard dramBandwidthGBps <= peakGBps * (1 + 1e-9) else {
            return [DesignProblem(parameter: "dramBandwidthGBps", message: "\(NumberText.compact(dramBandwidthGBps)) "
                + "GB/s is above the peak of \(channels) \(dram.rawValue) channel\(channels == 1 ? "" : "s") "
                + "(\(channels) × \(NumberText.compact(dram.channelBandwidthGBps)) = "
                + "\(NumberText.compact(peakGBps)) GB/s): raise dramChannels")]
        }
        return []
    }
}
