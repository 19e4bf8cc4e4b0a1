import Foundation
import GRDB
import MagnetCore

/// One study's SQLite file: the study row, its trials, per-layer results, workers and events.
///
/// The file is in WAL mode, so readers (`magnet status` while a sweep runs) never block the
/// writer and never see a half-written trial. There is one writer per study (the sweep or the
/// coordinator); each batch of results is one transaction. Opening checks the file before
/// touching it: something that is not SQLite, an SQLite file that is not a magnet study, or a
/// study from a newer magnet is refused with a ``StoreError`` and left exactly as it was.
///
/// Writers take the file first (``takeOwnership(command:)``): a second sweep or coordinator on
/// the same file is refused while the first runs, and every write checks, in its transaction,
/// that no other process has taken the file over. Trials are added and moved forward, never
/// replaced: writing over a finished trial is refused.
public final class StudyStore: Sendable {
    /// The file's path.
    public let path: String
    let database: any DatabaseWriter
    /// This store's claim on the file, when it owns it (``takeOwnership(command:)``).
    let claim = OwnershipClaim()

    /// A copy read in place of the file (read-only, in a folder this process cannot write).
    let snapshotFolder: URL?

    private init(path: String, database: any DatabaseWriter, snapshotFolder: URL? = nil) {
        self.path = path
        self.database = database
        self.snapshotFolder = snapshotFolder
    }

    deinit {
        if let snapshotFolder { try? FileManager.default.removeItem(at: snapshotFolder) }
    }

    /// The schema version this build reads and writes.
    public static var schemaVersion: Int { Schema.currentVersion }

    /// Creates a new study file at `path` (which must not exist yet) holding `study`.
    public static func create(path: String, study: StudyRecord) throws -> StudyStore {
        if FileManager.default.fileExists(atPath: path) {
            throw StoreError(path: path, "already exists; open it instead of creating it")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration(readOnly: false))
        } catch {
            throw StoreError(path: path, "cannot create the study file (\(describe(error)))")
        }
        try pool.write { db in
            try Schema.migrate(db)
            try db.execute(sql: """
                INSERT INTO studies (id, name, spec, spec_hash, seed, status, created_at, magnet_version)
                VALUES (1, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [study.name, study.specJSON, study.specHash, Int64(bitPattern: study.seed),
                                 study.status.rawValue, study.createdAt, study.magnetVersion])
        }
        return StudyStore(path: path, database: pool)
    }

    /// Opens an existing study file. With `readOnly`, nothing is ever written (for status,
    /// export); otherwise an older schema is migrated first.
    public static func open(path: String, readOnly: Bool = false) throws -> StudyStore {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StoreError(path: path, "no such study file")
        }
        if isDirectory.boolValue { throw StoreError(path: path, "is a directory, not a study file") }
        // SQLite cannot read a WAL-mode file read-only from a folder it may not write (it needs the
        // -shm index beside it): read a copy of the file and its log instead.
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let snapshot = readOnly && !FileManager.default.isWritableFile(atPath: folder) ? try snapshotCopy(of: path) : nil
        let readPath = snapshot?.appendingPathComponent("study.db").path ?? path
        do {
            try inspect(path: readPath, reportedAs: path)
        } catch {
            if let snapshot { try? FileManager.default.removeItem(at: snapshot) }   // the inspection's error is the one to report
            throw error
        }
        do {
            if readOnly {
                let queue = try DatabaseQueue(path: readPath, configuration: configuration(readOnly: true))
                return StudyStore(path: path, database: queue, snapshotFolder: snapshot)
            }
            let pool = try DatabasePool(path: path, configuration: configuration(readOnly: false))
            try pool.write { try Schema.migrate($0) }
            return StudyStore(path: path, database: pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, "cannot open the study file (\(describe(error)))")
        }
    }

    /// Copies the study file and its write-ahead log into a new temporary folder.
    static func snapshotCopy(of path: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-snapshot-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.copyItem(atPath: path + suffix, toPath: folder.appendingPathComponent("study.db" + suffix).path)
            }
        } catch {
            throw StoreError(path: path, "cannot be read from this read-only folder, nor copied to read (\(describe(error)))")
        }
        return folder
    }

    /// Checks, read-only, that `path` is a magnet study this build can read (messages name
    /// `reportedAs`, the file the user gave).
    static func inspect(path: String, reportedAs reported: String? = nil) throws {
        let shownPath = reported ?? path
        let header: (applicationID: Int, version: Int, hasStudy: Bool)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(readOnly: true))
            header = try queue.read { db in
                let id = try Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                let hasStudy = try db.tableExists("studies")
                return (id, version, hasStudy)
            }
            try queue.close()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError(path: shownPath, "is not a magnet study: not an SQLite database")
        } catch {
            throw StoreError(path: shownPath, "cannot read the study file (\(describe(error)))")
        }
        guard header.applicationID == Int(Schema.applicationID), header.hasStudy else {
            throw StoreError(path: shownPath, "is not a magnet study: an SQLite database without magnet's application id and tables")
        }
        guard header.version <= Schema.currentVersion else {
            throw StoreError(path: shownPath, "was written by a newer magnet (schema version \(header.version); this magnet reads up to \(Schema.currentVersion)); upgrade magnet to open it. The file was not changed.")
        }
    }

    static func configuration(readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        configuration.label = "magnet-study"
        return configuration
    }

    /// An SQLite or file error in words (the primary result code, not `SQLite error 13`).
    static func describe(_ error: Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        switch error.resultCode.primaryResultCode {
        case .SQLITE_FULL: return "the disk is full; nothing of the failed write was kept: free space and run again"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return "the file is damaged (SQLite reports corruption)"
        case .SQLITE_READONLY: return "the file or its folder is read-only here"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "another process kept the file locked for over 30 s"
        case .SQLITE_IOERR: return "a read or write of the file failed (\(error.message ?? "I/O error"))"
        case .SQLITE_CANTOPEN: return "the file cannot be opened (missing, or a folder without permission)"
        case .SQLITE_PERM, .SQLITE_AUTH: return "permission denied"
        default: return error.message ?? "\(error.resultCode)"
        }
    }

    // MARK: Study

    /// The study row.
    public func study() throws -> StudyRecord {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM studies WHERE id = 1") else {
                throw StoreError(path: path, "has no study row")
            }
            guard let status = StudyStatus(rawValue: row["status"]) else {
                throw StoreError(path: path, "has an unknown study status `\(row["status"] as String)`")
            }
            var record = StudyRecord(name: row["name"], specJSON: row["spec"], seed: UInt64(bitPattern: row["seed"] as Int64),
                                     status: status, createdAt: row["created_at"], magnetVersion: row["magnet_version"])
            record.specHash = row["spec_hash"]
            return record
        }
    }

    /// Sets the study's status.
    public func setStatus(_ status: StudyStatus) throws {
        try write { try $0.execute(sql: "UPDATE studies SET status = ? WHERE id = 1", arguments: [status.rawValue]) }
    }

    // MARK: Trials

    /// The number the next proposed trial gets.
    public func nextTrialNumber() throws -> Int {
        try database.read { try Int.fetchOne($0, sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM trials") ?? 1 }
    }

    /// Records new trials (normally queued or running), in one transaction.
    public func insert(_ trials: [TrialRecord]) throws {
        try write { db in
            for trial in trials { try upsert(trial, in: db) }
        }
    }

    /// Records trials (finished, or newly handed out) with their layer results, and the accuracy
    /// answers they used that the file lacks, all in one transaction.
    public func record(_ results: [(trial: TrialRecord, layers: [LayerResultRecord])],
                       answers: [AccuracyAnswerRecord] = []) throws {
        try write { db in
            if !answers.isEmpty {
                let statement = try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO accuracy_answers (key, network, accuracy, extra, recorded_at)
                    VALUES (?, ?, ?, ?, ?)
                    """)
                let now = Date().timeIntervalSince1970
                for answer in answers {
                    let extra = JSONValue.object(answer.extra.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) })
                    try statement.execute(arguments: [answer.key, answer.network, answer.accuracy,
                                                      extra.rendered(pretty: false), now])
                }
            }
            for (trial, layers) in results {
                try upsert(trial, in: db)
                guard !layers.isEmpty else { continue }
                try db.cachedStatement(sql: "DELETE FROM layer_results WHERE trial = ?").execute(arguments: [trial.number])
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO layer_results (trial, network, layer, count, layer_names, energy_pj, cycles, utilization, mapping)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for layer in layers {
                    try statement.execute(arguments: [layer.trial, layer.network, layer.layer, layer.count, layer.layerNames,
                                                      layer.energyPJ, layer.cycles, layer.utilization, layer.mappingYAML])
                }
            }
        }
    }

    /// Hands every `running` trial back to `queued` with its attempt raised (after an interruption:
    /// their evaluations were lost). Returns how many.
    @discardableResult
    public func requeueRunning() throws -> Int {
        try write { db in
            try db.execute(sql: "UPDATE trials SET state = 'queued', attempt = attempt + 1, worker = NULL, started_at = NULL WHERE state = 'running'")
            return db.changesCount
        }
    }

    /// Trials in number order, optionally only those in `states`.
    public func trials(in states: Set<TrialState>? = nil) throws -> [TrialRecord] {
        try database.read { db in
            var sql = "SELECT * FROM trials"
            if let states {
                sql += " WHERE state IN (" + states.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ") + ")"
            }
            sql += " ORDER BY number"
            return try Row.fetchAll(db, sql: sql).map { try StudyStore.trial(from: $0, path: path) }
        }
    }

    /// Finished trials in the order they finished (the order a strategy observed them).
    public func finishedTrialsInObservationOrder() throws -> [TrialRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM trials WHERE state IN ('complete', 'infeasible', 'failed') ORDER BY finished_at, number")
                .map { try StudyStore.trial(from: $0, path: path) }
        }
    }

    /// One trial.
    public func trial(_ number: Int) throws -> TrialRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM trials WHERE number = ?", arguments: [number])
                .map { try StudyStore.trial(from: $0, path: path) }
        }
    }

    /// How many trials are in each state (every state present, zero when none).
    public func counts() throws -> [TrialState: Int] {
        try database.read { db in
            var counts = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM trials GROUP BY state") {
                if let state = TrialState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// The per-layer results of a trial, in network then insertion order.
    public func layerResults(trial: Int) throws -> [LayerResultRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM layer_results WHERE trial = ? ORDER BY rowid", arguments: [trial]).map { row in
                LayerResultRecord(trial: row["trial"], network: row["network"], layer: row["layer"], count: row["count"],
                                  layerNames: row["layer_names"], energyPJ: row["energy_pj"], cycles: row["cycles"],
                                  utilization: row["utilization"], mappingYAML: row["mapping"])
            }
        }
    }

    /// The accuracy evaluator's answers recorded so far, oldest first (none in a file written
    /// before magnet kept them).
    public func accuracyAnswers() throws -> [AccuracyAnswerRecord] {
        try database.read { db in
            guard try db.tableExists("accuracy_answers") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM accuracy_answers ORDER BY recorded_at, rowid").map { row in
                let key: String = row["key"]
                var extra: [String: Double] = [:]
                if case .object(let fields) = try JSONValue(parsing: row["extra"], source: "\(path): accuracy answer extra") {
                    for (name, value) in fields { extra[name] = value.doubleValue ?? .nan }
                }
                return AccuracyAnswerRecord(key: key, network: row["network"], accuracy: row["accuracy"], extra: extra)
            }
        }
    }

    // MARK: Events

    /// Appends an event.
    public func log(_ event: EventRecord) throws {
        try write { try StudyStore.insert(event, in: $0) }
    }

    /// Appends `event` inside a transaction already open.
    static func insert(_ event: EventRecord, in db: Database) throws {
        try db.execute(sql: "INSERT INTO events (time, kind, trial, message) VALUES (?, ?, ?, ?)",
                       arguments: [event.time, event.kind.rawValue, event.trial, event.message])
    }

    /// Every event in order.
    public func events() throws -> [EventRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY id").map { row in
                guard let kind = EventKind(rawValue: row["kind"]) else {
                    throw StoreError(path: path, "event \(row["id"] as Int64) has an unknown kind `\(row["kind"] as String)`")
                }
                return EventRecord(time: row["time"], kind: kind, trial: row["trial"], message: row["message"])
            }
        }
    }

    // MARK: Rows

    /// Adds `trial`, or moves an unfinished trial of that number to `trial`'s state. A finished
    /// trial is never written over: that throws, and the transaction leaves the file unchanged.
    func upsert(_ trial: TrialRecord, in db: Database) throws {
        let metrics = JSONValue.object(trial.metrics.map { ($0.0, JSONValue.double($0.1)) }).rendered(pretty: false)
        let violations = JSONValue.array(trial.violations.map(JSONValue.double)).rendered(pretty: false)
        try db.cachedStatement(sql: """
            INSERT INTO trials (number, params, params_hash, state, attempt, worker, queued_at, started_at,
                                finished_at, metrics, violations, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (number) DO UPDATE SET
                params = excluded.params, params_hash = excluded.params_hash, state = excluded.state,
                attempt = excluded.attempt, worker = excluded.worker, queued_at = excluded.queued_at,
                started_at = excluded.started_at, finished_at = excluded.finished_at, metrics = excluded.metrics,
                violations = excluded.violations, error = excluded.error
            WHERE trials.state NOT IN ('complete', 'infeasible', 'failed')
            """).execute(arguments: [trial.number, trial.params.rendered(pretty: false), trial.paramsHash, trial.state.rawValue,
                             trial.attempt, trial.worker, trial.queuedAt, trial.startedAt, trial.finishedAt,
                             metrics, violations, trial.error])
        guard db.changesCount == 1 else {
            throw StoreError(path: path, "trial \(trial.number) is already finished in the study file and is not "
                             + "written over; another process must be writing this study")
        }
    }

    static func trial(from row: Row, path: String) throws -> TrialRecord {
        let number: Int = row["number"]
        let source = "\(path): trial \(number)"
        guard let state = TrialState(rawValue: row["state"]) else {
            throw StoreError(path: path, "trial \(number) has an unknown state")
        }
        let params = try JSONValue(parsing: row["params"], source: source + " params")
        var metrics: [(String, Double)] = []
        if case .object(let fields) = try JSONValue(parsing: row["metrics"], source: source + " metrics") {
            metrics = fields.map { ($0.0, $0.1.doubleValue ?? .nan) }
        }
        var violations: [Double] = []
        if case .array(let items) = try JSONValue(parsing: row["violations"], source: source + " violations") {
            violations = items.map { $0.doubleValue ?? .infinity }
        }
        var record = TrialRecord(number: number, params: params, state: state, attempt: row["attempt"], worker: row["worker"],
                                 queuedAt: row["queued_at"], startedAt: row["started_at"], finishedAt: row["finished_at"],
                                 metrics: metrics, violations: violations, error: row["error"])
        record.paramsHash = row["params_hash"]
        return record
    }
}
