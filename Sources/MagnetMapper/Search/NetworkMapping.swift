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
        /// Whether the mapping is another shape's, reshaped, which beat what the search found
        /// (``map(network:design:hardware:objective:energyWeight:method:siblingStarts:start:cache:progress:)``).
        public var adoptedFromSibling = false
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

    /// How many reshaped mappings of the layers mapped before a layer's search climbs from
    /// (docs/mapper.md, "Sibling starts").
    public static let siblingStartCount = 6

    /// Maps each unique layer shape of `network` once. Throws when a shape has no mapping that
    /// fits the design. `start`, given a layer and its map space, may return a valid mapping of
    /// that space for the search to start from (a warm start, ``WarmStart``). With
    /// `siblingStarts`, each shape's search also starts from the best few of the shapes mapped
    /// before it, reshaped to it (``WarmStart/reshape(_:of:to:)``), and once every shape is
    /// mapped, a shape takes another's reshaped mapping where that beats its own. With `cache`, a
    /// shape whose search (``LayerSearchKey``) ran before is served from it, and every search's
    /// result is stored in it.
    public static func map(network: Network, design: DesignPoint, hardware: Hardware, objective: Objective = .edp,
                           energyWeight: Double = 0.5, method: MappingMethod, siblingStarts: Bool = true,
                           start: ((Layer, MapSpace) -> Mapping?)? = nil, cache: LayerSearchCache? = nil,
                           progress: ((Int, Int, String) -> Void)? = nil) throws -> NetworkMapping {
        do {
            return try map(networks: [network], design: design, hardware: hardware, objective: objective,
                           energyWeight: energyWeight, method: method, siblingStarts: siblingStarts,
                           start: start.map { start in { _, layer, space in start(layer, space) } }, cache: cache,
                           progress: progress)[0]
        } catch let failure as Failure {
            throw failure.problem
        }
    }

    /// A layer shape of a network that has no valid mapping on the design.
    public struct Failure: Error, CustomStringConvertible {
        /// The network (the first of those mapped together that has the shape).
        public var network: String
        /// The shape's first layer and why.
        public var problem: MappingProblem
        /// `network NAME: LAYER: why`.
        public var description: String { "network \(network): \(problem)" }
    }

    /// Maps the unique layer shapes of several networks on one design, each shape once, however
    /// many of the networks have it; one ``NetworkMapping`` per network, in order. With
    /// `siblingStarts` every shape of every network is a sibling of the others (a network's shapes
    /// start from those of the networks before it too). `start` is given the first network that
    /// has the shape and the shape's first layer there. Throws ``Failure`` when a shape has no
    /// mapping that fits the design; otherwise as
    /// ``map(network:design:hardware:objective:energyWeight:method:siblingStarts:start:cache:progress:)``.
    public static func map(networks: [Network], design: DesignPoint, hardware: Hardware, objective: Objective = .edp,
                           energyWeight: Double = 0.5, method: MappingMethod, siblingStarts: Bool = true,
                           start: ((Network, Layer, MapSpace) -> Mapping?)? = nil, cache: LayerSearchCache? = nil,
                           progress: ((Int, Int, String) -> Void)? = nil) throws -> [NetworkMapping] {
        // Each layer runs at the formats the design gives it, so layers of one shape at
        // different formats are mapped apart (network files' formats do not price layers).
        let networks = networks.map { network in
            var network = network
            for index in network.layers.indices {
                network.layers[index].formats = design.formats(ofLayer: network.layers[index].name)
            }
            return network
        }
        // Every network's unique shapes, each once, with the first network that has it.
        var shapes: [(network: Int, shape: Network.UniqueShape)] = []
        var seen = Set<LayerShapeKey>()
        for (index, network) in networks.enumerated() {
            for shape in network.uniqueShapes where seen.insert(shape.representative.mappingKey).inserted {
                shapes.append((index, shape))
            }
        }
        let spaces = shapes.map {
            MapSpace.template(design: design, hardware: hardware, layer: $0.shape.representative)
        }
        let siblingProblems = siblingStarts ? spaces.map(\.problem) : []
        let keys = spaces.map { space in
            cache.map { _ in
                LayerSearchKey(space: space, objective: objective, energyWeight: energyWeight, method: method,
                               siblings: siblingProblems)
            }
        }
        var results: [LayerResult] = []
        // Per searched shape, the earlier shapes' mappings reshaped to it, kept for the adoption.
        var pools: [SiblingPool?] = Array(repeating: nil, count: shapes.count)
        for (index, (owner, shape)) in shapes.enumerated() {
            progress?(index, shapes.count, shape.representative.name)
            let space = spaces[index]
            if let cache, let key = keys[index], let cached = cache.entry(for: key) {
                results.append(LayerResult(layer: shape.representative, layerNames: shape.layerNames,
                                           mapping: cached.mapping, evaluation: cached.evaluation, considered: 0,
                                           valid: 0, certificate: cached.certificate, fromCache: true))
                continue
            }
            var starts = start?(networks[owner], shape.representative, space).map { [$0] } ?? []
            if siblingStarts {
                var pool = SiblingPool(space: space)
                for sibling in results.indices { pool.add(results[sibling].mapping, of: spaces[sibling].problem) }
                starts = pool.starts(after: starts.map { pool.scored($0) }, count: siblingStartCount,
                                     objective: objective, energyWeight: energyWeight)
                pool.release()
                pools[index] = pool
            }
            let found = method.search(space, objective: objective, energyWeight: energyWeight,
                                      seedOffset: UInt64(index) &* 1_000_003, starts: starts)
            guard let mapping = found.mapping else {
                throw Failure(network: networks[owner].name, problem: MappingProblem(
                    level: shape.representative.name,
                    message: "no valid mapping among \(found.considered) candidates: every one overflowed a buffer or a fan-out of the design (smallest tiles need more than the design's collectors and buffers hold)"))
            }
            let evaluation = CostModel(hardware: space.hardware, problem: space.problem).evaluate(mapping)
            results.append(LayerResult(layer: shape.representative, layerNames: shape.layerNames, mapping: mapping,
                                       evaluation: evaluation, considered: found.considered, valid: found.valid,
                                       certificate: found.certificate, screenedOut: found.screenedOut))
        }
        if siblingStarts {
            adoptSiblings(&results, pools: pools, spaces: spaces, objective: objective, energyWeight: energyWeight)
        }
        var byShape: [LayerShapeKey: LayerResult] = [:]
        for (index, result) in results.enumerated() {
            byShape[result.layer.mappingKey] = result
            if !result.fromCache, let cache, let key = keys[index] {
                cache.store(.init(mapping: result.mapping, evaluation: result.evaluation,
                                  certificate: result.certificate), for: key)
            }
        }
        return networks.map { network in
            NetworkMapping(hardware: hardware, design: design, network: network,
                           layers: network.uniqueShapes.map { shape in
                var result = byShape[shape.representative.mappingKey]!
                result.layer = shape.representative
                result.layerNames = shape.layerNames
                return result
            })
        }
    }

    /// Each searched shape takes the best of the other shapes' mappings, reshaped to it, where
    /// that beats its own: a shape mapped early had no siblings to start from, and a search may
    /// miss a basin a sibling found (docs/mapper.md, "Sibling starts"). Evaluations only: each
    /// shape's pool already holds the shapes before it, and gets the shapes after it.
    private static func adoptSiblings(_ results: inout [LayerResult], pools: [SiblingPool?],
                                      spaces: [MapSpace], objective: Objective, energyWeight: Double) {
        let found = results.map(\.mapping)
        for index in results.indices where !results[index].fromCache {
            guard var pool = pools[index] else { continue }
            for sibling in found.indices.dropFirst(index + 1) { pool.add(found[sibling], of: spaces[sibling].problem) }
            guard let best = pool.better(than: pool.scored(found[index]), objective: objective,
                                         energyWeight: energyWeight) else { continue }
            let space = spaces[index]
            results[index].mapping = best.mapping
            results[index].evaluation = CostModel(hardware: space.hardware, problem: space.problem)
                .evaluate(best.mapping)
            results[index].adoptedFromSibling = true
        }
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
