import Foundation
import MagnetStore
import Testing

/// Runs `ip ARGS`; true on success.
@discardableResult
func ip(_ arguments: [String]) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/ip")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// Whether this machine lets the tests make network namespaces (root with CAP_SYS_ADMIN and iproute2).
let namespacesAvailable: Bool = {
    let probe = "magnet-probe-\(getpid())"
    guard FileManager.default.isExecutableFile(atPath: "/bin/ip"), ip(["netns", "add", probe]) else { return false }
    ip(["netns", "del", probe])
    return true
}()

/// Two hosts: network namespaces joined by a veth pair, 10.77.N.1 (coordinator) and 10.77.N.2 (worker).
struct TwoHosts {
    let coordinatorHost: String
    let workerHost: String
    let workerLink: String
    let coordinatorAddress: String

    init() throws {
        let tag = String(getpid() % 10_000) + String(Int.random(in: 0..<100))
        let subnet = Int.random(in: 1..<250)
        coordinatorHost = "mgc\(tag)"
        workerHost = "mgw\(tag)"
        let coordinatorLink = "vc\(tag)"
        workerLink = "vw\(tag)"
        coordinatorAddress = "10.77.\(subnet).1"
        let steps: [[String]] = [
            ["netns", "add", coordinatorHost], ["netns", "add", workerHost],
            ["link", "add", coordinatorLink, "type", "veth", "peer", "name", workerLink],
            ["link", "set", coordinatorLink, "netns", coordinatorHost], ["link", "set", workerLink, "netns", workerHost],
            ["-n", coordinatorHost, "addr", "add", "\(coordinatorAddress)/24", "dev", coordinatorLink],
            ["-n", workerHost, "addr", "add", "10.77.\(subnet).2/24", "dev", workerLink],
            ["-n", coordinatorHost, "link", "set", coordinatorLink, "up"], ["-n", workerHost, "link", "set", workerLink, "up"],
            ["-n", coordinatorHost, "link", "set", "lo", "up"], ["-n", workerHost, "link", "set", "lo", "up"],
        ]
        for step in steps where !ip(step) {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "ip \(step.joined(separator: " ")) failed"])
        }
    }

    func remove() {
        ip(["netns", "del", coordinatorHost])
        ip(["netns", "del", workerHost])
    }

    /// Starts `magnet ARGS` inside a namespace.
    func launch(in host: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/ip")
        process.arguments = ["netns", "exec", host, CLIRunner.executable.path] + arguments
        process.currentDirectoryURL = CLIRunner.repository
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func setWorkerLink(up: Bool) { ip(["-n", workerHost, "link", "set", workerLink, up ? "up" : "down"]) }
}

@Suite(.serialized) struct NetworkNamespaceTests {
    /// A worker on another host loses its link past its lease: its trial is re-issued, and when
    /// the link comes back it rejoins and takes work again.
    @Test(.enabled(if: namespacesAvailable, "needs root and iproute2 (ip netns)"))
    func aWorkerWhoseLinkDropsIsReplacedAndRejoins() throws {
        let hosts = try TwoHosts()
        defer { hosts.remove() }
        // Enough trials that the local worker alone cannot finish them before the link returns.
        let (_, sweep, db) = try writeTinySweep(trials: 30, mapperBudget: 600)
        let endpoint = "tcp://\(hosts.coordinatorAddress):5555"
        let coordinator = try hosts.launch(in: hosts.coordinatorHost, ["coordinator", sweep, "--db", db, "--bind", endpoint,
                                                                     "--heartbeat", "0.3", "--lease", "4"])
        usleep(300_000)
        let remote = try hosts.launch(in: hosts.workerHost, ["worker", "--connect", endpoint, "--slots", "1", "--id", "remote"])
        let local = try hosts.launch(in: hosts.coordinatorHost, ["worker", "--connect", endpoint, "--slots", "1", "--id", "local"])
        defer { for p in [coordinator, remote, local] where p.isRunning { p.terminate() } }
        func trials() -> [TrialRecord] { studyTrials(db) }
        var cut: Int?
        #expect(waitFor(seconds: 120) {
            cut = trials().first { $0.state == .running && $0.worker == "remote" }?.number
            return cut != nil
        })
        hosts.setWorkerLink(up: false)
        // Past the lease (4 s) and the heartbeat allowance (1.5 s): the trial goes to the local worker.
        #expect(waitFor(seconds: 60) { (trials().first { $0.number == cut }?.attempt ?? 1) >= 2 })
        usleep(2_000_000)
        let backAt = Date().timeIntervalSince1970
        hosts.setWorkerLink(up: true)
        #expect(waitFor(seconds: 180) { !coordinator.isRunning }, "the coordinator did not finish")
        let all = trials()
        #expect(all.count == 30 && all.allSatisfy { $0.state.isFinished })
        #expect(Set(all.map(\.paramsHash)).count == 30)
        // The remote worker rejoined: it finished trials it started after the link came back.
        #expect(all.contains { $0.worker == "remote" && ($0.startedAt ?? 0) > backAt }, "the remote worker did not rejoin")
    }
}
