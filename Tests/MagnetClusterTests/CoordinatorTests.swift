import CZeroMQ
import Foundation
import MagnetStore
import MagnetSweep
import Testing
@testable import MagnetCluster

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A tiny-cnn study (36 design points) in a fresh study file.
func tinyStudy(trials: Int, constraints: String = "[]", extra: String = "") throws -> (SweepSpec, StudyStore) {
    let text = """
        study: cluster
        seed: 5
        base: \(repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        networks: [\(repositoryRoot.appendingPathComponent("examples/tiny-cnn.yaml").path)]
        space:
          numPEs: [1, 2, 4, 8]
          lanes: [2, 4, 8]
          dataflow: [WS, OS, OS-LWS]
        objectives: [{minimize: energy_per_inference_uJ}]
        strategy: random
        budget: {trials: \(trials)}
        constraints: \(constraints)
        mapper: {budget: 100}
        \(extra)
        """
    let spec = try SweepSpec.parse(text, file: "/tmp/cluster.yaml")
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-cluster-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let store = try StudyStore.create(path: folder.appendingPathComponent("study.db").path,
                                      study: StudyRecord(name: spec.study, specJSON: spec.canonicalJSON.rendered(pretty: false),
                                                         seed: spec.seed, magnetVersion: "test"))
    return (spec, store)
}

/// Runs `body` on a new thread and returns a way to wait for its result.
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.start()
    }

    func wait(seconds: Double) throws -> T? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return try result!.get()
    }
}

final class EndpointBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?
    func set(_ v: String) { lock.lock(); value = v; lock.unlock() }
    func get() -> String? { lock.lock(); defer { lock.unlock() }; return value }
}

/// Starts a coordinator for `spec` on a free loopback port, on its own thread; returns its run
/// and the endpoint it bound. `configure` adjusts the options; `finished` is set when it ends.
func startCoordinator(_ spec: SweepSpec, _ store: StudyStore, finished: Flag? = nil,
                      configure: @escaping @Sendable (inout Coordinator.Options) -> Void = { _ in }) throws
    -> (run: Background<Coordinator.Report>, endpoint: String) {
    let bound = EndpointBox()
    let run = Background { () -> Coordinator.Report in
        defer { finished?.set() }
        var options = Coordinator.Options(endpoint: "tcp://127.0.0.1:*")
        configure(&options)
        let coordinator = Coordinator(spec: spec, store: store, options: options)
        coordinator.onBound = { bound.set($0) }
        return try coordinator.run()
    }
    var endpoint: String?
    for _ in 0..<200 where endpoint == nil { usleep(10_000); endpoint = bound.get() }
    guard let endpoint else { throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "the coordinator did not bind"]) }
    return (run, endpoint)
}

/// Sends raw frames from a DEALER and returns the replies received within `ms`.
func rogue(_ endpoint: String, id: String, _ messages: [[[UInt8]]], ms: Int32 = 500) throws -> [[[UInt8]]] {
    let context = ZMQContext()
    let socket = try ZMQSocket(context: context, kind: .dealer)
    defer { socket.close() }
    try socket.set(ZMQ_ROUTING_ID, string: id)
    try socket.connect(endpoint)
    for frames in messages { try socket.send(frames, dontWait: false) }
    var replies: [[[UInt8]]] = []
    while let reply = try socket.receive(timeoutMS: ms) { replies.append(reply) }
    return replies
}

@Suite(.serialized) struct CoordinatorTests {
    @Test func workersCompleteTheBudgetAndRogueInputIsCountedAndRefused() throws {
        let (spec, store) = try tinyStudy(trials: 8)
        let (coordinatorRun, target) = try startCoordinator(spec, store) { options in
            options.heartbeatSeconds = 0.2
            options.maximumMessageBytes = 1 << 20
        }

        // A rogue client, before any worker: garbage, an oversized body, a wrong-version hello,
        // a result for an unknown trial, and work requests without a hello.
        let hello3 = Array(#"{"v":3,"worker":"r","host":"h","pid":1,"cores":1,"slots":1,"magnetVersion":"x"}"#.utf8)
        let result = try Wire.frames(.result, ResultMessage(session: "s", trial: 999, attempt: 1, metricNames: [], metricValues: [],
                                                            layers: [], error: nil, seconds: 0))
        let replies = try rogue(target, id: "rogue", [
            [Array("only one frame".utf8)],
            [Array("nonsense-type".utf8), Array("{}".utf8)],
            [Array("ready".utf8), Array("not json at all".utf8)],
            [Array("result".utf8), Array(repeating: 0x7B, count: (1 << 20) + 1)],
            [Array("hello".utf8), hello3],
            result,
            try Wire.frames(.ready, Ready(session: "s", free: 4)),
        ])
        let replyTypes = replies.map { String(decoding: $0[0], as: UTF8.self) }
        // Refused: the result and the ready without a hello, and the wrong-version hello (the
        // undecodable ready is counted as malformed).
        #expect(replyTypes.filter { $0 == "refuse" }.count == 3)
        #expect(!replyTypes.contains("ack") && !replyTypes.contains("task"))
        let reasons = replies.filter { String(decoding: $0[0], as: UTF8.self) == "refuse" }.compactMap { Wire.decode(Refuse.self, $0[1])?.reason }
        #expect(reasons.contains { $0.contains("protocol version 3; this coordinator speaks version 2") })
        #expect(reasons.filter { $0 == "say hello first" }.count == 2)

        // Two real workers on threads finish the study.
        let workers = (1...2).map { index in
            Background { try Worker(options: Worker.Options(endpoint: target, slots: 1, id: "w\(index)")).run() }
        }
        let report = try #require(try coordinatorRun.wait(seconds: 120), "the coordinator did not finish")
        #expect(report.reason == .budget)
        #expect(report.finished == 8)
        let c = report.counters
        #expect(c.malformed == 3)   // one frame, unknown type, a ready that is not JSON
        #expect(c.oversized == 1)
        #expect(c.refusedHellos == 1)
        #expect(c.unknownPeers == 2)  // the result and the ready before a hello
        #expect(c.duplicateResults == 0)
        #expect(c.recorded == 8)
        // Workers leave on the coordinator's bye.
        let evaluated = try workers.map { try #require(try $0.wait(seconds: 30)).evaluated }
        #expect(evaluated.reduce(0, +) == 8)
        let trials = try store.trials()
        #expect(trials.count == 8 && trials.allSatisfy { $0.state.isFinished })
        #expect(Set(trials.map(\.paramsHash)).count == 8)
        #expect(Set(trials.compactMap(\.worker)) == ["w1", "w2"])
        #expect(try store.layerResults(trial: 1).count == 5)
    }

    /// Designs over the area bound never reach a worker: the coordinator records them
    /// infeasible unmapped, and the workers map only the others.
    @Test func designsOverTheAreaBoundStayWithTheCoordinator() throws {
        let (spec, store) = try tinyStudy(trials: 12, constraints: "[area_mm2 <= 0.2]")
        let (coordinatorRun, target) = try startCoordinator(spec, store)
        let worker = Background { try Worker(options: Worker.Options(endpoint: target, slots: 2, id: "solo")).run() }
        let report = try #require(try coordinatorRun.wait(seconds: 120), "the coordinator did not finish")
        #expect(report.finished == 12)
        let trials = try store.trials()
        let mapped = trials.filter { $0.state == .complete }, unmapped = trials.filter { $0.state == .infeasible }
        #expect(!mapped.isEmpty && !unmapped.isEmpty && mapped.count + unmapped.count == 12)
        #expect(report.counters.recorded == mapped.count)
        #expect(try #require(try worker.wait(seconds: 30)).evaluated == mapped.count)
        for trial in unmapped {
            #expect(try store.layerResults(trial: trial.number).isEmpty)
            #expect(try #require(trial.metric("area_mm2")) > 0.2)
        }
    }

    /// A study's accuracy evaluator runs on the worker that evaluates the trial, and its answer
    /// comes back with the trial's metrics and lands in the study file; a later run's new
    /// worker is sent the study's answers and never asks the same question again.
    @Test func workersRunTheAccuracyEvaluator() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-acc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("evaluate.sh").path
        try "#!/bin/sh\ncat > /dev/null\necho $$ >> \"$(dirname \"$0\")/pids\"\necho '{\"accuracy\": 0.91}'\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let (spec, store) = try tinyStudy(trials: 3, extra: "accuracy: {command: [\"\(script)\"], timeout: 30}")
        let (coordinatorRun, target) = try startCoordinator(spec, store)
        _ = Background { try Worker(options: Worker.Options(endpoint: target, slots: 1, id: "w")).run() }
        #expect(try coordinatorRun.wait(seconds: 120)?.finished == 3)
        let trials = try store.trials()
        #expect(trials.count == 3
                    && trials.allSatisfy { $0.metric("accuracy") == 0.91 && $0.metric("accuracy_drop") == 0 })
        // One worker, one format: the int8 answer and its int16 reference, asked once each.
        func runs() throws -> Int {
            try String(contentsOfFile: folder.appendingPathComponent("pids").path, encoding: .utf8)
                .split(separator: "\n").count
        }
        #expect(try runs() == 2)
        let answers = try store.accuracyAnswers()
        #expect(answers.count == 2 && answers.allSatisfy { $0.accuracy == 0.91 && $0.network == "tiny-cnn" })
        #expect(Set(answers.map(\.key)).count == 2 && answers.contains { $0.key.contains(#""weights":"int16""#) })
        // Another run of the same study, with a new worker: three more trials, no question asked.
        let (again, endpoint) = try startCoordinator(spec, store) { $0.trials = 6 }
        _ = Background { try Worker(options: Worker.Options(endpoint: endpoint, slots: 1, id: "w2")).run() }
        #expect(try again.wait(seconds: 120)?.finished == 6)
        let later = try store.trials().filter { $0.number > 3 }
        #expect(later.count == 3 && later.allSatisfy { $0.metric("accuracy") == 0.91 && $0.worker == "w2" })
        #expect(try runs() == 2)
        #expect(try store.accuracyAnswers() == answers)
    }

    @Test func aStatusRequestDescribesWorkersAndLeases() throws {
        let (spec, store) = try tinyStudy(trials: 3)
        let (coordinatorRun, target) = try startCoordinator(spec, store)
        let replies = try rogue(target, id: "status", [try Wire.frames(.status, StatusRequest())])
        let status = try #require(replies.first)
        #expect(String(decoding: status[0], as: UTF8.self) == "status-reply")
        let json = try JSONValueParsing.parse(status[1])
        #expect(json.contains("\"study\":\"cluster\""))
        #expect(json.contains("\"workers\":[]"))
        _ = Background { try Worker(options: Worker.Options(endpoint: target, slots: 2, id: "solo")).run() }
        #expect(try coordinatorRun.wait(seconds: 120)?.finished == 3)
    }
}

enum JSONValueParsing {
    static func parse(_ bytes: [UInt8]) throws -> String { String(decoding: bytes, as: UTF8.self) }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

@Suite(.serialized) struct CurveTests {
    @Test func onlyAuthorizedWorkersGetWork() throws {
        guard ZMQContext.hasCurve else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-keys-\(UUID().uuidString)").path
        let server = try Curve.generate(name: "coordinator", directory: folder)
        let good = try Curve.generate(name: "good", directory: folder)
        let bad = try Curve.generate(name: "bad", directory: folder)
        // The secret key file is private.
        let mode = try FileManager.default.attributesOfItem(atPath: server.secretFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: Curve.KeyError.self) { try Curve.generate(name: "good", directory: folder) }
        let authorized = folder + "/authorized"
        try ("# workers allowed to join\n" + (try Curve.readKey(good.publicFile)) + "\n").write(toFile: authorized, atomically: true, encoding: .utf8)

        let (spec, store) = try tinyStudy(trials: 4)
        let serverKeys = try Curve.readKeyPair(server.secretFile)
        let authorizedKeys = try Curve.readAuthorized(authorized)
        #expect(authorizedKeys.count == 1)
        let done = Flag()
        let (coordinatorRun, target) = try startCoordinator(spec, store, finished: done) { options in
            options.curve = (serverKeys.secretKey, authorizedKeys)
        }
        let serverPublic = try Curve.readKey(server.publicFile)
        func worker(_ id: String, _ secretFile: String?) -> Background<Worker.Report> {
            let keys = secretFile.map { try? Curve.readKeyPair($0) } ?? nil
            return Background {
                var options = Worker.Options(endpoint: target, slots: 1, id: id)
                if let keys { options.curve = (keys, serverPublic) }
                return try Worker(options: options).run { done.isSet }
            }
        }
        // The intruders start first, so they would get work if they could get in.
        let intruder = worker("intruder", bad.secretFile)
        let plain = worker("plain", nil)
        usleep(500_000)
        let member = worker("member", good.secretFile)
        let report = try #require(try coordinatorRun.wait(seconds: 120))
        #expect(report.finished == 4)
        #expect(try member.wait(seconds: 30)?.evaluated == 4)
        #expect(try intruder.wait(seconds: 30)?.evaluated == 0)
        #expect(try plain.wait(seconds: 30)?.evaluated == 0)
        #expect(Set(try store.trials().compactMap(\.worker)) == ["member"])
        let refused = try store.events().filter { $0.kind == .unauthorized }
        let badKey = try Curve.readKey(bad.publicFile)
        #expect(refused.contains { $0.message.contains(badKey) })
    }

    /// A worker whose key the coordinator refuses is told what to check, and gives up when asked to;
    /// key files that cannot be a secret key are refused up front.
    @Test func aRefusedWorkerIsToldWhatToCheck() throws {
        guard ZMQContext.hasCurve else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-keys-\(UUID().uuidString)").path
        let server = try Curve.generate(name: "coordinator", directory: folder)
        let good = try Curve.generate(name: "good", directory: folder)
        let bad = try Curve.generate(name: "bad", directory: folder)
        let publicAsSecret = try #require(throws: Curve.KeyError.self) { try Curve.readKeyPair(server.publicFile) }
        #expect(publicAsSecret.message.contains("is a public key file (.pub)"))
        // A NAME.key holding NAME.pub's text: the public key it yields is not NAME.pub's.
        try (try Curve.readKey(good.publicFile) + "\n").write(toFile: folder + "/swapped.key", atomically: true, encoding: .utf8)
        try (try Curve.readKey(good.publicFile) + "\n").write(toFile: folder + "/swapped.pub", atomically: true, encoding: .utf8)
        let swapped = try #require(throws: Curve.KeyError.self) { try Curve.readKeyPair(folder + "/swapped.key") }
        #expect(swapped.message.contains("its public key is not the one in \(folder)/swapped.pub"))

        let (spec, store) = try tinyStudy(trials: 1)
        let serverKeys = try Curve.readKeyPair(server.secretFile)
        let (coordinatorRun, target) = try startCoordinator(spec, store) { options in
            options.curve = (serverKeys.secretKey, [try! Curve.readKey(good.publicFile)])
        }
        let warnings = EndpointBox()
        let refused = Background { () -> String in
            var options = Worker.Options(endpoint: target, slots: 1, id: "refused")
            options.curve = (try Curve.readKeyPair(bad.secretFile), try Curve.readKey(server.publicFile))
            options.unansweredWarningSeconds = 0.5
            options.giveUpSeconds = 2
            let worker = Worker(options: options)
            worker.warn = { warnings.set($0) }
            do {
                _ = try worker.run()
                return "ran"
            } catch let error as Worker.GaveUp {
                return error.description
            }
        }
        let outcome = try #require(try refused.wait(seconds: 30))
        #expect(outcome == "no coordinator answered at \(target) for 2 s; giving up (--give-up-after)")
        let warning = try #require(warnings.get())
        #expect(warning.contains("with CURVE a refused key looks like this"))
        #expect(warning.contains(try Curve.readKeyPair(bad.secretFile).publicKey))
        // The authorized worker finishes the study.
        _ = Background {
            var options = Worker.Options(endpoint: target, slots: 1, id: "member")
            options.curve = (try Curve.readKeyPair(good.secretFile), try Curve.readKey(server.publicFile))
            return try Worker(options: options).run()
        }
        #expect(try coordinatorRun.wait(seconds: 60)?.finished == 1)
    }

    @Test func badKeyFilesAreLocated() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-badkeys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "# ok\nshort-key\n".write(toFile: folder + "/a", atomically: true, encoding: .utf8)
        let error = try #require(throws: Curve.KeyError.self) { try Curve.readAuthorized(folder + "/a") }
        #expect(error.description.hasSuffix("/a:2: expected a 40-character Z85 CURVE key, found `short-key`"))
        #expect(throws: Curve.KeyError.self) { try Curve.readKey(folder + "/missing") }
        // A key name that is a path is refused before anything is written.
        let inner = folder + "/keys"
        for name in ["../evil", "a/b", ".hidden", "", String(repeating: "k", count: 65)] {
            let refused = try #require(throws: Curve.KeyError.self) { try Curve.generate(name: name, directory: inner) }
            #expect(refused.message.contains("is not a plain name"))
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/evil.key") && !FileManager.default.fileExists(atPath: inner))
    }
}

@Suite struct KeyFileTests {
    @Test func aKeyStartingWithHashIsAKeyNotAComment() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)").path
        let key = "#" + String(repeating: "a", count: 39)
        try "# a comment\n\(key)\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try Curve.readAuthorized(path) == [key])
    }
}

@Suite(.serialized) struct StudyGuardTests {
    /// A worker started for another study is refused and stops with the reason; one for this
    /// study (or for any) works.
    @Test func aWorkerForAnotherStudyIsRefused() throws {
        let (spec, store) = try tinyStudy(trials: 2)
        let (coordinatorRun, target) = try startCoordinator(spec, store)
        let stranger = Background { () -> String in
            var options = Worker.Options(endpoint: target, slots: 1, id: "stranger")
            options.study = "another-study"
            do {
                _ = try Worker(options: options).run()
                return "ran"
            } catch let error as Worker.Refused {
                return error.description
            }
        }
        let refusal = try #require(try stranger.wait(seconds: 30))
        #expect(refusal == "the coordinator refused this worker: unknown study `another-study`; this coordinator runs study `cluster`")
        _ = Background { () -> Worker.Report in
            var options = Worker.Options(endpoint: target, slots: 1, id: "member")
            options.study = "cluster"
            return try Worker(options: options).run()
        }
        let report = try #require(try coordinatorRun.wait(seconds: 120))
        #expect(report.finished == 2)
        #expect(report.counters.refusedHellos >= 1)
        #expect(Set(try store.trials().compactMap(\.worker)) == ["member"])
    }
}

/// A worker driven by hand over a DEALER socket: it says hello with its own session and does
/// exactly what a test tells it.
final class HandDrivenWorker {
    private(set) var socket: ZMQSocket
    let session = WireProtocol.newSession()
    let id: String
    let endpoint: String
    let context: ZMQContext

    init(_ endpoint: String, id: String, context: ZMQContext) throws {
        self.id = id
        self.endpoint = endpoint
        self.context = context
        socket = try ZMQSocket(context: context, kind: .dealer)
        try connect()
    }

    deinit { socket.close() }

    /// Connects the socket and says hello (with the same id and session each time).
    private func connect() throws {
        try socket.set(ZMQ_ROUTING_ID, string: id)
        try socket.connect(endpoint)
        try socket.send(Wire.frames(.hello, Hello(worker: id, host: "test", pid: getpid(), cores: 1, slots: 1,
                                                  magnetVersion: "test", session: session)), dontWait: false)
    }

    /// A new connection, as a worker makes when its coordinator falls silent.
    func reconnect() throws {
        socket.close()
        socket = try ZMQSocket(context: context, kind: .dealer)
        try connect()
    }

    /// Messages of `type` received within `ms` (others are read and dropped).
    func receive(_ type: MessageType, ms: Int32 = 5000) throws -> [UInt8]? {
        let deadline = Date().addingTimeInterval(Double(ms) / 1000)
        while Date() < deadline {
            guard let frames = try socket.receive(timeoutMS: 50) else { continue }
            if frames.count == 2, String(decoding: frames[0], as: UTF8.self) == type.rawValue { return frames[1] }
        }
        return nil
    }

    func result(trial: Int, attempt: Int, energy: Double, session: String? = nil) throws -> [[UInt8]] {
        try Wire.frames(.result, ResultMessage(session: session ?? self.session, trial: trial, attempt: attempt,
                                               metricNames: ["energy_per_inference_uJ", "latency_ms", "area_mm2"],
                                               metricValues: [energy, 1, 1], layers: [], error: nil, seconds: 0))
    }
}

@Suite(.serialized) struct ForgedResultTests {
    /// A peer that reads the leases from `status` cannot report a result for them: not without
    /// a hello, not under the leaseholder's id without its session, not as another worker.
    @Test func onlyTheLeaseholderCanReportItsTrial() throws {
        let (spec, store) = try tinyStudy(trials: 1)
        let (coordinatorRun, target) = try startCoordinator(spec, store) { $0.heartbeatSeconds = 60 }
        let context = ZMQContext()
        let genuine = try HandDrivenWorker(target, id: "genuine", context: context)
        #expect(try genuine.receive(.welcome) != nil)
        try genuine.socket.send(Wire.frames(.ready, Ready(session: genuine.session, free: 1)))
        let taskBody = try #require(try genuine.receive(.task))
        let task = try #require(Wire.decode(TaskMessage.self, taskBody))

        // The attacker learns the lease from the live view.
        let status = try #require(try rogue(target, id: "spy", [try Wire.frames(.status, StatusRequest())]).first)
        #expect(String(decoding: status[1], as: UTF8.self).contains(#""worker":"genuine""#))
        let forged = try genuine.result(trial: task.trial, attempt: task.attempt, energy: 1e-9, session: "guessed")
        // 1. Without a hello.
        let noHello = try rogue(target, id: "attacker", [forged])
        #expect(noHello.allSatisfy { String(decoding: $0[0], as: UTF8.self) == "refuse" })
        // 2. Under the leaseholder's id (the router hands the id over to the newest connection,
        // cutting the genuine worker off until it reconnects, as a worker does when its
        // coordinator falls silent).
        _ = try rogue(target, id: "genuine", [forged], ms: 300)
        // 3. As a worker of its own, which said hello but holds no lease on the trial.
        let other = try HandDrivenWorker(target, id: "other", context: context)
        #expect(try other.receive(.welcome) != nil)
        try other.socket.send(other.result(trial: task.trial, attempt: task.attempt, energy: 1e-9))
        let otherAckBody = try #require(try other.receive(.ack))
        let otherAck = try #require(Wire.decode(Ack.self, otherAckBody))
        #expect(!otherAck.recorded)

        // The genuine worker reconnects with its session: it keeps its lease and reports.
        try genuine.reconnect()
        #expect(try genuine.receive(.welcome) != nil)
        try genuine.socket.send(genuine.result(trial: task.trial, attempt: task.attempt, energy: 42))
        let ack = try genuine.receive(.ack).flatMap { Wire.decode(Ack.self, $0) }
        #expect(ack?.recorded == true)
        let report = try #require(try coordinatorRun.wait(seconds: 60))
        let trial = try #require(try store.trial(task.trial))
        #expect(trial.metric("energy_per_inference_uJ") == 42)
        #expect(trial.worker == "genuine")
        #expect(report.counters.recorded == 1)
        #expect(report.counters.unknownPeers >= 1)
        #expect(report.counters.forgedMessages >= 1)
        #expect(report.counters.staleResults == 1)
    }

    /// A flood of hellos with huge names is refused without writing a row; one of many distinct
    /// workers writes at most the per-minute budget of events.
    @Test func aHelloFloodDoesNotFloodTheStudyFile() throws {
        let (spec, store) = try tinyStudy(trials: 1)
        let (coordinatorRun, target) = try startCoordinator(spec, store) { options in
            options.peerEventsPerMinute = 10
            options.heartbeatSeconds = 60
        }
        let eventsBefore = try store.events().count
        let huge = String(repeating: "x", count: 1 << 20)
        let bigHellos = try (0..<20).map { _ in
            try Wire.frames(.hello, Hello(worker: huge, host: huge, pid: 1, cores: 1, slots: 1, magnetVersion: "x", session: "s"))
        }
        let replies = try rogue(target, id: "flood", bigHellos, ms: 1000)
        let reasons = replies.compactMap { Wire.decode(Refuse.self, $0[1])?.reason }
        #expect(reasons.count == 20 && reasons.allSatisfy { $0.hasPrefix("invalid hello: worker id, host name and session") })
        for index in 0..<30 {
            _ = try rogue(target, id: "peer-\(index)", [try Wire.frames(.hello, Hello(
                worker: "peer-\(index)", host: "h", pid: 1, cores: 1, slots: 1, magnetVersion: "x", session: "s\(index)"))], ms: 20)
        }
        // A real worker finishes the one-trial study.
        _ = Background { try Worker(options: Worker.Options(endpoint: target, slots: 1, id: "member")).run() }
        let report = try #require(try coordinatorRun.wait(seconds: 60))
        let joins = try store.events().dropFirst(eventsBefore).filter { $0.kind == .worker }
        #expect(joins.count == 10)
        #expect(report.counters.suppressedEvents == 21)   // 30 peers and the member, 10 logged
        #expect(report.counters.refusedHellos == 20)
        let size = try FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int ?? 0
        #expect(size < 1 << 20)
    }

    /// A one-slot worker started before its coordinator never runs two trials at once.
    @Test func aWorkerStartedBeforeItsCoordinatorRunsNoMoreThanItsSlots() throws {
        let (spec, store) = try tinyStudy(trials: 4)
        let endpoint = "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("early-\(UUID().uuidString).ipc").path
        // The worker stops once the coordinator has ended (whether or not its bye arrived: this
        // test is about slots; byes are checked in workersCompleteTheBudgetAndRogueInput…).
        let coordinatorEnded = Flag()
        let worker = Background {
            try Worker(options: Worker.Options(endpoint: endpoint, slots: 1, id: "early")).run { coordinatorEnded.isSet }
        }
        sleep(3)   // with no coordinator yet
        let (coordinatorRun, _) = try startCoordinator(spec, store, finished: coordinatorEnded) { $0.endpoint = endpoint }
        #expect(try coordinatorRun.wait(seconds: 120)?.finished == 4)
        #expect(try worker.wait(seconds: 30)?.evaluated == 4)
        let spans = try store.trials().compactMap { trial in trial.startedAt.flatMap { s in trial.finishedAt.map { (s, $0) } } }
            .sorted { $0.0 < $1.0 }
        #expect(spans.count == 4)
        for (a, b) in zip(spans, spans.dropFirst()) { #expect(b.0 >= a.1, "two trials ran at once on a one-slot worker") }
        #expect(try store.events().filter { $0.kind == .worker }.count == 1)
    }
}
