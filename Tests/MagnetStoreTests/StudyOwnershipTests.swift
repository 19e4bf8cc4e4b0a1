import Foundation
import GRDB
import MagnetCore
import Testing
@testable import MagnetStore

/// Writes an owner row as another process would have (`renewedAgo` seconds since its last renewal).
func writeOwnerRow(_ path: String, host: String = ProcessInfo.processInfo.hostName, pid: Int32,
                   processStart: String, bootID: String = StudyOwner.bootID, renewedAgo: Double = 0) throws {
    let now = Date().timeIntervalSince1970
    try DatabaseQueue(path: path).write { db in
        try db.execute(sql: "DELETE FROM owner")
        try db.execute(sql: """
            INSERT INTO owner (id, token, host, pid, process_start, boot_id, command, acquired_at, renewed_at)
            VALUES (1, 'other', ?, ?, ?, ?, 'sweep', ?, ?)
            """, arguments: [host, pid, processStart, bootID, now - 60, now - renewedAgo])
    }
}

/// The id of a process that has exited.
func exitedProcessID() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
}

func trialRow(_ number: Int, _ state: TrialState) -> TrialRecord {
    TrialRecord(number: number, params: .object([("n", .int(number))]), state: state, worker: "w", queuedAt: 0, startedAt: 1,
                finishedAt: state.isFinished ? 2 : nil, metrics: state.isFinished ? [("energy", 5)] : [])
}

@Suite struct StudyOwnershipTests {
    @Test func aSecondStoreIsRefusedWhileTheFirstHoldsTheFileAndMayTakeItOnceReleased() throws {
        let path = temporaryStudyPath()
        let first = try StudyStore.create(path: path, study: sampleStudy())
        #expect(try first.takeOwnership(command: "sweep") == nil)
        try first.insert([trialRow(1, .running)])
        let second = try StudyStore.open(path: path)
        let refused = try #require(throws: StoreError.self) { try second.takeOwnership(command: "coordinator") }
        #expect(refused.message.hasPrefix("is in use by magnet sweep on host \(ProcessInfo.processInfo.hostName) (pid \(getpid()), since "))
        #expect(refused.description.hasPrefix(path))
        // Not holding the file, it cannot write either: the first's running trial stays as it was.
        #expect(throws: StoreError.self) { try second.requeueRunning() }
        #expect(throws: StoreError.self) { try second.record([(trialRow(1, .complete), [])]) }
        #expect(try first.trial(1)?.state == .running)
        #expect(try second.owner()?.command == "sweep")

        try first.releaseOwnership()
        #expect(try second.owner() == nil)
        #expect(try second.takeOwnership(command: "coordinator") == nil)
        #expect(try second.requeueRunning() == 1)
        // The first, no longer the owner, is refused.
        let late = try #require(throws: StoreError.self) { try first.setStatus(.stopped) }
        #expect(late.message.contains("was taken over by magnet coordinator"))
    }

    @Test func anOwnerWhoseProcessExitedIsTakenOverAndTheTakeoverLogged() throws {
        let path = temporaryStudyPath()
        _ = try StudyStore.create(path: path, study: sampleStudy())
        let gone = try exitedProcessID()
        try writeOwnerRow(path, pid: gone, processStart: "12345")
        let store = try StudyStore.open(path: path)
        let previous = try #require(try store.takeOwnership(command: "sweep"))
        #expect(previous.pid == gone)
        let takeover = try #require(try store.events().last)
        #expect(takeover.kind == .takeover)
        #expect(takeover.message.contains("pid \(gone)"))
        #expect(try store.owner()?.pid == getpid())
    }

    @Test func aReusedProcessIDIsNotTakenForTheOwner() throws {
        let path = temporaryStudyPath()
        _ = try StudyStore.create(path: path, study: sampleStudy())
        // This process's id, but a start time that is not this process's: another, earlier process.
        let start = try #require(StudyOwner.startTime(of: getpid()))
        try writeOwnerRow(path, pid: getpid(), processStart: String((Int(start) ?? 1) - 1))
        #expect(try StudyStore.open(path: path).takeOwnership(command: "sweep")?.pid == getpid())
        // With this process's own start time it is the owner, alive.
        try writeOwnerRow(path, pid: getpid(), processStart: start)
        #expect(throws: StoreError.self) { try StudyStore.open(path: path).takeOwnership(command: "sweep") }
    }

    @Test func anOwnerOnAnotherHostIsGoneOnlyOnceSilent() throws {
        let path = temporaryStudyPath()
        _ = try StudyStore.create(path: path, study: sampleStudy())
        try writeOwnerRow(path, host: "node-elsewhere", pid: getpid(), processStart: "1",
                          renewedAgo: StudyOwner.silentAfterSeconds - 10)
        let refused = try #require(throws: StoreError.self) { try StudyStore.open(path: path).takeOwnership(command: "sweep") }
        #expect(refused.message.contains("on host node-elsewhere"))
        try writeOwnerRow(path, host: "node-elsewhere", pid: getpid(), processStart: "1",
                          renewedAgo: StudyOwner.silentAfterSeconds + 1)
        #expect(try StudyStore.open(path: path).takeOwnership(command: "sweep")?.host == "node-elsewhere")
    }

    @Test func aWaitForTheOwnerEndsWhenTheOwnerFallsSilentOrTheWaitIsStopped() throws {
        let path = temporaryStudyPath()
        _ = try StudyStore.create(path: path, study: sampleStudy())
        // On another host, 2 s short of being silent long enough to be gone.
        try writeOwnerRow(path, host: "node-elsewhere", pid: 42, processStart: "1",
                          renewedAgo: StudyOwner.silentAfterSeconds - 2)
        // A stop request ends the wait with the refusal, the holder told first.
        var told: [StudyOwner] = []
        let stopped = try #require(throws: StoreError.self) {
            try StudyStore.open(path: path).takeOwnership(
                command: "coordinator", wait: OwnerWait(seconds: 60, onWait: { told.append($0) }, shouldStop: { true }))
        }
        #expect(stopped.heldBy?.host == "node-elsewhere")
        #expect(told.isEmpty)   // stopped before waiting
        // A wait shorter than the silence left is refused; a longer one takes the file over.
        #expect(throws: StoreError.self) {
            try StudyStore.open(path: path).takeOwnership(command: "coordinator", wait: OwnerWait(seconds: 0.5))
        }
        let store = try StudyStore.open(path: path)
        let previous = try store.takeOwnership(command: "coordinator",
                                               wait: OwnerWait(seconds: 60, onWait: { told.append($0) }))
        #expect(previous?.host == "node-elsewhere" && previous?.pid == 42)
        #expect(told.map(\.host) == ["node-elsewhere"])   // told once
        #expect(store.isOwner)
        #expect(try store.events().last?.kind == .takeover)
    }

    @Test func anOwnerFromAnEarlierBootIsGone() throws {
        let path = temporaryStudyPath()
        _ = try StudyStore.create(path: path, study: sampleStudy())
        let start = try #require(StudyOwner.startTime(of: getpid()))
        try writeOwnerRow(path, pid: getpid(), processStart: start, bootID: "an-earlier-boot")
        #expect(try StudyStore.open(path: path).takeOwnership(command: "sweep")?.bootID == "an-earlier-boot")
    }

    @Test func theOwnerRenewsItsClaim() throws {
        let path = temporaryStudyPath()
        let store = try StudyStore.create(path: path, study: sampleStudy())
        try store.takeOwnership(command: "sweep")
        let taken = try #require(try store.owner())
        usleep(20_000)
        store.renewOwnership(token: taken.token)
        #expect(try #require(try store.owner()).renewedAt > taken.renewedAt)
        // A claim the file no longer names is not renewed.
        store.renewOwnership(token: "someone else")
        #expect(try store.owner()?.token == taken.token)
    }

    @Test func whileOwningGivesTheFileUpAlsoWhenTheBodyThrows() throws {
        struct Boom: Error {}
        let store = try StudyStore.create(path: temporaryStudyPath(), study: sampleStudy())
        #expect(throws: Boom.self) { try store.whileOwning(command: "sweep") { throw Boom() } }
        #expect(try store.owner() == nil && !store.isOwner)
        let held = try store.whileOwning(command: "sweep") { try store.owner()?.pid }
        #expect(held == getpid())
        #expect(try store.owner() == nil)
    }

    @Test func aFinishedTrialIsNeverWrittenOver() throws {
        let store = try StudyStore.create(path: temporaryStudyPath(), study: sampleStudy())
        let layer = LayerResultRecord(trial: 1, network: "n", layer: "l", count: 1, layerNames: "l", energyPJ: 7, cycles: 3,
                                      utilization: 1, mappingYAML: "")
        try store.record([(trialRow(1, .complete), [layer])])
        var again = trialRow(1, .complete)
        again.metrics = [("energy", 1)]
        for attempt in [trialRow(1, .running), trialRow(1, .queued), again] {
            let error = try #require(throws: StoreError.self) { try store.record([(trialRow(2, .running), []), (attempt, [])]) }
            #expect(error.message.contains("trial 1 is already finished"))
        }
        #expect(try store.trial(1) == trialRow(1, .complete))
        #expect(try store.layerResults(trial: 1) == [layer])
        // The refused transaction left nothing behind, not even the trial before the refused one.
        #expect(try store.trial(2) == nil)
        // Unfinished trials move on as before.
        try store.insert([trialRow(3, .queued)])
        try store.insert([trialRow(3, .running)])
        #expect(try store.trial(3)?.state == .running)
    }
}
