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
        /// Seconds to wait for another process holding the study file to end or fall silent
        /// before refusing to run (0: refused at once).
        public var ownerWaitSeconds = 0.0

        /// Creates options.
        public init(slots: Int = ProcessInfo.processInfo.activeProcessorCount, mapperThreads: Int = 1,
                    trials: Int? = nil, minutes: Double? = nil) {
            self.slots = max(slots, 1)
            self.mapperThreads = max(mapperThreads, 1)
            self.trials = trials
            self.minutes = minutes
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
    public var onProgress: ((StudyRun.Progress) -> Void)?
    /// Called when the study file is held by another process and the runner waits for it
    /// (``Options/ownerWaitSeconds``).
    public var onOwnerWait: ((StudyOwner) -> Void)?

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
        let wait = OwnerWait(seconds: options.ownerWaitSeconds, onWait: onOwnerWait, shouldStop: shouldStop)
        return try store.whileOwning(command: "sweep", wait: wait) { try runOwning(shouldStop: shouldStop) }
    }

    func runOwning(shouldStop: @escaping @Sendable () -> Bool) throws -> Report {
        let evaluator = try TrialEvaluator(spec: spec, mapperThreads: options.mapperThreads)
        evaluator.remember(try store.accuracyAnswers())
        var run = try StudyRun(spec: spec, store: store, trials: options.trials, minutes: options.minutes,
                               describing: "sweep in this process, \(options.slots) slot(s)")
        let driver = run.driver
        let mailbox = Mailbox<(number: Int, attempt: Int, outcome: TrialOutcome)>()
        var slotOf: [Int: Int] = [:]
        var freeSlots = Array((1...options.slots).reversed())
        var reason = RunEnd.budget

        while true {
            if shouldStop() { reason = .interrupted; break }
            let timeUp = run.isTimeUp()
            // Hand out work while there are free slots and budget left.
            while !timeUp, let slot = freeSlots.last,
                  let (trial, values) = try run.next(worker: "local-\(slot)", onProgress: onProgress) {
                freeSlots.removeLast()
                slotOf[trial.number] = slot
                let number = trial.number, attempt = trial.attempt
                DispatchQueue.global(qos: .userInitiated).async {
                    mailbox.post((number, attempt, evaluator.evaluate(trial: number, values: values)))
                }
            }
            if let end = run.end(timeUp: timeUp) { reason = end; break }
            guard mailbox.wait(seconds: 0.2) else { continue }
            let results = mailbox.take()
            guard !results.isEmpty else { continue }
            try run.complete(results, onProgress: onProgress)
            for result in results {
                if let slot = slotOf.removeValue(forKey: result.number) { freeSlots.append(slot) }
            }
        }
        let seconds = try run.finish(reason)
        return Report(finished: driver.finished, finishedThisRun: run.finishedThisRun, requeued: driver.requeuedAtStart,
                      reason: reason, seconds: seconds)
    }
}
