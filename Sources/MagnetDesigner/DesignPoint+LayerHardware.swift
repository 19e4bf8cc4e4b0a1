import MagnetCore

extension DesignPoint {
    /// The operand whose values fill a level's words.
    enum PackedOperand {
        case weights, activations
    }

    /// The levels whose words hold operand values (``elaborate(technology:)`` builds them), and
    /// so hold several values of a layer that runs narrower than the datapath. Registers feed
    /// the MACs one value per register and are not packed; accumulators are as wide as ever.
    static let packedLevels: [String: PackedOperand] = [
        "WeightBuffer": .weights, "InputBuffer": .activations, "GlobalBuffer": .activations, "DRAM": .activations,
    ]

    /// The design's `hardware` (its elaboration) as a layer running at `formats` uses it
    /// (docs/template.md, "Layer formats"). A layer at the datapath's formats sees it as it is.
    /// A narrower layer's values are packed in the memories' words: each word of the weight
    /// buffer (for weights), the input and global buffers and DRAM (for activations) carries
    /// `wide bits / narrow bits` values, so those levels hold that many times more values, move
    /// that many per access for the access's energy (and per cycle of bandwidth), and carry them
    /// for that fraction of the per-word network energy. MACs, registers, leakage and area are
    /// the hardware's: a wide multiplier fed narrow operands is priced as wide.
    public func hardware(_ hardware: Hardware, running formats: OperandFormats) -> Hardware {
        let datapath = datapathFormats
        guard formats.weights != datapath.weights || formats.inputs != datapath.inputs else { return hardware }
        var view = hardware
        for index in view.storage.indices {
            guard let operand = Self.packedLevels[view.storage[index].name] else { continue }
            let (wide, narrow) = operand == .weights ? (datapath.weights, formats.weights)
                                                     : (datapath.inputs, formats.inputs)
            let valuesPerWord = wide.bits / narrow.bits
            guard valuesPerWord > 1 else { continue }
            let factor = Double(valuesPerWord)
            view.storage[index].capacityWords = view.storage[index].capacityWords.map { $0 * valuesPerWord }
            view.storage[index].wordBits = narrow.bits
            view.storage[index].blockSize *= valuesPerWord
            view.storage[index].readBandwidth = view.storage[index].readBandwidth.map { $0 * factor }
            view.storage[index].writeBandwidth = view.storage[index].writeBandwidth.map { $0 * factor }
            view.storage[index].networkHopEnergyPJPerWord /= factor
        }
        return view
    }
}
