import Foundation
import MagnetStore
import Testing

/// A single-node Slurm (slurmctld, slurmd and munged from Debian's slurm-wlm and munge) started
/// in a temporary folder with its own ports, for the length of the Slurm tests.
final class SingleNodeSlurm: @unchecked Sendable {   // set up once, then only read
    let folder: URL
    let configuration: String
    /// munged, slurmctld and slurmd, run in the foreground as this process's children.
    private(set) var daemons: [pid_t] = []

    /// Why a single-node Slurm cannot be stood up here (printed once), or `nil`.
    static let missing: String? = {
        var reason: String?
        for tool in ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch"]
        where reason == nil && !FileManager.default.isExecutableFile(atPath: tool) {
            reason = "\(tool) is missing (apt-get install slurm-wlm munge)"
        }
        if reason == nil && getuid() != 0 { reason = "a single-node Slurm with SlurmUser=root needs root" }
        if reason == nil && !FileManager.default.isReadableFile(atPath: "/etc/munge/munge.key") {
            reason = "/etc/munge/munge.key is missing or unreadable"
        }
        if let reason { FileHandle.standardError.write(Data("SlurmTests skipped: \(reason)\n".utf8)) }
        return reason
    }()

    struct SetupError: Error, CustomStringConvertible {
        var reason: String
        init(_ reason: String) { self.reason = reason }
        var description: String { "single-node Slurm: \(reason)" }
    }

    /// Starts munged, slurmctld and slurmd (in a test body: starting processes inside a static
    /// initializer or a trait's condition hung waiting for them).
    init() throws {
        folder = URL(fileURLWithPath: "/tmp/magnet-slurm-\(UUID().uuidString.prefix(8))")
        for sub in ["state", "spool", "run", "munge"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let path = folder.path
        let host = ProcessInfo.processInfo.hostName
        let port = Int.random(in: 20_000...40_000)
        configuration = path + "/slurm.conf"
        try """
            ClusterName=magnettest
            SlurmctldHost=\(host)
            SlurmUser=root
            SlurmdUser=root
            SlurmctldPort=\(port)
            SlurmdPort=\(port + 1)
            AuthType=auth/munge
            AuthInfo=socket=\(path)/munge/munge.socket,cred_expire=10
            CryptoType=crypto/munge
            StateSaveLocation=\(path)/state
            SlurmdSpoolDir=\(path)/spool
            SlurmctldPidFile=\(path)/run/slurmctld.pid
            SlurmdPidFile=\(path)/run/slurmd.pid
            SlurmctldLogFile=\(path)/slurmctld.log
            SlurmdLogFile=\(path)/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            SchedulerType=sched/backfill
            AccountingStorageType=accounting_storage/none
            JobAcctGatherType=jobacct_gather/none
            JobCompType=jobcomp/none
            MpiDefault=none
            ReturnToService=2
            SlurmdParameters=config_overrides
            NodeName=\(host) CPUs=4 RealMemory=4000 State=UNKNOWN
            PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        try start("/usr/sbin/munged", ["--foreground", "--socket=\(path)/munge/munge.socket", "--pid-file=\(path)/run/munged.pid",
                                       "--log-file=\(path)/munged.log", "--seed-file=\(path)/munge/seed", "--force"])
        guard waitFor(seconds: 15, { FileManager.default.fileExists(atPath: path + "/munge/munge.socket") }) else {
            throw SetupError("munged did not start (see \(path)/munged.log, munged.out)")
        }
        try start("/usr/sbin/slurmctld", ["-D", "-i"])
        try start("/usr/sbin/slurmd", ["-D"])
        guard waitFor(seconds: 30, { (try? self.run("/usr/bin/sinfo", ["-h", "-o", "%t"]).output)?.contains("idle") == true }) else {
            throw SetupError("the node did not come up idle (see \(path)/slurmctld.log and slurmd.log)")
        }
    }

    /// Runs a Slurm command (or submit.sh) with this cluster's configuration, to its end.
    func run(_ tool: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let output = folder.appendingPathComponent("command-\(UUID().uuidString.prefix(8)).out").path
        let pid = try spawn(tool, arguments, environment: extra, output: output)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), text)
    }

    /// Starts a daemon in the foreground as a child (output to NAME.out in the folder).
    private func start(_ tool: String, _ arguments: [String]) throws {
        let name = URL(fileURLWithPath: tool).lastPathComponent
        let output = folder.appendingPathComponent("\(name).out").path
        let pid = try spawn(tool, arguments, environment: [:], output: output)
        daemons.append(pid)
        usleep(300_000)
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw SetupError("\(tool) exited at once (wait status \(status)): \(text)")
        }
    }

    /// posix_spawn with stdout and stderr to `output` and SLURM_CONF set (Foundation's Process
    /// left these children unreaped here, and its wait never returned).
    private func spawn(_ tool: String, _ arguments: [String], environment extra: [String: String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let environment = ProcessInfo.processInfo.environment.merging(["SLURM_CONF": configuration]) { $1 }
            .merging(extra) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([tool] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // Default dispositions and no blocked signals: the test process ignores SIGTERM, and an
        // ignored signal stays ignored across exec (the daemons would not stop, nor jobs cancel).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, tool, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SetupError("cannot start \(tool): \(String(cString: strerror(result)))") }
        return pid
    }

    /// Jobs still known to Slurm (pending or running), as `JOBID STATE` lines.
    func queue() -> [String] {
        ((try? run("/usr/bin/squeue", ["-h", "-o", "%i %T"]).output) ?? "").split(separator: "\n").map(String.init)
    }

    /// Stops the daemons (the last test calls it: a static is never deinitialized).
    func stop() {
        for daemon in daemons.reversed() {
            kill(daemon, SIGTERM)
            var status: Int32 = 0
            let deadline = Date().addingTimeInterval(15)
            while waitpid(daemon, &status, WNOHANG) == 0 {
                if Date() > deadline { kill(daemon, SIGKILL) }
                usleep(50_000)
            }
        }
        daemons = []
    }

    deinit { stop() }
}

@Suite(.serialized) struct SlurmTests {
    /// `cluster/slurm/submit.sh` on a real single-node Slurm: the coordinator and a two-task
    /// worker array find each other through the endpoint file, a worker cancelled mid-run hands
    /// its trial back, the study ends with exactly its budget, and no job or process is left.
    @Test(.enabled(if: SingleNodeSlurm.missing == nil, "no single-node Slurm here (the reason is printed above)"))
    func submitRunsAStudyThroughACancelledWorker() throws {
        let slurm = try SingleNodeSlurm()
        defer { slurm.stop() }
        let (folder, sweep, db) = try writeTinySweep(trials: 12, mapperBudget: 600)
        let submitted = try slurm.run(CLIRunner.repository.appendingPathComponent("cluster/slurm/submit.sh").path,
                                      [sweep, "--db", db, "--workers", "2", "--trials", "12"],
                                      environment: ["MAGNET": CLIRunner.executable.path])
        #expect(submitted.status == 0, "\(submitted.output)")
        let ids = submitted.output.split(separator: "\n").first.map { line in
            line.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }
        } ?? []
        let (coordinatorJob, arrayJob) = try (#require(ids.first), #require(ids.dropFirst().first))
        defer { _ = try? slurm.run("/usr/bin/scancel", [String(coordinatorJob), String(arrayJob)]) }

        // Both workers run and trials finish; then the first worker task is cancelled.
        #expect(waitFor(seconds: 180) {
            slurm.queue().filter { $0.hasPrefix("\(arrayJob)_") && $0.hasSuffix("RUNNING") }.count == 2 && finishedCount(db) >= 3
        }, "\(slurm.queue())")
        let cancelled = try slurm.run("/usr/bin/scancel", ["\(arrayJob)_1"])
        #expect(cancelled.status == 0, "\(cancelled.output)")
        // The coordinator is requeued (as on a node failure or preemption): the job starts again,
        // takes the study up, and the remaining worker follows it through the endpoint file.
        let requeued = try slurm.run("/usr/bin/scontrol", ["requeue", String(coordinatorJob)])
        #expect(requeued.status == 0, "\(requeued.output)")
        // Slurm holds a requeued job back for the job credential's lifetime (cred_expire, 120 s by
        // default; 10 s in this slurm.conf): forcing an earlier start kills the job ("Job
        // credential revoked").

        #expect(waitFor(seconds: 300) { slurm.queue().isEmpty }, "jobs left: \(slurm.queue())")
        let trials = studyTrials(db)
        #expect(trials.count == 12 && trials.allSatisfy(\.state.isFinished))
        #expect(Set(trials.map(\.paramsHash)).count == 12)
        #expect(try StudyStore.open(path: db, readOnly: true).study().status == .finished)
        #expect((try? String(contentsOfFile: db + ".endpoint", encoding: .utf8)) == "finished\n")
        let logs = folder.appendingPathComponent("logs")
        let coordinatorLog = try String(contentsOf: logs.appendingPathComponent("coordinator.log"), encoding: .utf8)
        #expect(coordinatorLog.contains("done: 12/12 trials"), "\(coordinatorLog)")
        #expect(coordinatorLog.contains("(restart 1)"), "\(coordinatorLog)")
        #expect(try StudyStore.open(path: db, readOnly: true).events().contains { $0.kind == .resume })
        let cancelledLog = try String(contentsOf: logs.appendingPathComponent("worker-1.log"), encoding: .utf8)
        #expect(cancelledLog.contains("(stopped)"), "\(cancelledLog)")
        // No magnet process outlives its job.
        #expect(waitFor(seconds: 10) { workerProcesses(containing: db + ".endpoint").isEmpty })
    }
}
