import MagnetDesigner
import MagnetWorkload

extension MapSpace {
    /// The map space of a convolution-shaped layer on magnet's template (docs/template.md):
    /// vector multipliers reduce input channels (C over X at the weight collector), lanes take
    /// output channels (K over Y below the per-PE levels), PEs split any dimension, and the
    /// design's dataflow fixes which loops may run at the collectors and which stay innermost at
    /// the PE buffers; the global buffer keeps or bypasses outputs, as the search chooses.
    /// `hardware` is the design's elaboration; the space's is that hardware as the layer uses it
    /// at the formats the design gives it (``DesignPoint/hardware(_:running:)``).
    public static func template(design: DesignPoint, hardware elaborated: Hardware, layer: Layer) -> MapSpace {
        let problem = layer.problem
        let hardware = design.hardware(elaborated, running: design.formats(ofLayer: layer.name))
        var space = MapSpace(hardware: hardware, problem: problem)
        let names = hardware.storage.map(\.name)
        func level(_ name: String) -> Int? { names.firstIndex(of: name) }
        let dimension = Dictionary(uniqueKeysWithValues: problem.dimensions.enumerated().map { ($1, $0) })
        func dims(_ letters: [String]) -> Set<Int> { Set(letters.compactMap { dimension[$0] }) }
        let all = Set(problem.dimensions.indices)

        func onlySpatial(_ level: Int, slot: Slot, _ allowed: Set<Int>) {
            for d in all.subtracting(allowed) { space.allowed[level][slot.rawValue][d] = false }
        }
        func onlyTemporal(_ level: Int, _ allowed: Set<Int>) {
            for d in all.subtracting(allowed) { space.allowed[level][Slot.temporal.rawValue][d] = false }
        }
        // Spatial roles of the template's fan-outs.
        if let collector = level("WeightCollector") {
            onlySpatial(collector, slot: .spatialX, dims(["C"]))
            onlySpatial(collector, slot: .spatialY, [])
        }
        for index in hardware.storage.indices where hardware.fanout(of: index) == (1, design.lanes) && design.lanes > 1
            && hardware.storage[index].instances == design.numPEs {
            onlySpatial(index, slot: .spatialY, dims(["K"]))
            onlySpatial(index, slot: .spatialX, [])
        }
        // Dataflow: loops allowed at the collectors, loops kept innermost at the PE buffers.
        let weightIrrelevant = dims(["N", "P", "Q"])
        let reduction = dims(["C", "R", "S"])
        let inputIrrelevant = dims(["K"])
        func weightStationary() {
            if let wc = level("WeightCollector") { onlyTemporal(wc, weightIrrelevant) }
            if let wb = level("WeightBuffer") { space.innermostSet[wb] = weightIrrelevant }
        }
        func outputStationary() {
            if let ac = level("AccumulationCollector") { onlyTemporal(ac, reduction) }
            if let ab = level("AccumulationBuffer") { space.innermostSet[ab] = reduction }
        }
        // Outputs may bypass the global buffer, per layer: the PEs' partial sums and outputs then go
        // to and from DRAM directly (the generated controller's read-out does, docs/rtl.md), which
        // saves the global buffer's writes and reads where nothing accumulates there across passes.
        if let globalBuffer = level("GlobalBuffer"), let outputs = problem.dataSpaceIndex("Outputs"),
           space.keeps[globalBuffer].contains(outputs) {
            space.freeKeeps[globalBuffer] = [outputs]
        }
        switch design.dataflow {
        case .weightStationary:
            weightStationary()
        case .outputStationary:
            outputStationary()
        case .inputStationary:
            if let ic = level("InputCollector") { onlyTemporal(ic, inputIrrelevant) }
            if let ib = level("InputBuffer") { space.innermostSet[ib] = inputIrrelevant }
        case .weightStationaryLocalOutputStationary:
            weightStationary()
            if let ac = level("AccumulationCollector") { onlyTemporal(ac, reduction) }
        case .outputStationaryLocalWeightStationary:
            outputStationary()
            if let wc = level("WeightCollector") { onlyTemporal(wc, weightIrrelevant) }
        }
        return space
    }
}
