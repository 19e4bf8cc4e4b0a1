/// The fixed-size working memory of an ``Evaluator``: its sizes, and the buffers handed out
/// (one allocation each, made when the evaluator is prepared), freed with this object.
///
/// Writing through an `UnsafeMutableBufferPointer` is a plain store: no array uniqueness or
/// bounds check per element (bounds are checked in debug builds), which is what makes the
/// evaluator's inner loops cheap. The evaluator keeps value semantics by copying its scratch
/// once per evaluation when a copy of the evaluator shares it (`Evaluator.prepareScratch(loops:)`).
final class EvaluatorScratch: ScratchMemory {
    /// The sizes every buffer is derived from.
    struct Layout: Equatable {
        var levels: Int
        var dimensions: Int
        var spaces: Int
        var maxRanks: Int
        var maxChildren: Int
        /// Loops a flattened nest may hold (temporal, spatial and one placeholder per level).
        var loops: Int
        /// Distinct link shifts cached per spatial run.
        var links: Int { 4 * (loops + 1) }
        /// Slots of the distinct counter's hash table (a power of two ≥ 2 × children, ≥ 16).
        var hashSlots: Int {
            var size = 16
            while size < 2 * maxChildren { size <<= 1 }
            return size
        }
    }

    let layout: Layout

    init(_ layout: Layout) {
        self.layout = layout
    }
}
