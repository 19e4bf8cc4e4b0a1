import CZeroMQ
import Foundation

/// An error from libzmq, with the call that failed.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    /// `errno` as libzmq set it.
    public var code: Int32
    /// What was being done.
    public var operation: String

    init(_ operation: String) {
        code = zmq_errno()
        self.operation = operation
    }

    public var description: String { "\(operation): \(String(cString: zmq_strerror(code))) (errno \(code))" }

    /// The context was shut down (a blocked call returned ETERM).
    public var isTerminated: Bool { code == ETERM }
}

/// A libzmq context: owns the I/O threads. Sockets are created from it on the thread that uses them.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Creates a context.
    public init() {
        handle = zmq_ctx_new()
    }

    /// Makes blocking calls on every socket of this context return ETERM.
    public func shutdown() { zmq_ctx_shutdown(handle) }

    deinit { zmq_ctx_term(handle) }

    /// Whether libzmq was built with CURVE security.
    public static var hasCurve: Bool { zmq_has("curve") != 0 }

    /// A new CURVE key pair, Z85-encoded (40 characters each).
    public static func curveKeyPair() throws -> (publicKey: String, secretKey: String) {
        var publicKey = [CChar](repeating: 0, count: 41), secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError("zmq_curve_keypair") }
        return (cText(publicKey), cText(secretKey))
    }
}

/// A ZeroMQ socket. Not thread-safe: create it, use it and close it on one thread.
public final class ZMQSocket {
    /// Socket types used by magnet.
    public enum Kind {
        case router, dealer, rep, req
        var raw: Int32 {
            switch self {
            case .router: return ZMQ_ROUTER
            case .dealer: return ZMQ_DEALER
            case .rep: return ZMQ_REP
            case .req: return ZMQ_REQ
            }
        }
    }

    let handle: UnsafeMutableRawPointer
    private var closed = false
    /// A reusable message for receives (zmq_msg_t must not be moved: it lives on the heap).
    private let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)

    /// Creates a socket with LINGER 0 (closing never blocks on unsent messages).
    public init(context: ZMQContext, kind: Kind) throws {
        guard let socket = zmq_socket(context.handle, kind.raw) else { throw ZMQError("zmq_socket") }
        handle = socket
        zmq_msg_init(message)
        try set(ZMQ_LINGER, 0)
    }

    deinit {
        close()
        zmq_msg_close(message)
        message.deallocate()
    }

    /// Closes the socket (idempotent).
    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    /// Sets an integer option.
    public func set(_ option: Int32, _ value: Int32) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError("zmq_setsockopt(\(option))")
        }
    }

    /// Sets a 64-bit integer option (ZMQ_MAXMSGSIZE).
    public func set(_ option: Int32, int64 value: Int64) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError("zmq_setsockopt(\(option))")
        }
    }

    /// Sets a bytes option (routing id, CURVE keys, ZAP domain).
    public func set(_ option: Int32, bytes: [UInt8]) throws {
        guard bytes.withUnsafeBytes({ zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }) == 0 else {
            throw ZMQError("zmq_setsockopt(\(option))")
        }
    }

    /// Sets a string option.
    public func set(_ option: Int32, string: String) throws { try set(option, bytes: Array(string.utf8)) }

    /// Binds to an endpoint (`tcp://*:5555`, `ipc:///tmp/x`).
    public func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError("bind \(endpoint)") }
    }

    /// Connects to an endpoint.
    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError("connect \(endpoint)") }
    }

    /// The endpoint actually bound (resolves `tcp://127.0.0.1:*`).
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        return cText(buffer)
    }

    /// Sends a multipart message; with `dontWait`, fails with EAGAIN instead of blocking.
    public func send(_ frames: [[UInt8]], dontWait: Bool = true) throws {
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            guard sent >= 0 else { throw ZMQError("send") }
        }
    }

    /// Queues messages only on connections whose handshake completed (`ZMQ_IMMEDIATE`): a send
    /// waits for one instead of queueing on a pipe a refused handshake may drop.
    public func queueOnlyOnCompletedConnections() throws { try set(ZMQ_IMMEDIATE, 1) }

    /// Sends a multipart message, waiting up to `timeoutMS` for a peer to take it (a DEALER with
    /// no connected peer, or with `ZMQ_IMMEDIATE` and no completed connection, holds a send until
    /// one comes); false when none came in time.
    public func send(_ frames: [[UInt8]], timeoutMS: Int32) throws -> Bool {
        try set(ZMQ_SNDTIMEO, timeoutMS)
        defer { try? set(ZMQ_SNDTIMEO, -1) }
        for (index, frame) in frames.enumerated() {
            let flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if sent < 0 {
                // The first frame is all or nothing; later ones go once the first has.
                if zmq_errno() == EAGAIN && index == 0 { return false }
                throw ZMQError("send")
            }
        }
        return true
    }

    /// Receives one multipart message, waiting up to `timeoutMS` (−1: forever); `nil` on timeout.
    public func receive(timeoutMS: Int32 = -1) throws -> [[UInt8]]? {
        if timeoutMS >= 0 {
            guard try poll(timeoutMS: timeoutMS) else { return nil }
        }
        var frames: [[UInt8]] = []
        repeat {
            let size = zmq_msg_recv(message, handle, timeoutMS >= 0 ? ZMQ_DONTWAIT : 0)
            if size < 0 {
                if zmq_errno() == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError("receive")
            }
            let data = zmq_msg_data(message)!.assumingMemoryBound(to: UInt8.self)
            frames.append(Array(UnsafeBufferPointer(start: data, count: Int(size))))
        } while zmq_msg_more(message) != 0
        return frames
    }

    /// Whether a message is ready within `timeoutMS`.
    public func poll(timeoutMS: Int32) throws -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        let count = zmq_poll(&item, 1, Int(timeoutMS))
        if count < 0 {
            if zmq_errno() == EINTR { return false }
            throw ZMQError("poll")
        }
        return count > 0
    }
}

/// The text of a NUL-terminated C buffer.
func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension ZMQSocket {
    /// Which of `sockets` have a message ready within `timeoutMS`.
    public static func poll(_ sockets: [ZMQSocket], timeoutMS: Int32) throws -> [Bool] {
        try poll(sockets, descriptors: [], timeoutMS: timeoutMS)
    }

    /// Waits up to `timeoutMS` until one of `sockets` has a message or one of the file
    /// `descriptors` is readable; per socket, then per descriptor, whether it is.
    public static func poll(_ sockets: [ZMQSocket], descriptors: [Int32], timeoutMS: Int32) throws -> [Bool] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
            + descriptors.map { zmq_pollitem_t(socket: nil, fd: $0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let count = zmq_poll(&items, Int32(items.count), Int(timeoutMS))
        if count < 0 {
            if zmq_errno() == EINTR { return Array(repeating: false, count: items.count) }
            throw ZMQError("poll")
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
