import ArgumentParser
import Foundation
import MagnetCore
import MagnetStore

extension BenchCommand {
    /// `magnet bench store`: how fast the study store records trials.
    struct Store: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trials recorded per second in a study file, each with its layer rows (docs/performance.md).",
            discussion: """
            Writes --trials finished trials, each with --layers layer rows (ResNet-50 has 24 unique shapes; two networks about 50), into a new study file in a temporary folder, --batch trials per transaction, and reports the median rate over --repeats runs.

            Example:
              .build/release/magnet bench store --batch 1 --batch 16
            """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Trials per run.")
        var trials = 2_000
        @Option(help: "Layer rows per trial.")
        var layers = 50
        @Option(parsing: .singleValue, help: "Trials per transaction (repeatable).")
        var batch: [Int] = []
        @Option(help: "Timed runs; the median is reported.")
        var repeats = 5
        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let batches = batch.isEmpty ? [1, 16] : batch
            var rows: [JSONValue] = []
            let mapping = String(repeating: "  - target: Level\n    type: temporal\n    factors: C4 K4 P7 Q7 N1 G1 R1 S1\n", count: 8)
            for size in batches {
                var rates: [Double] = []
                for run in 0..<repeats {
                    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-bench-store-\(UUID().uuidString)")
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    defer { try? FileManager.default.removeItem(at: folder) }
                    let store = try StudyStore.create(path: folder.appendingPathComponent("bench.db").path,
                                                      study: StudyRecord(name: "bench", specJSON: "{}", seed: UInt64(run), magnetVersion: MagnetVersion.string))
                    let metrics = (0..<13).map { ("metric_\($0)", Double($0) * 1.5) }
                    let start = Date()
                    var number = 1
                    while number <= trials {
                        var results: [(trial: TrialRecord, layers: [LayerResultRecord])] = []
                        for _ in 0..<min(size, trials - number + 1) {
                            let trial = TrialRecord(number: number, params: .object([("numPEs", .int(number % 64)), ("dataflow", "WS")]),
                                                    state: .complete, worker: "local-1", startedAt: 1, finishedAt: 2,
                                                    metrics: metrics, violations: [-0.5])
                            let rows = (0..<layers).map {
                                LayerResultRecord(trial: number, network: "resnet50", layer: "layer\($0)", count: 1, layerNames: "layer\($0)",
                                                  energyPJ: 1e6, cycles: 100_000, utilization: 0.5, mappingYAML: mapping)
                            }
                            results.append((trial, rows))
                            number += 1
                        }
                        try store.record(results)
                    }
                    rates.append(Double(trials) / Date().timeIntervalSince(start))
                }
                let median = Tuner.median(rates)
                rows.append(.object([("batch", .int(size)), ("layers_per_trial", .int(layers)), ("trials", .int(trials)),
                                     ("median_trials_per_second", .double(median)),
                                     ("median_layer_rows_per_second", .double(median * Double(layers)))]))
                if !json {
                    print("\(size) trial(s) per transaction, \(layers) layer rows each: \(NumberText.fixed(median, 0)) trials/s (\(NumberText.fixed(median * Double(layers), 0)) layer rows/s), median of \(repeats)")
                }
            }
            if json { print(JSONValue.array(rows).rendered()) }
        }
    }
}
