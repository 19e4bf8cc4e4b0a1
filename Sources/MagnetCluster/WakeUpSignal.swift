import Foundation

/// Wakes a thread waiting in ``ZMQSocket/poll(_:descriptors:timeoutMS:)`` from another thread
/// (the self-pipe trick): ``signal()`` writes a byte into a pipe whose reading end the waiting
/// thread polls beside its sockets. A cluster worker's evaluations signal it as they finish,
/// so that their results go out at once rather than at the end of the worker's next wait.
///
/// `@unchecked Sendable`: the two descriptors are set once, at creation, and `write(2)` on a
/// pipe may be called from any thread; only the polling thread reads.
final class WakeUpSignal: @unchecked Sendable {
    /// The end to poll for reading.
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    /// A new signal, or `nil` when the system has no pipe to give.
    init?() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        readDescriptor = ends[0]
        writeDescriptor = ends[1]
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Wakes the polling thread (any thread). A full pipe already holds a wake-up, so a write
    /// that would block is dropped.
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Empties the pipe (the polling thread, after it woke).
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readDescriptor, &buffer, buffer.count) > 0 {}
    }
}
