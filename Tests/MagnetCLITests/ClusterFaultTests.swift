import Foundation
import MagnetStore
import Testing

/// A coordinator process and its study, on an ipc endpoint of its own.
struct ClusterRun {
    let sweep: String
    let db: String
    let endpoint: String

    init(trials: Int) throws {
        let (folder, sweep, db) = try writeTinySweep(trials: trials, mapperBudget: 600)
        self.sweep = sweep
        self.db = db
        endpoint = "ipc://" + folder.appendingPathComponent("coordinator.ipc").path
    }

    func coordinator(_ extra: [String] = []) throws -> Process {
        try launch(["coordinator", sweep, "--db", db, "--bind", endpoint, "--heartbeat", "0.3"] + extra)
    }

    func worker(_ id: String) throws -> Process {
        try launch(["worker", "--connect", endpoint, "--slots", "1", "--id", id])
    }

    /// The trials in the study (read-only; empty before the file exists).
    func trials() -> [TrialRecord] { studyTrials(db) }

    func events() -> [EventRecord] {
        (try? StudyStore.open(path: db, readOnly: true).events()) ?? []
    }
}

func waitExit(_ process: Process, seconds: Double) -> Bool {
    waitFor(seconds: seconds) { !process.isRunning }
}

@Suite(.serialized) struct ClusterFaultTests {
    @Test func aWorkerKilledMidTrialHasItsTrialReissued() throws {
        let run = try ClusterRun(trials: 10)
        let coordinator = try run.coordinator()
        let a = try run.worker("A"), b = try run.worker("B")
        defer { for p in [coordinator, a, b] where p.isRunning { p.terminate() } }
        var victim: Int?
        #expect(waitFor(seconds: 120) {
            victim = run.trials().first { $0.state == .running && $0.worker == "A" }?.number
            return victim != nil
        })
        // The live view lists both workers.
        let live = try CLIRunner.run(["status", "--connect", run.endpoint, "--json"])
        #expect(live.status == 0, "\(live.stderr)")
        #expect(live.stdout.contains("\"worker\": \"A\"") && live.stdout.contains("\"worker\": \"B\""), "\(live.stdout)")
        #expect(live.stdout.contains("\"trials_per_second\""))
        kill(a.processIdentifier, SIGKILL)
        #expect(waitExit(coordinator, seconds: 180), "the coordinator did not finish")
        #expect(coordinator.terminationStatus == 0)
        let trials = run.trials()
        #expect(trials.count == 10)
        #expect(trials.allSatisfy { $0.state.isFinished })
        #expect(Set(trials.map(\.paramsHash)).count == 10)
        let reissued = try #require(trials.first { $0.number == victim })
        #expect(reissued.attempt == 2)
        #expect(reissued.worker == "B")
        #expect(run.events().contains { $0.kind == "worker-lost" })
        #expect(waitExit(b, seconds: 10))   // B left on the coordinator's bye
    }

    @Test func aStoppedWorkerPastItsLeaseHasItsLateResultDropped() throws {
        // Enough trials (of the space's 36) that B cannot finish the study during A's 9-second
        // pause (a debug worker takes about 0.75 s per trial here): A's late result must reach a
        // running coordinator.
        let run = try ClusterRun(trials: 30)
        let coordinator = try run.coordinator(["--lease", "8"])
        let a = try run.worker("A"), b = try run.worker("B")
        defer { for p in [coordinator, a, b] where p.isRunning { kill(p.processIdentifier, SIGCONT); p.terminate() } }
        var victim: Int?
        #expect(waitFor(seconds: 120) {
            victim = run.trials().first { $0.state == .running && $0.worker == "A" }?.number
            return victim != nil
        })
        kill(a.processIdentifier, SIGSTOP)
        // Stopped past its 8 s lease (and the 1.5 s heartbeat allowance): the trial goes to B.
        #expect(waitFor(seconds: 60) { run.trials().first { $0.number == victim }?.attempt == 2 })
        usleep(9_000_000)
        kill(a.processIdentifier, SIGCONT)
        #expect(waitExit(coordinator, seconds: 180), "the coordinator did not finish")
        let trials = run.trials()
        #expect(trials.filter { $0.state.isFinished }.count == 30)
        #expect(trials.count == 30)
        #expect(Set(trials.map(\.paramsHash)).count == 30)
        #expect(try #require(trials.first { $0.number == victim }).attempt >= 2)
        // The coordinator logged its counters: A's late result was dropped, not recorded twice.
        let counters = try #require(run.events().last { $0.kind == "counters" }?.message)
        func count(_ name: String) -> Int {
            guard let range = counters.range(of: "\(name): ") else { return -1 }
            return Int(counters[range.upperBound...].prefix { $0.isNumber }) ?? -1
        }
        #expect(count("recorded") == 30, "\(counters)")
        #expect(count("reissued") >= 1, "\(counters)")
        #expect(count("staleResults") + count("duplicateResults") >= 1, "\(counters)")
    }

    @Test func aKilledCoordinatorRestartedWithResumeGetsItsWorkersBack() throws {
        let run = try ClusterRun(trials: 12)
        let first = try run.coordinator()
        let a = try run.worker("A"), b = try run.worker("B")
        defer { for p in [first, a, b] where p.isRunning { p.terminate() } }
        #expect(waitFor(seconds: 120) { run.trials().filter { $0.state.isFinished }.count >= 3 })
        kill(first.processIdentifier, SIGKILL)
        #expect(waitExit(first, seconds: 10))
        #expect(run.trials().filter { $0.state.isFinished }.count < 12, "the study finished before the kill; slow the trials")
        // The same workers reconnect to the restarted coordinator.
        let second = try run.coordinator(["--resume"])
        defer { if second.isRunning { second.terminate() } }
        #expect(waitExit(second, seconds: 180), "the restarted coordinator did not finish")
        #expect(second.terminationStatus == 0)
        let trials = run.trials()
        #expect(trials.filter { $0.state.isFinished }.count == 12)
        #expect(trials.count == 12)
        #expect(Set(trials.map(\.paramsHash)).count == 12)
        #expect(Set(trials.compactMap(\.worker)).isSubset(of: ["A", "B"]))
        #expect(waitExit(a, seconds: 10) && waitExit(b, seconds: 10))
    }
}
