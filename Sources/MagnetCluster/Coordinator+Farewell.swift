import Foundation

extension Coordinator {
    /// Tells every worker the study is finished and waits until each has answered, or until
    /// ``Options/farewellSeconds`` have passed.
    ///
    /// A bye alone can be lost: a connection closed while it still holds unread input is reset,
    /// and the reset discards what the other side had not read yet, the bye among it. A worker
    /// that misses it would wait for a coordinator that is gone. So the socket stays open until
    /// the workers answer with a bye of their own (proof that they have it), and any other peer
    /// that speaks meanwhile — a worker dropped for silence, one saying hello late — is told the
    /// same.
    func sayFarewell(on socket: ZMQSocket) throws {
        let bye = Bye(reason: "the study is finished")
        var waitingFor = Set(workers.keys).union(droppedForSilence)
        for identity in waitingFor { send(identity, .bye, bye, on: socket) }
        let deadline = Date().addingTimeInterval(options.farewellSeconds)
        while !waitingFor.isEmpty && Date() < deadline {
            guard let frames = try socket.receive(timeoutMS: 20) else { continue }
            guard frames.count == 3, let type = MessageType(rawValue: String(decoding: frames[1], as: UTF8.self)) else {
                continue
            }
            let identity = frames[0]
            switch type {
            case .bye:
                // The worker's answer: it has the bye. (A worker dropped for silence lost its
                // session with the coordinator; its answer counts all the same.)
                waitingFor.remove(identity)
                workers[identity] = nil
            case .status:
                continue
            default:
                send(identity, .bye, bye, on: socket)
            }
        }
    }
}
