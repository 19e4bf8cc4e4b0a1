import CZeroMQ
import Foundation

/// Many workers on one thread that answer every task at once with fixed metrics: for measuring
/// the coordinator alone (`magnet bench coordinator`). Each has its own DEALER socket.
public final class SimulatedWorkers {
    let endpoint: String
    let count: Int
    let context: ZMQContext

    /// Creates `count` simulated workers for `endpoint`.
    public init(endpoint: String, count: Int, context: ZMQContext = ZMQContext()) {
        self.endpoint = endpoint
        self.count = count
        self.context = context
    }

    /// Runs until the coordinator says bye to every worker or `stop` returns true (a worker that
    /// connected after the study ended never hears a bye); returns the results sent.
    public func run(stop: () -> Bool = { false }) throws -> Int {
        let session = WireProtocol.newSession()
        let sockets = try (0..<count).map { index -> ZMQSocket in
            let socket = try ZMQSocket(context: context, kind: .dealer)
            try socket.set(ZMQ_ROUTING_ID, string: "sim-\(index)")
            try socket.connect(endpoint)
            let hello = Hello(worker: "sim-\(index)", host: "bench", pid: getpid(), cores: 1, slots: 1,
                              magnetVersion: "bench", session: session)
            try socket.send(Wire.frames(.hello, hello), dontWait: false)
            return socket
        }
        defer {
            for socket in sockets {
                try? socket.set(ZMQ_LINGER, 200)   // the answers to the byes leave
                socket.close()
            }
        }
        let names = ["energy_per_inference_uJ", "latency_ms", "area_mm2"]
        var done = Set<Int>()
        var sent = 0
        while done.count < count && !stop() {
            let ready = try ZMQSocket.poll(sockets, timeoutMS: 100)
            for (index, isReady) in ready.enumerated() where isReady {
                while let frames = try sockets[index].receive(timeoutMS: 0) {
                    guard frames.count == 2 else { continue }
                    switch MessageType(rawValue: String(decoding: frames[0], as: UTF8.self)) {
                    case .welcome?:
                        try sockets[index].send(Wire.frames(.ready, Ready(session: session, free: 1)))
                    case .task?:
                        guard let task = Wire.decode(TaskMessage.self, frames[1]) else { continue }
                        let value = Double(task.trial % 97) + 1
                        try sockets[index].send(Wire.frames(.result, ResultMessage(
                            session: session, trial: task.trial, attempt: task.attempt, metricNames: names,
                            metricValues: [value, value / 10, 1],
                            layers: [], error: nil, seconds: 0)))
                        try sockets[index].send(Wire.frames(.ready, Ready(session: session, free: 1)))
                        sent += 1
                    case .bye?:
                        // Answered, as a worker does: the coordinator waits for it.
                        try? sockets[index].send(Wire.frames(.bye, Bye(session: session, reason: "leaving")))
                        done.insert(index)
                    default:
                        continue
                    }
                }
            }
        }
        return sent
    }
}
