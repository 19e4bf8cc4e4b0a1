import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetStore
import MagnetSweep
import MagnetWorkload

extension BenchCommand {
    /// `magnet bench study-quality`: how far a study's stored layer mappings are from what a much
    /// larger search finds for the same designs.
    struct StudyQuality: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "study-quality",
            abstract: "Sample a study's trials and compare each stored layer's EDP with a much larger search's.",
            discussion: """
            Takes every n-th finished and mapped trial of the study (--trials of them), rebuilds its design, and maps each stored layer shape again with the sampled search at --budget candidates (one thread). The reference is the better of that and the stored mapping; the report gives, per layer, stored / reference EDP: its median, 90th percentile and the share of layers within 1% and 10%.

            Example:
              .build/release/magnet bench study-quality quickstart.db --trials 10 --budget 50000
            """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The study file.")
        var study: String
        @Option(help: "Trials to sample.")
        var trials = 10
        @Option(help: "Candidates per layer of the reference search.")
        var budget = 50_000
        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if trials < 1 { throw ValidationError("--trials must be at least 1") }
            if budget < 1 { throw ValidationError("--budget must be at least 1") }
        }

        func run() throws {
            let view = try StudyView.open(path: study)
            // Mapped trials only: an infeasible design may be recorded unmapped (no cycles).
            let finished = try view.store.trials(in: [.complete, .infeasible]).filter { $0.metric("cycles") != nil }
                .sorted { $0.number < $1.number }
            guard !finished.isEmpty else { throw ValidationError("\(study): no finished trials with mapped layers") }
            let step = max(1, finished.count / max(trials, 1))
            var networks: [String: MagnetWorkload.Network] = [:]
            for entry in view.networks() { networks[entry.name] = try entry.network.get() }
            var ratios: [Double] = []
            /// Per layer shape (by its representative's name): how often it was sampled and beyond 1%.
            var byLayer: [String: (sampled: Int, beyond: Int, worst: Double)] = [:]
            for trial in stride(from: 0, to: finished.count, by: step).prefix(trials).map({ finished[$0] }) {
                let design = try DesignFile.parse(view.designYAML(trial), file: "trial \(trial.number)")
                let hardware = try design.elaborate()
                for record in try view.store.layerResults(trial: trial.number) {
                    guard let network = networks[record.network],
                          let layer = network.layers.first(where: { $0.name == record.layer }) else { continue }
                    let space = MapSpace.template(design: design, hardware: hardware, layer: layer)
                    let stored = record.energyPJ * Double(record.cycles)
                    let searched = MapSearch(space: space).run(budget: budget, threads: 1,
                                                               seed: 7).summary?.energyDelayProduct ?? stored
                    let ratio = stored / min(stored, searched)
                    ratios.append(ratio)
                    let seen = byLayer[record.layer] ?? (0, 0, 1)
                    let beyond = RatioSummary.isWithin1Percent(ratio) ? 0 : 1
                    byLayer[record.layer] = (seen.sampled + 1, seen.beyond + beyond, max(seen.worst, ratio))
                }
                if !json { FileHandle.standardError.write(Data("trial \(trial.number) done\n".utf8)) }
            }
            guard !ratios.isEmpty else { throw ValidationError("\(study): no stored layer could be mapped again") }
            let summary = RatioSummary(ratios)
            let (median, p90) = (summary.median, summary.p90)
            let (within1, within10) = (summary.within1Percent, summary.within10Percent)
            // The layer shapes most often beyond 1%, most first.
            let missed = byLayer.filter { $0.value.beyond > 0 }
                .sorted { ($0.value.beyond, $0.value.worst, $1.key) > ($1.value.beyond, $1.value.worst, $0.key) }
            if json {
                let layers = JSONValue.array(missed.map { name, counts in
                    .object([("layer", .string(name)), ("sampled", .int(counts.sampled)),
                             ("beyond_1_percent", .int(counts.beyond)), ("worst", .double(counts.worst))])
                })
                print(JSONValue.object([("layers", .int(ratios.count)), ("median", .double(median)),
                                        ("p90", .double(p90)), ("within_1_percent", .double(within1)),
                                        ("within_10_percent", .double(within10)),
                                        ("beyond_1_percent_by_layer", layers)]).rendered())
            } else {
                let spread = "median \(NumberText.fixed(median, 3)), 90th percentile \(NumberText.fixed(p90, 3))"
                let shares = "within 1%: \(NumberText.fixed(within1 * 100, 0))%, "
                    + "within 10%: \(NumberText.fixed(within10 * 100, 0))%"
                let sampled = "\(ratios.count) layers of \(min(trials, finished.count)) trials"
                print("\(sampled): stored / reference EDP \(spread); \(shares)")
                if !missed.isEmpty {
                    print("beyond 1% most often: " + missed.prefix(8).map { name, counts in
                        "\(name) \(counts.beyond)/\(counts.sampled) (worst \(NumberText.fixed(counts.worst, 3)))"
                    }.joined(separator: ", "))
                }
            }
        }
    }
}
