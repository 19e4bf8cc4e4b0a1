import Foundation
import GRDB
import MagnetCore
import Testing
@testable import MagnetStore

/// A fresh path in a fresh temporary directory.
func temporaryStudyPath(_ name: String = "study.db") -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-store-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent(name).path
}

func sampleStudy() -> StudyRecord {
    StudyRecord(name: "unit", specJSON: #"{"study":"unit"}"#, seed: 7, magnetVersion: "test")
}

func fileBytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

@Suite struct StudyStoreTests {
    @Test func createsAndReopensAStudy() throws {
        let path = temporaryStudyPath()
        do {
            let store = try StudyStore.create(path: path, study: sampleStudy())
            #expect(try store.study().name == "unit")
            #expect(try store.nextTrialNumber() == 1)
        }
        let reopened = try StudyStore.open(path: path)
        let study = try reopened.study()
        #expect(study.seed == 7)
        #expect(study.specHash == StudyRecord.hash(#"{"study":"unit"}"#))
        #expect(study.status == .running)
        // The file is in WAL mode and marked as magnet's.
        let queue = try DatabaseQueue(path: path)
        let header = try queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA application_id"),
             try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        #expect(header.0 == "wal")
        #expect(header.1 == 0x4D41_474E)
        #expect(header.2 == StudyStore.schemaVersion)
    }

    /// Accuracy answers are recorded with their trials, once per key (the first answer stays).
    @Test func keepsAccuracyAnswersOncePerKey() throws {
        let store = try StudyStore.create(path: temporaryStudyPath(), study: sampleStudy())
        var trial = TrialRecord(number: 1, params: .object([("numPEs", 4)]), state: .complete, worker: "w")
        trial.finishedAt = 2
        let int4 = AccuracyAnswerRecord(key: #"{"network":"n","layers":[{"weights":"int4"}]}"#, network: "n",
                                        accuracy: 0.8, extra: ["top5": 0.97])
        let int8 = AccuracyAnswerRecord(key: #"{"network":"n","layers":[{"weights":"int8"}]}"#, network: "n",
                                        accuracy: 0.95, extra: [:])
        try store.record([(trial, [])], answers: [int4])
        var liar = int4
        liar.accuracy = 0.1
        trial.number = 2
        try store.record([(trial, [])], answers: [liar, int8])
        #expect(try store.accuracyAnswers() == [int4, int8])
        #expect(try store.trials().count == 2)
    }

    /// A file of schema version 2 (before accuracy answers were kept) gains their table when
    /// opened for writing, and reads as having none when opened read-only.
    @Test func migratesAVersionTwoFile() throws {
        let path = temporaryStudyPath()
        do { _ = try StudyStore.create(path: path, study: sampleStudy()) }
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "DROP TABLE accuracy_answers")
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        #expect(try StudyStore.open(path: path, readOnly: true).accuracyAnswers().isEmpty)
        let store = try StudyStore.open(path: path)
        let answer = AccuracyAnswerRecord(key: "k", network: "n", accuracy: 0.5, extra: [:])
        try store.record([], answers: [answer])
        #expect(try store.accuracyAnswers() == [answer])
        let version = try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") }
        #expect(version == StudyStore.schemaVersion)
    }

    @Test func refusesToCreateOverAnExistingFile() throws {
        let path = temporaryStudyPath()
        _ = try StudyStore.create(path: path, study: sampleStudy())
        #expect(throws: StoreError.self) { try StudyStore.create(path: path, study: sampleStudy()) }
    }

    @Test func recordsTrialsWithMetricsAndLayers() throws {
        let store = try StudyStore.create(path: temporaryStudyPath(), study: sampleStudy())
        let params: JSONValue = .object([("numPEs", 16), ("dataflow", "OS-LWS"), ("clockGHz", .double(1.5))])
        var trial = TrialRecord(number: 1, params: params, state: .running, worker: "local-1", startedAt: 10)
        try store.insert([trial])
        #expect(try store.counts()[.running] == 1)
        trial.state = .complete
        trial.finishedAt = 12.5
        trial.metrics = [("energy_per_inference_uJ", 4155.25), ("area_mm2", 0.75)]
        trial.violations = [-0.25]
        let layers = (0..<3).map {
            LayerResultRecord(trial: 1, network: "resnet50", layer: "conv\($0)", count: $0 + 1, layerNames: "a,b",
                              energyPJ: 100.5 * Double($0), cycles: 1000 + $0, utilization: 0.5, mappingYAML: "levels: []\n")
        }
        try store.record([(trial, layers)])
        let loaded = try #require(try store.trial(1))
        #expect(loaded == trial)
        #expect(loaded.metric("area_mm2") == 0.75)
        #expect(loaded.durationSeconds == 2.5)
        #expect(try store.layerResults(trial: 1) == layers)
        #expect(try store.counts()[.complete] == 1)
        #expect(try store.counts()[.running] == 0)
        #expect(try store.nextTrialNumber() == 2)
    }

    @Test func requeuesRunningTrialsWithTheirAttemptRaised() throws {
        let store = try StudyStore.create(path: temporaryStudyPath(), study: sampleStudy())
        try store.insert([
            TrialRecord(number: 1, params: .object([("a", 1)]), state: .running, worker: "w", startedAt: 1),
            TrialRecord(number: 2, params: .object([("a", 2)]), state: .complete, finishedAt: 3),
        ])
        #expect(try store.requeueRunning() == 1)
        let first = try #require(try store.trial(1))
        #expect(first.state == .queued)
        #expect(first.attempt == 2)
        #expect(first.worker == nil)
        #expect(try store.trial(2)?.state == .complete)
        #expect(try store.requeueRunning() == 0)
    }

    @Test func refusesAFileThatIsNotSQLiteAndLeavesItAlone() throws {
        let path = temporaryStudyPath("notes.db")
        try "just some notes\n".write(toFile: path, atomically: true, encoding: .utf8)
        let before = fileBytes(path)
        let error = try #require(throws: StoreError.self) { try StudyStore.open(path: path) }
        #expect(error.description.contains("not a magnet study"))
        #expect(error.description.contains(path))
        #expect(fileBytes(path) == before)
    }

    @Test func refusesAnSQLiteFileThatIsNotAStudy() throws {
        let path = temporaryStudyPath("other.db")
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE things (x INTEGER)") }
        let before = fileBytes(path)
        let error = try #require(throws: StoreError.self) { try StudyStore.open(path: path) }
        #expect(error.message.contains("without magnet's application id"))
        #expect(fileBytes(path) == before)
    }

    @Test func refusesAStudyFromANewerSchemaAndLeavesItAlone() throws {
        let path = temporaryStudyPath()
        do { _ = try StudyStore.create(path: path, study: sampleStudy()) }
        // Fold the WAL into the main file and leave rollback mode so the bytes are all in one file.
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "PRAGMA user_version = \(StudyStore.schemaVersion + 1)")
        }
        let before = fileBytes(path)
        let error = try #require(throws: StoreError.self) { try StudyStore.open(path: path) }
        #expect(error.message.contains("newer magnet"))
        #expect(error.message.contains("schema version \(StudyStore.schemaVersion + 1)"))
        #expect(fileBytes(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func refusesAMissingFileWithoutCreatingIt() throws {
        let path = temporaryStudyPath()
        #expect(throws: StoreError.self) { try StudyStore.open(path: path, readOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aReaderSeesOnlyWholeTransactionsWhileTheWriterWrites() throws {
        let path = temporaryStudyPath()
        let writer = try StudyStore.create(path: path, study: sampleStudy())
        let reader = try StudyStore.open(path: path, readOnly: true)
        for batch in 0..<20 {
            let results = (1...5).map { k -> (trial: TrialRecord, layers: [LayerResultRecord]) in
                let number = batch * 5 + k
                let trial = TrialRecord(number: number, params: .object([("n", .int(number))]), state: .complete, finishedAt: Double(number))
                let layers = [LayerResultRecord(trial: number, network: "n", layer: "l", count: 1, layerNames: "l",
                                                energyPJ: 1, cycles: 1, utilization: 1, mappingYAML: "")]
                return (trial, layers)
            }
            try writer.record(results)
            // Every read sees a multiple of five: never half a batch.
            #expect(try reader.counts()[.complete]! % 5 == 0)
        }
        #expect(try reader.counts()[.complete] == 100)
        #expect(try reader.finishedTrialsInObservationOrder().map(\.number) == Array(1...100))
    }

    @Test func logsEvents() throws {
        let store = try StudyStore.create(path: temporaryStudyPath(), study: sampleStudy())
        try store.log(EventRecord(time: 1, kind: .start, message: "started"))
        try store.log(EventRecord(time: 2, kind: .requeue, trial: 3, message: "lost"))
        #expect(try store.events().map(\.kind) == [.start, .requeue])
        #expect(try store.events()[1].trial == 3)
    }
}
