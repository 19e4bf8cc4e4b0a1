import Foundation
import MagnetCore
import MagnetStore
import Testing

/// A sweep file over tiny-cnn in a fresh folder; returns (folder, sweep path, db path).
func writeTinySweep(trials: Int = 6, mapperBudget: Int = 150, extra: String = "") throws -> (URL, String, String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-cli-sweep-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let text = """
        study: tiny
        seed: 3
        base: \(CLIRunner.repository.appendingPathComponent("examples/simba-like.yaml").path)
        networks:
          - \(CLIRunner.repository.appendingPathComponent("examples/tiny-cnn.yaml").path)
        space:
          numPEs: [1, 2, 4, 8]
          lanes: [2, 4, 8]
          dataflow: [WS, OS, OS-LWS]
        objectives:
          - minimize: energy_per_inference_uJ
          - minimize: latency_ms
        constraints:
          - area_mm2 <= 0.4
        strategy: nsga2
        budget: {trials: \(trials)}
        mapper: {budget: \(mapperBudget)}
        \(extra)
        """
    let sweep = folder.appendingPathComponent("tiny.yaml").path
    try text.write(toFile: sweep, atomically: true, encoding: .utf8)
    return (folder, sweep, folder.appendingPathComponent("tiny.db").path)
}

/// The trials of a study file, read-only (none before the file exists).
func studyTrials(_ db: String) -> [TrialRecord] {
    guard FileManager.default.fileExists(atPath: db), let store = try? StudyStore.open(path: db, readOnly: true) else { return [] }
    return (try? store.trials()) ?? []
}

/// Finished trials in a study file (read-only).
func finishedCount(_ db: String) -> Int {
    studyTrials(db).filter(\.state.isFinished).count
}

/// Starts `magnet` without waiting.
func launch(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = CLIRunner.executable
    process.arguments = arguments
    process.currentDirectoryURL = CLIRunner.repository
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Waits until `condition` holds or `seconds` pass.
func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

@Suite(.serialized) struct SweepCommandTests {
    @Test func sweepThenReadTheStudyBack() throws {
        let (folder, sweep, db) = try writeTinySweep(trials: 6)
        let run = try CLIRunner.run(["sweep", sweep, "--db", db, "--workers", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("done: 6/6 trials"))
        // Not a terminal: one log line per trial.
        #expect(run.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("trial ") }.count == 6)

        let status = try CLIRunner.run(["status", db, "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let json = try JSONValue(parsing: status.stdout)
        let trials = try #require(json["trials"])
        let finished = ["complete", "infeasible", "failed"].compactMap { trials[$0]?.doubleValue }.reduce(0, +)
        #expect(finished == 6)
        #expect(trials["running"] == .int(0) && trials["queued"] == .int(0))
        #expect(json["status"] == .string("finished"))

        let csv = try CLIRunner.run(["trials", db, "--csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines[0].hasPrefix("trial,state,attempt,worker,seconds,numPEs,lanes,dataflow,energy_per_inference_uJ"))
        // Whole-number metrics print as integers.
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let cyclesColumn = try #require(header.firstIndex(of: "cycles"))
        let cycles = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[cyclesColumn] }
        #expect(cycles.contains { !$0.isEmpty } && cycles.allSatisfy { $0.isEmpty || Int($0) != nil }, "\(cycles)")

        let pareto = try CLIRunner.run(["pareto", db, "--json"])
        #expect(pareto.status == 0)
        guard case .array(let front) = try JSONValue(parsing: pareto.stdout) else { Issue.record("pareto JSON is not a list"); return }
        // Every front member is complete, and none dominates another.
        let points = front.map { [$0["metrics"]?["energy_per_inference_uJ"]?.doubleValue ?? .nan, $0["metrics"]?["latency_ms"]?.doubleValue ?? .nan] }
        #expect(front.allSatisfy { $0["state"] == .string("complete") })
        for a in points { for b in points where a != b { #expect(!(b[0] <= a[0] && b[1] <= a[1])) } }

        // Export per area budget: 0.0001 mm² is met by nothing and says so.
        let out = folder.appendingPathComponent("best").path
        let export = try CLIRunner.run(["export", db, "--objective", "energy_per_inference_uJ", "--best-per", "area_mm2<=0.0001,0.4", "-o", out])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("area_mm2<=0.0001: no feasible trial meets this budget"))
        let summary = try JSONValue(parsing: String(contentsOfFile: out + "/summary.json", encoding: .utf8))
        guard case .array(let budgets)? = summary["budgets"] else { Issue.record("no budgets"); return }
        #expect(budgets.count == 2)
        #expect(budgets[0]["trial"] == .null)
        let chosen = try #require(budgets[1]["trial"]?.doubleValue)
        #expect(budgets[1]["metrics"]?["area_mm2"]?.doubleValue ?? 1 <= 0.4)
        // The exported design and mappings load back.
        let design = out + "/area_mm2-le-0.4/design.yaml"
        let shown = try CLIRunner.run(["design", "show", design])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("tiny-trial-\(Int(chosen))"))
        let model = try CLIRunner.run(["model", "--design", design, "--network", "examples/tiny-cnn.yaml", "--layer", "stem",
                                       "--mapping", out + "/area_mm2-le-0.4/mappings/tiny-cnn/stem.map.yaml", "--json"])
        #expect(model.status == 0, "\(model.stderr)")
        // magnet model on the exported mapping gives the energy the sweep stored for that layer.
        let stored = try #require(try StudyStore.open(path: db, readOnly: true).layerResults(trial: Int(chosen)).first { $0.layer == "stem" })
        let energy = try #require(try JSONValue(parsing: model.stdout)["energy_pJ"]?.doubleValue)
        #expect(abs(energy - stored.energyPJ) <= 1e-6 * stored.energyPJ)
    }

    /// `export --refine` maps each budget's best stored trials again, every layer starting from
    /// its stored mapping (so no layer's EDP rises), and chooses by the new figures; the files
    /// it writes reproduce those figures, and the study file is left as it was.
    @Test func exportRefineMapsTheBestTrialsAgainAndChoosesByTheNewFigures() throws {
        let (folder, sweep, db) = try writeTinySweep(trials: 8, mapperBudget: 40)
        #expect(try CLIRunner.run(["sweep", sweep, "--db", db, "--quiet"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let out = folder.appendingPathComponent("refined").path
        let export = try CLIRunner.run(["export", db, "--objective", "energy_per_inference_uJ", "--best-per",
                                        "area_mm2<=0.4", "--refine", "--refine-top", "3", "--refine-budget", "2000",
                                        "--threads", "1", "-o", out, "--format", "json"])
        #expect(export.status == 0, "\(export.stderr)")
        guard case .array(let budgets) = try JSONValue(parsing: export.stdout), let budget = budgets.first else {
            Issue.record("export JSON is not a list: \(export.stdout)")
            return
        }
        let refinement = try #require(budget["refinement"])
        // The trials compared are the three best stored ones within the budget, best first.
        let stored = studyTrials(db).filter { $0.state == .complete && ($0.metric("area_mm2") ?? 1) <= 0.4 }
        func energy(_ trial: TrialRecord) -> Double { trial.metric("energy_per_inference_uJ") ?? .infinity }
        let ranked = stored.sorted { (energy($0), $0.number) < (energy($1), $1.number) }
        guard case .array(let compared)? = refinement["compared"] else {
            Issue.record("no trials compared: \(refinement)")
            return
        }
        #expect(compared.compactMap { $0["trial"]?.doubleValue.map(Int.init) } == ranked.prefix(3).map(\.number))
        #expect(refinement["stored_choice"]?.doubleValue.map(Int.init) == ranked.first?.number)
        // The choice is the best of them as mapped again.
        let refined = compared.compactMap { entry in
            entry["refined"]?.doubleValue.map { (trial: entry["trial"]!.doubleValue!, value: $0) } }
        #expect(refined.count == compared.count)
        // Equal figures (e.g. two designs that differ only in a dataflow both of which allow the
        // same best mappings) go to the lower trial number, as every best-trial choice does
        // (StudyView.best).
        let best = try #require(refined.min { ($0.value, $0.trial) < ($1.value, $1.trial) })
        #expect(budget["trial"]?.doubleValue == best.trial)
        #expect(budget["metrics"]?["energy_per_inference_uJ"]?.doubleValue == best.value)
        // Every exported layer's EDP is at most the stored one's, and magnet model reproduces it.
        let chosen = Int(best.trial)
        let layers = try StudyStore.open(path: db, readOnly: true).layerResults(trial: chosen)
        #expect(!layers.isEmpty)
        var improved = 0
        for layer in layers {
            let file = out + "/area_mm2-le-0.4/mappings/tiny-cnn/\(layer.layer).map.yaml"
            let header = try #require(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").first)
            let model = try CLIRunner.run(["model", "--design", out + "/area_mm2-le-0.4/design.yaml",
                                           "--network", "examples/tiny-cnn.yaml", "--layer", layer.layer,
                                           "--mapping", file, "--json"])
            #expect(model.status == 0, "\(model.stderr)")
            let json = try JSONValue(parsing: model.stdout)
            let energyPJ = try #require(json["energy_pJ"]?.doubleValue)
            let cycles = try #require(json["cycles"]?.doubleValue)
            #expect(header.contains("\(Int(cycles)) cycles"), "\(header)")
            #expect(energyPJ * cycles <= layer.energyPJ * Double(layer.cycles) * (1 + 1e-5), "\(layer.layer)")
            if energyPJ * cycles < layer.energyPJ * Double(layer.cycles) * 0.999 { improved += 1 }
        }
        // At 40 candidates per layer the sweep leaves some layer well short of 2,000 candidates' mapping.
        #expect(improved > 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }

    /// `export --refine` of a study whose network file has gone since the sweep: one `error:`
    /// line naming the network and its file, nothing written.
    @Test func exportRefineNamesANetworkThatCannotBeReadNow() throws {
        let (folder, sweep, db) = try writeTinySweep(trials: 2, mapperBudget: 40)
        let network = folder.appendingPathComponent("net.yaml")
        try FileManager.default.copyItem(at: CLIRunner.repository.appendingPathComponent("examples/tiny-cnn.yaml"),
                                         to: network)
        let text = try String(contentsOfFile: sweep, encoding: .utf8)
            .replacingOccurrences(of: CLIRunner.repository.appendingPathComponent("examples/tiny-cnn.yaml").path,
                                  with: network.path)
        try text.write(toFile: sweep, atomically: true, encoding: .utf8)
        #expect(try CLIRunner.run(["sweep", sweep, "--db", db, "--quiet"]).status == 0)
        try FileManager.default.removeItem(at: network)
        let out = folder.appendingPathComponent("refined").path
        let run = try CLIRunner.run(["export", db, "--objective", "energy_per_inference_uJ", "--best-per",
                                     "area_mm2<=0.4", "--refine", "-o", out])
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n")
        let expected = "error: network tiny-cnn (\(network.path)) cannot be read now: "
        #expect(lines.count == 1 && lines[0].hasPrefix(expected), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// `export --rtl` writes each chosen design's Verilog (the modules `magnet elaborate` writes
    /// for the exported design file) and which unique layers its controller runs: the small RTL
    /// layers (named by a path relative to the sweep file) run, and so do full-size ResNet-50
    /// layers, in tiles and channel passes, each with its register program and DRAM layout, and a
    /// testbench for the layer asked for runs bit-exact where it was exported; a
    /// design with a data format the generator lacks gets
    /// no RTL and says why; `--rtl` without `-o` is refused.
    @Test func exportWritesTheRTLAndWhichLayersItRuns() throws {
        let (folder, _, _) = try writeTinySweep(trials: 1)
        try FileManager.default.copyItem(at: CLIRunner.repository.appendingPathComponent("examples/rtl-layers.yaml"),
                                         to: folder.appendingPathComponent("rtl-layers.yaml"))
        func sweep(_ name: String, format: String, accumulationBits: Int) throws -> String {
            let file = folder.appendingPathComponent("\(name).yaml").path
            try """
                study: \(name)
                base: \(CLIRunner.repository.appendingPathComponent("examples/simba-like.yaml").path)
                networks: [rtl-layers.yaml, resnet50]
                space: {numPEs: [2, 4], weightFormat: [\(format)], activationFormat: [\(format)],
                        accumulationBits: [\(accumulationBits)]}
                objectives: [{minimize: energy_per_inference_uJ}]
                budget: {trials: 1}
                mapper: {budget: 30}
                """.write(toFile: file, atomically: true, encoding: .utf8)
            let db = folder.appendingPathComponent("\(name).db").path
            let run = try CLIRunner.run(["sweep", file, "--db", db, "--in-process", "--quiet"])
            #expect(run.status == 0, "\(run.stderr)")
            return db
        }
        let db = try sweep("rtl", format: "int8", accumulationBits: 24)
        let out = folder.appendingPathComponent("out")
        // Run from elsewhere: the study keeps the network file's path as the sweep resolved it.
        let export = try CLIRunner.run(["export", db, "--objective", "energy_per_inference_uJ", "--best-per",
                                        "area_mm2<=100", "-o", out.path, "--rtl", "--rtl-testbench", "rtl-layers:conv3x3"])
        #expect(export.status == 0, "\(export.stderr)")
        let rtl = out.appendingPathComponent("area_mm2-le-100/rtl")
        let listed = try String(contentsOf: rtl.appendingPathComponent("files.f"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(listed.contains("magnet_top.v"))
        let elaborated = folder.appendingPathComponent("elaborated")
        let elaborate = try CLIRunner.run(["elaborate", out.appendingPathComponent("area_mm2-le-100/design.yaml").path,
                                           "-o", elaborated.path])
        #expect(elaborate.status == 0, "\(elaborate.stderr)")
        for name in listed {
            let exported = try String(contentsOf: rtl.appendingPathComponent(name), encoding: .utf8)
            let direct = try String(contentsOf: elaborated.appendingPathComponent(name), encoding: .utf8)
            #expect(exported == direct, "\(name) differs from magnet elaborate's")
        }
        let table = try String(contentsOf: rtl.appendingPathComponent("layers.txt"), encoding: .utf8)
        let rows = table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        let conv3x3 = try #require(rows.first { $0.count > 3 && $0[0] == "rtl-layers" && $0[1] == "conv3x3" })
        #expect(conv3x3.contains("yes"), "\(table)")
        // Full-size ResNet-50 layers, in tiles of output rows and columns; the 3×3 layers over 512
        // channels need more weight vectors per lane than a bank holds and run in channel passes.
        let stem = try #require(rows.first { $0.count > 3 && $0[0] == "resnet50" && $0[1] == "conv1" })
        #expect(stem.contains("yes"), "\(table)")
        let deep = try #require(rows.first { $0.count > 3 && $0[0] == "resnet50" && $0[1] == "layer4.1.conv2" })
        let passes = deep.firstIndex { $0.hasPrefix("passes") }
            .flatMap { $0 >= 3 && deep[$0 - 1] == "channel" ? Int(deep[$0 - 2]) : nil }
        #expect(deep.contains("yes") && (passes ?? 0) > 1, "\(table)")
        let yes = rows.filter { $0.count > 3 && $0.contains("yes") }.count
        let summary = try JSONValue(parsing: String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8))
        guard case .array(let budgets)? = summary["budgets"], let entry = budgets.first?["rtl"] else {
            Issue.record("no rtl entry in summary.json")
            return
        }
        #expect(entry["layers_run"] == .int(yes))
        #expect(entry["layers"] == .int(4 + 24))
        #expect(export.stderr.contains("runs \(yes) of the study's 28 unique layers"))
        // Each layer it runs has its register program: exactly the writes of the testbench that
        // `magnet elaborate --testbench` makes for it (which runs bit-exact), with its cycles and
        // the DRAM regions laid end to end; but for the read-out's requantization, which the
        // program leaves at saturation (the host sets its network's) and the testbench draws.
        let programs = try FileManager.default.contentsOfDirectory(atPath: rtl.appendingPathComponent("programs/resnet50").path)
        #expect(programs.filter { $0.hasSuffix(".json") }.count == yes - 4
                    && programs.filter { $0.hasSuffix(".mapping.yaml") }.count == yes - 4
                    && programs.contains("layer4.1.conv2.json"), "\(programs)")
        let program = try JSONValue(parsing: String(contentsOf: rtl.appendingPathComponent("programs/rtl-layers/conv3x3.json"),
                                                    encoding: .utf8))
        let bench = folder.appendingPathComponent("bench")
        let elaborated3x3 = try CLIRunner.run(["elaborate", out.appendingPathComponent("area_mm2-le-100/design.yaml").path,
                                               "-o", bench.path, "--testbench",
                                               folder.appendingPathComponent("rtl-layers.yaml").path + ":conv3x3"])
        #expect(elaborated3x3.status == 0, "\(elaborated3x3.stderr)")
        let tb = try String(contentsOf: bench.appendingPathComponent("tb.v"), encoding: .utf8)
        let writes = tb.split(separator: "\n").filter { $0.contains("write_register(16'd") }.map { line in
            line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        }
        guard case .array(let registers)? = program["registers"] else {
            Issue.record("no registers in \(program.rendered())")
            return
        }
        // Each tb.v line reads write_register(16'dA, 32'dV): the numbers 16, A, 32, V.
        func int(_ value: JSONValue?) -> Int { value?.doubleValue.map { Int($0) } ?? -1 }
        let requantizing = Set(registers.filter { register in
            ["outputScale", "outputShift", "outputReLU"].contains { register["name"] == .string($0) }
        }.map { int($0["address"]) })
        #expect(requantizing.count == 3)
        #expect(!writes.isEmpty && registers.map { [int($0["address"]), int($0["value"])] }.filter { !requantizing.contains($0[0]) }
                    == writes.map { [$0[1], $0[3]] }.filter { !requantizing.contains($0[0]) })
        func value(_ name: String) -> Int { int(registers.first { $0["name"] == .string(name) }?["value"]) }
        #expect(program["requantization"] == .object([("scale", .int(1)), ("shift", .int(0)), ("relu", .bool(false))])
                    && value("outputScale") == 1 && value("outputShift") == 0 && value("outputReLU") == 0)
        // The testbench's own, stated in its header, in its writes.
        let drawn = writes.filter { requantizing.contains($0[1]) }.map { $0[3] }
        #expect(drawn.count == 3 && drawn[0] >= 1 << 15
                    && tb.contains("Outputs requantized at the read-out: scale \(drawn[0]), shift \(drawn[1])"
                                   + (drawn[2] == 1 ? ", ReLU." : ".")), "\(drawn)")
        #expect(registers.last?["name"] == .string("control") && registers.first?["name"] == .string("kPasses"))
        #expect(registers.contains { $0["name"] == .string("inputOffset[0]") && int($0["address"]) == 64 }
                    && !registers.contains { $0["name"] == .string("unused") })
        #expect(program["layer"] == .string("conv3x3") && program["weight_schedule"] != nil)
        let predicted = int(program["controller_cycles"])
        #expect(elaborated3x3.stdout.contains("controller \(predicted) cycles"), "\(elaborated3x3.stdout)")
        // Its mapping file compiles back to the same program: the same testbench.
        let compiled = folder.appendingPathComponent("compiled")
        let fromMapping = try CLIRunner.run(["elaborate", out.appendingPathComponent("area_mm2-le-100/design.yaml").path,
                                             "-o", compiled.path, "--testbench",
                                             folder.appendingPathComponent("rtl-layers.yaml").path + ":conv3x3",
                                             "--mapping", rtl.appendingPathComponent("programs/rtl-layers/conv3x3.mapping.yaml").path])
        #expect(fromMapping.status == 0 && fromMapping.stdout.contains("compiled "), "\(fromMapping.stderr)")
        #expect(try String(contentsOf: compiled.appendingPathComponent("tb.v"), encoding: .utf8) == tb)
        // The testbench export wrote for it runs bit-exact in those cycles, against the Verilog two
        // folders up; no other layer got one.
        let exportedBench = rtl.appendingPathComponent("testbenches/rtl-layers/conv3x3")
        let ran = CLIRunner.runScript(exportedBench.appendingPathComponent("run_iverilog.sh").path)
        #expect(ran.contains("PASS") && ran.contains("cycles \(predicted) "), "\(ran)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: rtl.appendingPathComponent("testbenches").path)
                    == ["rtl-layers"])
        #expect(try FileManager.default.contentsOfDirectory(
            atPath: rtl.appendingPathComponent("testbenches/rtl-layers").path) == ["conv3x3"])
        let dram = try #require(program["dram"])
        #expect(dram["weights"]?["base"] == .int(0) && dram["weights"]?["words"] == dram["inputs"]?["base"])
        #expect(int(dram["outputs"]?["base"]) + int(dram["outputs"]?["words"]) == int(dram["words"]))

        let floatDB = try sweep("float", format: "bf16", accumulationBits: 32)
        let floatOut = folder.appendingPathComponent("float-out")
        let refused = try CLIRunner.run(["export", floatDB, "--objective", "energy_per_inference_uJ", "--best-per",
                                         "area_mm2<=100", "-o", floatOut.path, "--rtl"])
        #expect(refused.status == 0, "\(refused.stderr)")
        #expect(refused.stderr.contains("no RTL: weightFormat: not supported by the RTL generator yet"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: floatOut.appendingPathComponent("area_mm2-le-100/rtl").path))

        let noFolder = try CLIRunner.run(["export", db, "--objective", "energy_per_inference_uJ", "--best-per",
                                          "area_mm2<=100", "--rtl"])
        #expect(noFolder.status != 0)
        #expect(noFolder.stderr.contains("--rtl writes into the -o folder"), "\(noFolder.stderr)")
        // A testbench for a layer the study does not have is refused before anything is written.
        let typoOut = folder.appendingPathComponent("typo-out")
        let typo = try CLIRunner.run(["export", db, "--objective", "energy_per_inference_uJ", "--best-per",
                                      "area_mm2<=100", "-o", typoOut.path, "--rtl", "--rtl-testbench", "rtl-layers:conv3x4"])
        #expect(typo.status != 0)
        #expect(typo.stderr.contains("error: --rtl-testbench rtl-layers:conv3x4: network `rtl-layers` has no layer "
                                     + "`conv3x4`; did you mean `conv3x3`?"), "\(typo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: typoOut.path))
        for (value, message) in [
            ("resnet51:conv1", "error: --rtl-testbench resnet51:conv1: the study has no network `resnet51`; did you mean "
                + "`resnet50`?"),
            ("conv1", "error: --rtl-testbench conv1: give NETWORK:LAYER (e.g. resnet50:layer1.0.conv2) or all"),
        ] {
            let refused = try CLIRunner.run(["export", db, "--objective", "energy_per_inference_uJ", "--best-per",
                                             "area_mm2<=100", "-o", typoOut.path, "--rtl", "--rtl-testbench", value])
            #expect(refused.status != 0 && refused.stderr.hasPrefix(message), "\(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: typoOut.path))
        }
        let noRTL = try CLIRunner.run(["export", db, "--objective", "energy_per_inference_uJ", "--best-per",
                                       "area_mm2<=100", "-o", typoOut.path, "--rtl-testbench", "all"])
        #expect(noRTL.status != 0 && noRTL.stderr.contains("--rtl-testbench goes with --rtl"), "\(noRTL.stderr)")
    }

    /// Network and layer names that look like paths stay inside the export folder.
    @Test func exportKeepsPathLikeNamesInsideItsFolder() throws {
        let (folder, _, db) = try writeTinySweep(trials: 1)
        let network = folder.appendingPathComponent("hostile.yaml").path
        try """
            name: ../../escape
            layers:
              - {name: ../../../x, type: fc, C: 16, K: 16}
              - {name: a/b, type: fc, C: 32, K: 8}
            """.write(toFile: network, atomically: true, encoding: .utf8)
        let sweep = folder.appendingPathComponent("hostile-sweep.yaml").path
        try """
            study: hostile
            base: \(CLIRunner.repository.appendingPathComponent("examples/simba-like.yaml").path)
            networks: [\(network)]
            space: {numPEs: [2, 4]}
            objectives: [{minimize: energy_per_inference_uJ}]
            budget: {trials: 1}
            mapper: {budget: 50}
            """.write(toFile: sweep, atomically: true, encoding: .utf8)
        let run = try CLIRunner.run(["sweep", sweep, "--db", db, "--in-process", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let out = folder.appendingPathComponent("deep/out")
        let export = try CLIRunner.run(["export", db, "--objective", "energy_per_inference_uJ", "--best-per", "area_mm2<=100",
                                        "-o", out.path])
        #expect(export.status == 0, "\(export.stderr)")
        let mappings = out.appendingPathComponent("area_mm2-le-100/mappings/%2E.%2F..%2Fescape")
        let files = try FileManager.default.contentsOfDirectory(atPath: mappings.path).sorted()
        #expect(files == ["%2E.%2F..%2F..%2Fx.map.yaml", "a%2Fb.map.yaml"])
        // Nothing was written beside or above the output folder.
        let beside = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { !$0.hasPrefix("tiny.") && !$0.hasPrefix("hostile") }
        #expect(beside == ["deep"])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.map.yaml").path))
        #expect(!FileManager.default.fileExists(atPath: folder.deletingLastPathComponent().appendingPathComponent("x.map.yaml").path))
    }

    @Test func aDifferentSpecIsRefusedWithWhatDiffers() throws {
        let (_, sweep, db) = try writeTinySweep(trials: 2)
        #expect(try CLIRunner.run(["sweep", sweep, "--db", db]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let refused = try CLIRunner.run(["sweep", sweep, "--db", db, "--seed", "4"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("error: \(db): holds study `tiny` with a different spec"))
        #expect(refused.stderr.contains("seed: 3 → 4"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        // Asking for fewer trials than the study has says so rather than "done: 2/1".
        let fewer = try CLIRunner.run(["sweep", sweep, "--db", db, "--trials", "1", "--quiet"])
        #expect(fewer.status == 0, "\(fewer.stderr)")
        #expect(fewer.stdout.contains("done: the study already had 2 finished trials, more than the 1 asked for"),
                "\(fewer.stdout)")
        // --resume needs a study file.
        let missing = try CLIRunner.run(["sweep", sweep, "--db", db + ".none", "--resume"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no study file to resume"))
        // Reading commands refuse a file that is not a study.
        let notStudy = try CLIRunner.run(["status", sweep])
        #expect(notStudy.status == 1)
        #expect(notStudy.stderr.contains("is not a magnet study"))
    }

    /// A sweep told to wait for the study file's holder (a requeued job whose predecessor has
    /// not let go yet) waits, then continues the study once the holder has ended.
    @Test func aSweepWaitingForTheOwnerRunsOnceTheOwnerHasEnded() throws {
        let (_, sweep, db) = try writeTinySweep(trials: 4, mapperBudget: 600)
        let first = try launch(["sweep", sweep, "--db", db, "--workers", "1"])
        defer { if first.isRunning { first.terminate() } }
        #expect(waitFor(seconds: 120) { !studyTrials(db).isEmpty })
        let second = try CLIRunner.run(["sweep", sweep, "--db", db, "--workers", "1", "--trials", "6",
                                        "--wait-for-owner", "300"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("the study file is in use by magnet sweep on host "
                                       + "\(ProcessInfo.processInfo.hostName) (pid \(first.processIdentifier), since "),
                "\(second.stderr)")
        #expect(second.stderr.contains("waiting up to 300 s for it to end (--wait-for-owner)"))
        // The first had finished its 4 before the second took the file over.
        #expect(!first.isRunning && first.terminationStatus == 0)
        let trials = studyTrials(db)
        #expect(trials.count == 6 && trials.allSatisfy { $0.state.isFinished && $0.attempt == 1 })
        #expect(Set(trials.map(\.paramsHash)).count == 6)
    }

    @Test func aSecondSweepIsRefusedThenSigkillAndRerunCompleteTheBudgetWithoutRepeats() throws {
        let (_, sweep, db) = try writeTinySweep(trials: 14, mapperBudget: 600)
        let process = try launch(["sweep", sweep, "--db", db, "--workers", "2"])
        #expect(waitFor(seconds: 120) { finishedCount(db) >= 3 })

        // A second sweep on the same file, while the first runs, is refused and changes nothing:
        // no trial of the first is handed back, none is evaluated twice.
        let second = try CLIRunner.run(["sweep", sweep, "--db", db, "--workers", "1", "--trials", "20"])
        #expect(second.status == 1)
        #expect(second.stderr.hasPrefix("error: \(db): is in use by magnet sweep on host \(ProcessInfo.processInfo.hostName) "
                                        + "(pid \(process.processIdentifier), since "), "\(second.stderr)")
        #expect(second.stderr.split(separator: "\n").count == 1)
        #expect(process.isRunning)
        let duringFirst = try StudyStore.open(path: db, readOnly: true)
        #expect(try duringFirst.trials().allSatisfy { $0.attempt == 1 })
        #expect(try !duringFirst.events().contains { $0.kind == .requeue })

        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let killedAt = finishedCount(db)
        #expect(killedAt < 14, "the sweep finished before it was killed; make the trials slower")
        let store = try StudyStore.open(path: db, readOnly: true)
        let runningAtKill = try store.counts()[.running] ?? 0

        // The killed sweep's claim names a process that is gone: the rerun takes the file over.
        #expect(try store.owner()?.pid == process.processIdentifier)
        let rerun = try CLIRunner.run(["sweep", sweep, "--db", db, "--workers", "2"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try store.events().contains { $0.kind == .takeover && $0.message.contains("pid \(process.processIdentifier)") })
        #expect(try store.owner() == nil)
        let trials = try StudyStore.open(path: db, readOnly: true).trials()
        #expect(trials.filter { $0.state.isFinished }.count == 14)
        #expect(trials.count == 14)
        #expect(Set(trials.map(\.paramsHash)).count == 14)
        #expect(trials.filter { $0.attempt == 2 }.count == runningAtKill)
        #expect(rerun.stdout.contains("\(runningAtKill) re-run after an interruption") || runningAtKill == 0)
    }

    @Test func ctrlCStopsCleanlyAndHandsTrialsBack() throws {
        let (_, sweep, db) = try writeTinySweep(trials: 14, mapperBudget: 600)
        let process = try launch(["sweep", sweep, "--db", db, "--workers", "2"])
        #expect(waitFor(seconds: 120) { finishedCount(db) >= 2 })
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let store = try StudyStore.open(path: db, readOnly: true)
        #expect(try store.counts()[.running] == 0)
        #expect(try store.study().status == .stopped || finishedCount(db) == 14)
        #expect(try store.events().contains { $0.kind == .stop } || finishedCount(db) == 14)
    }
}

@Suite struct SweepInputErrorTests {
    @Test func aBadSweepFileIsOneLocatedErrorLine() throws {
        let (folder, sweep, db) = try writeTinySweep(trials: 0)
        let run = try CLIRunner.run(["sweep", sweep, "--db", db])
        #expect(run.status == 1)
        // Line 16 is `budget: {trials: 0}`; the value starts at column 18.
        #expect(run.stderr == "error: \(sweep):16:18: budget.trials: 0 is out of range; allowed: 1...10000000\n", "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))   // nothing created
        _ = folder
    }

    /// On a terminal the sweep keeps one progress line (pseudo-terminal from util-linux `script`).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func aTerminalGetsAProgressLine() throws {
        let (_, sweep, db) = try writeTinySweep(trials: 4)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        let command = [CLIRunner.executable.path, "sweep", sweep, "--db", db, "--workers", "2"].joined(separator: " ")
        process.arguments = ["-qec", command, "/dev/null"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("\r\u{1B}[Ktrials 4/4"), "\(output)")
        #expect(output.contains("trials/s"))
        #expect(output.contains("ETA"))
        #expect(output.contains("best energy_per_inference_uJ"))
        #expect(!output.contains("trial 1 complete in"))  // no per-trial lines on a terminal
    }
}

@Suite struct StudyReadingErrorTests {
    /// Bad arguments to the commands that read a study: one `error:` line naming the option,
    /// with a suggestion, and exit status 1 (argument-shape problems: the parser's usage, 64).
    @Test func badMetricsBoundsAndOptionsAreRefusedClearly() throws {
        let (folder, sweep, db) = try writeTinySweep(trials: 2)
        #expect(try CLIRunner.run(["sweep", sweep, "--db", db, "--quiet"]).status == 0)
        /// One `error:` line and status 1 for every mistake; option mistakes point to the help.
        func check(_ arguments: [String], usage: Bool = false, _ expected: String) throws {
            let run = try CLIRunner.run(arguments)
            #expect(run.status == 1, "\(arguments): \(run.stderr)")
            let hint = usage ? " (see `magnet help` and `magnet VERB --help`)" : ""
            #expect(run.stderr == "error: \(expected)\(hint)\n", "\(arguments)")
        }
        try check(["export", db, "--objective", "energy_per_inferance_uJ", "--best-per", "area_mm2<=1"],
                  "--objective: unknown metric `energy_per_inferance_uJ`; did you mean `energy_per_inference_uJ`?")
        try check(["export", db, "--objective", "latency_ms", "--best-per", "aera_mm2<=1"],
                  "--best-per \"aera_mm2<=1\": unknown metric `aera_mm2`; did you mean `area_mm2`?")
        try check(["export", db, "--objective", "latency_ms", "--best-per", "area_mm2<=1,big"],
                  "--best-per \"area_mm2<=1,big\": `big` is not a number")
        try check(["export", db, "--objective", "latency_ms", "--best-per", "area_mm2~1"],
                  "--best-per \"area_mm2~1\": expected METRIC<=B1,B2,… or METRIC>=B1,B2,…")
        try check(["export", db, "--objective", "latency_ms"], usage: true,
                  "give at least one --best-per clause, e.g. --best-per \"area_mm2<=1,2,4\"")
        try check(["pareto", db, "--svg", folder.appendingPathComponent("f.svg").path, "--y", "latncy_ms"],
                  "--y: unknown metric `latncy_ms`; did you mean `latency_ms`?")
        try check(["pareto", db, "--x", "area_mm2"], usage: true, "--x and --y choose the axes of --svg")
        try check(["trials", db, "--state", "done"], usage: true,
                  "The value 'done' is invalid for '--state <state>'. Please provide one of 'queued', 'running', "
                      + "'complete', 'infeasible' or 'failed'.")
        try check(["export", db, "--objective", "latency_ms", "--best-per", "area_mm2<=1", "--format", "xml"],
                  usage: true, "The value 'xml' is invalid for '--format <format>'. Please provide one of 'yaml', "
                      + "'json' or 'csv'.")
        try check(["export", db, "--objective", "latency_ms", "--best-per", "area_mm2<=1", "--refine-budget", "9"],
                  usage: true, "--refine-top, --refine-budget and --threads go with --refine")
        try check(["export", db, "--objective", "latency_ms", "--best-per", "area_mm2<=1", "--refine", "--refine-top", "0"],
                  usage: true, "--refine-top: give at least 1 (got 0)")
        try check(["export", db, "--objective", "latency_ms", "--best-per", "area_mm2<=1", "--refine",
                   "--refine-budget", "0"], usage: true, "--refine-budget: give at least 1 candidate (got 0)")
        try check(["status"], usage: true, "give a study file or --connect ENDPOINT (one of them)")
        // Timing options must be finite and in range (NaN and infinity were accepted, and no trial ever ran).
        try check(["sweep", "s.yaml", "--lease", "nan"], usage: true, "--lease must be a number of seconds from 1 to 604800, not nan")
        try check(["sweep", "s.yaml", "--minutes", "nan"], usage: true,
                  "--minutes must be a number of minutes from 0.01 to 525600, not nan")
        try check(["coordinator", "s.yaml", "--heartbeat", "inf"], usage: true,
                  "--heartbeat must be a number of seconds from 0.05 to 3600, not inf")
        try check(["coordinator", "s.yaml", "--heartbeat", "1e-9"], usage: true,
                  "--heartbeat must be a number of seconds from 0.05 to 3600, not 1e-09")
        try check(["coordinator", "s.yaml", "--wait-for-owner", "nan"], usage: true,
                  "--wait-for-owner must be a number of seconds from 0 to 86400, not nan")
        try check(["sweep", "s.yaml", "--wait-for-owner", "1e6"], usage: true,
                  "--wait-for-owner must be a number of seconds from 0 to 86400, not 1000000")
        try check(["worker", "--connect", "tcp://127.0.0.1:9", "--give-up-after", "0.5"], usage: true,
                  "--give-up-after must be a number of seconds from 1 to 604800, not 0.5")
        try check(["sweep"], usage: true, "Missing expected argument '<sweep-file>'")
        let endpoint = "ipc://" + folder.appendingPathComponent("nobody.ipc").path
        try check(["status", "--connect", endpoint], "no answer from a coordinator at \(endpoint) within 5 s "
                  + "(is it running? a coordinator with CURVE needs --curve-server-key and --curve-secret-key)")
    }
}

@Suite struct ReadOnlyFolderTests {
    /// `magnet status` of a study in a folder the reader may not write (SQLite cannot read a
    /// WAL-mode file there in place; it said "attempt to write a readonly database").
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func statusReadsAStudyInAReadOnlyFolder() throws {
        let (_, sweep, db) = try writeTinySweep(trials: 2, mapperBudget: 50)
        #expect(try CLIRunner.run(["sweep", sweep, "--db", db, "--in-process", "--quiet"]).status == 0)
        // A folder only root may write, with a copy of magnet (and its resources) anyone may run.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-ro-\(UUID().uuidString)")
        let shelf = root.appendingPathComponent("shelf"), tools = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: shelf, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: tools, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: db, toPath: shelf.appendingPathComponent("tiny.db").path)
        if FileManager.default.fileExists(atPath: db + "-wal") {
            try FileManager.default.copyItem(atPath: db + "-wal", toPath: shelf.appendingPathComponent("tiny.db-wal").path)
        }
        let binary = CLIRunner.executable
        try FileManager.default.copyItem(at: binary, to: tools.appendingPathComponent("magnet"))
        let bundle = "magnet_MagnetDesigner.resources"
        try FileManager.default.copyItem(at: binary.deletingLastPathComponent().appendingPathComponent(bundle),
                                         to: tools.appendingPathComponent(bundle))
        for folder in [root, tools] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: shelf.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", tools.appendingPathComponent("magnet").path,
                             "status", shelf.appendingPathComponent("tiny.db").path, "--json"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(errors)")
        let trials = try JSONValue(parsing: text)["trials"]
        #expect(trials?["total"] == .int(2))
        // Nothing was written beside the study.
        #expect(try FileManager.default.contentsOfDirectory(atPath: shelf.path).allSatisfy { $0.hasPrefix("tiny.db") })
    }
}

/// examples/accuracy.yaml from the repository as it is (after `make venv`): a real model on
/// real held-out data, its accuracy falling as the formats narrow.
@Suite struct AccuracyExampleTests {
    /// Sweeps `examples/NAME.yaml` into a fresh study file; the file and its trials, checked to
    /// be `count`, all complete.
    static func sweep(_ name: String, count: Int) throws -> (db: String, trials: [TrialRecord]) {
        let db = temporaryStudyPath(name)
        let run = try CLIRunner.run(["sweep", "examples/\(name).yaml", "--db", db, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let trials = studyTrials(db)
        #expect(trials.count == count && trials.allSatisfy { $0.state == .complete }, "\(trials.map(\.error))")
        return (db, trials)
    }

    @Test func theAccuracyExampleRunsAndNarrowFormatsCostAccuracy() throws {
        let (_, trials) = try Self.sweep("accuracy", count: 36)
        func accuracy(weights: String, activations: String) -> Set<Double> {
            Set(trials.filter {
                $0.params["weightFormat"] == .string(weights) && $0.params["activationFormat"] == .string(activations)
            }.compactMap { $0.metric("accuracy") })
        }
        // Formats alone decide accuracy (one value per pair, whatever the hardware) ...
        let int8 = try #require(accuracy(weights: "int8", activations: "int8").first)
        #expect(accuracy(weights: "int8", activations: "int8").count == 1)
        // ... and narrower formats lose some of it.
        #expect(try #require(accuracy(weights: "int4", activations: "int8").first) < int8)
        #expect(try #require(accuracy(weights: "int8", activations: "int4").first) < int8)
        #expect(int8 > 0.9)
        #expect(trials.allSatisfy { ($0.metric("accuracy_drop") ?? -1) >= -1e-12 })
    }

    /// examples/accuracy-per-layer.yaml: each layer's activation format searched on its own.
    /// The evaluator sees each layer's formats (fc1 and fc2 at int4 differ in accuracy), the
    /// datapath is as wide as the widest layer, and the study file keeps one answer per question.
    @Test func thePerLayerExampleSearchesEachLayersFormat() throws {
        let (db, trials) = try Self.sweep("accuracy-per-layer", count: 18)
        func trial(_ weights: String, _ fc1: String, _ fc2: String) throws -> TrialRecord {
            try #require(trials.first {
                $0.params["weightFormat"] == .string(weights) && $0.params["activationFormat[fc1]"] == .string(fc1)
                    && $0.params["activationFormat[fc2]"] == .string(fc2)
            })
        }
        let uniform = try trial("int8", "int8", "int8"), narrowFirst = try trial("int8", "int4", "int8")
        let narrowSecond = try trial("int8", "int8", "int4")
        // The layers' formats reach the model: narrowing one layer or the other costs differently.
        #expect(narrowFirst.metric("accuracy") != narrowSecond.metric("accuracy"))
        #expect(try #require(narrowSecond.metric("accuracy")) < (try #require(uniform.metric("accuracy"))))
        // Narrower layers pay less energy on the same datapath; the datapath follows the widest.
        #expect(try #require(narrowFirst.metric("energy_per_inference_uJ"))
                    < (try #require(uniform.metric("energy_per_inference_uJ"))))
        #expect(narrowFirst.metric("area_mm2") == uniform.metric("area_mm2"))
        #expect(try #require(try trial("int8", "int4", "int4").metric("area_mm2"))
                    < (try #require(uniform.metric("area_mm2"))))
        #expect(try #require(try trial("int8", "int16", "int8").metric("area_mm2"))
                    > (try #require(uniform.metric("area_mm2"))))
        // One answer per distinct question: 18 combinations and the int16 reference.
        let store = try StudyStore.open(path: db, readOnly: true)
        #expect(try store.accuracyAnswers().count == 19)
    }
}

/// A study file path in a fresh folder.
func temporaryStudyPath(_ name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent("\(name).db").path
}
