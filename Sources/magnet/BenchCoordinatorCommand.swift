import ArgumentParser
import Foundation
import MagnetCluster
import MagnetCore
import MagnetStore
import MagnetSweep

extension BenchCommand {
    /// `magnet bench coordinator`: trials per second through the coordinator alone.
    struct CoordinatorBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "coordinator",
            abstract: "Trials per second through a coordinator with many simulated workers that answer at once (docs/performance.md).",
            discussion: """
            Runs a coordinator on tcp loopback with a random strategy over a large space, and --workers simulated workers on one thread, each answering every task immediately with fixed metrics; every result is recorded in a fresh study file. Reports trials per second and the process's peak RSS after each --checkpoint count of trials.

            Example:
              .build/release/magnet bench coordinator --workers 256 --trials 20000
            """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Simulated workers.")
        var workers = 256
        @Option(parsing: .upToNextOption, help: "Trial counts to run to, one study each (peak RSS is reported after each).")
        var trials: [Int] = [1_000, 20_000]
        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-bench-coordinator-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let network = folder.appendingPathComponent("net.yaml").path
            try "name: one\nlayers:\n  - {name: fc, type: fc, C: 64, K: 64}\n".write(toFile: network, atomically: true, encoding: .utf8)
            var rows: [JSONValue] = []
            for (index, count) in trials.enumerated() {
                let sweep = """
                    study: bench
                    networks: [\(network)]
                    space:
                      numPEs: {range: [1, 1000]}
                      lanes: {range: [1, 1000]}
                      vectorSize: {range: [1, 1000]}
                      weightBuffer: 32 KiB
                      inputBuffer: 8 KiB
                      accumulationBuffer: 3 KiB
                      globalBuffer: 64 KiB
                      dramBandwidthGBps: 25.6
                    objectives: [{minimize: energy_per_inference_uJ}]
                    strategy: random
                    budget: {trials: \(count)}
                    """
                let spec = try SweepSpec.parse(sweep, file: folder.appendingPathComponent("bench.yaml").path)
                let store = try StudyStore.create(path: folder.appendingPathComponent("bench-\(index).db").path,
                                                  study: StudyRecord(name: "bench", specJSON: spec.canonicalJSON.rendered(pretty: false),
                                                                     seed: 1, magnetVersion: MagnetVersion.string))
                let endpoint = LockedValue<String?>(nil)
                let simulated = LockedValue<Int>(0)
                let start = Date()
                let coordinatorDone = LockedValue(false)
                let coordinatorThread = Thread {
                    let coordinator = Coordinator(spec: spec, store: store, options: Coordinator.Options(endpoint: "tcp://127.0.0.1:*"))
                    coordinator.onBound = { endpoint.set($0) }
                    _ = try? coordinator.run()
                    coordinatorDone.set(true)
                }
                coordinatorThread.start()
                while endpoint.get() == nil { usleep(1000) }
                let simulators = Thread {
                    let sent = (try? SimulatedWorkers(endpoint: endpoint.get()!, count: workers).run { coordinatorDone.get() }) ?? -1
                    simulated.set(sent)
                }
                simulators.start()
                while !coordinatorDone.get() || simulated.get() == 0 { usleep(5_000) }
                let seconds = Date().timeIntervalSince(start)
                var usage = rusage()
                getrusage(RUSAGE_SELF.rawValue, &usage)
                let peakMB = Double(usage.ru_maxrss) / 1024
                let rate = Double(count) / seconds
                rows.append(.object([("workers", .int(workers)), ("trials", .int(count)), ("seconds", .double(seconds)),
                                     ("trials_per_second", .double(rate)), ("peak_rss_MB", .double(peakMB))]))
                if !json {
                    print("\(workers) simulated workers, \(count) trials recorded: \(NumberText.fixed(seconds, 2)) s, \(NumberText.fixed(rate, 0)) trials/s, peak RSS \(NumberText.fixed(peakMB, 1)) MB")
                }
            }
            if json { print(JSONValue.array(rows).rendered()) }
        }
    }
}

/// A value shared between threads.
final class LockedValue<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ newValue: T) { lock.lock(); value = newValue; lock.unlock() }
}
