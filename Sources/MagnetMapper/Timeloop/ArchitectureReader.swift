import MagnetCore

/// Reads `architecture:` (v0.4): a tree whose leaves are listed outer to inner.
enum ArchitectureReader {
    /// One storage component, outer to inner as listed.
    struct StorageComponent {
        var name: String
        var qualifiedName: String
        var instances: Int
        var meshX: Int
        var meshY: Int
        var depth: Int?
        var width: Int
        var wordBits: Int
        var blockSize: Int
        var clusterSize: Int
        var readBandwidth: Double?
        var writeBandwidth: Double?
        var isDummy: Bool
        var node: ConfigNode
    }

    struct ComputeComponent {
        var name: String
        var qualifiedName: String
        var instances: Int
        var meshX: Int
        var meshY: Int
    }

    struct Components {
        var storage: [StorageComponent]   // outer to inner
        var compute: ComputeComponent
    }

    static let supportedAttributes: Set<String> = [
        "depth", "width", "datawidth", "block_size", "cluster_size", "meshX", "meshY", "read_bandwidth", "write_bandwidth",
        "technology", "has_power_gating", "power_gated_at", "n_banks", "reduction_supported", "multiple_buffering",
        "min_utilization", "allow_overbooking", "global_cycle_seconds", "type", "update_fifo_depth", "adder_width",
        "multiplier_width", "version", "latency", "n_rdwr_ports", "n_rd_ports", "n_wr_ports", "ports", "nports", "num_ports",
    ]

    static func read(_ node: ConfigNode) throws -> Components {
        let map = try node.mapping(knownKeys: ["version", "subtree", "local", "nodes"])
        if map.contains("nodes") { throw try map.required("nodes").error("not supported: architecture v0.4 `nodes` form at architecture.nodes (use the parsed-processed subtree form)") }
        var leaves: [(ConfigNode, String)] = []
        try collect(map, prefix: "", into: &leaves, depth: 0)
        var storage: [StorageComponent] = []
        var compute: ComputeComponent?
        for (leaf, prefix) in leaves {
            let component = try leaf.mapping()
            for key in component.keys where !["name", "class", "attributes", "required_actions", "enabled", "actions", "subclass"].contains(key) {
                throw try component.required(key).error("not supported: \(key) at \(component.required(key).keyPath)")
            }
            if let enabled = component.optional("enabled"), try !enabled.bool() { continue }
            let nameNode = try component.required("name")
            guard let (name, instances) = splitInstanceName(try nameNode.string()) else {
                throw nameNode.error("a component name is `name` or `name[1..N]`")
            }
            let className = try component.optional("class")?.string() ?? ""
            let attributes = try component.optional("attributes")?.mapping() ?? ConfigNode.parse("{}", file: leaf.file).mapping()
            for key in attributes.keys where !supportedAttributes.contains(key) {
                throw try attributes.required(key).error("not supported: \(key) at \(attributes.required(key).keyPath)")
            }
            let meshX = try attributes.optional("meshX")?.int(in: 1...Int(Int32.max)) ?? instances
            let meshY = try attributes.optional("meshY")?.int(in: 1...Int(Int32.max)) ?? max(1, instances / meshX)
            if meshX * meshY != instances {
                throw nameNode.error("meshX × meshY (\(meshX) × \(meshY)) differs from the \(instances) instances")
            }
            let qualified = prefix.isEmpty ? try nameNode.string() : "\(prefix).\(try nameNode.string())"
            let lowered = className.lowercased()
            if lowered.contains("mac") || lowered.contains("compute") || lowered.contains("multiplier") {
                if compute != nil { throw nameNode.error("not supported: more than one compute component at \(nameNode.keyPath)") }
                compute = ComputeComponent(name: name, qualifiedName: qualified, instances: instances, meshX: meshX, meshY: meshY)
                continue
            }
            if compute != nil { throw nameNode.error("not supported: storage below the compute component at \(nameNode.keyPath)") }
            let isDummy = lowered == "dummy_storage"
            let width = try attributes.optional("width")?.int(in: 1...Int(Int32.max)) ?? 1
            let wordBits = try attributes.optional("datawidth")?.int(in: 1...Int(Int32.max)) ?? width
            let clusterSize = try attributes.optional("cluster_size")?.int(in: 1...Int(Int32.max)) ?? 1
            // A cluster of instances shares one `width`-bit port: each instance gets its slice.
            let block = try attributes.optional("block_size")?.int(in: 1...Int(Int32.max)) ?? max(1, width / (wordBits * clusterSize))
            storage.append(StorageComponent(
                name: name, qualifiedName: qualified, instances: instances, meshX: meshX, meshY: meshY,
                depth: try attributes.optional("depth").flatMap { try $0.string() == "null" ? nil : $0.int(in: 0...Int(Int32.max)) },
                width: width, wordBits: wordBits, blockSize: block,
                clusterSize: clusterSize,
                readBandwidth: try attributes.optional("read_bandwidth").flatMap { try $0.string() == "null" ? nil : $0.double() },
                writeBandwidth: try attributes.optional("write_bandwidth").flatMap { try $0.string() == "null" ? nil : $0.double() },
                isDummy: isDummy, node: leaf))
        }
        guard let compute else { throw node.error("the architecture has no compute component (a class such as `intmac`)") }
        if storage.isEmpty { throw node.error("the architecture has no storage component") }
        return Components(storage: storage, compute: compute)
    }

    private static func collect(_ map: ConfigMapping, prefix: String, into leaves: inout [(ConfigNode, String)], depth: Int) throws {
        if let local = map.optional("local") {
            for leaf in try local.list() { leaves.append((leaf, prefix)) }
        }
        if let subtree = map.optional("subtree") {
            let children = try subtree.list()
            if depth > 0 || children.count > 1 {
                throw subtree.error("not supported: nested subtrees at \(subtree.keyPath) (flatten them, as timeloopfe's parsed-processed output does)")
            }
            for child in children {
                let childMap = try child.mapping(knownKeys: ["name", "attributes", "local", "subtree"])
                let name = try childMap.required("name").string()
                guard let (plain, instances) = splitInstanceName(name), instances == 1 else {
                    throw try childMap.required("name").error("not supported: a replicated subtree at \(childMap.required("name").keyPath)")
                }
                try collect(childMap, prefix: prefix.isEmpty ? plain : "\(prefix).\(plain)", into: &leaves, depth: depth + 1)
            }
        }
    }
}
