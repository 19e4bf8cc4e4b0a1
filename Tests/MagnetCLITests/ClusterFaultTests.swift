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
        // The live view lists both workers (B may say hello a moment after A starts its trial).
        var live = try CLIRunner.run(["status", "--connect", run.endpoint, "--json"])
        #expect(waitFor(seconds: 30) {
            live = (try? CLIRunner.run(["status", "--connect", run.endpoint, "--json"])) ?? live
            return live.stdout.contains("\"worker\": \"A\"") && live.stdout.contains("\"worker\": \"B\"")
        }, "\(live.stdout)")
        #expect(live.status == 0, "\(live.stderr)")
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
        #expect(run.events().contains { $0.kind == .workerLost })
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
        // Woken soon after, while B still has trials to run (under a loaded machine a longer pause
        // let B finish the study before A's late result could arrive).
        usleep(2_000_000)
        kill(a.processIdentifier, SIGCONT)
        #expect(waitExit(coordinator, seconds: 180), "the coordinator did not finish")
        let trials = run.trials()
        #expect(trials.filter { $0.state.isFinished }.count == 30)
        #expect(trials.count == 30)
        #expect(Set(trials.map(\.paramsHash)).count == 30)
        #expect(try #require(trials.first { $0.number == victim }).attempt >= 2)
        // The coordinator logged its counters: A's late result was dropped, not recorded twice.
        let counters = try #require(run.events().last { $0.kind == .counters }?.message)
        func count(_ name: String) -> Int {
            guard let range = counters.range(of: "\(name): ") else { return -1 }
            return Int(counters[range.upperBound...].prefix { $0.isNumber }) ?? -1
        }
        // Designs over the area bound are recorded by the coordinator itself, unmapped.
        #expect(count("recorded") == trials.filter { $0.metric("cycles") != nil }.count, "\(counters)")
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

/// The PIDs of running `magnet worker` processes whose command line holds `marker`.
func workerProcesses(containing marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.contains("worker") && arguments.joined(separator: " ").contains(marker)
    }
}

@Suite(.serialized) struct OrphanedWorkerTests {
    /// A sweep killed outright leaves no worker behind.
    @Test func aKilledSweepLeavesNoWorker() throws {
        let (_, sweep, db) = try writeTinySweep(trials: 30, mapperBudget: 600)
        let process = try launch(["sweep", sweep, "--db", db, "--workers", "2"])
        let marker = "--parent-pid \(process.processIdentifier)"
        #expect(waitFor(seconds: 60) { workerProcesses(containing: marker).count == 2 })
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(waitFor(seconds: 15) { workerProcesses(containing: marker).isEmpty }, "workers outlived their sweep")
    }

    /// A worker whose parent died before it looked (its parent is no longer the PID it was
    /// given) exits at once; one with no coordinator gives up after --give-up-after.
    @Test func aWorkerWithoutItsParentOrACoordinatorExits() throws {
        let endpoint = "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID().uuidString).ipc").path
        let orphan = try launch(["worker", "--connect", endpoint, "--parent-pid", "1", "--give-up-after", "600"])
        #expect(waitExit(orphan, seconds: 15))
        let started = Date()
        let lonely = try CLIRunner.run(["worker", "--connect", endpoint, "--give-up-after", "2"])
        #expect(lonely.status == 1)
        #expect(lonely.stderr.hasSuffix("\nerror: no coordinator answered at \(endpoint) for 2 s; giving up (--give-up-after)\n"),
                "\(lonely.stderr)")
        #expect(Date().timeIntervalSince(started) >= 2)
    }
}

@Suite(.serialized) struct CurveCommandTests {
    /// `status --connect` reaches a CURVE coordinator with keys, and says what to check without.
    @Test func statusConnectTakesTheKeys() throws {
        let run = try ClusterRun(trials: 2)
        let folder = URL(fileURLWithPath: run.db).deletingLastPathComponent().appendingPathComponent("keys").path
        for name in ["coordinator", "monitor"] {
            let generated = try CLIRunner.run(["keys", "generate", name, "-o", folder])
            guard generated.status == 0 else { return }   // a libzmq without CURVE: nothing to test
        }
        let refused = try CLIRunner.run(["keys", "generate", "../evil", "-o", folder])
        #expect(refused.status == 1 && refused.stderr.contains("key name `../evil` is not a plain name"), "\(refused.stderr)")
        try FileManager.default.copyItem(atPath: folder + "/monitor.pub", toPath: folder + "/authorized")
        let coordinator = try run.coordinator(["--curve-secret-key", folder + "/coordinator.key",
                                               "--authorized-workers", folder + "/authorized"])
        defer { if coordinator.isRunning { coordinator.terminate() } }
        var live: CLIRunner.Result?
        #expect(waitFor(seconds: 30) {
            live = try? CLIRunner.run(["status", "--connect", run.endpoint, "--json", "--curve-server-key", folder + "/coordinator.pub",
                                       "--curve-secret-key", folder + "/monitor.key"])
            return live?.status == 0
        }, "\(live?.stderr ?? "")")
        #expect(live?.stdout.contains("\"study\": \"tiny\"") == true)
        let plain = try CLIRunner.run(["status", "--connect", run.endpoint])
        #expect(plain.status == 1)
        #expect(plain.stderr.contains("a coordinator with CURVE needs --curve-server-key and --curve-secret-key"))
        // A public key given as the coordinator's secret is refused before it starts.
        let wrong = try CLIRunner.run(["coordinator", run.sweep, "--db", run.db + ".other", "--bind", run.endpoint + ".other",
                                       "--curve-secret-key", folder + "/coordinator.pub", "--authorized-workers", folder + "/authorized"])
        #expect(wrong.status == 1 && wrong.stderr.contains("is a public key file (.pub)"), "\(wrong.stderr)")
    }
}
