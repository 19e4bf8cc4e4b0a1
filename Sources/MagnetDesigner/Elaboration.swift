import MagnetCore

/// Turning a ``DesignPoint`` into the ``Hardware`` the cost model reads.
///
/// The template elaborates into these levels, inner to outer (docs/template.md has the figure):
///
/// | level | keeps | instances | built from |
/// |---|---|---|---|
/// | `MAC` | — | numPEs·lanes·vectorSize | MAC units |
/// | `WeightCollector` | Weights | numPEs·lanes | registers, depth × vectorSize weights |
/// | `AccumulationCollector` | Outputs | numPEs·lanes | registers, depth partial sums |
/// | `InputCollector` (if depth > 0) | Inputs | numPEs | registers, depth × vectorSize inputs |
/// | `AccumulationBuffer` | Outputs | numPEs | SRAM, `lanes` buffers of two banks |
/// | `WeightBuffer` | Weights | numPEs | SRAM, `lanes` buffers of two banks |
/// | `InputBuffer` | Inputs | numPEs | SRAM, two banks |
/// | `GlobalBuffer` | Inputs, Outputs | 1 | SRAM, one bank |
/// | `DRAM` | all | 1 | DRAM, 64-bit bursts |
extension DesignPoint {
    /// Elaborates this point with its technology table. Throws when the point is invalid.
    public func elaborate() throws -> Hardware {
        if let problem = validate().first { throw problem }
        let table = try Technology.named(technology)
        return elaborate(technology: table.atVoltage(voltageV ?? table.voltageV))
    }

    /// Elaborates this (valid) point with the given technology table.
    public func elaborate(technology tech: Technology) -> Hardware {
        // The datapath is built for the widest formats any layer runs at (``datapathFormats``).
        let datapath = datapathFormats
        let weightFormat = datapath.weights, activationFormat = datapath.inputs
        let weightBits = weightFormat.bits
        let activationBits = activationFormat.bits
        let peMesh = (x: peColumns, y: peRows)

        let mac = tech.mac(weights: weightFormat, activations: activationFormat, accumulationBits: accumulationBits)
        let logic = tech.templateLogic(numPEs: numPEs, lanes: lanes, vectorSize: vectorSize,
                                       weights: weightFormat, activations: activationFormat,
                                       accumulationBits: accumulationBits)
        // A MAC's area is its share of its lane's dot product (multipliers and adder tree).
        let compute = ComputeLevel(name: "MAC", instances: macCount, meshX: peMesh.x * vectorSize,
                                   meshY: peMesh.y * lanes, energyPerMACPJ: mac.energyPJ,
                                   areaUM2: logic.dotProductLaneUM2 / Double(vectorSize))

        func registers(_ name: String, keeps: String, words: Int, wordBits: Int, block: Int, instances: Int,
                       meshY: Int) -> StorageLevel {
            let file = tech.registerFile(entries: words / block, widthBits: block * wordBits)
            return StorageLevel(name: name, technology: .registers, keeps: [keeps], capacityWords: words,
                                wordBits: wordBits, blockSize: block, instances: instances, meshY: meshY,
                                readBandwidth: Double(block), writeBandwidth: Double(block),
                                readEnergyPJ: file.readPJ, writeEnergyPJ: file.writePJ,
                                updateEnergyPJ: file.readPJ + file.writePJ,
                                leakagePJPerCycle: Technology.leakagePJPerCycle(picowatts: file.leakagePW,
                                                                                clockGHz: clockGHz),
                                areaUM2: file.areaUM2)
        }

        /// Keep-out rings of the SRAM macros placed so far, per PE and for the chip (µm²).
        var peHalosUM2 = 0.0, chipHalosUM2 = 0.0
        /// An SRAM level of `buffers` equal buffers, each `block` words wide and read and written
        /// once per cycle; a PE's buffers (`inPE`) are each two banks (``BufferBanks``), the
        /// global buffer one. An access is priced at the larger bank's energy (the banks are equal
        /// unless a buffer's depth is odd); area, halos and leakage sum every bank.
        func sram(_ name: String, keeps: Set<String>, bytes: Int, wordBits: Int, block: Int, buffers: Int,
                  instances: Int, meshY: Int, inPE: Bool = true, hopPJPerWord: Double = 0) -> StorageLevel {
            let bits = bytes * 8, widthBits = block * wordBits
            let depthWords = bits / buffers / widthBits
            let bankWords = inPE ? BufferBanks(depthWords: depthWords).wordsPerBank : [depthWords]
            let banks = bankWords.map { tech.sramBank(capacityBits: $0 * widthBits, widthBits: widthBits) }
            let largest = zip(bankWords, banks).max { $0.0 < $1.0 }!.1
            let bankAreasUM2 = banks.map { $0.areaMM2 * 1e6 }
            let halosUM2 = bankAreasUM2.reduce(0) { $0 + tech.macroHaloUM2(macroAreaUM2: $1) }
                * Double(buffers * instances)
            if inPE { peHalosUM2 += halosUM2 / Double(numPEs) } else { chipHalosUM2 += halosUM2 }
            let leakagePW = banks.reduce(0) { $0 + $1.leakageMW } * 1e9 * Double(buffers)
            var level = StorageLevel(name: name, technology: .sram, keeps: keeps, capacityWords: bits / wordBits,
                                     wordBits: wordBits, blockSize: block, instances: instances, meshY: meshY,
                                     readBandwidth: Double(block * buffers), writeBandwidth: Double(block * buffers),
                                     readEnergyPJ: largest.readEnergyPJ, writeEnergyPJ: largest.writeEnergyPJ,
                                     updateEnergyPJ: largest.readEnergyPJ + largest.writeEnergyPJ,
                                     leakagePJPerCycle: Technology.leakagePJPerCycle(picowatts: leakagePW,
                                                                                     clockGHz: clockGHz),
                                     areaUM2: bankAreasUM2.reduce(0, +) * Double(buffers),
                                     networkHopEnergyPJPerWord: hopPJPerWord)
            level.banks = banks.count * buffers
            return level
        }

        let perLane = numPEs * lanes, laneMeshY = peMesh.y * lanes
        var levels: [StorageLevel] = [
            registers("WeightCollector", keeps: "Weights", words: weightCollectorDepth * vectorSize,
                      wordBits: weightBits, block: vectorSize, instances: perLane, meshY: laneMeshY),
            registers("AccumulationCollector", keeps: "Outputs", words: accumulationCollectorDepth,
                      wordBits: accumulationBits, block: 1, instances: perLane, meshY: laneMeshY),
        ]
        if inputCollectorDepth > 0 {
            levels.append(registers("InputCollector", keeps: "Inputs", words: inputCollectorDepth * vectorSize,
                                    wordBits: activationBits, block: vectorSize, instances: numPEs, meshY: peMesh.y))
        }
        levels.append(sram("AccumulationBuffer", keeps: ["Outputs"], bytes: accumulationBufferBytes,
                           wordBits: accumulationBits, block: 1, buffers: lanes, instances: numPEs, meshY: peMesh.y))
        levels.append(sram("WeightBuffer", keeps: ["Weights"], bytes: weightBufferBytes, wordBits: weightBits,
                           block: vectorSize, buffers: lanes, instances: numPEs, meshY: peMesh.y))
        levels.append(sram("InputBuffer", keeps: ["Inputs"], bytes: inputBufferBytes, wordBits: activationBits,
                           block: vectorSize, buffers: 1, instances: numPEs, meshY: peMesh.y))

        // One hop on the array network spans one PE pitch: the side of a square PE as placed.
        // Standard cells: each PE's lanes, control and collectors, and the controller (the levels
        // so far are all the PE's).
        let peLogicUM2 = logic.dotProductLaneUM2 * Double(lanes) + logic.peControlUM2
        let peCellsUM2 = peLogicUM2 + levels.areaUM2(of: .registers) / Double(numPEs)
        let peAreaUM2 = tech.placedLogicUM2(cellsUM2: peCellsUM2) + levels.areaUM2(of: .sram) / Double(numPEs)
            + peHalosUM2
        let pitchMM = peAreaUM2.squareRoot() / 1000
        let hopPJPerWord = tech.wirePJPerBitPerMM * pitchMM * Double(activationBits)
        levels.append(sram("GlobalBuffer", keeps: ["Inputs", "Outputs"], bytes: globalBufferBytes,
                           wordBits: activationBits, block: vectorSize, buffers: 1, instances: 1, meshY: 1,
                           inPE: false, hopPJPerWord: hopPJPerWord))

        let burstBits = 64
        let dramWordsPerCycle = dramBandwidthGBps * 8 / Double(activationBits) / clockGHz
        let dramBlock = max(1, burstBits / activationBits)
        let tablePJPerBit = dramEnergyPJPerBit ?? tech.dramPJPerBit
        let dramReadPJ = Double(burstBits) * (dram?.pJPerBit(of: .read) ?? tablePJPerBit)
        let dramWritePJ = Double(burstBits) * (dram?.pJPerBit(of: .write) ?? tablePJPerBit)
        levels.append(StorageLevel(name: "DRAM", technology: .dram, keeps: ["Weights", "Inputs", "Outputs"],
                                   capacityWords: nil, wordBits: activationBits, blockSize: dramBlock, instances: 1,
                                   readBandwidth: dramWordsPerCycle, writeBandwidth: dramWordsPerCycle,
                                   readEnergyPJ: dramReadPJ, writeEnergyPJ: dramWritePJ, updateEnergyPJ: dramWritePJ))
        let chipLogicUM2 = logic.controllerUM2 + logic.requantizerUM2
        let logicCellsUM2 = peLogicUM2 * Double(numPEs) + chipLogicUM2
        let cellsUM2 = peCellsUM2 * Double(numPEs) + chipLogicUM2
        let otherAreas = [
            AreaTerm(name: AreaTerm.peControl, kind: .logic, instances: numPEs, areaUM2: logic.peControlUM2),
            AreaTerm(name: AreaTerm.controller, kind: .logic, areaUM2: logic.controllerUM2),
            AreaTerm(name: AreaTerm.requantizer, kind: .logic, areaUM2: logic.requantizerUM2),
            AreaTerm(name: AreaTerm.placementWhitespace, kind: .placement,
                     areaUM2: tech.placedLogicUM2(cellsUM2: cellsUM2) - cellsUM2),
            AreaTerm(name: AreaTerm.macroHalos, kind: .placement,
                     areaUM2: peHalosUM2 * Double(numPEs) + chipHalosUM2),
        ]
        // The collectors are written with an enable, which standard flows turn into clock gating:
        // their clock is paid by their writes. The logic's pipeline and control flip-flops are
        // taken as clocked every cycle.
        let logicFlipFlops = logic.peFlipFlops * Double(numPEs) + logic.controllerFlipFlops
        // The logic leaks as its flip-flops and, for the rest of its cells, by area.
        let logicFlipFlopsUM2 = logicFlipFlops * tech.registers.flipFlopAreaUM2
        let logicLeakagePW = max(logicCellsUM2 - logicFlipFlopsUM2, 0) * tech.logic.leakagePWPerUM2
            + logicFlipFlops * tech.registers.flipFlopLeakagePW
        return Hardware(name: name, clockGHz: clockGHz, compute: compute, storage: levels, otherAreas: otherAreas,
                        clockPJPerCycle: logicFlipFlops * tech.registers.clockPJPerBitPerCycle,
                        logicLeakagePJPerCycle: Technology.leakagePJPerCycle(picowatts: logicLeakagePW,
                                                                             clockGHz: clockGHz),
                        postProcessingPJPerOutput: tech.requantizePJPerOutput(accumulationBits: accumulationBits))
    }
}
