import MagnetDesigner
import MagnetWorkload

/// The best mappings of every layer of a network on one design, and the network's figures.
public struct NetworkMapping: Sendable {
    /// One unique layer shape and what the search found for it.
    public struct LayerResult: Sendable {
        /// The shape's first layer.
        public var layer: Layer
        /// Every layer with this shape.
        public var layerNames: [String]
        /// The best mapping.
        public var mapping: Mapping
        /// Its full statistics.
        public var evaluation: Evaluation
        /// Candidates considered and valid.
        public var considered: Int
        /// Candidates evaluated that fitted.
        public var valid: Int
        /// With ``MappingMethod/bounded(gap:seconds:)``: what the search proves.
        public var certificate: OptimalSearch.Certificate?
        /// Whether the result came from a ``LayerSearchCache`` (no search ran: `considered` and
        /// `valid` are 0).
        public var fromCache = false
        /// Candidates the screen turned away unevaluated (sampled search).
        public var screenedOut = 0
    }

    /// The design's hardware.
    public var hardware: Hardware
    /// The design point.
    public var design: DesignPoint
    /// The network.
    public var network: Network
    /// One entry per unique shape, in network order.
    public var layers: [LayerResult]

    /// Maps each unique layer shape of `network` once with a sampled search (see
    /// ``map(network:design:hardware:objective:energyWeight:method:progress:)``).
    public static func map(network: Network, design: DesignPoint, hardware: Hardware, objective: Objective = .edp,
                           energyWeight: Double = 0.5, convergence: Int? = nil,
                           budget: Int, seconds: Double? = nil, threads: Int = 1, seed: UInt64 = 0,
                           progress: ((Int, Int, String) -> Void)? = nil) throws -> NetworkMapping {
        try map(network: network, design: design, hardware: hardware, objective: objective, energyWeight: energyWeight,
                method: .sampled(budget: budget, seconds: seconds, convergence: convergence, threads: threads, seed: seed),
                progress: progress)
    }

    /// Maps each unique layer shape of `network` once. Throws when a shape has no mapping that
    /// fits the design. `start`, given a layer and its map space, may return a valid mapping of
    /// that space for the search to start from (a warm start, ``WarmStart``). With `cache`, a
    /// shape whose search (``LayerSearchKey``) ran before is served from it, and every search's
    /// result is stored in it.
    public static func map(network: Network, design: DesignPoint, hardware: Hardware, objective: Objective = .edp,
                           energyWeight: Double = 0.5, method: MappingMethod,
                           start: ((Layer, MapSpace) -> Mapping?)? = nil, cache: LayerSearchCache? = nil,
                           progress: ((Int, Int, String) -> Void)? = nil) throws -> NetworkMapping {
        var results: [LayerResult] = []
        // Each layer runs at the formats the design gives it, so layers of one shape at
        // different formats are mapped apart (network files' formats do not price layers).
        var network = network
        for index in network.layers.indices {
            network.layers[index].formats = design.formats(ofLayer: network.layers[index].name)
        }
        let shapes = network.uniqueShapes
        for (index, shape) in shapes.enumerated() {
            progress?(index, shapes.count, shape.representative.name)
            let space = MapSpace.template(design: design, hardware: hardware, layer: shape.representative)
            let key = cache.map { _ in
                LayerSearchKey(space: space, objective: objective, energyWeight: energyWeight, method: method)
            }
            if let cache, let key, let cached = cache.entry(for: key) {
                results.append(LayerResult(layer: shape.representative, layerNames: shape.layerNames,
                                           mapping: cached.mapping, evaluation: cached.evaluation, considered: 0,
                                           valid: 0, certificate: cached.certificate, fromCache: true))
                continue
            }
            let warm = start?(shape.representative, space)
            let found = method.search(space, objective: objective, energyWeight: energyWeight,
                                      seedOffset: UInt64(index) &* 1_000_003, start: warm)
            guard let mapping = found.mapping else {
                throw MappingProblem(level: shape.representative.name,
                                     message: "no valid mapping among \(found.considered) candidates: every one overflowed a buffer or a fan-out of the design (smallest tiles need more than the design's collectors and buffers hold)")
            }
            let evaluation = CostModel(hardware: space.hardware, problem: space.problem).evaluate(mapping)
            if let cache, let key {
                cache.store(.init(mapping: mapping, evaluation: evaluation, certificate: found.certificate), for: key)
            }
            results.append(LayerResult(layer: shape.representative, layerNames: shape.layerNames, mapping: mapping,
                                       evaluation: evaluation, considered: found.considered, valid: found.valid,
                                       certificate: found.certificate, screenedOut: found.screenedOut))
        }
        return NetworkMapping(hardware: hardware, design: design, network: network, layers: results)
    }

    /// Energy of one inference (pJ): each shape's energy times its layer count.
    public var energyPJ: Double { layers.reduce(0) { $0 + $1.evaluation.energyPJ * Double($1.layerNames.count) } }
    /// Cycles of one inference, layers run one after another.
    public var cycles: Int { layers.reduce(0) { $0 + $1.evaluation.cycles * $1.layerNames.count } }
    /// MACs of one inference.
    public var macs: Int { network.macs }
    /// `macs / (MAC instances × cycles)`.
    public var utilization: Double { Double(macs) / (Double(hardware.compute.instances) * Double(cycles)) }
    /// Latency of one inference (ms) at the design's clock.
    public var latencyMS: Double { Double(cycles) / (design.clockGHz * 1e6) }
    /// Energy per operation (fJ), one MAC being two operations.
    public var femtojoulesPerOp: Double { energyPJ * 1000 / (2 * Double(macs)) }
    /// Tera-operations per second per watt.
    public var topsPerWatt: Double { 2 * Double(macs) / (energyPJ * 1e-12) / 1e12 }
    /// Inferences per second.
    public var inferencesPerSecond: Double { 1000 / latencyMS }
    /// Achieved tera-operations per second per mm² of modelled area.
    public var topsPerMM2: Double { 2 * Double(macs) / (latencyMS / 1000) / 1e12 / (hardware.areaUM2 / 1e6) }
}
