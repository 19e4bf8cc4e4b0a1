import Foundation
import MagnetCore
import MagnetStore

extension StudyStore {
    /// Opens the study file at `path` for `spec`, or creates it.
    ///
    /// An existing file must hold the same spec (compared read-only first, so a refused file is
    /// left untouched); the error lists what differs. With `resume`, the file must exist.
    public static func openOrCreate(for spec: SweepSpec, path: String, resume: Bool, sweepFile: String,
                                    magnetVersion: String) throws -> (store: StudyStore, created: Bool) {
        let canonical = spec.canonicalJSON.rendered(pretty: false)
        guard FileManager.default.fileExists(atPath: path) else {
            if resume { throw StoreError(path: path, "no study file to resume; run without --resume to create it") }
            let store = try StudyStore.create(path: path, study: StudyRecord(name: spec.study, specJSON: canonical, seed: spec.seed,
                                                                             magnetVersion: magnetVersion))
            return (store, true)
        }
        let stored = try StudyStore.open(path: path, readOnly: true).study()
        if stored.specHash != StudyRecord.hash(canonical) {
            let differences = SweepSpec.differences(try JSONValue(parsing: stored.specJSON), spec.canonicalJSON)
            throw StoreError(path: path, "holds study `\(stored.name)` with a different spec; differences (stored → \(sweepFile)):\n  "
                             + differences.prefix(12).joined(separator: "\n  ")
                             + "\nUse another --db for a new study, or the sweep file (and --seed) the study was made with.")
        }
        return (try StudyStore.open(path: path), false)
    }
}
