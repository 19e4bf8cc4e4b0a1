import Foundation

/// The process that holds a study file: the only one allowed to write trials to it.
///
/// A sweep or coordinator takes ownership before its first write and gives it up when it ends;
/// the owner row in the file says who holds it (host, process id and that process's start
/// time, so a reused process id is not mistaken for the owner) and when it last renewed its
/// claim. Another process may take a file over only when its owner is provably gone
/// (``isGone(seenFrom:now:)``).
public struct StudyOwner: Sendable, Equatable {
    /// Seconds between renewals of the claim while the owner runs.
    public static let renewalSeconds = 5.0
    /// An owner on another host that has not renewed its claim for this long is gone (a host
    /// cannot see another's processes, so only silence proves it).
    public static let silentAfterSeconds = 30.0

    /// The owner's host name.
    public var host: String
    /// Its process id.
    public var pid: Int32
    /// When that process started (clock ticks since boot, from `/proc/PID/stat`; empty when
    /// unknown), so that a later process with the same id is not taken for the owner.
    public var processStart: String
    /// The owner host's boot id (`/proc/sys/kernel/random/boot_id`): after a reboot every
    /// process of the old boot is gone.
    public var bootID: String
    /// What owns it (`sweep`, `coordinator`).
    public var command: String
    /// When ownership was taken and last renewed (seconds since 1970).
    public var acquiredAt: Double
    /// When the owner last renewed its claim.
    public var renewedAt: Double
    /// A secret of the owning store: every write checks the file still names it.
    var token: String

    /// This process, as an owner running `command`.
    public static func thisProcess(command: String, now: Double = Date().timeIntervalSince1970) -> StudyOwner {
        let pid = getpid()
        return StudyOwner(host: ProcessInfo.processInfo.hostName, pid: pid, processStart: startTime(of: pid) ?? "",
                          bootID: bootID, command: command, acquiredAt: now, renewedAt: now, token: UUID().uuidString)
    }

    /// Whether this owner is provably gone, as seen by `observer` at `now`: on the same host
    /// and boot, its process has exited (or the id now belongs to a process started later); on
    /// the same host after a reboot, always; on another host, once it has been silent for
    /// ``silentAfterSeconds``.
    public func isGone(seenFrom observer: StudyOwner, now: Double) -> Bool {
        guard host == observer.host else { return now - renewedAt > StudyOwner.silentAfterSeconds }
        if !bootID.isEmpty && !observer.bootID.isEmpty && bootID != observer.bootID { return true }
        guard StudyOwner.processExists(pid) else { return true }
        guard !processStart.isEmpty, let current = StudyOwner.startTime(of: pid) else { return false }
        return current != processStart
    }

    /// One line for people: `magnet sweep on host node1 (pid 4242, since 2026-11-30 10:02:11 UTC)`.
    public var description: String {
        let since = Date(timeIntervalSince1970: acquiredAt)
        return "magnet \(command) on host \(host) (pid \(pid), since \(StudyOwner.timestamp.string(from: since)))"
    }

    static let timestamp: DateFormatter = {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter
    }()

    /// Whether a process with this id exists (one of another user counts: `EPERM`).
    static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// The start time of process `pid` in clock ticks since boot (field 22 of `/proc/PID/stat`),
    /// or `nil` where there is no such process or no `/proc`.
    static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let commandEnd = stat.lastIndex(of: ")") else { return nil }
        // After the command name (which may hold spaces and parentheses): field 3 onwards.
        let fields = stat[stat.index(after: commandEnd)...].split(separator: " ")
        let startTimeField = 22 - 3
        return fields.count > startTimeField ? String(fields[startTimeField]) : nil
    }

    /// This boot's id, or empty where the system has none.
    static let bootID: String = {
        let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
        return text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }()
}
