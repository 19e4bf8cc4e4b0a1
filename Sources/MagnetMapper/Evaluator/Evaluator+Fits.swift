extension Evaluator {
    /// Whether a mapping that covers every dimension fits the hardware: spatial factors within
    /// each level's fan-out, kept tiles within each level's capacity. Allocation-free.
    public mutating func fits(_ mapping: Mapping) -> Bool {
        let hardware = model.hardware
        for level in 0..<levelCount {
            let levelMapping = mapping.levels[level]
            if levelMapping.fanoutX > meshX[level] || levelMapping.fanoutY > meshY[level] { return false }
        }
        flatten(mapping)
        for level in 0..<levelCount {
            guard let capacity = hardware.storage[level].capacityWords else { continue }
            var used = 0
            for space in mapping.levels[level].keeps {
                var size = 1
                let base = level * dimensionCount
                for rank in rankStart[space]..<rankStart[space + 1] {
                    var span = 1
                    for t in termStart[rank]..<termStart[rank + 1] { span += termCoefficient[t] * (boundaryExtent[base + termDimension[t]] - 1) }
                    size *= span
                }
                used += size
            }
            if used > capacity { return false }
        }
        return true
    }
}
