import Foundation
import MagnetStore
import Testing

@Suite struct MapCommandTests {
    @Test func networkJSONHasPerLayerAndNetworkFigures() throws {
        let result = try CLIRunner.run(["map", "--design", "examples/simba-like.yaml", "--network", "pilotnet",
                                        "--budget", "200", "--threads", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let network = try #require(object["network"] as? [String: Any])
        for key in ["energy_pJ", "cycles", "utilization"] { #expect(network[key] != nil, "network.\(key)") }
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(layers.count == 9)
        for layer in layers {
            for key in ["energy_pJ", "cycles", "utilization", "mapping"] { #expect(layer[key] != nil, "layer.\(key)") }
        }
    }

    /// Each layer says whether it took a sibling's reshaped mapping; none does with
    /// `--no-sibling-starts`.
    @Test func layersSayWhetherASiblingsMappingWasTaken() throws {
        for siblings in [true, false] {
            let result = try CLIRunner.run(["map", "--design", "examples/eyeriss-like.yaml", "--network", "pilotnet",
                                            "--budget", "100", "--threads", "1", "--json"]
                                           + (siblings ? [] : ["--no-sibling-starts"]))
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let layers = try #require(object["layers"] as? [[String: Any]])
            let adopted = layers.compactMap { $0["adopted_from_sibling"] as? Bool }
            #expect(adopted.count == layers.count)
            if !siblings { #expect(!adopted.contains(true)) }
        }
    }

    @Test func layerMappingReadsBackIntoModel() throws {
        let result = try CLIRunner.run(["map", "--design", "examples/simba-like.yaml", "--network", "resnet50",
                                        "--layer", "layer1.0.conv2", "--budget", "300", "--threads", "1", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let layer = try #require((object["layers"] as? [[String: Any]])?.first)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-map-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        try (layer["mapping"] as! String).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try CLIRunner.run(["model", "--design", "examples/simba-like.yaml", "--network", "resnet50",
                                       "--layer", "layer1.0.conv2", "--mapping", path, "--json"])
        #expect(model.status == 0, "\(model.stderr)")
        let evaluation = try #require(try JSONSerialization.jsonObject(with: Data(model.stdout.utf8)) as? [String: Any])
        #expect(evaluation["cycles"] as? Int == layer["cycles"] as? Int)
    }

    /// `--optimal` prints the proof per layer and a certificate in JSON: on this small layer it
    /// proves the optimum; with a gap it finishes with a proven gap no larger than asked.
    @Test func optimalSearchPrintsItsProof() throws {
        let base = ["map", "--design", "examples/edge-os.yaml", "--network", "examples/tiny-cnn.yaml", "--layer", "head",
                    "--optimal"]
        let text = try CLIRunner.run(base)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("proof") && text.stdout.contains("optimal"))
        let result = try CLIRunner.run(base + ["--gap", "40%", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let layer = try #require((object["layers"] as? [[String: Any]])?.first)
        let certificate = try #require(layer["certificate"] as? [String: Any])
        #expect(certificate["finished"] as? Bool == true)
        let gap = try #require(certificate["gap"] as? Double)
        #expect(gap >= 0 && gap <= 0.4)
        #expect((certificate["bounded"] as? Int ?? 0) >= 1 && certificate["evaluated"] is Int)
    }

    @Test func badOptionsAreOneClearLine() throws {
        let result = try CLIRunner.run(["map", "--design", "examples/simba-like.yaml", "--network", "resnet50", "--budget", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--budget must be at least 1"))
        let missing = try CLIRunner.run(["map", "--design", "examples/simba-like.yaml"])
        #expect(missing.stderr.contains("--design needs --network"))
        let base = ["map", "--design", "examples/simba-like.yaml", "--network", "pilotnet"]
        #expect(try CLIRunner.run(base + ["--energy-weight", "1.5"]).stderr.contains("--energy-weight must be in [0, 1]"))
        #expect(try CLIRunner.run(base + ["--stop-after", "0"]).stderr.contains("--stop-after must be at least 1"))
        #expect(try CLIRunner.run(base + ["--threads", "0"]).stderr.contains("--threads must be at least 1"))
        #expect(try CLIRunner.run(base + ["--seconds", "0"]).stderr.contains("--seconds must be positive"))
        #expect(try CLIRunner.run(["map", "--timeloop", "x.yaml"]).stderr.contains("--timeloop needs --ert"))
        #expect(try CLIRunner.run(base + ["--seconds", "nan"]).stderr.contains("--seconds must be positive"))
        // --gap: a percentage strictly between 0 and 100, and only with --optimal.
        #expect(try CLIRunner.run(base + ["--gap", "5"]).stderr.contains("--gap goes with --optimal"))
        for bad in ["0", "100", "-1", "1e3%", "abc"] {
            let refused = try CLIRunner.run(base + ["--optimal", "--gap", bad])
            #expect(refused.status != 0 && refused.stderr.contains("--gap"), "--gap \(bad)")
        }
        #expect(try CLIRunner.run(["model", "--design", "examples/simba-like.yaml"]).stderr.contains("--design needs --network, --layer and --mapping"))
    }
}

@Suite struct DataflowsAndBenchCommandTests {
    @Test func dataflowsComparesAllFive() throws {
        let result = try CLIRunner.run(["dataflows", "--design", "examples/simba-like.yaml", "--network", "pilotnet",
                                        "--budget", "100", "--threads", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(rows.compactMap { $0["dataflow"] as? String } == ["WS", "OS", "IS", "WS-LOS", "OS-LWS"])
        #expect(rows.allSatisfy { ($0["energy_pJ"] as? Double ?? 0) > 0 })
    }

    /// The benchmarks' own input checks: one `Error:`/`error:` line naming the option, no crash.
    @Test func benchOptionsAreChecked() throws {
        let cases: [([String], String)] = [
            (["bench", "bounds", "--mappings", "0"], "--mappings must be at least 1"),
            (["bench", "optimal", "--every", "0"], "--every must be at least 1"),
            (["bench", "optimal", "--seconds", "nan"], "--seconds must be a positive number"),
            (["bench", "optimal", "--budgets", "10,x"], "--budgets must be positive whole numbers"),
            (["bench", "optimal", "--seeds", "0"], "--seeds must be at least 1"),
            (["bench", "optimal", "--polish", "2"], "--polish must be between 0 and 1"),
            (["bench", "optimal", "--polish", "nan"], "--polish must be between 0 and 1"),
            (["bench", "rtl", "--simulate", "modelsim"], "'modelsim' is invalid for '--simulate"),
            (["bench", "mapper", "--optimal-seconds", "nan"], "--optimal-seconds must be a number of seconds"),
            (["bench", "warm-start", "--budget", "0"], "--budget must be at least 1"),
            (["bench", "warm-start", "--source-budget", "0"], "--source-budget must be at least 1"),
            (["bench", "siblings", "--budget", "0"], "--budget must be at least 1"),
            (["bench", "siblings", "--seeds", "0"], "--seeds must be at least 1"),
            (["bench", "siblings", "--reference-budget=-1"], "--reference-budget must be 0 or more"),
            (["bench", "study-quality", "x.db", "--trials", "0"], "--trials must be at least 1"),
            (["bench", "study-quality", "x.db", "--budget", "0"], "--budget must be at least 1"),
        ]
        for (arguments, message) in cases {
            let result = try CLIRunner.run(arguments)
            #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        // A study file that does not exist, and one without finished trials.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let missing = try CLIRunner.run(["bench", "study-quality", folder.appendingPathComponent("none.db").path])
        #expect(missing.status == 1 && missing.stderr.contains("no such study file"))
        let empty = folder.appendingPathComponent("empty.db").path
        _ = try StudyStore.create(path: empty, study: StudyRecord(name: "empty", specJSON: "{}", seed: 1, magnetVersion: "test"))
        let none = try CLIRunner.run(["bench", "study-quality", empty])
        #expect(none.status != 0 && none.stderr.contains("no finished trials"), "\(none.stderr)")
    }

    /// `bench siblings` reports both ways per design and for all, each layer measured against the
    /// best any run found: no ratio below 1, and the best known reached by some run.
    @Test func siblingsBenchComparesBothWays() throws {
        let result = try CLIRunner.run(["bench", "siblings", "--design", "examples/simba-like.yaml",
                                        "--design", "examples/edge-os.yaml", "--network", "examples/tiny-cnn.yaml",
                                        "--budget", "60", "--seeds", "2", "--reference-budget", "0", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let designs = try #require(json["designs"] as? [[String: Any]])
        #expect(designs.map { $0["sibling_starts"] as? Bool } == [false, true, false, true])
        for row in designs + (try #require(json["all"] as? [[String: Any]])) {
            let geomean = try #require(row["geomean"] as? Double), p90 = try #require(row["p90"] as? Double)
            let within = try #require(row["within_1_percent"] as? Double)
            #expect(geomean >= 1 && p90 >= 1 && (0...1).contains(within), "\(row)")
        }
        // Every run's EDPs per layer, from which each row's share within 1% follows again.
        let runs = try #require(json["runs"] as? [String: [[String: Any]]])
        #expect(runs.keys.sorted() == ["edge-os", "simba-like"])
        for row in designs {
            let name = try #require(row["design"] as? String), siblings = try #require(row["sibling_starts"] as? Bool)
            let designRuns = try #require(runs[name])
            #expect(designRuns.count == 4)
            let edps = try designRuns.map { try #require($0["edp_by_layer"] as? [String: Double]) }
            var best: [String: Double] = [:]
            for run in edps { for (layer, edp) in run { best[layer] = min(best[layer] ?? edp, edp) } }
            let compared = zip(designRuns, edps).filter { $0.0["sibling_starts"] as? Bool == siblings }.map(\.1)
            let ratios = compared.flatMap { run in run.map { $0.value / best[$0.key]! } }
            let within = Double(ratios.filter { $0 <= 1.01 }.count) / Double(ratios.count)
            #expect(abs(within - (row["within_1_percent"] as? Double ?? -1)) < 1e-12, "\(name) \(siblings)")
        }
    }

    /// `bench study-quality` names the layer shapes stored beyond 1% of the reference: as many
    /// as the share within 1% leaves out, each counted at most as often as it was sampled.
    @Test func studyQualityNamesTheLayersBeyondOnePercent() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-sq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let sweep = folder.appendingPathComponent("sq.yaml").path
        try """
            study: sq
            base: \(CLIRunner.repository.appendingPathComponent("examples/simba-like.yaml").path)
            networks: [\(CLIRunner.repository.appendingPathComponent("examples/tiny-cnn.yaml").path)]
            space: {numPEs: [2, 4, 8], lanes: [2, 4]}
            objectives: [{minimize: energy_per_inference_uJ}]
            strategy: grid
            budget: {trials: 4}
            mapper: {budget: 30, warmStart: false}
            """.write(toFile: sweep, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("sq.db").path
        let run = try CLIRunner.run(["sweep", sweep, "--db", db, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let bench = try CLIRunner.run(["bench", "study-quality", db, "--trials", "4", "--budget", "3000", "--json"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [String: Any])
        let layers = try #require(report["layers"] as? Int), within = try #require(report["within_1_percent"] as? Double)
        let missed = try #require(report["beyond_1_percent_by_layer"] as? [[String: Any]])
        let beyond = missed.compactMap { $0["beyond_1_percent"] as? Int }
        #expect(beyond.reduce(0, +) == layers - Int((within * Double(layers)).rounded()))
        #expect(missed.allSatisfy { ($0["beyond_1_percent"] as? Int ?? 0) <= ($0["sampled"] as? Int ?? 0) })
        #expect(missed.allSatisfy { ($0["worst"] as? Double ?? 0) > 1.01 })
        #expect(beyond == beyond.sorted(by: >))
        #expect(!missed.isEmpty, "30 candidates per layer should leave some layer beyond 1%")
    }

    @Test func benchJSONCarriesTheDocumentedKeys() throws {
        let model = try CLIRunner.run(["bench", "model", "--mappings", "3", "--repeats", "1", "--skip-nest-walk", "--json"])
        #expect(model.status == 0, "\(model.stderr)")
        let modelRows = try #require(try JSONSerialization.jsonObject(with: Data(model.stdout.utf8)) as? [[String: Any]])
        #expect(modelRows.count == 2)
        #expect(modelRows.allSatisfy { $0["evaluations_per_second_per_core"] != nil && $0["scalar_evaluations_per_second_per_core"] != nil })
        let mapper = try CLIRunner.run(["bench", "mapper", "--budget", "1000", "--json"])
        #expect(mapper.status == 0, "\(mapper.stderr)")
        let mapperRows = try #require(try JSONSerialization.jsonObject(with: Data(mapper.stdout.utf8)) as? [[String: Any]])
        #expect(mapperRows.allSatisfy { $0["candidates_per_second_per_core"] != nil })
    }
}
