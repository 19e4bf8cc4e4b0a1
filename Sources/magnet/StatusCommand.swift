import ArgumentParser
import Foundation
import MagnetCluster
import MagnetCore
import MagnetStore
import MagnetSweep

/// `magnet status`: where a study is.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a study's progress: trials by state, best design per objective, rate.",
        discussion: """
        Reads the study file without writing to it, so it is safe while a sweep is running.

        Examples:
          magnet status quickstart.db
          magnet status quickstart.db --json      the `trials` object has complete, running, queued, failed, infeasible
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study file (or give --connect).")
    var db: String?
    @Option(help: "Ask a running coordinator instead: its live workers, leases, counters and best so far.")
    var connect: String?
    @Option(help: "With --connect to a CURVE coordinator: its public-key file.")
    var curveServerKey: String?
    @Option(help: "With --connect to a CURVE coordinator: a secret-key file whose public key it authorizes.")
    var curveSecretKey: String?
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if (db == nil) == (connect == nil) { throw ValidationError("give a study file or --connect ENDPOINT (one of them)") }
        if (curveSecretKey == nil) != (curveServerKey == nil) {
            throw ValidationError("--curve-server-key and --curve-secret-key go together")
        }
        if curveSecretKey != nil && connect == nil { throw ValidationError("the CURVE keys go with --connect") }
    }

    func run() throws {
        if let connect {
            var curve: (keys: Curve.KeyPair, serverKey: String)?
            if let curveSecretKey, let curveServerKey {
                curve = (try Curve.readKeyPair(curveSecretKey), try Curve.readKey(curveServerKey))
            }
            let status = try StatusConnect.query(connect, seconds: 5, curve: curve)
            if json { print(status.rendered()); return }
            let name: String = { if case .string(let s)? = status["study"] { return s } else { return "?" } }()
            print("study \(name) at \(connect): \(status["finished"]?.rendered(pretty: false) ?? "?") finished, \(status["in_flight"]?.rendered(pretty: false) ?? "?") in flight, \(status["queued"]?.rendered(pretty: false) ?? "?") queued")
            if let rate = status["trials_per_second"]?.doubleValue { print(String(format: "throughput: %.2f trials/s since the coordinator started", rate)) }
            if let best = status["best"], best != .null { print("best: \(best.rendered(pretty: false))") }
            if case .array(let workers)? = status["workers"] {
                var table = TextTable(["worker", "host", "slots", "running", "done", "last heartbeat s"],
                                      alignments: [.left, .left, .right, .right, .right, .right])
                for w in workers {
                    table.append(["worker", "host", "slots", "running", "done"].map { key in
                        switch w[key] { case .string(let s)?: return s; case let v?: return v.rendered(pretty: false); case nil: return "" }
                    } + [w["last_heartbeat_s"]?.doubleValue.map { String(format: "%.1f", $0) } ?? ""])
                }
                print(table.rendered())
            }
            if case .array(let leases)? = status["leases"], !leases.isEmpty {
                var table = TextTable(["trial", "attempt", "worker", "lease expires in s"], alignments: [.right, .right, .left, .right])
                for lease in leases {
                    table.append([lease["trial"]?.rendered(pretty: false) ?? "", lease["attempt"]?.rendered(pretty: false) ?? "",
                                  { if case .string(let s)? = lease["worker"] { return s } else { return "" } }(),
                                  lease["expires_in_s"]?.doubleValue.map { String(format: "%.0f", $0) } ?? ""])
                }
                print(table.rendered())
            }
            if let counters = status["counters"] { print("counters: \(counters.rendered(pretty: false))") }
            return
        }
        guard let db else { return }
        let view = try StudyView.open(path: db)
        let counts = try view.store.counts()
        let trials = try view.store.trials()
        let finished = trials.filter { $0.state.isFinished }
        let started = trials.compactMap(\.queuedAt).min()
        let last = finished.compactMap(\.finishedAt).max()
        let rate: Double? = {
            guard let started, let last, last > started, !finished.isEmpty else { return nil }
            return Double(finished.count) / (last - started)
        }()
        let bests = view.objectives.map { objective in (objective, StudyView.best(trials, objective: objective, within: [])) }
        let front = view.paretoFront(trials)
        let owner = try view.store.owner()
        let now = Date().timeIntervalSince1970
        let ownerGone = owner?.isGone(seenFrom: StudyOwner.thisProcess(command: "status"), now: now) ?? false
        if json {
            print(JSONValue.object([
                ("study", .string(view.study.name)), ("file", .string(db)), ("status", .string(view.study.status.rawValue)),
                ("owner", owner.map { owner in .object([
                    ("command", .string(owner.command)), ("host", .string(owner.host)), ("pid", .int(Int(owner.pid))),
                    ("acquired_at", .double(owner.acquiredAt)), ("renewed_s_ago", .double(now - owner.renewedAt)),
                    ("gone", .bool(ownerGone)),
                ]) } ?? .null),
                ("spec_hash", .string(view.study.specHash)), ("seed", .int(Int(truncatingIfNeeded: view.study.seed))),
                ("trials", .object(TrialState.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) } + [("total", .int(trials.count))])),
                ("trials_per_second", .optional(rate)),
                ("best", .array(bests.map { objective, trial in
                    .object([("objective", .string(objective.text)), ("trial", .optional(trial?.number)),
                             ("value", .optional(trial?.metric(objective.metric)))])
                })),
                ("pareto_size", .int(front.count)),
                ("constraints", .array(view.constraints.map { .string($0.text) })),
            ]).rendered())
            return
        }
        print("study \(view.study.name) (\(view.study.status.rawValue)) — \(db)")
        if let owner {
            print("held by \(owner.description)" + (ownerGone ? ", which is gone: run the sweep again to resume" : ""))
        }
        print("trials: " + TrialState.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
              + "; \(trials.count) in all")
        if let rate { print("rate: \(String(format: "%.2f", rate)) trials/s") }
        if !view.constraints.isEmpty { print("constraints: " + view.constraints.map(\.text).joined(separator: ", ")) }
        for (objective, trial) in bests {
            if let trial {
                let columns = TrialColumns(view: view, trials: [trial])
                let params = view.parameterNames.map { "\($0)=\(columns.paramText(trial, $0))" }.joined(separator: " ")
                print("best (\(objective.text)): \(Format.number(trial.metric(objective.metric) ?? .nan)) — trial \(trial.number): \(params)")
            } else {
                print("best (\(objective.text)): no feasible trial yet")
            }
        }
        if view.objectives.count > 1 { print("Pareto front: \(front.count) design(s) (magnet pareto \(db))") }
    }
}
