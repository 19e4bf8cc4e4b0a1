import Foundation
import MagnetStore
import MagnetTuner

/// One run of a study: the rules of the run loop that ``SweepRunner`` (trials on threads of
/// this process) and the cluster coordinator (trials on workers over ZeroMQ) share, written
/// once. It opens the study (status `running`, the driver with its resume, a start or resume
/// event), knows the run's target and deadline, records results and reports progress for each,
/// says when and why the run ends, and closes the study.
///
/// How trials reach their evaluators, and how results come back, is the caller's part.
public struct StudyRun {
    /// What is reported after each finished trial.
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

    /// The study's bookkeeping: what to hand out next, what is in flight.
    public let driver: StudyDriver
    /// When the run started.
    public let start: Date
    /// Finished trials to reach (`nil`: only time-limited).
    public let target: Int?
    /// When the run's time is up (`nil`: no time limit).
    public let deadline: Date?
    /// Trials finished in this run.
    public private(set) var finishedThisRun = 0

    /// Opens `store`'s study for a run: marks it running, resumes it (``StudyDriver``), and logs
    /// a start (or resume) event whose message begins with `describing` (who runs it, where).
    /// `trials` and `minutes` override the spec's budget; a trial count alone drops the spec's
    /// time limit.
    public init(spec: SweepSpec, store: StudyStore, trials: Int?, minutes: Double?, describing: String) throws {
        let start = Date()
        self.start = start
        try store.setStatus(.running)
        driver = try StudyDriver(spec: spec, store: store)
        let target = trials ?? spec.budget.trials
        self.target = target
        let runMinutes = minutes ?? (trials == nil ? spec.budget.minutes : nil)
        deadline = runMinutes.map { start.addingTimeInterval($0 * 60) }
        let isFresh = driver.finished == 0 && driver.requeuedAtStart == 0
        try store.log(EventRecord(kind: isFresh ? .start : .resume,
                                  message: "\(describing); \(driver.finished) finished; "
                                      + "target \(target.map(String.init) ?? "none")"))
    }

    /// Whether the run's time is up at `now`.
    public func isTimeUp(at now: Date = Date()) -> Bool { deadline.map { now >= $0 } ?? false }

    /// Why the run ends now, or `nil` while it goes on: it ends when nothing is in flight and the
    /// budget is covered, the time is up, or the strategy has nothing left.
    public func end(timeUp: Bool) -> RunEnd? {
        guard driver.inFlight.isEmpty else { return nil }
        if driver.finished >= (target ?? Int.max) { return .budget }
        if timeUp { return .time }
        return driver.exhausted ? .exhausted : nil
    }

    /// At most this many designs are recorded infeasible unmapped per ``next(worker:persist:onProgress:)``
    /// call before one is handed out anyway (so that a run whose every proposal breaks the area
    /// bound still reaches its clock and its evaluators).
    static let prejudgedPerCall = 64

    /// The next trial to evaluate, as ``StudyDriver/next(worker:target:persist:)`` hands it out
    /// for the run's target; a design that breaks a constraint on a metric known before mapping
    /// is recorded infeasible here unmapped (``SweepSpec/prejudge(trial:values:)``), reported
    /// through `onProgress`, and the next drawn.
    public mutating func next(worker: String, persist: Bool = true, onProgress: ((Progress) -> Void)?) throws
        -> (trial: TrialRecord, values: [Parameter.Value])? {
        var prejudged = 0
        while let (trial, values) = try driver.next(worker: worker, target: target, persist: persist) {
            guard prejudged < Self.prejudgedPerCall,
                  let outcome = driver.spec.prejudge(trial: trial.number, values: values) else { return (trial, values) }
            try complete([(trial.number, trial.attempt, outcome)], onProgress: onProgress)
            prejudged += 1
        }
        return nil
    }

    /// Records results in one transaction (``StudyDriver/complete(_:)``) and calls `onProgress`
    /// for each trial finished by them, in order. Returns the finished records, `nil` for the
    /// results dropped (stale or duplicate).
    @discardableResult
    public mutating func complete(_ results: [(number: Int, attempt: Int, outcome: TrialOutcome)],
                                  onProgress: ((Progress) -> Void)?) throws -> [TrialRecord?] {
        let accepted = try driver.complete(results)
        var finishedSoFar = driver.finished - accepted.compactMap { $0 }.count
        for trial in accepted.compactMap({ $0 }) {
            finishedThisRun += 1
            finishedSoFar += 1
            let rate = Double(finishedThisRun) / max(Date().timeIntervalSince(start), 1e-9)
            onProgress?(Progress(trial: trial, finished: finishedSoFar, target: target, running: driver.inFlight.count,
                                 best: driver.best, rate: rate,
                                 etaSeconds: target.map { Double(max($0 - finishedSoFar, 0)) / max(rate, 1e-9) }))
        }
        return accepted
    }

    /// Ends the run for `reason` (trials in flight go back to the queue; the study is marked
    /// finished or stopped) and returns the run's seconds.
    public func finish(_ reason: RunEnd) throws -> Double {
        try driver.stop(reason)
        return Date().timeIntervalSince(start)
    }
}
