import MagnetWorkload

/// How each data space's coordinates depend on the loop dimensions, in the form the bounds need:
/// which dimensions are relevant, which coordinates *slide* (two or more dimensions of the
/// problem with sizes above 1 add up in them, as a convolution window's `P + R` does), and the
/// box size of a tile.
///
/// Read-only tables in flat buffers (see ``ScratchMemory``), shared by copies.
struct ProjectionShape {
    /// A term of a coordinate, flattened.
    struct Term {
        let dimension: Int
        let coefficient: Int
    }

    let memory: ScratchMemory
    let dimensionCount: Int
    /// Per data space, its coordinates (ranks) `rankStart[s]..<rankStart[s + 1]`.
    let rankStart: UnsafeMutableBufferPointer<Int>
    /// Per rank, its terms `termStart[r]..<termStart[r + 1]` in `allTerms`.
    let termStart: UnsafeMutableBufferPointer<Int>
    let allTerms: UnsafeMutableBufferPointer<Term>
    /// Per rank: whether it slides.
    let rankSlides: UnsafeMutableBufferPointer<Bool>
    /// Number of ranks over all data spaces.
    let rankCount: Int
    /// Per data space: a bit per dimension that appears in one of its coordinates.
    let relevant: UnsafeMutableBufferPointer<Int>
    /// Per data space: a bit per dimension that appears in a coordinate that does not slide.
    let nonSliding: UnsafeMutableBufferPointer<Int>
    /// Per data space: whether any coordinate slides.
    let isSliding: UnsafeMutableBufferPointer<Bool>
    /// `space * dimensions + dimension`: −1 when the dimension is in no sliding coordinate of the
    /// data space, the rank when it is in exactly one (and in no non-sliding one), −2 otherwise.
    let slidingRanks: UnsafeMutableBufferPointer<Int>
    /// `rank * dimensions + dimension`: the dimension's coefficient in the rank (0 when absent).
    let coefficients: UnsafeMutableBufferPointer<Int>
    /// Per data space: whether every coordinate is one dimension with coefficient 1, each a
    /// different one (then a box's size is the product of its extents along those dimensions).
    let plain: UnsafeMutableBufferPointer<Bool>

    init(_ problem: Problem) {
        let dimensions = problem.dimensions.count
        var rankStart = [0], termStart = [0], terms: [Term] = [], slides: [Bool] = []
        var relevant: [Int] = [], nonSliding: [Int] = [], isSliding: [Bool] = []
        var slidingRanks: [Int] = [], plain: [Bool] = []
        for space in problem.dataSpaces {
            var relevantMask = 0, nonSlidingMask = 0, perDimension = Array(repeating: -1, count: dimensions)
            var isPlain = true, seen = 0
            for rank in space.projection {
                let index = termStart.count - 1
                var active = 0
                let used = rank.filter { $0.coefficient != 0 }
                for term in used {
                    terms.append(Term(dimension: term.dimension, coefficient: term.coefficient))
                    relevantMask |= 1 << term.dimension
                    if problem.bounds[term.dimension] > 1 { active += 1 }
                }
                if used.count != 1 || used[0].coefficient != 1
                    || seen & (1 << used[0].dimension) != 0 { isPlain = false }
                if let first = used.first { seen |= 1 << first.dimension }
                termStart.append(terms.count)
                let sliding = active >= 2
                slides.append(sliding)
                for term in used {
                    if sliding {
                        perDimension[term.dimension] = perDimension[term.dimension] == -1 ? index : -2
                    } else {
                        nonSlidingMask |= 1 << term.dimension
                    }
                }
            }
            rankStart.append(termStart.count - 1)
            relevant.append(relevantMask)
            nonSliding.append(nonSlidingMask)
            isSliding.append(perDimension.contains { $0 != -1 })
            plain.append(isPlain)
            // A dimension also in a non-sliding coordinate always moves that one too: whole tiles.
            slidingRanks += perDimension.enumerated().map { d, rank in nonSlidingMask & (1 << d) != 0
                && rank != -1 ? -2 : rank }
        }
        var table = Array(repeating: 0, count: slides.count * dimensions)
        for rank in 0..<slides.count {
            for t in termStart[rank]..<termStart[rank + 1] {
                table[rank * dimensions + terms[t].dimension] += terms[t].coefficient
            }
        }
        let memory = ScratchMemory()
        self.memory = memory
        dimensionCount = dimensions
        rankCount = slides.count
        self.rankStart = memory.buffer(rankStart, orEmpty: 0)
        self.termStart = memory.buffer(termStart, orEmpty: 0)
        allTerms = memory.buffer(terms, orEmpty: Term(dimension: 0, coefficient: 0))
        rankSlides = memory.buffer(slides, orEmpty: false)
        self.relevant = memory.buffer(relevant, orEmpty: 0)
        self.nonSliding = memory.buffer(nonSliding, orEmpty: 0)
        self.isSliding = memory.buffer(isSliding, orEmpty: false)
        self.slidingRanks = memory.buffer(slidingRanks, orEmpty: -1)
        coefficients = memory.buffer(table, orEmpty: 0)
        self.plain = memory.buffer(plain, orEmpty: false)
    }

    /// The ranks of a data space.
    @inline(__always)
    func ranks(_ space: Int) -> Range<Int> { rankStart[space]..<rankStart[space + 1] }

    /// The terms of a rank.
    @inline(__always)
    func terms(_ rank: Int) -> UnsafeMutableBufferPointer<Term> {
        UnsafeMutableBufferPointer(rebasing: allTerms[termStart[rank]..<termStart[rank + 1]])
    }

    /// The coefficient of `dimension` in `rank` (0 when absent).
    @inline(__always)
    func coefficient(of dimension: Int, in rank: Int) -> Int { coefficients[rank * dimensionCount + dimension] }

    /// The one sliding rank of `space` that `dimension` moves (−1: none, −2: several or also a
    /// non-sliding one).
    @inline(__always)
    func slidingRank(_ space: Int, _ dimension: Int) -> Int { slidingRanks[space * dimensionCount + dimension] }

    /// Whether `space`'s box size is the product of its extents along distinct dimensions.
    @inline(__always)
    func isPlain(_ space: Int) -> Bool { plain[space] }

    /// How many ranks of `space` (only the non-sliding ones, if asked) a loop over `dimension` moves.
    func ranksMoved(_ space: Int, by dimension: Int, nonSlidingOnly: Bool) -> Int {
        var moved = 0
        for rank in ranks(space) where (!nonSlidingOnly || !rankSlides[rank]) && coefficient(of: dimension,
            in: rank) != 0 {
            moved += 1
        }
        return moved
    }

    /// Words of `space` in a box whose extent along each dimension is `extents[base + d]`.
    @inline(__always)
    func boxSize(_ space: Int, _ extents: UnsafeMutableBufferPointer<Int>, base: Int) -> Int {
        var size = 1
        for rank in ranks(space) {
            var span = 1
            for t in termStart[rank]..<termStart[rank + 1] {
                span += allTerms[t].coefficient * (extents[base + allTerms[t].dimension] - 1)
            }
            size *= span
        }
        return size
    }

    /// Words of `space` in a box whose extent along each dimension is `extent(d)`.
    @inline(__always)
    func boxSize(_ space: Int, _ extent: (Int) -> Int) -> Int {
        var size = 1
        for rank in ranks(space) {
            var span = 1
            for t in termStart[rank]..<termStart[rank + 1] {
                span += allTerms[t].coefficient * (extent(allTerms[t].dimension) - 1)
            }
            size *= span
        }
        return size
    }
}
