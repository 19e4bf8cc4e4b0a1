import Foundation
import MagnetCore
import MagnetStore
import MagnetTuner

/// Runs a study in this process: proposes design points from the strategy, evaluates them on
/// `slots` threads, and records every result in the store as it arrives.
///
/// The store is the runner's memory. On start, trials left `running` by an interrupted run are
/// handed back to `queued` and evaluated first, and the strategy is rebuilt by replaying the
/// finished trials in the order they finished; so stopping (Ctrl-C, SIGKILL, a crash) and
/// running again reaches the budget without evaluating a finished trial twice.
public final class SweepRunner: @unchecked Sendable {
    /// How a run is carried out.
    public struct Options: Sendable {
        /// Trials evaluated at once (default: one per core).
        public var slots: Int
        /// Mapper threads per trial.
        public var mapperThreads: Int
        /// Finished trials to reach (overrides the spec's budget).
        public var trials: Int?
        /// Minutes for this run (overrides the spec's budget).
        public var minutes: Double?

        /// Creates options.
        public init(slots: Int = ProcessInfo.processInfo.activeProcessorCount, mapperThreads: Int = 1,
                    trials: Int? = nil, minutes: Double? = nil) {
            self.slots = max(slots, 1)
            self.mapperThreads = max(mapperThreads, 1)
            self.trials = trials
            self.minutes = minutes
        }
    }

    /// What the runner reports after each finished trial.
    public struct Progress: Sendable {
        /// The trial that just finished.
        public var trial: TrialRecord
        /// Finished trials so far (this run and earlier ones).
        public var finished: Int
        /// The trial budget (`nil` when only time-limited).
        public var target: Int?
        /// Trials being evaluated.
        public var running: Int
        /// The best feasible trial on the first objective, with its value.
        public var best: (trial: Int, value: Double)?
        /// Trials finished per second in this run.
        public var rate: Double
        /// Estimated seconds to the budget.
        public var etaSeconds: Double?
    }

    /// How a run ended.
    public struct Report: Sendable {
        /// Finished trials in the study.
        public var finished: Int
        /// Trials finished in this run.
        public var finishedThisRun: Int
        /// Trials handed back to the queue at the start (from an interrupted run).
        public var requeued: Int
        /// Why the run ended: `budget`, `time`, `exhausted` (no unseen point left) or `interrupted`.
        public var reason: String
        /// Seconds this run took.
        public var seconds: Double
    }

    let spec: SweepSpec
    let store: StudyStore
    let evaluator: TrialEvaluator
    let options: Options
    /// Called after each finished trial, on the runner's thread.
    public var onProgress: ((Progress) -> Void)?

    /// Creates a runner for `spec` over `store`.
    public init(spec: SweepSpec, store: StudyStore, options: Options = Options()) {
        self.spec = spec
        self.store = store
        self.options = options
        self.evaluator = TrialEvaluator(spec: spec, mapperThreads: options.mapperThreads)
    }

    /// Runs until the budget is met, the time is up, the space is exhausted or `shouldStop`
    /// returns true (checked several times a second). On a stop, trials in flight go back to
    /// the queue, to be evaluated first by the next run.
    public func run(shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> Report {
        let start = Date()
        let requeued = try store.requeueRunning()
        if requeued > 0 {
            try store.log(EventRecord(kind: "requeue", message: "\(requeued) trial(s) left running by an interrupted run handed back to the queue"))
        }
        try store.setStatus("running")
        var strategy = spec.makeStrategy()
        var finishedTrials = try store.finishedTrialsInObservationOrder()
        for trial in finishedTrials {
            if let observation = spec.observation(of: trial) { strategy.observe(observation) }
        }
        var best = bestFeasible(finishedTrials)
        var queued = try store.trials(in: [.queued])
        let target = options.trials ?? spec.budget.trials
        let minutes = options.minutes ?? (options.trials == nil ? spec.budget.minutes : nil)
        let deadline = minutes.map { start.addingTimeInterval($0 * 60) }
        try store.log(EventRecord(kind: finishedTrials.isEmpty && requeued == 0 ? "start" : "resume",
                                  message: "\(finishedTrials.count) finished; target \(target.map(String.init) ?? "none"); \(options.slots) slot(s)"))

        let mailbox = Mailbox()
        var inFlight: [Int: (trial: TrialRecord, slot: Int)] = [:]
        var freeSlots = Array((1...options.slots).reversed())
        var finished = finishedTrials.count
        var finishedThisRun = 0
        var reason = "budget"
        var exhausted = false
        finishedTrials = []

        func pendingPoints() -> [[Parameter.Value]] {
            (inFlight.values.map(\.trial) + queued).compactMap { spec.values(from: $0.params) }
        }

        while true {
            if shouldStop() { reason = "interrupted"; break }
            let timeUp = deadline.map { Date() >= $0 } ?? false
            // Hand out work while there are free slots and budget left.
            while !timeUp, !exhausted, let slot = freeSlots.last, finished + inFlight.count < (target ?? Int.max) {
                var trial: TrialRecord
                if !queued.isEmpty {
                    trial = queued.removeFirst()
                } else {
                    guard let point = strategy.propose(count: 1, pending: pendingPoints()).first else { exhausted = true; break }
                    trial = TrialRecord(number: try store.nextTrialNumber(), params: spec.paramsJSON(point))
                }
                guard let values = spec.values(from: trial.params) else {
                    trial.state = .failed
                    trial.error = "params do not fit the study's space"
                    trial.finishedAt = Date().timeIntervalSince1970
                    try store.record([(trial, [])])
                    continue
                }
                freeSlots.removeLast()
                trial.state = .running
                trial.worker = "local-\(slot)"
                trial.startedAt = Date().timeIntervalSince1970
                try store.insert([trial])
                inFlight[trial.number] = (trial, slot)
                let evaluator = self.evaluator
                let number = trial.number
                DispatchQueue.global(qos: .userInitiated).async {
                    let outcome = evaluator.evaluate(trial: number, values: values)
                    mailbox.post(number, outcome)
                }
            }
            if inFlight.isEmpty {
                if timeUp { reason = "time" } else if exhausted { reason = "exhausted" }
                break
            }
            guard mailbox.wait(seconds: 0.2) else { continue }
            var results: [(trial: TrialRecord, layers: [LayerResultRecord])] = []
            for (number, outcome) in mailbox.take() {
                guard let entry = inFlight.removeValue(forKey: number) else { continue }
                freeSlots.append(entry.slot)
                var trial = entry.trial
                trial.state = outcome.state
                trial.metrics = outcome.metrics
                trial.violations = outcome.violations
                trial.error = outcome.error
                trial.finishedAt = Date().timeIntervalSince1970
                results.append((trial, outcome.layers))
            }
            guard !results.isEmpty else { continue }
            try store.record(results)
            for (trial, _) in results {
                finished += 1
                finishedThisRun += 1
                if let observation = spec.observation(of: trial) { strategy.observe(observation) }
                if let candidate = bestFeasible([trial]), best.map({ isBetter(candidate.value, than: $0.value) }) ?? true {
                    best = candidate
                }
                let elapsed = Date().timeIntervalSince(start)
                let rate = Double(finishedThisRun) / max(elapsed, 1e-9)
                let eta = target.map { Double(max($0 - finished, 0)) / max(rate, 1e-9) }
                onProgress?(Progress(trial: trial, finished: finished, target: target, running: inFlight.count,
                                     best: best, rate: rate, etaSeconds: eta))
            }
        }
        if reason == "interrupted" {
            let handedBack = try store.requeueRunning()
            try store.log(EventRecord(kind: "stop", message: "interrupted; \(handedBack) trial(s) in flight handed back to the queue"))
            try store.setStatus("stopped")
        } else {
            let done = reason == "budget" || reason == "exhausted"
            try store.log(EventRecord(kind: done ? "finish" : "stop", message: "\(reason): \(finished) finished"))
            try store.setStatus(done ? "finished" : "stopped")
        }
        return Report(finished: finished, finishedThisRun: finishedThisRun, requeued: requeued, reason: reason,
                      seconds: Date().timeIntervalSince(start))
    }

    func isBetter(_ a: Double, than b: Double) -> Bool {
        spec.objectives[0].direction == .minimize ? a < b : a > b
    }

    func bestFeasible(_ trials: [TrialRecord]) -> (trial: Int, value: Double)? {
        var best: (trial: Int, value: Double)?
        for trial in trials where trial.state == .complete {
            guard let value = trial.metric(spec.objectives[0].metric) else { continue }
            if best.map({ isBetter(value, than: $0.value) }) ?? true { best = (trial.number, value) }
        }
        return best
    }
}

/// Results posted by evaluation threads, taken by the runner.
final class Mailbox: @unchecked Sendable {
    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var items: [(Int, TrialOutcome)] = []

    func post(_ number: Int, _ outcome: TrialOutcome) {
        lock.lock()
        items.append((number, outcome))
        lock.unlock()
        signal.signal()
    }

    /// Waits up to `seconds` for a post; true if one arrived.
    func wait(seconds: Double) -> Bool {
        signal.wait(timeout: .now() + seconds) == .success
    }

    func take() -> [(Int, TrialOutcome)] {
        lock.lock()
        defer { lock.unlock() }
        let taken = items
        items = []
        return taken
    }
}
