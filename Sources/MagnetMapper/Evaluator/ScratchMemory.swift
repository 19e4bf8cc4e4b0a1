/// Buffers of trivial values, one allocation each, freed with this object: the working memory
/// of the evaluator and of the bounds, and their read-only tables.
///
/// Writing through an `UnsafeMutableBufferPointer` is a plain store: no array uniqueness or
/// bounds check per element (bounds are still checked in debug builds) and no reference counting,
/// which is what makes the hot loops cheap. Holders keep value semantics by taking fresh memory
/// when a copy of them shares it.
class ScratchMemory {
    private var owned: [UnsafeMutableRawPointer] = []

    init() {}

    /// A new buffer of `count` elements (at least one), each set to `value`, freed with this object.
    func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
        let pointer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value)
        owned.append(UnsafeMutableRawPointer(pointer.baseAddress!))
        return pointer
    }

    /// A new buffer holding `values` (at least one element), freed with this object.
    func buffer<T>(_ values: [T], orEmpty value: T) -> UnsafeMutableBufferPointer<T> {
        let pointer = buffer(values.count, value)
        for (index, element) in values.enumerated() { pointer[index] = element }
        return pointer
    }

    deinit {
        // Every buffer holds trivial values: freeing the memory is enough.
        for pointer in owned { pointer.deallocate() }
    }
}
