import Foundation
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

/// The layer mappings of the designs an evaluator evaluated last, so that a new design's layers
/// can start their search from those of the nearest one (``WarmStart``): neighbouring designs in
/// a sweep usually map alike.
///
/// `@unchecked Sendable`: a worker evaluates several trials at once on one evaluator; every
/// access to the entries goes through `lock`.
public final class WarmStartMemory: @unchecked Sendable {
    /// One remembered design.
    public struct Entry: Sendable {
        /// The design point.
        public var design: DesignPoint
        /// Its hardware (the level names its mappings follow).
        public var hardware: Hardware
        /// The best mapping found per layer shape.
        public var mappings: [LayerShapeKey: Mapping]
    }

    /// How many designs are remembered (the oldest is forgotten first).
    public let capacity: Int
    private var entries: [Entry] = []
    private let lock = NSLock()

    /// Creates an empty memory.
    public init(capacity: Int = 32) {
        self.capacity = max(capacity, 1)
    }

    /// Remembers a design's mappings.
    public func record(_ entry: Entry) {
        lock.withLock {
            entries.append(entry)
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
    }

    /// The remembered design nearest to `design` (``distance(_:_:)``), if any.
    public func nearest(to design: DesignPoint) -> Entry? {
        nearest(to: design, count: 1).first
    }

    /// The `count` remembered designs nearest to `design`, nearest first.
    public func nearest(to design: DesignPoint, count: Int) -> [Entry] {
        lock.withLock {
            Array(entries.map { (entry: $0, distance: Self.distance($0.design, design)) }
                .sorted { $0.distance < $1.distance }.prefix(count).map(\.entry))
        }
    }

    /// How far apart two designs are: the sum over sizes and counts of the difference of their
    /// base-2 logarithms, plus 2 for another dataflow and 1 for each other format or technology.
    public static func distance(_ a: DesignPoint, _ b: DesignPoint) -> Double {
        func log2Gap(_ x: Double, _ y: Double) -> Double { abs(log2(x + 1) - log2(y + 1)) }
        let sizes: [(Double, Double)] = [
            (Double(a.numPEs), Double(b.numPEs)), (Double(a.peRows), Double(b.peRows)), (Double(a.lanes),
                                                                                         Double(b.lanes)),
            (Double(a.vectorSize), Double(b.vectorSize)), (Double(a.weightCollectorDepth),
                                                           Double(b.weightCollectorDepth)),
            (Double(a.accumulationCollectorDepth), Double(b.accumulationCollectorDepth)),
            (Double(a.inputCollectorDepth), Double(b.inputCollectorDepth)),
            (Double(a.weightBufferBytes), Double(b.weightBufferBytes)), (Double(a.inputBufferBytes),
                                                                         Double(b.inputBufferBytes)),
            (Double(a.accumulationBufferBytes), Double(b.accumulationBufferBytes)),
            (Double(a.globalBufferBytes), Double(b.globalBufferBytes)), (a.dramBandwidthGBps, b.dramBandwidthGBps),
            (Double(a.accumulationBits), Double(b.accumulationBits)), (a.clockGHz, b.clockGHz),
        ]
        var distance = sizes.reduce(0) { $0 + log2Gap($1.0, $1.1) }
        if a.dataflow != b.dataflow { distance += 2 }
        if a.weightFormat != b.weightFormat { distance += 1 }
        if a.activationFormat != b.activationFormat { distance += 1 }
        if a.layerFormats != b.layerFormats { distance += 1 }
        if a.technology != b.technology { distance += 1 }
        return distance
    }
}
