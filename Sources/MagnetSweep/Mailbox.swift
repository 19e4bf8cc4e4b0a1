import Foundation

/// Items posted by worker threads and taken, all at once, by the one thread that owns the
/// state they update (the sweep runner's results, a cluster worker's finished evaluations).
public final class Mailbox<Item>: @unchecked Sendable {
    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var items: [Item] = []

    /// An empty mailbox.
    public init() {}

    /// Posts an item (any thread).
    public func post(_ item: Item) {
        lock.lock()
        items.append(item)
        lock.unlock()
        signal.signal()
    }

    /// Waits up to `seconds` for a post; true if one arrived.
    public func wait(seconds: Double) -> Bool {
        signal.wait(timeout: .now() + seconds) == .success
    }

    /// Everything posted so far, oldest first; the mailbox is left empty.
    public func take() -> [Item] {
        lock.lock()
        defer { lock.unlock() }
        let taken = items
        items = []
        return taken
    }
}
