import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetTuner
import MagnetWorkload

extension SweepSpec {
    /// The top-level keys of a sweep file.
    public static let keys = ["study", "seed", "technology", "networks", "base", "space", "objectives",
                              "constraints", "strategy", "budget", "mapper", "accuracy"]
    /// Strategy names a sweep file may give.
    public static let strategies = ["random", "grid", "nsga2", "bayesian"]

    /// Reads a sweep file (YAML or JSON). Every problem is a ``ConfigError`` with file, line and key.
    public static func load(path: String) throws -> SweepSpec {
        try read(ConfigNode.load(path: path))
    }

    /// Reads a sweep from text; `file` names it in errors and anchors relative paths.
    public static func parse(_ text: String, file: String) throws -> SweepSpec {
        try read(ConfigNode.parse(text, file: file))
    }

    static func read(_ root: ConfigNode) throws -> SweepSpec {
        let map = try root.mapping(knownKeys: keys)
        let directory = URL(fileURLWithPath: root.file).deletingLastPathComponent()
        func relative(_ path: String) -> String {
            path.hasPrefix("/") ? path : directory.appendingPathComponent(path).standardizedFileURL.path
        }

        let study = try map.required("study").string()
        guard !study.isEmpty, study.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw try map.required("study").error("a study name uses letters, digits, `-`, `_` and `.` only")
        }
        let seed = UInt64(try map.optional("seed")?.int(in: 0...Int.max) ?? 1)
        let networks = try readNetworks(try map.required("networks"), relative: relative)

        // Fixed design values: the base design file, then the top-level technology, then scalars in `space`.
        var fixed: [(String, String)] = []
        func setFixed(_ key: String, _ text: String) { Self.setFixed(key, text, in: &fixed) }
        var layerFormats: [LayerFormatSpec] = []
        if let baseNode = map.optional("base") {
            let basePath = relative(try baseNode.string())
            let base = try ConfigNode.load(path: basePath).mapping(knownKeys: DesignFile.keys)
            // The base must be a valid design by itself; its layer formats hold unless the space sets some.
            layerFormats = fixedLayerFormats(try DesignFile.load(path: basePath).layerFormats)
            for (key, value) in base.pairs where key != "name" {
                guard let kind = DesignKeys.kind(of: key) else { continue }
                var text = DesignKeys.text(try DesignKeys.value(of: value, kind: kind), kind: kind)
                if key == "technology", text.hasSuffix(".yaml") || text.hasSuffix(".yml") || text.hasSuffix(".json") {
                    text = basePath.hasPrefix("/") && !text.hasPrefix("/")
                        ? URL(fileURLWithPath: basePath).deletingLastPathComponent().appendingPathComponent(text).standardizedFileURL.path
                        : text
                }
                setFixed(key, text)
            }
        }
        if let technology = map.optional("technology") {
            setFixed("technology", try technology.string())
        }

        let spaceNode = try map.required("space")
        let spaceMap = try spaceNode.mapping(knownKeys: DesignKeys.kinds.map(\.key) + ["layerFormats"])
        var parameters: [Parameter] = []
        for (key, node) in spaceMap.pairs {
            if key == "layerFormats" {
                let read = try readLayerFormats(node, networks: networks)
                layerFormats = read.rules
                parameters += read.parameters
                continue
            }
            let kind = DesignKeys.kind(of: key)!
            if key == "technology", map.contains("technology") {
                throw node.error("technology is set at the top of the file too; set it in one place")
            }
            if let parameter = try readParameter(key, node: node, kind: kind) {
                parameters.append(parameter)
            } else {
                setFixed(key, DesignKeys.text(try DesignKeys.value(of: node, kind: kind), kind: kind))
            }
        }
        // A PE count in the space takes the base's array shape with it (when searched, or fixed at
        // another count than the shape's), unless the space sets the shape too.
        let shapeInSpace = spaceMap.contains("peRows") || spaceMap.contains("peColumns")
        func fixedCount(_ key: String) -> Int? { fixed.first { $0.0 == key }.flatMap { Int($0.1) } }
        let baseShapeFits: Bool
        switch (fixedCount("numPEs"), fixedCount("peRows"), fixedCount("peColumns")) {
        case let (count?, rows?, columns?): baseShapeFits = rows * columns == count
        case let (count?, side?, nil), let (count?, nil, side?): baseShapeFits = side > 0 && count % side == 0
        default: baseShapeFits = true
        }
        if !shapeInSpace && (parameters.contains { $0.name == "numPEs" } || !baseShapeFits) {
            fixed.removeAll { $0.0 == "peRows" || $0.0 == "peColumns" }
        }
        // A DRAM type or channel count in the space prices and sizes the DRAM: the base's bandwidth
        // and energy override go, unless the space sets them too.
        func given(_ key: String) -> Bool { fixed.contains { $0.0 == key } || parameters.contains { $0.name == key } }
        if let channels = spaceMap.optional("dramChannels"), !given("dram") {
            throw channels.error("channels of no DRAM type: give `dram` too (\(DRAMType.namesText))")
        }
        if spaceMap.contains("dram") || spaceMap.contains("dramChannels") {
            for key in ["dramBandwidthGBps", "dramEnergyPJPerBit"] where !spaceMap.contains(key) {
                fixed.removeAll { $0.0 == key }
            }
        }
        guard !parameters.isEmpty else {
            throw spaceNode.error("nothing to search: give at least one key a list, a `range` or `powersOfTwo`")
        }
        let missing = DesignKeys.missing(given: given)
        if !missing.isEmpty {
            throw spaceNode.error("the design needs \(missing.joined(separator: ", ")): give \(missing.count == 1 ? "it" : "them") in `space` or in a `base` design file")
        }

        let accuracy = try readAccuracy(map.optional("accuracy"), relative: relative)
        let accuracyNames = accuracy == nil ? [] : Metric.accuracy.map(\.name)
        let perNetworkNames = networks.count > 1
            ? networks.flatMap { t in (Metric.perNetwork + accuracyNames).map { "\(t.network.name).\($0)" } } : []
        let knownMetrics = Metric.names + accuracyNames + perNetworkNames
        func checkMetric(_ name: String, at node: ConfigNode) throws {
            let base = name.split(separator: ".").last.map(String.init) ?? name
            if accuracy == nil && Metric.accuracy.contains(where: { $0.name == base }) {
                throw node.error("`\(name)` needs an accuracy evaluator: add an `accuracy:` section "
                                     + "(docs/accuracy.md)")
            }
            guard knownMetrics.contains(name) else {
                var message = "unknown metric `\(name)`"
                if let near = NearestName.suggestion(for: name, among: knownMetrics) { message += "; did you mean `\(near)`?" }
                else { message += "; metrics: \(Metric.names.joined(separator: ", "))" }
                throw node.error(message)
            }
        }

        var objectives: [ObjectiveSpec] = []
        let objectivesNode = try map.required("objectives")
        for item in try objectivesNode.list() {
            let entry = try item.mapping(knownKeys: ["minimize", "maximize"])
            guard entry.keys.count == 1, let key = entry.keys.first, let direction = Direction(rawValue: key) else {
                throw item.error("an objective is `minimize: METRIC` or `maximize: METRIC`")
            }
            let metricNode = try entry.required(key)
            let metric = try metricNode.string()
            try checkMetric(metric, at: metricNode)
            objectives.append(ObjectiveSpec(metric: metric, direction: direction))
        }
        guard !objectives.isEmpty else { throw objectivesNode.error("give at least one objective") }

        var constraints: [ConstraintSpec] = []
        for item in try map.optional("constraints")?.list() ?? [] {
            let text = try item.string()
            guard let constraint = ConstraintSpec(parsing: text) else {
                throw item.error("a constraint reads `METRIC <= NUMBER` or `METRIC >= NUMBER`, found `\(text)`")
            }
            try checkMetric(constraint.metric, at: item)
            constraints.append(constraint)
        }
        for target in networks {
            guard let rate = target.requiredRate else { continue }
            let metric = networks.count > 1 ? "\(target.network.name).inferences_per_s" : "inferences_per_s"
            constraints.append(ConstraintSpec(metric: metric, relation: .atLeast, bound: rate))
        }

        let strategy = try readStrategy(map.optional("strategy"), objectives: objectives.count)
        let budget = try readBudget(try map.required("budget"))
        let mapper = try readMapper(map.optional("mapper"))
        var spec = SweepSpec(file: root.file, study: study, seed: seed, networks: networks, fixedDesign: fixed,
                             space: SearchSpace(parameters), objectives: objectives, constraints: constraints,
                             strategy: strategy, budget: budget, mapper: mapper, accuracy: accuracy)
        spec.layerFormats = layerFormats
        spec.layerFormatsForEveryLayer = keysSetForEveryLayer(by: layerFormats, networks: networks)
        for key in spec.layerFormatsForEveryLayer {
            if let node = spaceMap.optional(key), parameters.contains(where: { $0.name == key }) {
                throw node.error("searched, but layerFormats rules set every layer's \(key): search it in the rules, "
                                     + "or leave a layer to the design's")
            }
        }
        return spec
    }

    static func readNetworks(_ node: ConfigNode, relative: (String) -> String) throws -> [NetworkTarget] {
        let items = try node.list()
        guard !items.isEmpty else { throw node.error("give at least one network") }
        var targets: [NetworkTarget] = []
        for item in items {
            var source: String
            var weight = 1.0
            var rate: Double?
            var sourceNode = item
            var inputShapes: [String: [Int]] = [:]
            var inputShapesNode: ConfigNode?
            if item.isMapping {
                let entry = try item.mapping(knownKeys: ["network", "weight", "requiredRate", "inputShapes"])
                sourceNode = try entry.required("network")
                source = try sourceNode.string()
                weight = try entry.optional("weight")?.double(in: 1e-9...1e9) ?? 1
                rate = try entry.optional("requiredRate")?.double(in: 1e-9...1e12)
                inputShapesNode = entry.optional("inputShapes")
                if let node = inputShapesNode {
                    let shapes = try node.mapping()
                    for key in shapes.keys {
                        inputShapes[key] = try shapes.required(key).list().map { try $0.int(in: 1...Int(Int32.max)) }
                    }
                }
            } else {
                source = try item.string()
            }
            let network: Network
            if let node = inputShapesNode, !ONNXFile.isModel(source) {
                throw node.error("`inputShapes` is for ONNX models; `\(source)` is not one")
            }
            if let zoo = Zoo.network(named: source) {
                network = zoo
            } else {
                let path = relative(source)
                guard FileManager.default.fileExists(atPath: path) else {
                    var message = "unknown network `\(source)`: not a built-in network (\(Zoo.names.joined(separator: ", "))) and no such file"
                    if let near = NearestName.suggestion(for: source, among: Zoo.names) { message += "; did you mean `\(near)`?" }
                    throw sourceNode.error(message)
                }
                network = try NetworkFile.load(path: path, inputShapes: inputShapes)
                source = path
            }
            if targets.contains(where: { $0.network.name == network.name }) {
                throw sourceNode.error("network `\(network.name)` is listed twice")
            }
            targets.append(NetworkTarget(network: network, source: source, weight: weight, requiredRate: rate,
                                         inputShapes: inputShapes))
        }
        return targets
    }

    /// A searched parameter, or `nil` for a scalar (a fixed value).
    static func readParameter(_ key: String, node: ConfigNode, kind: DesignKeys.Kind) throws -> Parameter? {
        if node.isList {
            let items = try node.list()
            guard !items.isEmpty else { throw node.error("empty list: give at least one value") }
            if case .choice = kind {
                var names: [String] = []
                for item in items {
                    guard case .string(let name) = try DesignKeys.value(of: item, kind: kind) else { continue }
                    if names.contains(name) { throw item.error("`\(name)` is listed twice") }
                    names.append(name)
                }
                return Parameter(key, .categorical(names))
            }
            var values: [Double] = []
            for item in items {
                let value = try DesignKeys.value(of: item, kind: kind)
                let number: Double
                switch value {
                case .int(let v): number = Double(v)
                case .double(let v): number = v
                case .string: continue
                }
                if values.contains(number) { throw item.error("\(NumberText.compact(number)) is listed twice") }
                values.append(number)
            }
            return Parameter(key, .ordinal(values.sorted()))
        }
        guard node.isMapping else { return nil }
        let entry = try node.mapping(knownKeys: ["range", "powersOfTwo"])
        guard entry.keys.count == 1, let form = entry.keys.first else {
            throw node.error("give one of `range: [LOW, HIGH]` or `powersOfTwo: [LOW, HIGH]`")
        }
        let boundsNode = try entry.required(form)
        let bounds = try boundsNode.list()
        guard bounds.count == 2 else { throw boundsNode.error("expected two bounds [LOW, HIGH], found \(bounds.count) values") }
        switch kind {
        case .choice: throw boundsNode.error("`\(key)` takes names: give them as a list")
        case .number:
            throw boundsNode.error("`\(key)` is a real number: give a list of values (ranges are for whole numbers and sizes)")
        case .count, .size:
            guard case .int(let low) = try DesignKeys.value(of: bounds[0], kind: kind),
                  case .int(let high) = try DesignKeys.value(of: bounds[1], kind: kind) else { return nil }
            guard low <= high else {
                throw boundsNode.error("empty range: the low bound \(low) is above the high bound \(high)")
            }
            if form == "range" {
                guard high - low <= 100_000 else { throw boundsNode.error("range of \(high - low + 1) values is too wide; use `powersOfTwo` or a list") }
                return Parameter(key, .integer(low...high))
            }
            for (value, bound) in [(low, bounds[0]), (high, bounds[1])] where value <= 0 || value & (value - 1) != 0 {
                throw bound.error("\(value) is not a power of two")
            }
            return Parameter(key, .powerOfTwo(exponents: low.trailingZeroBitCount...high.trailingZeroBitCount))
        }
    }

    static func readStrategy(_ node: ConfigNode?, objectives: Int) throws -> StrategySettings {
        var settings = StrategySettings(name: objectives > 1 ? "nsga2" : "bayesian", population: 24, initialTrials: 10)
        guard let node else { return settings }
        let nameNode: ConfigNode
        if node.isMapping {
            let entry = try node.mapping(knownKeys: ["name", "population", "initialTrials"])
            nameNode = try entry.required("name")
            settings.population = try entry.optional("population")?.int(in: 4...10_000) ?? settings.population
            settings.initialTrials = try entry.optional("initialTrials")?.int(in: 2...10_000) ?? settings.initialTrials
        } else {
            nameNode = node
        }
        let name = try nameNode.string()
        settings.name = name == "bo" ? "bayesian" : name
        guard strategies.contains(settings.name) else {
            var message = "unknown strategy `\(name)`; allowed: \(strategies.joined(separator: ", "))"
            if let near = NearestName.suggestion(for: name, among: strategies) { message += "; did you mean `\(near)`?" }
            throw nameNode.error(message)
        }
        return settings
    }

    static func readBudget(_ node: ConfigNode) throws -> Budget {
        if !node.isMapping { return Budget(trials: try node.int(in: 1...10_000_000), minutes: nil) }
        let entry = try node.mapping(knownKeys: ["trials", "minutes"])
        let budget = Budget(trials: try entry.optional("trials")?.int(in: 1...10_000_000),
                            minutes: try entry.optional("minutes")?.double(in: 0.001...1e7))
        guard budget.trials != nil || budget.minutes != nil else {
            throw node.error("give `trials`, `minutes` or both")
        }
        return budget
    }

    /// `accuracy: {command: [python3, eval.py, …], timeout: 600}`; a word of the command that
    /// names a file beside the sweep file becomes its absolute path.
    static func readAccuracy(_ node: ConfigNode?, relative: (String) -> String) throws -> AccuracySettings? {
        guard let node else { return nil }
        let entry = try node.mapping(knownKeys: ["command", "timeout"])
        let commandNode = try entry.required("command")
        let words = try commandNode.list().map { try $0.string() }
        guard let first = words.first, !first.isEmpty else {
            throw commandNode.error("give the evaluator's command as a list: [python3, my_eval.py]")
        }
        let command = words.map { word in
            !word.hasPrefix("/") && !word.hasPrefix("-") && FileManager.default.fileExists(atPath: relative(word))
                ? relative(word) : word
        }
        let timeout = try entry.optional("timeout")?.double(in: 0.01...86_400) ?? 600
        return AccuracySettings(command: command, timeoutSeconds: timeout)
    }

    static func readMapper(_ node: ConfigNode?) throws -> MapperSettings {
        var settings = MapperSettings(budget: 2000, objective: .edp, seconds: nil)
        guard let node else { return settings }
        let entry = try node.mapping(knownKeys: ["budget", "objective", "seconds", "warmStart", "mapInfeasible",
                                                       "stopAfter"])
        settings.budget = try entry.optional("budget")?.int(in: 1...100_000_000) ?? settings.budget
        if let objective = entry.optional("objective") {
            settings.objective = try objective.choice(Objective.allCases.filter { $0 != .mix }.map { ($0.rawValue, $0) })
        }
        settings.seconds = try entry.optional("seconds")?.double(in: 0.001...1e6)
        settings.warmStart = try entry.optional("warmStart")?.bool() ?? true
        settings.mapInfeasible = try entry.optional("mapInfeasible")?.bool() ?? false
        settings.stopAfter = try entry.optional("stopAfter")?.int(in: 1...100_000_000)
        return settings
    }
}
