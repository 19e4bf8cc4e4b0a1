import MagnetCore
import MagnetDesigner
import MagnetWorkload

/// Builds ``Hardware`` from Timeloop components and their ERT/ART entries.
enum HardwareBuilder {
    static func build(components: ArchitectureReader.Components, mapping: Mapping, problem: Problem,
                      energies: EnergyTable, areas: AreaTable, mappingNode: ConfigNode) throws -> Hardware {
        func energy(_ component: String, _ action: String, required: Bool, at node: ConfigNode) throws -> Double {
            if let value = energies.energies[component]?[action] { return value }
            if !required { return 0 }
            throw ConfigError(file: energies.file, message: "no `\(action)` energy for component `\(component)` (needed by \(node.file):\(node.line ?? 0))")
        }
        let compute = components.compute
        let computeEnergy = try energy(compute.name, "compute", required: true, at: mappingNode)
        let computeLevel = ComputeLevel(name: compute.name, instances: compute.instances, meshX: compute.meshX, meshY: compute.meshY,
                                        energyPerMACPJ: computeEnergy, areaUM2: areas.areas[compute.name] ?? 0)
        var storage: [StorageLevel] = []
        let inner = Array(components.storage.reversed())
        for (index, component) in inner.enumerated() {
            let keeps = Set(mapping.levels[index].keeps.map { problem.dataSpaces[$0].name })
            let needsEnergy = !component.isDummy && !keeps.isEmpty
            let read = try energy(component.name, "read", required: needsEnergy, at: component.node)
            let write = try energy(component.name, "write", required: needsEnergy, at: component.node)
            let update = try energy(component.name, "update", required: false, at: component.node)
            let leak = try energy(component.name, "leak", required: false, at: component.node)
            var level = StorageLevel(
                name: component.name, technology: component.isDummy ? .none : .sram, keeps: keeps,
                capacityWords: component.depth.map { $0 * component.blockSize }, wordBits: component.wordBits,
                blockSize: component.blockSize, instances: component.instances, meshX: component.meshX, meshY: component.meshY,
                readBandwidth: component.readBandwidth, writeBandwidth: component.writeBandwidth,
                readEnergyPJ: read, writeEnergyPJ: write, updateEnergyPJ: update, leakagePJPerCycle: leak,
                areaUM2: areas.areas[component.name] ?? 0)
            level.clusterSize = component.clusterSize
            storage.append(level)
        }
        return Hardware(name: components.storage.first?.qualifiedName.split(separator: ".").first.map(String.init) ?? "timeloop",
                        clockGHz: 1, compute: computeLevel, storage: storage)
    }
}
