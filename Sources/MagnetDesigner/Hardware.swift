/// An accelerator as the cost model sees it: a compute level and a hierarchy of storage levels,
/// inner to outer, in Timeloop's vocabulary.
///
/// Nothing here is specific to the MAGNet template: a Timeloop architecture (any number of
/// levels, any keep/bypass pattern, dummy levels that only carry spatial fan-out) is expressed
/// with the same types. Energies are per access of one block (``StorageLevel/blockSize`` words).
public struct Hardware: Sendable, Hashable {
    /// Name for reports.
    public var name: String
    /// Clock frequency (GHz).
    public var clockGHz: Double
    /// The arithmetic units.
    public var compute: ComputeLevel
    /// Storage levels from the one next to the compute units (index 0) to DRAM (last).
    public var storage: [StorageLevel]
    /// Area that is neither compute nor storage: control logic and placement overheads.
    public var otherAreas: [AreaTerm]
    /// Energy every cycle costs whatever the mapping (pJ): clocking the free-running flip-flops.
    public var clockPJPerCycle: Double
    /// Leakage of the logic outside the storage levels (MAC lanes, control) per cycle (pJ).
    public var logicLeakagePJPerCycle: Double
    /// Energy of turning one final output into the next layer's activation (pJ): the read-out's
    /// requantizer, once per output whatever the mapping; 0 for hardware without one.
    public var postProcessingPJPerOutput: Double

    /// Creates a hardware description.
    public init(name: String, clockGHz: Double, compute: ComputeLevel, storage: [StorageLevel],
                otherAreas: [AreaTerm] = [], clockPJPerCycle: Double = 0, logicLeakagePJPerCycle: Double = 0,
                postProcessingPJPerOutput: Double = 0) {
        self.name = name
        self.clockGHz = clockGHz
        self.compute = compute
        self.storage = storage
        self.otherAreas = otherAreas
        self.clockPJPerCycle = clockPJPerCycle
        self.logicLeakagePJPerCycle = logicLeakagePJPerCycle
        self.postProcessingPJPerOutput = postProcessingPJPerOutput
    }

    /// Instances of the level just inside storage level `index` (compute units for index 0).
    public func innerInstances(of index: Int) -> (instances: Int, meshX: Int, meshY: Int) {
        if index == 0 { return (compute.instances, compute.meshX, compute.meshY) }
        let inner = storage[index - 1]
        return (inner.instances, inner.meshX, inner.meshY)
    }

    /// Spatial fan-out from storage level `index` to the level inside it, as mesh X × Y.
    public func fanout(of index: Int) -> (x: Int, y: Int) {
        let inner = innerInstances(of: index)
        let level = storage[index]
        return (inner.meshX / max(level.meshX, 1), inner.meshY / max(level.meshY, 1))
    }

    /// Structural problems: instance counts that do not divide, meshes that do not multiply out.
    public func validate() -> [String] {
        var problems: [String] = []
        let compute = (name: self.compute.name, instances: self.compute.instances, meshX: self.compute.meshX,
                       meshY: self.compute.meshY)
        var levels = [compute]
        levels += storage.map { ($0.name, $0.instances, $0.meshX, $0.meshY) }
        for level in levels where level.meshX * level.meshY != level.instances {
            problems.append("\(level.name): meshX × meshY (\(level.meshX) × \(level.meshY)) differs from instances "
                            + "(\(level.instances))")
        }
        for index in 1..<levels.count {
            let inner = levels[index - 1], outer = levels[index]
            if inner.meshX % max(outer.meshX, 1) != 0 || inner.meshY % max(outer.meshY, 1) != 0 {
                problems.append("\(outer.name): its \(outer.meshX)×\(outer.meshY) mesh does not divide the "
                                + "\(inner.meshX)×\(inner.meshY) mesh of \(inner.name)")
            }
        }
        return problems
    }

    /// Total area (µm²): compute units, every on-chip storage instance and the other terms.
    public var areaUM2: Double {
        compute.areaUM2 * Double(compute.instances) + storage.reduce(0) { $0 + $1.areaUM2 * Double($1.instances) }
            + otherAreas.reduce(0) { $0 + $1.totalUM2 }
    }
}

extension Sequence where Element == StorageLevel {
    /// Area of every instance of the levels built from `technology` (µm²).
    public func areaUM2(of technology: StorageLevel.Technology) -> Double {
        total(\.areaUM2, of: technology)
    }

    /// Leakage of every instance of the levels built from `technology` (pJ per cycle).
    public func leakagePJPerCycle(of technology: StorageLevel.Technology) -> Double {
        total(\.leakagePJPerCycle, of: technology)
    }

    /// `perInstance` summed over every instance of the levels built from `technology`.
    private func total(_ perInstance: KeyPath<StorageLevel, Double>, of technology: StorageLevel.Technology) -> Double {
        reduce(0) { $1.technology == technology ? $0 + $1[keyPath: perInstance] * Double($1.instances) : $0 }
    }
}

/// Area that holds no data and computes no MAC: a block of control logic, or space that
/// placement leaves around cells and macros.
public struct AreaTerm: Sendable, Hashable {
    /// What the area is.
    public enum Kind: String, Sendable, Hashable {
        /// Standard cells (control, adder trees, multiplexers).
        case logic
        /// No cells: whitespace between placed cells, keep-out rings around macros.
        case placement
    }

    /// Name for reports, e.g. `Controller`.
    public var name: String
    /// What the area is.
    public var kind: Kind
    /// Copies of the block.
    public var instances: Int
    /// Area of one copy (µm²).
    public var areaUM2: Double

    /// Creates an area term.
    public init(name: String, kind: Kind, instances: Int = 1, areaUM2: Double) {
        self.name = name
        self.kind = kind
        self.instances = instances
        self.areaUM2 = areaUM2
    }

    /// Area of all copies (µm²).
    public var totalUM2: Double { areaUM2 * Double(instances) }

    /// The template's terms, by name (``DesignPoint/elaborate(technology:)``).
    public static let peControl = "PEControl"
    /// The array controller's term.
    public static let controller = "Controller"
    /// The read-out's requantizer.
    public static let requantizer = "Requantizer"
    /// The whitespace between placed standard cells.
    public static let placementWhitespace = "PlacementWhitespace"
    /// The keep-out rings around the SRAM macros.
    public static let macroHalos = "MacroHalos"
}

/// The arithmetic units (MACs).
public struct ComputeLevel: Sendable, Hashable {
    /// Name, e.g. `MAC`.
    public var name: String
    /// Number of MAC units.
    public var instances: Int
    /// Mesh columns.
    public var meshX: Int
    /// Mesh rows.
    public var meshY: Int
    /// Energy of one multiply-accumulate (pJ).
    public var energyPerMACPJ: Double
    /// Area of one unit (µm²).
    public var areaUM2: Double

    /// Creates a compute level.
    public init(name: String, instances: Int, meshX: Int, meshY: Int, energyPerMACPJ: Double, areaUM2: Double) {
        self.name = name
        self.instances = instances
        self.meshX = meshX
        self.meshY = meshY
        self.energyPerMACPJ = energyPerMACPJ
        self.areaUM2 = areaUM2
    }
}

/// One storage level: a buffer, register file or DRAM, replicated `instances` times.
public struct StorageLevel: Sendable, Hashable {
    /// What a level is built from, for reports and area accounting.
    public enum Technology: String, Sendable, Hashable {
        /// Flip-flop register file.
        case registers
        /// SRAM macro.
        case sram
        /// Off-chip DRAM.
        case dram
        /// A level that stores nothing and only carries spatial fan-out (Timeloop's dummy storage).
        case none
    }

    /// Name, e.g. `WeightBuffer`.
    public var name: String
    /// What it is built from.
    public var technology: Technology
    /// Data spaces kept at this level (by name); the others bypass it.
    public var keeps: Set<String>
    /// Capacity in words per instance, shared by the kept data spaces; `nil` for unbounded (DRAM).
    public var capacityWords: Int?
    /// Width of one word (bits).
    public var wordBits: Int
    /// Words moved per access (the per-access energies are for one block).
    public var blockSize: Int
    /// Copies of this level.
    public var instances: Int
    /// Mesh columns of the instances.
    public var meshX: Int
    /// Mesh rows of the instances.
    public var meshY: Int
    /// Words per cycle each instance can read; `nil` for unlimited.
    public var readBandwidth: Double?
    /// Words per cycle each instance can write (fills and updates); `nil` for unlimited.
    public var writeBandwidth: Double?
    /// Energy of reading one block (pJ).
    public var readEnergyPJ: Double
    /// Energy of writing one block (a fill) (pJ).
    public var writeEnergyPJ: Double
    /// Energy of a read-modify-write update of one block (pJ).
    public var updateEnergyPJ: Double
    /// Leakage per instance per cycle (pJ).
    public var leakagePJPerCycle: Double
    /// Area of one instance (µm²).
    public var areaUM2: Double
    /// Energy to move one word one hop on the network from this level to its children (pJ).
    public var networkHopEnergyPJPerWord: Double
    /// Instances that share one access port and its energy (Timeloop's `cluster_size`); 1 for
    /// independent instances.
    public var clusterSize: Int = 1
    /// SRAM macros one instance is built from (banks of all its buffers; 1 for other technologies).
    /// Area, leakage and halos cover them all; an access is priced at one bank's energy.
    public var banks: Int = 1

    /// Creates a storage level.
    public init(name: String, technology: Technology, keeps: Set<String>, capacityWords: Int?, wordBits: Int,
                blockSize: Int = 1, instances: Int = 1, meshX: Int? = nil, meshY: Int = 1,
                readBandwidth: Double? = nil, writeBandwidth: Double? = nil, readEnergyPJ: Double,
                writeEnergyPJ: Double, updateEnergyPJ: Double, leakagePJPerCycle: Double = 0, areaUM2: Double = 0,
                networkHopEnergyPJPerWord: Double = 0) {
        self.name = name
        self.technology = technology
        self.keeps = keeps
        self.capacityWords = capacityWords
        self.wordBits = wordBits
        self.blockSize = blockSize
        self.instances = instances
        self.meshX = meshX ?? instances / meshY
        self.meshY = meshY
        self.readBandwidth = readBandwidth
        self.writeBandwidth = writeBandwidth
        self.readEnergyPJ = readEnergyPJ
        self.writeEnergyPJ = writeEnergyPJ
        self.updateEnergyPJ = updateEnergyPJ
        self.leakagePJPerCycle = leakagePJPerCycle
        self.areaUM2 = areaUM2
        self.networkHopEnergyPJPerWord = networkHopEnergyPJPerWord
    }

    /// Capacity per instance in bytes, when bounded.
    public var capacityBytes: Int? { capacityWords.map { $0 * wordBits / 8 } }
}
