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

        /// Creates a progress report.
        public init(trial: TrialRecord, finished: Int, target: Int?, running: Int, best: (trial: Int, value: Double)?,
                    rate: Double, etaSeconds: Double?) {
            self.trial = trial
            self.finished = finished
            self.target = target
            self.running = running
            self.best = best
            self.rate = rate
            self.etaSeconds = etaSeconds
        }
    }

    /// How a run ended.
    public struct Report: Sendable {
        /// Finished trials in the study.
        public var finished: Int
        /// Trials finished in this run.
        public var finishedThisRun: Int
        /// Trials handed back to the queue at the start (from an interrupted run).
        public var requeued: Int
        /// Why the run ended.
        public var reason: RunEnd
        /// Seconds this run took.
        public var seconds: Double
    }

    let spec: SweepSpec
    let store: StudyStore
    let options: Options
    /// Called after each finished trial, on the runner's thread.
    public var onProgress: ((Progress) -> Void)?

    /// Creates a runner for `spec` over `store`.
    public init(spec: SweepSpec, store: StudyStore, options: Options = Options()) {
        self.spec = spec
        self.store = store
        self.options = options
    }

    /// Runs until the budget is met, the time is up, the space is exhausted or `shouldStop`
    /// returns true (checked several times a second). On a stop, trials in flight go back to
    /// the queue, to be evaluated first by the next run. The study file is held for the run
    /// (``StudyStore/whileOwning(command:_:)``): refused while another process holds it.
    public func run(shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> Report {
        try store.whileOwning(command: "sweep") { try runOwning(shouldStop: shouldStop) }
    }

    func runOwning(shouldStop: @escaping @Sendable () -> Bool) throws -> Report {
        let start = Date()
        let evaluator = try TrialEvaluator(spec: spec, mapperThreads: options.mapperThreads)
        try store.setStatus(.running)
        let driver = try StudyDriver(spec: spec, store: store)
        let target = options.trials ?? spec.budget.trials
        let minutes = options.minutes ?? (options.trials == nil ? spec.budget.minutes : nil)
        let deadline = minutes.map { start.addingTimeInterval($0 * 60) }
        try store.log(EventRecord(kind: driver.finished == 0 && driver.requeuedAtStart == 0 ? .start : .resume,
                                  message: "\(driver.finished) finished; target \(target.map(String.init) ?? "none"); \(options.slots) slot(s)"))

        let mailbox = Mailbox<(number: Int, attempt: Int, outcome: TrialOutcome)>()
        var slotOf: [Int: Int] = [:]
        var freeSlots = Array((1...options.slots).reversed())
        var finishedThisRun = 0
        var reason = RunEnd.budget

        while true {
            if shouldStop() { reason = .interrupted; break }
            let timeUp = deadline.map { Date() >= $0 } ?? false
            // Hand out work while there are free slots and budget left.
            while !timeUp, let slot = freeSlots.last, let (trial, values) = try driver.next(worker: "local-\(slot)", target: target) {
                freeSlots.removeLast()
                slotOf[trial.number] = slot
                let number = trial.number, attempt = trial.attempt
                DispatchQueue.global(qos: .userInitiated).async {
                    mailbox.post((number, attempt, evaluator.evaluate(trial: number, values: values)))
                }
            }
            if driver.inFlight.isEmpty {
                if timeUp { reason = .time } else if driver.exhausted { reason = .exhausted }
                break
            }
            guard mailbox.wait(seconds: 0.2) else { continue }
            let results = mailbox.take()
            guard !results.isEmpty else { continue }
            let accepted = try driver.complete(results.map { ($0.number, $0.attempt, $0.outcome) })
            var finishedSoFar = driver.finished - accepted.compactMap { $0 }.count
            for (result, record) in zip(results, accepted) {
                if let slot = slotOf.removeValue(forKey: result.number) { freeSlots.append(slot) }
                guard let trial = record else { continue }
                finishedThisRun += 1
                finishedSoFar += 1
                let elapsed = Date().timeIntervalSince(start)
                let rate = Double(finishedThisRun) / max(elapsed, 1e-9)
                let eta = target.map { Double(max($0 - finishedSoFar, 0)) / max(rate, 1e-9) }
                onProgress?(Progress(trial: trial, finished: finishedSoFar, target: target, running: driver.inFlight.count,
                                     best: driver.best, rate: rate, etaSeconds: eta))
            }
        }
        try driver.stop(reason)
        return Report(finished: driver.finished, finishedThisRun: finishedThisRun, requeued: driver.requeuedAtStart, reason: reason,
                      seconds: Date().timeIntervalSince(start))
    }
}
