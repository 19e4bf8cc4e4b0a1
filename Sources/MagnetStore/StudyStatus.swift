/// Where a study is: being run, stopped before its budget (resumable), or finished.
public enum StudyStatus: String, CaseIterable, Sendable {
    /// A sweep or coordinator is running it (or was, and was killed).
    case running
    /// Interrupted or out of time before its budget; running it again resumes it.
    case stopped
    /// Its budget is met or its space exhausted (raise `--trials` to extend it).
    case finished
}
