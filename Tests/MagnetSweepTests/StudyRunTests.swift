import Foundation
import MagnetStore
import Testing
@testable import MagnetSweep

@Suite struct StudyRunTests {
    /// A complete outcome with `energy` as its first objective (the spec's other metrics at 1).
    func outcome(energy: Double) -> TrialOutcome {
        TrialOutcome(state: .complete,
                     metrics: [("energy_per_inference_uJ", energy), ("latency_ms", 1), ("area_mm2", 0.1)],
                     violations: [0], error: nil, layers: [])
    }

    @Test func aRunEndsWhenNothingIsInFlightAndTheBudgetIsCoveredAndReportsEachTrial() throws {
        let spec = try SweepSpec.parse(tinySweep(trials: 3), file: "/tmp/tiny.yaml")
        let store = try newStudy(spec)
        var run = try StudyRun(spec: spec, store: store, trials: nil, minutes: nil, describing: "test run")
        #expect(run.target == 3 && run.deadline == nil)
        #expect(try store.study().status == .running)
        #expect(try store.events().last?.kind == .start)
        #expect(try store.events().last?.message == "test run; 0 finished; target 3")
        // Nothing out yet and the budget not covered: the run goes on (a coordinator waits for workers).
        #expect(run.end(timeUp: false) == nil)

        let handedOut = try (0..<3).map { _ in
            try #require(try run.driver.next(worker: "w", target: run.target)).trial
        }
        #expect(try run.driver.next(worker: "w", target: run.target) == nil)   // 3 out: covered
        #expect(run.end(timeUp: false) == nil)                                 // but still in flight
        var reports: [StudyRun.Progress] = []
        // Two results, one of them twice (the second copy is dropped).
        let first = handedOut[0], second = handedOut[1]
        let accepted = try run.complete([(first.number, first.attempt, outcome(energy: 5)),
                                         (second.number, second.attempt, outcome(energy: 2)),
                                         (first.number, first.attempt, outcome(energy: 9))]) { reports.append($0) }
        #expect(accepted.map { $0?.number } == [first.number, second.number, nil])
        #expect(reports.map(\.finished) == [1, 2])
        #expect(reports.map(\.trial.number) == [first.number, second.number])
        #expect(reports.map(\.running) == [1, 1])
        #expect(reports.last?.best?.trial == second.number && reports.last?.best?.value == 2)
        #expect(reports.allSatisfy { $0.target == 3 && $0.rate > 0 && $0.etaSeconds != nil })
        #expect(run.finishedThisRun == 2)

        let third = handedOut[2]
        try run.complete([(third.number, third.attempt, outcome(energy: 7))], onProgress: nil)
        #expect(run.end(timeUp: false) == .budget)
        #expect(run.end(timeUp: true) == .budget)   // the budget counts before the time
        _ = try run.finish(.budget)
        #expect(try store.study().status == .finished)

        // A second run of the same study resumes it, with its own count.
        let again = try StudyRun(spec: spec, store: store, trials: 5, minutes: nil, describing: "again")
        #expect(try store.events().last?.kind == .resume)
        #expect(again.finishedThisRun == 0 && again.target == 5)
    }

    @Test func aRunWhoseTimeIsUpEndsOnceItsTrialsAreBackAndAStopHandsThemBack() throws {
        let spec = try SweepSpec.parse(tinySweep(trials: 6), file: "/tmp/tiny.yaml")
        let store = try newStudy(spec)
        let run = try StudyRun(spec: spec, store: store, trials: nil, minutes: 0.5, describing: "timed")
        // Minutes alone keep the spec's trial budget; the deadline is half a minute away.
        #expect(run.target == 6)
        let deadline = try #require(run.deadline)
        #expect(abs(deadline.timeIntervalSince(run.start) - 30) < 1e-9)
        #expect(!run.isTimeUp(at: run.start) && run.isTimeUp(at: deadline))
        #expect(run.end(timeUp: true) == .time)
        let trial = try #require(try run.driver.next(worker: "w", target: run.target)).trial
        #expect(run.end(timeUp: true) == nil)      // one still out
        _ = try run.finish(.interrupted)
        #expect(try store.study().status == .stopped)
        let stored = try #require(try store.trial(trial.number))
        #expect(stored.state == .queued && stored.attempt == trial.attempt + 1)
        // A trial count given alone drops the spec's time limit.
        let counted = try StudyRun(spec: spec, store: store, trials: 2, minutes: nil, describing: "counted")
        #expect(counted.target == 2 && counted.deadline == nil)
    }

    /// A design over the area bound is recorded infeasible by the run before it is handed out,
    /// unmapped and reported like any finished trial; a run whose every design is over it still
    /// hands one out after ``StudyRun/prejudgedPerCall`` of them, so that it reaches its clock
    /// and its evaluators. A maximized objective of an unmapped trial is the worst value.
    @Test func designsOverTheAreaBoundAreRecordedUnmappedBeforeHandOut() throws {
        let text = tinySweep(trials: 100).replacingOccurrences(of: "area_mm2 <= 0.4", with: "area_mm2 <= 0.001")
            .replacingOccurrences(of: "- minimize: latency_ms", with: "- maximize: inferences_per_s")
            .replacingOccurrences(of: "numPEs: [2, 4]", with: "numPEs: {range: [1, 64]}")
        let spec = try SweepSpec.parse(text, file: "/tmp/tiny.yaml")
        let store = try newStudy(spec)
        var run = try StudyRun(spec: spec, store: store, trials: nil, minutes: nil, describing: "test run")
        var reports: [StudyRun.Progress] = []
        let handedOut = try #require(try run.next(worker: "w", onProgress: { reports.append($0) }))
        #expect(reports.count == StudyRun.prejudgedPerCall)
        #expect(run.driver.inFlight.keys.sorted() == [handedOut.trial.number])
        let recorded = try store.trials(in: [.infeasible])
        #expect(recorded.count == StudyRun.prejudgedPerCall)
        #expect(reports.map(\.trial.number) == recorded.map(\.number).sorted())
        for trial in recorded {
            #expect(try store.layerResults(trial: trial.number).isEmpty)
            let area = try #require(trial.metric("area_mm2"))
            #expect(trial.violations == [(area - 0.001) / 0.001])
            let observation = try #require(spec.observation(of: trial))
            #expect(observation.objectives == [.infinity, .infinity], "\(observation.objectives)")
            #expect(!observation.isFeasible)
        }
    }
}
