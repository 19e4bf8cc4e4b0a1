import Foundation
import MagnetCore
import MagnetStore
import MagnetTuner

/// The bookkeeping of a running study, shared by the in-process runner and the cluster
/// coordinator: which trial to hand out next (queued ones first, then the strategy's
/// proposals), which are in flight, recording results, and handing trials back.
///
/// Opening a driver resumes the study: trials left `running` go back to `queued` with their
/// attempt raised, and the strategy replays every finished trial in the order they finished.
/// Every change is written to the store before the driver's state changes, so the store is
/// always the truth. Not thread-safe: one thread drives it.
public final class StudyDriver {
    /// The study's spec.
    public let spec: SweepSpec
    /// The store, the only place results are written.
    public let store: StudyStore
    var strategy: any Strategy
    var queued: [TrialRecord]
    /// Trials handed out and not yet finished, by number.
    public private(set) var inFlight: [Int: TrialRecord] = [:]
    /// Parameter values of in-flight and queued trials, and the same as a set (the strategy's
    /// pending points, kept up to date rather than rebuilt for every proposal).
    var pendingValues: [Int: [Parameter.Value]] = [:]
    var pendingSet: Set<[Parameter.Value]> = []
    /// The number the next new trial gets.
    var nextNumber: Int
    /// Trials handed out by ``next(worker:target:persist:)`` and not yet written.
    var unsaved: [TrialRecord] = []
    /// Finished trials in the study.
    public private(set) var finished: Int
    /// Trials handed back at the start (from an interrupted run).
    public let requeuedAtStart: Int
    /// The best complete trial on the first objective so far.
    public private(set) var best: (trial: Int, value: Double)?
    /// The strategy had nothing left to propose.
    public private(set) var exhausted = false

    /// Opens the study in `store` for `spec` (the caller has checked they match).
    public init(spec: SweepSpec, store: StudyStore) throws {
        self.spec = spec
        self.store = store
        requeuedAtStart = try store.requeueRunning()
        if requeuedAtStart > 0 {
            try store.log(EventRecord(kind: .requeue, message: "\(requeuedAtStart) trial(s) left running by an interrupted run handed back to the queue"))
        }
        strategy = spec.makeStrategy()
        let finishedTrials = try store.finishedTrialsInObservationOrder()
        for trial in finishedTrials {
            if let observation = spec.observation(of: trial) { strategy.observe(observation) }
        }
        finished = finishedTrials.count
        queued = try store.trials(in: [.queued])
        nextNumber = try store.nextTrialNumber()
        best = nil
        for trial in queued {
            guard let values = spec.values(from: trial.params) else { continue }
            pendingValues[trial.number] = values
            pendingSet.insert(values)
        }
        for trial in finishedTrials { noteBest(trial) }
    }

    /// Trials waiting to be handed out.
    public var queuedCount: Int { queued.count }

    /// The next trial for `worker`, marked running; `nil` when the budget `target` is covered by
    /// finished and in-flight trials, or the strategy has nothing left. With `persist` false the
    /// trial is written by the next ``flush()`` (one transaction for many trials); write it
    /// before telling anyone about it.
    public func next(worker: String, target: Int?, persist: Bool = true) throws -> (trial: TrialRecord, values: [Parameter.Value])? {
        while finished + inFlight.count < (target ?? Int.max) {
            var trial: TrialRecord
            if !queued.isEmpty {
                trial = queued.removeFirst()
            } else {
                guard let point = strategy.propose(count: 1, pending: pendingSet).first else {
                    exhausted = true
                    return nil
                }
                trial = TrialRecord(number: nextNumber, params: spec.paramsJSON(point))
                nextNumber += 1
                pendingValues[trial.number] = point
                pendingSet.insert(point)
            }
            guard let values = pendingValues[trial.number] ?? spec.values(from: trial.params) else {
                trial.state = .failed
                trial.error = "params do not fit the study's space"
                trial.finishedAt = Date().timeIntervalSince1970
                try store.record([(trial, [])])
                finished += 1
                continue
            }
            trial.state = .running
            trial.worker = worker
            trial.startedAt = Date().timeIntervalSince1970
            if persist { try store.insert([trial]) } else { unsaved.append(trial) }
            inFlight[trial.number] = trial
            pendingValues[trial.number] = values
            pendingSet.insert(values)
            return (trial, values)
        }
        return nil
    }

    /// Writes the trials handed out with `persist: false`, in one transaction.
    public func flush() throws {
        guard !unsaved.isEmpty else { return }
        try store.insert(unsaved)
        unsaved = []
    }

    /// Records finished trials, with the accuracy answers they used (one transaction), and shows
    /// them to the strategy. A result for a trial not in flight, or for an older attempt than the
    /// one in flight, is dropped; the returned records are the finished trials, `nil` for
    /// dropped results.
    @discardableResult
    public func complete(_ results: [(number: Int, attempt: Int, outcome: TrialOutcome)]) throws -> [TrialRecord?] {
        var records: [(trial: TrialRecord, layers: [LayerResultRecord])] = []
        var answers: [AccuracyAnswerRecord] = []
        var accepted: [TrialRecord?] = []
        var seen = Set<Int>()
        for (number, attempt, outcome) in results {
            guard var trial = inFlight[number], trial.attempt == attempt, seen.insert(number).inserted else {
                accepted.append(nil)
                continue
            }
            trial.state = outcome.state
            trial.metrics = outcome.metrics
            trial.violations = outcome.violations
            trial.error = outcome.error
            trial.finishedAt = Date().timeIntervalSince1970
            records.append((trial, outcome.layers.map { var layer = $0; layer.trial = number; return layer }))
            answers += outcome.accuracyAnswers
            accepted.append(trial)
        }
        guard !records.isEmpty else { return accepted }
        // Trials handed out but not yet written go in the same transaction, first.
        try store.record(unsaved.map { ($0, []) } + records, answers: answers)
        unsaved = []
        for (trial, _) in records {
            inFlight[trial.number] = nil
            if let values = pendingValues.removeValue(forKey: trial.number) { pendingSet.remove(values) }
            finished += 1
            if let observation = spec.observation(of: trial) { strategy.observe(observation) }
            noteBest(trial)
        }
        return accepted
    }

    /// Hands an in-flight trial back to the queue with its attempt raised (its worker died, its
    /// lease ran out, or it was handed back); it is the next trial handed out.
    public func handBack(_ number: Int, reason: String) throws {
        try flush()
        guard try requeue(number) else { return }
        try store.log(EventRecord(kind: .requeue, trial: number, message: reason))
    }

    /// Moves an in-flight trial to the front of the queue with its attempt raised, in the store
    /// first; false if it was not in flight.
    private func requeue(_ number: Int) throws -> Bool {
        guard var trial = inFlight.removeValue(forKey: number) else { return false }
        trial.state = .queued
        trial.attempt += 1
        trial.worker = nil
        trial.startedAt = nil
        try store.insert([trial])
        queued.insert(trial, at: 0)
        return true
    }

    /// Marks an in-flight trial failed for good (an evaluation error retried too often).
    public func fail(_ number: Int, error: String) throws {
        try flush()
        guard var trial = inFlight.removeValue(forKey: number) else { return }
        if let values = pendingValues.removeValue(forKey: number) { pendingSet.remove(values) }
        trial.state = .failed
        trial.error = error
        trial.violations = spec.constraints.map { _ in .infinity }
        trial.finishedAt = Date().timeIntervalSince1970
        try store.record([(trial, [])])
        finished += 1
        if let observation = spec.observation(of: trial) { strategy.observe(observation) }
    }

    /// Hands every in-flight trial back (a clean stop) and marks the study.
    public func stop(_ end: RunEnd) throws {
        try flush()
        let numbers = inFlight.keys.sorted()
        for number in numbers { _ = try requeue(number) }
        try store.log(EventRecord(kind: end.studyStatus == .finished ? .finish : .stop,
                                  message: "\(end.rawValue): \(finished) finished\(numbers.isEmpty ? "" : "; \(numbers.count) trial(s) in flight handed back to the queue")"))
        try store.setStatus(end.studyStatus)
    }

    func noteBest(_ trial: TrialRecord) {
        guard trial.state == .complete, let value = trial.metric(spec.objectives[0].metric) else { return }
        let better = spec.objectives[0].direction == .minimize ? value < (best?.value ?? .infinity) : value > (best?.value ?? -.infinity)
        if better { best = (trial.number, value) }
    }
}
