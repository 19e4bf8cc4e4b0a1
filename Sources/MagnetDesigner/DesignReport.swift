import MagnetCore

/// The figures a person wants to see for an elaborated design: peak throughput, area broken down
/// by component, and peak throughput per area.
public struct DesignReport: Sendable {
    /// The design point.
    public let point: DesignPoint
    /// Its elaboration.
    public let hardware: Hardware
    /// The supply it runs at (V): the design's `voltage`, or its node's nominal supply.
    public let voltageV: Double

    /// Elaborates `point` and builds the report.
    public init(point: DesignPoint) throws {
        try self.init(point: point, hardware: point.elaborate())
    }

    /// The report of `point`, already elaborated into `hardware`.
    public init(point: DesignPoint, hardware: Hardware) throws {
        self.point = point
        self.hardware = hardware
        self.voltageV = try point.voltageV ?? Technology.named(point.technology).voltageV
    }

    /// Area of each component (mm²), in hardware order: the MACs first, then each on-chip level,
    /// then the logic and placement terms.
    public var areaBreakdownMM2: [(component: String, areaMM2: Double)] {
        var parts = [(hardware.compute.name, hardware.compute.areaUM2 * Double(hardware.compute.instances) / 1e6)]
        for level in hardware.storage where level.technology != .dram {
            parts.append((level.name, level.areaUM2 * Double(level.instances) / 1e6))
        }
        for term in hardware.otherAreas {
            parts.append((term.name, term.totalUM2 / 1e6))
        }
        return parts
    }

    /// Total modelled area (mm²).
    public var areaMM2: Double { hardware.areaUM2 / 1e6 }

    /// Peak tera-operations per second (2 per MAC per cycle).
    public var peakTOPS: Double { point.peakTOPS }

    /// Peak TOPS per mm² of modelled area.
    public var peakTOPSPerMM2: Double { peakTOPS / areaMM2 }

    /// The design point under the design file's keys (sizes in bytes), so the values read back
    /// as a design: the report's `parameters`, and what an accuracy evaluator is told.
    public var parametersJSON: JSONValue {
        let p = point
        let dramKeys: [(String, JSONValue)] = p.dram.map { dram in
            [("dram", .string(dram.rawValue)), ("dramChannels", .int(p.dramChannels ?? 1))]
        } ?? []
        return .object([
            ("numPEs", .int(p.numPEs)), ("peRows", .int(p.peRows)), ("peColumns", .int(p.peColumns)),
            ("lanes", .int(p.lanes)), ("vectorSize", .int(p.vectorSize)),
            ("weightCollectorDepth", .int(p.weightCollectorDepth)),
            ("accumulationCollectorDepth", .int(p.accumulationCollectorDepth)),
            ("inputCollectorDepth", .int(p.inputCollectorDepth)),
            ("weightBuffer", .int(p.weightBufferBytes)), ("inputBuffer", .int(p.inputBufferBytes)),
            ("accumulationBuffer", .int(p.accumulationBufferBytes)),
            ("globalBuffer", .int(p.globalBufferBytes)),
            ("dramBandwidthGBps", .double(p.dramBandwidthGBps)),
        ] + dramKeys + [
            ("weightFormat", .string(p.weightFormat.rawValue)),
            ("activationFormat", .string(p.activationFormat.rawValue)),
            ("accumulationBits", .int(p.accumulationBits)), ("dataflow", .string(p.dataflow.rawValue)),
            ("clockGHz", .double(p.clockGHz)), ("technology", .string(p.technology)),
            ("voltage", .double(voltageV)),
        ] + (p.layerFormats.isEmpty ? [] : [("layerFormats", .array(p.layerFormats.map(\.json)))]))
    }

    /// The report as JSON (the schema is listed in docs/template.md).
    public var json: JSONValue {
        let p = point
        let parameters = parametersJSON
        let compute = hardware.compute
        let levels: [JSONValue] = hardware.storage.enumerated().map { index, level in
            let fanout = hardware.fanout(of: index)
            return .object([
                ("name", .string(level.name)),
                ("technology", .string(level.technology.rawValue)),
                ("keeps", .array(level.keeps.sorted().map(JSONValue.string))),
                ("instances", .int(level.instances)),
                ("mesh_x", .int(level.meshX)), ("mesh_y", .int(level.meshY)),
                ("fanout_x", .int(fanout.x)), ("fanout_y", .int(fanout.y)),
                ("capacity_words", .optional(level.capacityWords)),
                ("capacity_bytes", .optional(level.capacityBytes)),
                ("word_bits", .int(level.wordBits)),
                ("block_size", .int(level.blockSize)),
                ("read_bandwidth_words_per_cycle", .optional(level.readBandwidth)),
                ("write_bandwidth_words_per_cycle", .optional(level.writeBandwidth)),
                ("read_energy_pJ", .double(level.readEnergyPJ)),
                ("write_energy_pJ", .double(level.writeEnergyPJ)),
                ("update_energy_pJ", .double(level.updateEnergyPJ)),
                ("leakage_pJ_per_cycle", .double(level.leakagePJPerCycle)),
                ("network_hop_energy_pJ_per_word", .double(level.networkHopEnergyPJPerWord)),
                ("area_um2_per_instance", .double(level.areaUM2)),
            ])
        }
        return .object([
            ("name", .string(p.name)),
            ("technology", .string(p.technology)),
            ("clock_GHz", .double(p.clockGHz)),
            ("dataflow", .string(p.dataflow.rawValue)),
            ("mac_count", .int(p.macCount)),
            ("peak_tops", .double(peakTOPS)),
            ("area_mm2", .double(areaMM2)),
            ("peak_tops_per_mm2", .double(peakTOPSPerMM2)),
            ("clock_pJ_per_cycle", .double(hardware.clockPJPerCycle)),
            ("logic_leakage_pJ_per_cycle", .double(hardware.logicLeakagePJPerCycle)),
            ("requantize_pJ_per_output", .double(hardware.postProcessingPJPerOutput)),
            ("parameters", parameters),
            ("compute", .object([
                ("name", .string(compute.name)), ("instances", .int(compute.instances)),
                ("mesh_x", .int(compute.meshX)), ("mesh_y", .int(compute.meshY)),
                ("energy_per_mac_pJ", .double(compute.energyPerMACPJ)),
                ("area_um2_per_instance", .double(compute.areaUM2)),
            ])),
            ("levels", .array(levels)),
            ("other_areas", .array(hardware.otherAreas.map { term in
                .object([
                    ("name", .string(term.name)), ("kind", .string(term.kind.rawValue)),
                    ("instances", .int(term.instances)), ("area_um2_per_instance", .double(term.areaUM2)),
                ])
            })),
            ("area_breakdown_mm2", .object(areaBreakdownMM2.map { ($0.component, .double($0.areaMM2)) })),
        ])
    }
}
