import CZeroMQ
import Foundation
import MagnetStore
import MagnetSweep
import Testing
@testable import MagnetCluster

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A tiny-cnn study (36 design points) in a fresh study file.
func tinyStudy(trials: Int) throws -> (SweepSpec, StudyStore) {
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
        mapper: {budget: 100}
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
        let hello2 = Array(#"{"v":2,"worker":"r","host":"h","pid":1,"cores":1,"slots":1,"magnetVersion":"x"}"#.utf8)
        let result = try Wire.frames(.result, ResultMessage(trial: 999, attempt: 1, metricNames: [], metricValues: [], layers: [], error: nil, seconds: 0))
        let replies = try rogue(target, id: "rogue", [
            [Array("only one frame".utf8)],
            [Array("nonsense-type".utf8), Array("{}".utf8)],
            [Array("ready".utf8), Array("not json at all".utf8)],
            [Array("result".utf8), Array(repeating: 0x7B, count: (1 << 20) + 1)],
            [Array("hello".utf8), hello2],
            result,
            try Wire.frames(.ready, Ready(free: 4)),
        ])
        let replyTypes = replies.map { String(decoding: $0[0], as: UTF8.self) }
        // Refused: the two readies without a hello (one also undecodable) and the wrong-version hello.
        #expect(replyTypes.filter { $0 == "refuse" }.count == 3)
        #expect(replyTypes.contains("ack"))                       // the unknown trial's result: acknowledged, not recorded
        #expect(!replyTypes.contains("task"))
        let reasons = replies.filter { String(decoding: $0[0], as: UTF8.self) == "refuse" }.compactMap { Wire.decode(Refuse.self, $0[1])?.reason }
        #expect(reasons.contains { $0.contains("protocol version 2; this coordinator speaks version 1") })
        #expect(reasons.filter { $0 == "say hello first" }.count == 2)
        let ack = try #require(replies.first { String(decoding: $0[0], as: UTF8.self) == "ack" })
        #expect(Wire.decode(Ack.self, ack[1])?.recorded == false)

        // Two real workers on threads finish the study.
        let workers = (1...2).map { index in
            Background { try Worker(options: Worker.Options(endpoint: target, slots: 1, id: "w\(index)")).run() }
        }
        let report = try #require(try coordinatorRun.wait(seconds: 120), "the coordinator did not finish")
        #expect(report.reason == "budget")
        #expect(report.finished == 8)
        let c = report.counters
        #expect(c.malformed == 2)   // one frame, unknown type
        #expect(c.oversized == 1)
        #expect(c.refusedHellos == 1)
        #expect(c.unknownPeers == 2)  // the readies before a hello
        #expect(c.duplicateResults == 1)
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
        let refused = try store.events().filter { $0.kind == "unauthorized" }
        let badKey = try Curve.readKey(bad.publicFile)
        #expect(refused.contains { $0.message.contains(badKey) })
    }

    @Test func badKeyFilesAreLocated() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-badkeys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "# ok\nshort-key\n".write(toFile: folder + "/a", atomically: true, encoding: .utf8)
        let error = try #require(throws: Curve.KeyError.self) { try Curve.readAuthorized(folder + "/a") }
        #expect(error.description.hasSuffix("/a:2: expected a 40-character Z85 CURVE key, found `short-key`"))
        #expect(throws: Curve.KeyError.self) { try Curve.readKey(folder + "/missing") }
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
