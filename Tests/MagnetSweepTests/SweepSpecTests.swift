import Foundation
import MagnetCore
import MagnetDesigner
import MagnetStore
import MagnetTuner
import Testing
@testable import MagnetSweep

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let tinyNetwork = repositoryRoot.appendingPathComponent("examples/tiny-cnn.yaml").path
let simbaDesign = repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path

/// A small sweep over tiny-cnn: 2 × 2 × 2 = 8 design points.
func tinySweep(strategy: String = "random", trials: Int = 6, extra: String = "") -> String {
    """
    study: tiny
    seed: 3
    base: \(simbaDesign)
    networks:
      - \(tinyNetwork)
    space:
      numPEs: [2, 4]
      lanes: [2, 4]
      dataflow: [WS, OS]
    objectives:
      - minimize: energy_per_inference_uJ
      - minimize: latency_ms
    constraints:
      - area_mm2 <= 0.4
    strategy: \(strategy)
    budget: {trials: \(trials)}
    mapper: {budget: 150}
    \(extra)
    """
}

/// The error a sweep text raises.
func sweepError(_ text: String) -> ConfigError? {
    do {
        _ = try SweepSpec.parse(text, file: repositoryRoot.appendingPathComponent("sweep.yaml").path)
        return nil
    } catch let error as ConfigError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite struct SweepSpecTests {
    @Test func readsASweep() throws {
        let spec = try SweepSpec.parse(tinySweep(), file: repositoryRoot.appendingPathComponent("s.yaml").path)
        #expect(spec.study == "tiny")
        #expect(spec.seed == 3)
        #expect(spec.space.parameters.map(\.name) == ["numPEs", "lanes", "dataflow"])
        #expect(spec.space.size == 8)
        #expect(spec.objectives.map(\.text) == ["minimize energy_per_inference_uJ", "minimize latency_ms"])
        #expect(spec.constraints.map(\.text) == ["area_mm2 <= 0.4"])
        #expect(spec.budget.trials == 6)
        #expect(spec.mapper.budget == 150)
        // Searching numPEs drops the base design's 4 × 4 array shape.
        #expect(!spec.fixedDesign.contains { $0.0 == "peRows" || $0.0 == "peColumns" })
        #expect(spec.fixedDesign.contains { $0 == ("weightBuffer", "32768") })
        let yaml = spec.designYAML(trial: 5, values: [.double(4), .double(2), .string("OS")])
        #expect(yaml.contains("numPEs: 4\n"))
        #expect(yaml.contains("lanes: 2\n"))
        #expect(yaml.contains("dataflow: OS\n"))
        #expect(yaml.hasPrefix("name: tiny-trial-5\n"))
        // A PE count fixed in the space drops the base's shape only when the shape does not fit it.
        func shape(numPEs: String) throws -> [String] {
            let text = tinySweep().replacingOccurrences(of: "  lanes: [2, 4]", with: "  lanes: [2, 4]\n  numPEs: \(numPEs)")
                .replacingOccurrences(of: "  numPEs: [2, 4]\n", with: "")
            return try SweepSpec.parse(text, file: "/tmp/s.yaml").fixedDesign
                .filter { $0.0 == "peRows" || $0.0 == "peColumns" }.map { "\($0.0)=\($0.1)" }
        }
        #expect(try shape(numPEs: "1") == [])
        #expect(try shape(numPEs: "16") == ["peRows=4", "peColumns=4"])
    }

    @Test func rangesAndPowersOfTwoAndRequiredRates() throws {
        let text = """
            study: ranges
            networks:
              - {network: alexnet, weight: 2}
              - {network: \(tinyNetwork), requiredRate: 1000}
            base: \(simbaDesign)
            space:
              lanes: {range: [2, 5]}
              weightBuffer: {powersOfTwo: [8 KiB, 64 KiB]}
              clockGHz: [1, 1.5, 2]
              technology: 7nm
            objectives: [{maximize: tops_per_w}]
            budget: {minutes: 1}
            """
        let spec = try SweepSpec.parse(text, file: "/tmp/ranges.yaml")
        #expect(spec.space.parameters[0].domain == .integer(2...5))
        #expect(spec.space.parameters[1].domain == .powerOfTwo(exponents: 13...16))
        #expect(spec.space.parameters[2].domain == .ordinal([1, 1.5, 2]))
        #expect(spec.fixedDesign.contains { $0 == ("technology", "7nm") })
        #expect(spec.networks.map(\.weight) == [2, 1])
        #expect(spec.constraints.map(\.text) == ["tiny-cnn.inferences_per_s >= 1000"])
        #expect(spec.strategy.name == "bayesian")  // one objective: Bayesian by default
        #expect(spec.budget.trials == nil && spec.budget.minutes == 1)
        #expect(spec.metricNames.contains("alexnet.latency_ms"))
    }

    /// Searching DRAM types and channels drops the base's bandwidth: each trial's comes from its
    /// channels, and its energy from its type.
    @Test func dramTypesAndChannelsAreSearchable() throws {
        let text = tinySweep().replacingOccurrences(of: "  dataflow: [WS, OS]",
                                                    with: "  dram: [lpddr4, ddr4]\n  dramChannels: [1, 4]")
        let spec = try SweepSpec.parse(text, file: "/tmp/s.yaml")
        #expect(!spec.fixedDesign.contains { $0.0 == "dramBandwidthGBps" })
        let yaml = spec.designYAML(trial: 1, values: [.double(4), .double(2), .string("ddr4"), .double(4)])
        let design = try DesignFile.parse(yaml, file: "/tmp/trial.yaml")
        #expect(design.dram == .ddr4 && design.dramChannels == 4 && abs(design.dramBandwidthGBps - 76.8) < 1e-9)
        // Without a type in the space or the base, channels are refused at their line.
        let error = try #require(sweepError(tinySweep(extra: "").replacingOccurrences(of: "  dataflow: [WS, OS]",
                                                                                      with: "  dramChannels: [1, 2]")))
        #expect(error.message.contains("channels of no DRAM type"), "\(error)")
    }

    @Test func canonicalSpecIgnoresTheBudgetAndNamesDifferences() throws {
        let a = try SweepSpec.parse(tinySweep(trials: 6), file: "/tmp/a.yaml")
        let b = try SweepSpec.parse(tinySweep(trials: 60), file: "/tmp/b.yaml")
        #expect(a.canonicalJSON == b.canonicalJSON)
        var c = try SweepSpec.parse(tinySweep(strategy: "nsga2"), file: "/tmp/c.yaml")
        c.seed = 9
        let differences = SweepSpec.differences(a.canonicalJSON, c.canonicalJSON)
        #expect(differences == ["seed: 3 → 9", #"strategy.name: "random" → "nsga2""#])
        // The mapper's optional settings enter the spec only when they leave the default.
        let optional = try SweepSpec.parse(tinySweep().replacingOccurrences(
            of: "mapper: {budget: 150}", with: "mapper: {budget: 150, stopAfter: 400, mapInfeasible: true}"),
            file: "/tmp/d.yaml")
        #expect(SweepSpec.differences(a.canonicalJSON, optional.canonicalJSON)
                == ["mapper.mapInfeasible: null → true", "mapper.stopAfter: null → 400"])
        // Lists of one length are compared item by item: unchanged items are not listed.
        let stored: JSONValue = .object([("networks", .array([.object([("name", "a"), ("batch", 1)]), .object([("name", "b"), ("batch", 1)])])),
                                         ("lanes", .array([4, 8, 16]))])
        let new: JSONValue = .object([("networks", .array([.object([("name", "a"), ("batch", 1)]), .object([("name", "b"), ("batch", 2)])])),
                                      ("lanes", .array([4, 8]))])
        #expect(SweepSpec.differences(stored, new) == ["networks[1].batch: 1 → 2", "lanes: [4,8,16] → [4,8]"])
    }

    /// The space's `layerFormats`: a list of formats becomes a parameter named after its rule,
    /// one format is fixed, and each trial's design file carries the rules with its values.
    @Test func layerFormatsAreSearchedPerRule() throws {
        let rules = """
              layerFormats:
                - {layers: stem, weightFormat: [int8, int16], activationFormat: int8}
                - {layers: "pw*", activationFormat: [int4, int8]}
            """
        let text = tinySweep().replacingOccurrences(of: "  dataflow: [WS, OS]", with: "  dataflow: [WS, OS]\n" + rules)
        let spec = try SweepSpec.parse(text, file: "/tmp/lf.yaml")
        #expect(spec.space.parameters.map(\.name)
                    == ["numPEs", "lanes", "dataflow", "weightFormat[stem]", "activationFormat[pw*]"])
        #expect(spec.layerFormats == [
            LayerFormatSpec(layers: "stem", weightFormat: .searched(parameter: "weightFormat[stem]"),
                            activationFormat: .fixed(.int8)),
            LayerFormatSpec(layers: "pw*", activationFormat: .searched(parameter: "activationFormat[pw*]")),
        ])
        let yaml = spec.designYAML(trial: 1, values: [.double(2), .double(4), .string("WS"), .string("int16"),
                                                      .string("int4")])
        let design = try DesignFile.parse(yaml, file: "trial.yaml")
        #expect(design.layerFormats == [LayerFormatRule(layers: "stem", weightFormat: .int16, activationFormat: .int8),
                                        LayerFormatRule(layers: "pw*", activationFormat: .int4)])
        #expect(design.formats(ofLayer: "pw[1]").inputs == .int4 && design.formats(ofLayer: "dw").inputs == .int8)
        // The rules are part of the study's identity, and absent from a study without them.
        guard case .array(let canonicalRules)? = spec.canonicalJSON["layerFormats"] else {
            Issue.record("no layerFormats in the canonical spec")
            return
        }
        #expect(canonicalRules.count == 2 && canonicalRules[0]["activationFormat"] == .string("int8"))
        #expect(canonicalRules[1]["activationFormat"]?["parameter"] == .string("activationFormat[pw*]"))
        #expect(try SweepSpec.parse(tinySweep(), file: "/tmp/t.yaml").canonicalJSON["layerFormats"] == nil)
        // A base design's rules hold when the space sets none.
        let base = temporaryDirectory().appendingPathComponent("base.yaml").path
        try (String(contentsOfFile: simbaDesign, encoding: .utf8)
             + "\nlayerFormats:\n  - {layers: head, weightFormat: int4}\n").write(toFile: base, atomically: true,
                                                                              encoding: .utf8)
        let inherited = try SweepSpec.parse(tinySweep().replacingOccurrences(of: simbaDesign, with: base),
                                            file: "/tmp/b.yaml")
        let trial = try DesignFile.parse(inherited.designYAML(trial: 1, values: [.double(2), .double(4), .string("WS")]),
                                         file: "trial.yaml")
        #expect(trial.layerFormats == [LayerFormatRule(layers: "head", weightFormat: .int4)])
        // Rules that set every layer's activations leave the design's own activation format to
        // no layer: a trial's design takes the widest of theirs, so its datapath is no wider.
        let covering = """
              layerFormats:
                - {layers: stem, activationFormat: [int4, int8]}
                - {layers: "*", activationFormat: int4}
            """
        let covered = try SweepSpec.parse(tinySweep().replacingOccurrences(
            of: "  dataflow: [WS, OS]", with: covering), file: "/tmp/c.yaml")
        for (stem, datapath) in [("int4", DataFormat.int4), ("int8", .int8)] {
            let point = try DesignFile.parse(covered.designYAML(trial: 1, values: [.double(2), .double(4), .string(stem)]),
                                             file: "trial.yaml")
            #expect(point.activationFormat == datapath && point.datapathFormats.inputs == datapath)
            #expect(point.weightFormat == .int8)   // the base's: no rule sets weights
        }
        // ... and searching that format too is refused.
        let both = tinySweep().replacingOccurrences(of: "  dataflow: [WS, OS]",
                                                    with: "  activationFormat: [int8, int16]\n" + covering)
        let refused = try #require(sweepError(both))
        #expect(refused.keyPath == "space.activationFormat" && refused.message.contains("rules set every layer's"))
        // A study read back (export, report, dashboard) writes each trial's design as the sweep did:
        // its layer formats, and the design's own format narrowed to the rules'.
        let store = try newStudy(covered)
        let values: [Parameter.Value] = [.double(2), .double(4), .string("int4")]
        var stored = TrialRecord(number: 1, params: covered.paramsJSON(values), state: .complete, worker: "w")
        stored.finishedAt = 1
        try store.record([(stored, [])])
        let readBack = try StudyView(store: store).designYAML(stored)
        #expect(readBack == covered.designYAML(trial: 1, values: values))
        let exported = try DesignFile.parse(readBack, file: "export.yaml")
        #expect(exported.layerFormats.count == 2 && exported.datapathFormats.inputs == .int4)
    }

    @Test func badLayerFormatsAreLocated() throws {
        func error(_ rules: String) throws -> ConfigError {
            let text = tinySweep().replacingOccurrences(of: "  dataflow: [WS, OS]",
                                                        with: "  dataflow: [WS, OS]\n  layerFormats:\n" + rules)
            return try #require(sweepError(text), "no error for \(rules)")
        }
        let unmatched = try error("    - {layers: stme, weightFormat: int4}")
        #expect(unmatched.keyPath == "space.layerFormats[0].layers")
        #expect(unmatched.message.contains("`stme` matches no layer of tiny-cnn; did you mean `stem`?"), "\(unmatched)")
        let twice = try error("    - {layers: stem, weightFormat: int4}\n    - {layers: stem, weightFormat: int8}")
        #expect(twice.keyPath == "space.layerFormats[1].layers" && twice.message.contains("has a rule already"))
        let empty = try error("    - {layers: stem}")
        #expect(empty.message.contains("a rule sets weightFormat, activationFormat or both"))
        let format = try error("    - {layers: stem, weightFormat: [int4, int3]}")
        #expect(format.keyPath == "space.layerFormats[0].weightFormat[1]" && format.message.contains("`int3`"))
        let key = try error("    - {layers: stem, weights: int4}")
        #expect(key.message.contains("unknown key `weights`"))
    }

    @Test func badInputIsLocated() throws {
        let cases: [(String, String, String, String)] = [
            // (what is replaced, replacement, expected key path, expected message part)
            ("  lanes: [2, 4]", "  lanse: [2, 4]", "space.lanse", "did you mean `lanes`?"),
            ("  lanes: [2, 4]", "  lanes: {range: [8, 2]}", "space.lanes.range", "empty range"),
            ("  lanes: [2, 4]", "  lanes: []", "space.lanes", "empty list"),
            ("  - area_mm2 <= 0.4", "  - aera_mm2 <= 0.4", "constraints[0]", "unknown metric `aera_mm2`; did you mean `area_mm2`?"),
            ("  - area_mm2 <= 0.4", "  - area_mm2 about 0.4", "constraints[0]", "METRIC <= NUMBER"),
            ("budget: {trials: 6}", "budget: {trials: 0}", "budget.trials", "out of range"),
            ("strategy: random", "strategy: bayes", "strategy", "unknown strategy `bayes`"),
            ("  - minimize: latency_ms", "  - minimise: latency_ms", "objectives[1].minimise", "did you mean `minimize`?"),
            ("  dataflow: [WS, OS]", "  dataflow: [WS, XS]", "space.dataflow[1]", "unknown value `XS`"),
            ("  numPEs: [2, 4]", "  numPEs: {powersOfTwo: [2, 6]}", "space.numPEs.powersOfTwo[1]", "6 is not a power of two"),
            ("mapper: {budget: 150}", "mapper: {budget: 150, warmStart: maybe}", "mapper.warmStart", "true or false"),
            ("mapper: {budget: 150}", "mapper: {budget: 150, warmstart: false}", "mapper.warmstart", "did you mean `warmStart`?"),
            ("mapper: {budget: 150}", "mapper: {budget: 150, mapInfeasible: 1}", "mapper.mapInfeasible", "true or false"),
            ("mapper: {budget: 150}", "mapper: {budget: 150, stopAfter: 0}", "mapper.stopAfter", "out of range"),
        ]
        for (old, new, keyPath, message) in cases {
            let text = tinySweep().replacingOccurrences(of: old, with: new)
            #expect(text != tinySweep(), "case \(new) did not apply")
            let error = try #require(sweepError(text), "no error for \(new)")
            #expect(error.keyPath == keyPath, "\(new): \(error)")
            #expect(error.message.contains(message), "\(new): \(error)")
            #expect(error.line != nil, "\(new): \(error)")
            #expect(error.file.hasSuffix("sweep.yaml"))
        }
        // A design without a required key (no base, nothing for the buffers).
        let noBase = tinySweep().replacingOccurrences(of: "base: \(simbaDesign)\n", with: "")
        let missing = try #require(sweepError(noBase))
        #expect(missing.message.contains("the design needs vectorSize, weightBuffer"))
        // An unknown network, with a suggestion.
        let typo = try #require(sweepError(tinySweep().replacingOccurrences(of: "  - \(tinyNetwork)", with: "  - resnet5")))
        #expect(typo.message.contains("did you mean `resnet50`?"))
    }
}

@Suite struct SweepExampleTests {
    @Test(arguments: ["quickstart.yaml", "edge-two-networks.yaml", "bo-tops-per-watt.yaml", "accuracy.yaml"])
    func examplesRead(_ name: String) throws {
        let spec = try SweepSpec.load(path: repositoryRoot.appendingPathComponent("examples/\(name)").path)
        #expect(!spec.space.parameters.isEmpty)
        #expect(!spec.objectives.isEmpty)
        // Each example's first grid point is a design the template accepts or rejects with a reason.
        let yaml = spec.designYAML(trial: 1, values: spec.space.point(linearIndex: 0))
        #expect(yaml.contains("numPEs:"))
    }
}

/// ONNX models as sweep networks: a model with a symbolic batch, written by onnx's own helper
/// (the Python of `make venv`), needs its `inputShapes`; the sweep's workers receive it as the
/// network file it imports to.
@Suite struct SweepONNXTests {
    /// Writes scripts/onnx-example.py's model (input `image`, symbolic batch); its path.
    static func symbolicModel() throws -> String {
        let python = ProcessInfo.processInfo.environment["MAGNET_PYTHON"]
            ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
        let path = temporaryDirectory().appendingPathComponent("symbolic.onnx").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repositoryRoot.appendingPathComponent("scripts/onnx-example.py").path, path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(python) could not write an ONNX model: run `make venv`")
        return path
    }

    @Test func onnxModelsAreSweepNetworks() throws {
        let model = try Self.symbolicModel()
        let entry = "  - {network: \(model), inputShapes: {image: [2, 3, 16, 16]}}"
        let spec = try SweepSpec.parse(tinySweep().replacingOccurrences(of: "  - \(tinyNetwork)", with: entry),
                                       file: "/tmp/onnx.yaml")
        let network = try #require(spec.networks.first?.network)
        #expect(network.name == "symbolic" && network.layers.map(\.name) == ["stem", "classifier"])
        #expect(network.layers[0].shape.n == 2 && network.layers[0].shape.p == 16)
        // The workers' copy is the network file it imports to, and reads back the same.
        let context = try spec.evaluationContext()
        #expect(context.networks[0].text?.hasPrefix("name: \"symbolic\"") == true)
        #expect(try context.resolveNetworks() == [network])
        // The study keeps the shapes, so its report and exports read the model as the sweep did.
        let view = try StudyView(store: try newStudy(spec))
        #expect(try view.networks().map { try $0.network.get() } == [network])

        let bare = tinySweep().replacingOccurrences(of: "  - \(tinyNetwork)", with: "  - \(model)")
        let symbolic = try #require(sweepError(bare))
        #expect(symbolic.message.contains("inputShapes: {image: [1, 3, 16, 16]}"), "\(symbolic)")
        let misplaced = tinySweep().replacingOccurrences(
            of: "  - \(tinyNetwork)", with: "  - {network: resnet50, inputShapes: {image: [1, 3, 16, 16]}}")
        let error = try #require(sweepError(misplaced))
        #expect(error.keyPath == "networks[0].inputShapes" && error.message.contains("is for ONNX models"), "\(error)")
    }
}
