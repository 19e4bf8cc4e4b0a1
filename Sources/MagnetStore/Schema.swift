import GRDB

/// The store's schema, versioned with `PRAGMA user_version` and marked as magnet's with
/// `PRAGMA application_id`. Each migration moves the file one version up inside one transaction;
/// a file from a newer magnet is refused and left untouched.
enum Schema {
    /// `PRAGMA application_id` of every magnet study file: "MAGN" in ASCII.
    static let applicationID: Int32 = 0x4D41_474E

    /// The schema version this build writes.
    static var currentVersion: Int { migrations.count }

    /// Migration `k` takes a file from version `k` to `k + 1`.
    static let migrations: [String] = [
        // 0 → 1: the first schema.
        """
        CREATE TABLE studies (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            spec TEXT NOT NULL,
            spec_hash TEXT NOT NULL,
            seed INTEGER NOT NULL,
            status TEXT NOT NULL,
            created_at REAL NOT NULL,
            magnet_version TEXT NOT NULL
        );
        CREATE TABLE trials (
            number INTEGER PRIMARY KEY,
            params TEXT NOT NULL,
            params_hash TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'complete', 'infeasible', 'failed')),
            attempt INTEGER NOT NULL DEFAULT 1,
            worker TEXT,
            queued_at REAL NOT NULL,
            started_at REAL,
            finished_at REAL,
            metrics TEXT NOT NULL DEFAULT '{}',
            violations TEXT NOT NULL DEFAULT '[]',
            error TEXT
        );
        CREATE INDEX trials_state ON trials (state);
        CREATE INDEX trials_params_hash ON trials (params_hash);
        CREATE TABLE layer_results (
            trial INTEGER NOT NULL REFERENCES trials (number) ON DELETE CASCADE,
            network TEXT NOT NULL,
            layer TEXT NOT NULL,
            count INTEGER NOT NULL,
            layer_names TEXT NOT NULL,
            energy_pj REAL NOT NULL,
            cycles INTEGER NOT NULL,
            utilization REAL NOT NULL,
            mapping TEXT NOT NULL,
            PRIMARY KEY (trial, network, layer)
        );
        CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER,
            cores INTEGER,
            first_seen REAL NOT NULL,
            last_seen REAL NOT NULL,
            trials_done INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time REAL NOT NULL,
            kind TEXT NOT NULL,
            trial INTEGER,
            message TEXT NOT NULL
        );
        """,
        // 1 → 2: the owner row (StudyOwner): who may write the file.
        """
        CREATE TABLE owner (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            token TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            process_start TEXT NOT NULL,
            boot_id TEXT NOT NULL,
            command TEXT NOT NULL,
            acquired_at REAL NOT NULL,
            renewed_at REAL NOT NULL
        );
        """,
        // 2 → 3: the accuracy evaluator's answers (AccuracyAnswerRecord), one per question.
        """
        CREATE TABLE accuracy_answers (
            key TEXT PRIMARY KEY,
            network TEXT NOT NULL,
            accuracy REAL NOT NULL,
            extra TEXT NOT NULL DEFAULT '{}',
            recorded_at REAL NOT NULL
        );
        """,
    ]

    /// Brings `db` to ``currentVersion``, marking it as a magnet file.
    static func migrate(_ db: Database) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard version < currentVersion else { return }
        for index in version..<currentVersion {
            try db.execute(sql: migrations[index])
        }
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try db.execute(sql: "PRAGMA user_version = \(currentVersion)")
    }
}
