import CZeroMQ
import Foundation
import Testing
@testable import MagnetCluster

/// A fresh ipc endpoint for one test.
func ipcEndpoint() -> String {
    "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("magnet-test-\(UUID().uuidString.prefix(12)).ipc").path
}

@Suite struct ZMQTests {
    @Test(arguments: ["tcp://127.0.0.1:*", "ipc"])
    func routerAndDealerExchangeMultipartMessages(_ endpoint: String) throws {
        let context = ZMQContext()
        let router = try ZMQSocket(context: context, kind: .router)
        try router.bind(endpoint == "ipc" ? ipcEndpoint() : endpoint)
        let dealer = try ZMQSocket(context: context, kind: .dealer)
        try dealer.set(ZMQ_ROUTING_ID, string: "worker-1")
        try dealer.connect(router.lastEndpoint)
        try dealer.send([Array("hello".utf8), Array("{\"v\":1}".utf8)])
        let received = try #require(try router.receive(timeoutMS: 2000))
        #expect(received.count == 3)
        #expect(received[0] == Array("worker-1".utf8))
        #expect(received[1] == Array("hello".utf8))
        try router.send([received[0], Array("welcome".utf8), []])
        let reply = try #require(try dealer.receive(timeoutMS: 2000))
        #expect(reply == [Array("welcome".utf8), []])
        // Nothing more: a timed receive returns nil.
        #expect(try dealer.receive(timeoutMS: 50) == nil)
    }

    /// A poll over a socket and a ``WakeUpSignal`` reports the signal from another thread
    /// (many signals are one wake-up, drained at once) apart from the socket's messages.
    @Test func aPollWakesOnASignalFromAnotherThreadAsOnAMessage() throws {
        let context = ZMQContext()
        let router = try ZMQSocket(context: context, kind: .router)
        try router.bind("tcp://127.0.0.1:*")
        let dealer = try ZMQSocket(context: context, kind: .dealer)
        try dealer.connect(router.lastEndpoint)
        let wakeUp = try #require(WakeUpSignal())
        #expect(try ZMQSocket.poll([dealer], descriptors: [wakeUp.readDescriptor], timeoutMS: 20) == [false, false])
        let thread = Thread { for _ in 0..<10_000 { wakeUp.signal() } }   // more than a pipe holds
        thread.start()
        #expect(try ZMQSocket.poll([dealer], descriptors: [wakeUp.readDescriptor], timeoutMS: 10_000) == [false, true])
        while !thread.isFinished { Thread.sleep(forTimeInterval: 0.001) }
        wakeUp.drain()
        #expect(try ZMQSocket.poll([dealer], descriptors: [wakeUp.readDescriptor], timeoutMS: 20) == [false, false])
        try dealer.send([Array("ping".utf8)])
        let routed = try #require(try router.receive(timeoutMS: 2000))
        try router.send([routed[0], Array("pong".utf8)])
        #expect(try ZMQSocket.poll([dealer], descriptors: [wakeUp.readDescriptor], timeoutMS: 10_000) == [true, false])
    }

    @Test func routerMandatoryReportsAnUnknownPeer() throws {
        let context = ZMQContext()
        let router = try ZMQSocket(context: context, kind: .router)
        try router.set(ZMQ_ROUTER_MANDATORY, 1)
        try router.bind("tcp://127.0.0.1:*")
        let error = try #require(throws: ZMQError.self) { try router.send([Array("nobody".utf8), Array("x".utf8)]) }
        #expect(error.code == EHOSTUNREACH)
    }

    /// A timed send on a socket that queues only on completed connections gives up while no
    /// connection completes (no one bound, or a CURVE server refusing a plain client's
    /// handshake: `magnet status --connect` without keys waited forever there) and goes once one
    /// does.
    @Test func aTimedSendWaitsForACompletedConnection() throws {
        let context = ZMQContext()
        let endpoint = ipcEndpoint()
        let dealer = try ZMQSocket(context: context, kind: .dealer)
        try dealer.queueOnlyOnCompletedConnections()
        try dealer.connect(endpoint)
        #expect(try dealer.send([Array("status".utf8), []], timeoutMS: 200) == false, "no one bound")
        if ZMQContext.hasCurve {
            let server = try ZMQSocket(context: context, kind: .router)
            try Curve.makeServer(server, secretKey: try ZMQContext.curveKeyPair().secretKey)
            let secured = ipcEndpoint()
            try server.bind(secured)
            let plain = try ZMQSocket(context: context, kind: .dealer)
            try plain.queueOnlyOnCompletedConnections()
            try plain.connect(secured)
            #expect(try plain.send([Array("status".utf8), []], timeoutMS: 500) == false, "handshake refused")
        }
        let router = try ZMQSocket(context: context, kind: .router)
        try router.bind(endpoint)
        #expect(try dealer.send([Array("status".utf8), []], timeoutMS: 10_000), "a peer came")
        let received = try #require(try router.receive(timeoutMS: 2000))
        #expect(received.dropFirst().map { $0 } == [Array("status".utf8), []])
        // The timeout is the send's own: a later plain send waits as before (none pending here).
        try dealer.send([Array("again".utf8)])
        #expect(try router.receive(timeoutMS: 2000)?.last == Array("again".utf8))
    }

    @Test func curveKeysAreZ85() throws {
        guard ZMQContext.hasCurve else { return }
        let keys = try ZMQContext.curveKeyPair()
        #expect(keys.publicKey.count == 40 && keys.secretKey.count == 40)
        #expect(keys.publicKey != keys.secretKey)
    }

    @Test func messagesRoundTripAndForeignBodiesDoNotDecode() throws {
        let task = TaskMessage(trial: 7, attempt: 2, design: "numPEs: 4\n")
        let frames = try Wire.frames(.task, task)
        #expect(frames[0] == Array("task".utf8))
        #expect(Wire.decode(TaskMessage.self, frames[1]) == task)
        #expect(Wire.decode(TaskMessage.self, Array("not json".utf8)) == nil)
        #expect(Wire.decode(TaskMessage.self, Array(#"{"v":1,"trial":"seven"}"#.utf8)) == nil)
        #expect(Wire.version(Array(#"{"v":9,"worker":"x"}"#.utf8)) == 9)
    }
}
