import Foundation
import MagnetDesigner
import MagnetWorkload

/// What one layer's mapping search and its figures depend on, exactly: the map space (the
/// layer's problem, the hardware as the cost model sees it, the dataflow's constraints), the
/// objective and the search method. Two searches with equal keys search the same space for the
/// same score; the hardware's name, which nothing reads, is left out.
public struct LayerSearchKey: Hashable, Sendable {
    /// The space, its hardware unnamed.
    public let space: MapSpace
    /// What the search minimizes.
    public let objective: Objective
    /// With ``Objective/mix``: the weight of energy.
    public let energyWeight: Double
    /// How the search runs (budget, time, seed, threads; or the bounded search's gap).
    public let method: MappingMethod
    /// With sibling starts: the problems of every shape mapped together with the layer (its
    /// network's and those of the networks mapped with it), in order, whose mappings seed the
    /// search and may replace its result; empty without.
    public let siblings: [Problem]
    /// The hash of the fields above, computed once: a key hashes every level of its hardware and
    /// every sibling's problem, and the cache hashes a key on each lookup, store and eviction.
    private let contentHash: Int

    /// The key of a search of `space`.
    public init(space: MapSpace, objective: Objective, energyWeight: Double, method: MappingMethod,
                siblings: [Problem] = []) {
        var unnamed = space
        unnamed.hardware.name = ""
        self.space = unnamed
        self.objective = objective
        self.energyWeight = objective == .mix ? energyWeight : 0
        self.method = method
        self.siblings = siblings
        var hasher = Hasher()
        hasher.combine(self.space)
        hasher.combine(self.objective)
        hasher.combine(self.energyWeight)
        hasher.combine(self.method)
        hasher.combine(siblings)
        contentHash = hasher.finalize()
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(contentHash) }
}

/// The layer results of a study's designs, by ``LayerSearchKey``: a layer shape that recurs in
/// another network of the study, or a design whose hardware and dataflow another design already
/// had, is served from here instead of searched again (docs/mapper.md, "Layer cache").
///
/// `@unchecked Sendable`: a worker evaluates several trials at once on one cache; every access
/// to the entries goes through `lock`.
public final class LayerSearchCache: @unchecked Sendable {
    /// One layer's result.
    public struct Entry: Sendable {
        /// The best mapping the search found.
        public var mapping: Mapping
        /// Its statistics on the key's hardware.
        public var evaluation: Evaluation
        /// With the bounded search: what it proved.
        public var certificate: OptimalSearch.Certificate?
    }

    /// How many results are kept (the oldest is forgotten first).
    public let capacity: Int
    private var entries: [LayerSearchKey: Entry] = [:]
    private var order: [LayerSearchKey] = []
    private var counts = (hits: 0, misses: 0)
    private let lock = NSLock()

    /// Creates an empty cache.
    public init(capacity: Int = 1024) {
        self.capacity = max(capacity, 1)
    }

    /// The result stored for `key`, if any (counted as a hit or a miss).
    public func entry(for key: LayerSearchKey) -> Entry? {
        lock.withLock {
            let found = entries[key]
            if found == nil { counts.misses += 1 } else { counts.hits += 1 }
            return found
        }
    }

    /// Stores a result (a key stored before keeps its first result).
    public func store(_ entry: Entry, for key: LayerSearchKey) {
        lock.withLock {
            guard entries[key] == nil else { return }
            entries[key] = entry
            order.append(key)
            if order.count > capacity {
                let forgotten = order.count - capacity
                for old in order.prefix(forgotten) { entries[old] = nil }
                order.removeFirst(forgotten)
            }
        }
    }

    /// Lookups served from the cache and lookups that were not, so far.
    public var lookups: (hits: Int, misses: Int) { lock.withLock { counts } }
}
