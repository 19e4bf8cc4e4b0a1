import Foundation
import MagnetStore
import Testing
@testable import MagnetCluster

@Suite(.serialized) struct CoordinatorFarewellTests {
    /// A worker dropped for silence is still told that the study is finished, and the
    /// coordinator keeps its socket open until the worker answers (a bye sent just before the
    /// socket closes can be lost with the connection's reset).
    @Test func aWorkerDroppedForSilenceIsToldTheStudyIsFinishedAndAnswered() throws {
        let (spec, store) = try tinyStudy(trials: 2)
        let finished = Flag()
        let (coordinatorRun, target) = try startCoordinator(spec, store, finished: finished) { options in
            options.heartbeatSeconds = 0.2        // silent for 1 s: dropped
            options.farewellSeconds = 60          // far longer than the test waits
        }
        let context = ZMQContext()
        let sleeper = try HandDrivenWorker(target, id: "sleeper", context: context)
        #expect(try sleeper.receive(.welcome) != nil)
        // It says nothing more: the live view loses it.
        var dropped = false
        for _ in 0..<100 where !dropped {
            usleep(100_000)
            let live = try rogue(target, id: "status", [try Wire.frames(.status, StatusRequest())], ms: 500)
            let view = live.first.map { String(decoding: $0[1], as: UTF8.self) }
            dropped = view.map { !$0.contains(#""worker":"sleeper""#) } ?? false
        }
        #expect(dropped, "the coordinator did not drop the silent worker")

        // A real worker finishes the study; the sleeper hears the bye all the same.
        let member = Background { try Worker(options: Worker.Options(endpoint: target, slots: 1, id: "member")).run() }
        #expect(try sleeper.receive(.bye, ms: 60_000) != nil, "the dropped worker was not told")
        #expect(try member.wait(seconds: 60)?.reason == .finished)
        // The coordinator waits for the sleeper's answer (its farewell lasts 60 s)...
        usleep(300_000)
        #expect(!finished.isSet, "the coordinator closed before the dropped worker answered")
        try sleeper.socket.send(Wire.frames(.bye, Bye(session: sleeper.session, reason: "leaving")))
        // ...and ends as soon as it has it.
        let report = try #require(try coordinatorRun.wait(seconds: 30), "the coordinator did not end on the answer")
        #expect(report.reason == .budget)
        #expect(report.finished == 2)
    }
}
