import MagnetStore

/// Why a run of a study (a sweep or a coordinator) ended.
public enum RunEnd: String, Sendable {
    /// The trial budget was met.
    case budget
    /// This run's time was up.
    case time
    /// The strategy had no unseen point left.
    case exhausted
    /// Stopped from outside (Ctrl-C, SIGTERM, a stop request).
    case interrupted

    /// The study's status after such an end.
    public var studyStatus: StudyStatus { self == .budget || self == .exhausted ? .finished : .stopped }
}
