import Foundation
import GRDB

/// A store's claim on its file: the owner row it wrote and the timer that renews it.
///
/// `@unchecked Sendable`: both fields are read and written only under `lock`.
final class OwnershipClaim: @unchecked Sendable {
    private let lock = NSLock()
    private var owner: StudyOwner?
    private var renewal: DispatchSourceTimer?

    /// The owner this store wrote, while it holds the file.
    var current: StudyOwner? { lock.withLock { owner } }

    func hold(_ owner: StudyOwner, renewal: DispatchSourceTimer) {
        lock.withLock {
            self.renewal?.cancel()
            self.owner = owner
            self.renewal = renewal
        }
    }

    /// Forgets the claim, stopping its renewal; returns the owner it was.
    func drop() -> StudyOwner? {
        lock.withLock {
            renewal?.cancel()
            renewal = nil
            defer { owner = nil }
            return owner
        }
    }
}

extension StudyStore {
    /// Takes the study file for this process before it writes trials (a sweep, a coordinator).
    ///
    /// Refused with a ``StoreError`` naming the owner while another process holds the file
    /// (another sweep or coordinator, on this host or any host sharing the file). A file whose
    /// owner is provably gone (``StudyOwner/isGone(seenFrom:now:)``: it was killed, its host
    /// rebooted, or on another host it has been silent for ``StudyOwner/silentAfterSeconds``)
    /// is taken over, and the takeover is logged. While held, the claim is renewed every
    /// ``StudyOwner/renewalSeconds``. Returns the owner taken over, if any.
    @discardableResult
    public func takeOwnership(command: String) throws -> StudyOwner? {
        let me = StudyOwner.thisProcess(command: command)
        let previous: StudyOwner? = try database.write { db in
            let previous = try StudyStore.owner(in: db)
            if let previous, previous.token != claim.current?.token,
               !previous.isGone(seenFrom: me, now: Date().timeIntervalSince1970) {
                throw StoreError(path: path, "is in use by \(previous.description); one sweep or coordinator "
                                 + "writes a study at a time. Wait for it to end or stop it, or use another --db.",
                                 heldBy: previous)
            }
            try db.execute(sql: "DELETE FROM owner")
            try db.execute(sql: """
                INSERT INTO owner (id, token, host, pid, process_start, boot_id, command, acquired_at, renewed_at)
                VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [me.token, me.host, me.pid, me.processStart, me.bootID, me.command, me.acquiredAt,
                                 me.renewedAt])
            if let previous {
                try StudyStore.insert(EventRecord(time: me.acquiredAt, kind: .takeover,
                                                  message: "took the study over from \(previous.description), which is gone"),
                                      in: db)
            }
            return previous
        }
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + StudyOwner.renewalSeconds, repeating: StudyOwner.renewalSeconds)
        timer.setEventHandler { [weak self] in self?.renewOwnership(token: me.token) }
        claim.hold(me, renewal: timer)
        timer.resume()
        return previous
    }

    /// Takes the study file, waiting up to `wait.seconds` for a holder to end or to be provably
    /// gone (a coordinator requeued onto another node finds its killed predecessor's claim fresh
    /// for up to ``StudyOwner/silentAfterSeconds``). `wait.onWait` is told the holder once, when
    /// waiting starts; `wait.shouldStop` ends the wait early. Throws the refusal when the wait is
    /// over.
    @discardableResult
    public func takeOwnership(command: String, wait: OwnerWait) throws -> StudyOwner? {
        let deadline = Date().addingTimeInterval(wait.seconds)
        var told = false
        while true {
            do {
                return try takeOwnership(command: command)
            } catch let refusal as StoreError where refusal.heldBy != nil && Date() < deadline && !wait.shouldStop() {
                if !told, let holder = refusal.heldBy { wait.onWait?(holder) }
                told = true
                Thread.sleep(forTimeInterval: min(1, max(0, deadline.timeIntervalSinceNow)))
            }
        }
    }

    /// Gives the file up (the owner row is removed if it still names this store). Safe to call
    /// when not holding it.
    public func releaseOwnership() throws {
        guard let me = claim.drop() else { return }
        try database.write { db in
            try db.execute(sql: "DELETE FROM owner WHERE token = ?", arguments: [me.token])
        }
    }

    /// Whether this store holds its file.
    public var isOwner: Bool { claim.current != nil }

    /// Runs `body` holding the file (taken as `command`, unless this store holds it already, and
    /// then given up again, also when `body` throws). `wait` gives the holder that long to end
    /// (``takeOwnership(command:wait:)``).
    public func whileOwning<T>(command: String, wait: OwnerWait = .none, _ body: () throws -> T) throws -> T {
        guard !isOwner else { return try body() }
        try takeOwnership(command: command, wait: wait)
        let result: T
        do {
            result = try body()
        } catch {
            // The body's error is the one to report; giving the file up is best effort here (an
            // owner row left behind names this process, which is gone once it exits).
            try? releaseOwnership()
            throw error
        }
        try releaseOwnership()
        return result
    }

    /// The file's owner, if any process holds it.
    public func owner() throws -> StudyOwner? {
        // A file of schema version 1, opened read-only and so not migrated, has no owner table.
        try database.read { db in try db.tableExists("owner") ? StudyStore.owner(in: db) : nil }
    }

    /// Renews the claim; a claim the file no longer names is left alone (the next write says so).
    func renewOwnership(token: String) {
        do {
            try database.write { db in
                try db.execute(sql: "UPDATE owner SET renewed_at = ? WHERE token = ?",
                               arguments: [Date().timeIntervalSince1970, token])
            }
        } catch {
            // A renewal that fails (the disk is full, the file is busy past the timeout) is tried
            // again at the next tick; every write checks the claim itself.
            return
        }
    }

    /// Runs `body` in a write transaction once the file is checked to be this store's to write:
    /// nobody owns it, or this store does.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writeChecked(body)
        } catch let error as DatabaseError {
            throw StoreError(path: path, "cannot be written: \(StudyStore.describe(error))")
        }
    }

    private func writeChecked<T>(_ body: (Database) throws -> T) throws -> T {
        try database.write { db in
            let owner = try StudyStore.owner(in: db)
            let mine = claim.current
            if let owner, owner.token != mine?.token {
                throw StoreError(path: path, "was taken over by \(owner.description); this process no longer writes to it")
            }
            if owner == nil, mine != nil {
                throw StoreError(path: path, "no longer names this process as its owner (another process took it over "
                                 + "and ended); this process no longer writes to it")
            }
            return try body(db)
        }
    }

    static func owner(in db: Database) throws -> StudyOwner? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM owner WHERE id = 1") else { return nil }
        return StudyOwner(host: row["host"], pid: row["pid"], processStart: row["process_start"], bootID: row["boot_id"],
                          command: row["command"], acquiredAt: row["acquired_at"], renewedAt: row["renewed_at"],
                          token: row["token"])
    }
}

/// How long a sweep or coordinator waits for the study file's holder to end before it is refused.
public struct OwnerWait {
    /// Seconds to wait (0: refused at once).
    public var seconds: Double
    /// Told the holder once, when waiting starts.
    public var onWait: ((StudyOwner) -> Void)?
    /// Ends the wait early (a stop request).
    public var shouldStop: () -> Bool

    /// A wait of `seconds`.
    public init(seconds: Double, onWait: ((StudyOwner) -> Void)? = nil, shouldStop: @escaping () -> Bool = { false }) {
        self.seconds = seconds
        self.onWait = onWait
        self.shouldStop = shouldStop
    }

    /// No wait: refused at once while another process holds the file.
    public static var none: OwnerWait { OwnerWait(seconds: 0) }
}
