import ArgumentParser
import Foundation
import MagnetCore
import MagnetStore
import MagnetSweep

/// `magnet export`: the best design for each constraint budget.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the best feasible design for each budget (e.g. each area limit), with its mappings and metrics.",
        discussion: """
        --best-per "METRIC<=A,B,C" makes one budget per bound; several --best-per clauses combine (every combination is a budget). For each budget, the best complete trial (feasible under the study's own constraints) that also meets the budget is chosen by --objective. A budget no trial meets is reported as such.

        With -o DIR, each chosen design gets a folder DIR/BUDGET/ with design.yaml (magnet design show / magnet map read it), mappings/NETWORK/LAYER.map.yaml for each unique layer shape (magnet model --mapping reads them) and a metrics file; DIR/summary.json lists every budget with its trial number and metrics, or null. With --rtl each folder also gets rtl/: the design's Verilog (as magnet elaborate writes it), rtl/layers.txt, which of the study's unique layers its controller runs, with the reason for the others, and rtl/programs/NETWORK/LAYER.json, each layer's register program and DRAM layout; --rtl-testbench NETWORK:LAYER (or all) adds a testbench under rtl/testbenches/ (docs/rtl.md). With --refine, each budget's --refine-top best trials are mapped again with --refine-budget candidates per layer (each layer starting from its stored mapping) and the choice is made by the new figures, which the files then carry (docs/sweeps.md, "Refining the choice").

        Examples:
          magnet export quickstart.db --objective energy_per_inference_uJ --best-per "area_mm2<=0.5,1,2"
          magnet export quickstart.db --objective latency_ms --best-per "area_mm2<=1,2" --best-per "power_w<=1" -o best/
          magnet export quickstart.db --objective tops_per_w --best-per "area_mm2<=1" --format json
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study file.")
    var db: String
    @Option(help: "The metric to optimize within each budget (maximized if it is a rate or efficiency such as tops_per_w, else minimized; see --maximize).")
    var objective: String
    @Flag(help: "Maximize the objective (default: its natural direction).")
    var maximize = false
    @Flag(help: "Minimize the objective (default: its natural direction).")
    var minimize = false
    @Option(name: .customLong("best-per"), help: "Budgets: METRIC<=B1,B2,… or METRIC>=B1,B2,… (repeatable).")
    var bestPer: [String] = []
    @Option(help: "Output and metrics-file format.")
    var format: ExportFormat = .yaml
    @Option(name: [.customShort("o"), .customLong("output")], help: "Write each chosen design's files and summary.json into this folder.")
    var output: String?
    @Flag(help: """
        With -o: also write each design's Verilog into its folder's rtl/, with rtl/layers.txt saying which of the \
        study's layers it runs and rtl/programs/ their register programs.
        """)
    var rtl = false
    @Option(name: .customLong("rtl-testbench"), help: ArgumentHelp(
        "With --rtl: also write a testbench for NETWORK:LAYER into rtl/testbenches/NETWORK/LAYER/ (repeatable); "
            + "`all` for every layer the controller runs.",
        discussion: "Random data (seed 1); run_iverilog.sh or run_verilator.sh runs it bit-exact against the "
            + "reference convolution. A full-size layer's DRAM image is megabytes."))
    var rtlTestbench: [String] = []
    @Flag(help: ArgumentHelp("Map each budget's best trials again with a larger search and choose by the new figures.",
                             discussion: "Each layer's search starts from its stored mapping."))
    var refine = false
    @Option(name: .customLong("refine-top"), help: "With --refine: how many of each budget's best trials to map again.")
    var refineTop = 3
    @Option(name: .customLong("refine-budget"), help: "With --refine: candidates per layer shape.")
    var refineBudget = 30_000
    @Option(help: "With --refine: threads per layer's search (default: one per core).")
    var threads: Int?

    func validate() throws {
        if maximize && minimize { throw ValidationError("choose one of --maximize and --minimize") }
        if rtl && output == nil { throw ValidationError("--rtl writes into the -o folder: give -o DIR") }
        if !rtlTestbench.isEmpty && !rtl { throw ValidationError("--rtl-testbench goes with --rtl") }
        for name in rtlTestbench where name != "all" && !name.contains(":") {
            throw ValidationError("--rtl-testbench \(name): give NETWORK:LAYER (e.g. resnet50:layer1.0.conv2) or all")
        }
        if !refine && (refineTop != 3 || refineBudget != 30_000 || threads != nil) {
            throw ValidationError("--refine-top, --refine-budget and --threads go with --refine")
        }
        if refineTop < 1 { throw ValidationError("--refine-top: give at least 1 (got \(refineTop))") }
        if refineBudget < 1 { throw ValidationError("--refine-budget: give at least 1 candidate (got \(refineBudget))") }
        if let threads, threads < 1 { throw ValidationError("--threads: give at least 1 (got \(threads))") }
        if bestPer.isEmpty { throw ValidationError("give at least one --best-per clause, e.g. --best-per \"area_mm2<=1,2,4\"") }
    }

    /// One budget: a constraint per clause.
    struct Budget {
        var constraints: [ConstraintSpec]
        var label: String { constraints.map { "\($0.metric)\($0.relation.rawValue)\(Format.number($0.bound))" }.joined(separator: " ") }
        var slug: String {
            constraints.map { "\($0.metric)-\($0.relation == .atMost ? "le" : "ge")-\(Format.number($0.bound))" }.joined(separator: "_")
        }
    }

    func run() throws {
        let view = try StudyView.open(path: db)
        let trials = try view.store.trials()
        let known = Set(trials.flatMap { $0.metrics.map(\.0) }).union(Metric.names)
        func check(_ metric: String, _ what: String) throws {
            guard known.contains(metric) else {
                var message = "\(what): unknown metric `\(metric)`"
                if let near = NearestName.suggestion(for: metric, among: known.sorted()) { message += "; did you mean `\(near)`?" }
                throw ValidationError(message)
            }
        }
        try check(objective, "--objective")
        let direction: Direction = maximize ? .maximize : minimize ? .minimize : Metric.naturalDirection(objective)
        let goal = ObjectiveSpec(metric: objective, direction: direction)

        var clauses: [[ConstraintSpec]] = []
        for clause in bestPer {
            guard let relation = ConstraintSpec.Relation.allCases.first(where: { clause.contains($0.rawValue) }),
                  let range = clause.range(of: relation.rawValue) else {
                throw ValidationError("--best-per \"\(clause)\": expected METRIC<=B1,B2,… or METRIC>=B1,B2,…")
            }
            let metric = clause[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            try check(metric, "--best-per \"\(clause)\"")
            let bounds = try clause[range.upperBound...].split(separator: ",").map { text -> Double in
                guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                    throw ValidationError("--best-per \"\(clause)\": `\(text)` is not a number")
                }
                return value
            }
            guard !bounds.isEmpty else { throw ValidationError("--best-per \"\(clause)\": give at least one bound") }
            clauses.append(bounds.map { ConstraintSpec(metric: metric, relation: relation, bound: $0) })
        }
        var budgets = [Budget(constraints: [])]
        for clause in clauses {
            budgets = budgets.flatMap { budget in clause.map { Budget(constraints: budget.constraints + [$0]) } }
        }

        let refinement = refine ? try refineChoices(view: view, trials: trials, goal: goal, budgets: budgets) : nil
        let chosen = budgets.map { budget in
            (budget, refinement.map { $0.choice(of: budget) } ?? StudyView.best(trials, objective: goal,
                                                                                  within: budget.constraints))
        }
        var rtlOutcomes: [String: RTLOutcome] = [:]
        let rtlNetworks = rtl ? StudyNetwork.all(of: view) : []
        let testbenches = try TestbenchChoice(rtlTestbench, networks: rtlNetworks)
        let columns = TrialColumns(view: view, trials: chosen.compactMap(\.1))
        func metricsJSON(_ trial: TrialRecord) -> JSONValue { .object(trial.metrics.map { ($0.0, .double($0.1)) }) }
        func entry(_ budget: Budget, _ trial: TrialRecord?) -> JSONValue {
            .object([("budget", .string(budget.label)), ("objective", .string(goal.text)),
                     ("trial", .optional(trial?.number)), ("params", trial?.params ?? .null),
                     ("metrics", trial.map(metricsJSON) ?? .null),
                     ("directory", trial == nil || output == nil ? .null : .string(FileName.component(budget.slug)))]
                    + (rtl ? [("rtl", rtlOutcomes[budget.slug]?.json ?? .null)] : [])
                    + (refinement.map { [("refinement", $0.json(of: budget, objective: objective))] } ?? []))
        }

        switch format {
        case .json:
            print(JSONValue.array(chosen.map(entry)).rendered())
        case .csv:
            var lines = [(["budget", "trial"] + view.parameterNames + columns.metrics).map(TrialColumns.csvField).joined(separator: ",")]
            for (budget, trial) in chosen {
                var fields: [String] = [budget.label, trial.map { String($0.number) } ?? "none"]
                fields += view.parameterNames.map { name -> String in trial.map { columns.paramText($0, name) } ?? "" }
                fields += columns.metrics.map { name -> String in
                    trial?.metric(name).map(NumberText.compact) ?? ""
                }
                lines.append(fields.map(TrialColumns.csvField).joined(separator: ","))
            }
            print(lines.joined(separator: "\n"))
        default:
            for (budget, trial) in chosen {
                guard let trial else {
                    print("\(budget.label): no feasible trial meets this budget")
                    continue
                }
                let params = view.parameterNames.map { "\($0)=\(columns.paramText(trial, $0))" }.joined(separator: " ")
                print("\(budget.label): trial \(trial.number), \(objective) \(Format.number(trial.metric(objective) ?? .nan))"
                      + (refinement.map { $0.note(of: budget, objective: objective) } ?? "") + " — \(params)")
            }
        }

        guard let output else { return }
        let root = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (budget, trial) in chosen {
            guard let trial else { continue }
            let folder = root.appendingPathComponent(FileName.component(budget.slug))
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("mappings"), withIntermediateDirectories: true)
            let designFile = folder.appendingPathComponent("design.yaml")
            try view.designYAML(trial).write(to: designFile, atomically: true, encoding: .utf8)
            if rtl {
                let outcome = try Self.writeRTL(designFile: designFile, into: folder.appendingPathComponent(Self.rtlFolderName),
                                                networks: rtlNetworks, testbenches: testbenches)
                rtlOutcomes[budget.slug] = outcome
                switch outcome {
                case let .written(run, layers):
                    FileHandle.standardError.write(Data(("\(budget.label): RTL in \(FileName.component(budget.slug))/"
                        + "\(Self.rtlFolderName)/, which runs \(run) of the study's \(layers) unique layers "
                        + "(\(Self.rtlFolderName)/\(Self.rtlLayersFileName))\n").utf8))
                case let .refused(reason):
                    FileHandle.standardError.write(Data("\(budget.label): no RTL: \(reason)\n".utf8))
                }
            }
            for layer in try refinement?.layers(of: budget) ?? view.store.layerResults(trial: trial.number) {
                // Network and layer names come from the user's files: one safe component each.
                let networkFolder = folder.appendingPathComponent("mappings").appendingPathComponent(FileName.component(layer.network))
                try FileManager.default.createDirectory(at: networkFolder, withIntermediateDirectories: true)
                let header = "# \(layer.network) \(layer.layer): \(layer.count) layer(s) of this shape (\(layer.layerNames)); "
                    + "energy \(Format.number(layer.energyPJ)) pJ, \(layer.cycles) cycles, utilization \(String(format: "%.3f", layer.utilization))\n"
                try (header + layer.mappingYAML).write(to: networkFolder.appendingPathComponent(FileName.component(layer.layer) + ".map.yaml"),
                                                       atomically: true, encoding: .utf8)
            }
            let metricsText: String
            switch format {
            case .json: metricsText = metricsJSON(trial).rendered() + "\n"
            case .csv:
                metricsText = "metric,value\n"
                    + trial.metrics.map { "\($0.0),\(NumberText.compact($0.1))" }.joined(separator: "\n") + "\n"
            case .yaml: metricsText = trial.metrics.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
            }
            try metricsText.write(to: folder.appendingPathComponent("metrics.\(format.rawValue)"), atomically: true,
                                  encoding: .utf8)
        }
        let summary = JSONValue.object([
            ("study", .string(view.study.name)), ("file", .string(db)), ("objective", .string(goal.text)),
            ("budgets", .array(chosen.map(entry))),
        ])
        try (summary.rendered() + "\n").write(to: root.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
        FileHandle.standardError.write(Data("wrote \(chosen.filter { $0.1 != nil }.count) design(s) and summary.json to \(output)\n".utf8))
    }
}

/// What `magnet export --format` writes.
enum ExportFormat: String, CaseIterable, ExpressibleByArgument {
    case yaml, json, csv
}
