import MagnetWorkload

/// How each data space's coordinates depend on the loop dimensions, in the form the bounds need:
/// which dimensions are relevant, which coordinates *slide* (two or more dimensions of the
/// problem with sizes above 1 add up in them, as a convolution window's `P + R` does), and the
/// box size of a tile.
struct ProjectionShape {
    /// A term of a coordinate, flattened.
    struct Term {
        let dimension: Int
        let coefficient: Int
    }

    /// Per data space, its coordinates (ranks) `rankStart[s]..<rankStart[s + 1]`.
    let rankStart: [Int]
    /// Per rank, its terms `termStart[r]..<termStart[r + 1]`.
    let termStart: [Int]
    let allTerms: [Term]
    /// Per rank: whether it slides.
    let rankSlides: [Bool]
    /// Per data space: a bit per dimension that appears in one of its coordinates.
    let relevant: [Int]
    /// Per data space: a bit per dimension that appears in a coordinate that does not slide.
    let nonSliding: [Int]
    /// Per data space: whether any coordinate slides.
    let isSliding: [Bool]
    /// `slidingRank[space][dimension]`: −1 when the dimension is in no sliding coordinate of the data
    /// space, the rank when it is in exactly one, −2 when in several.
    let slidingRank: [[Int]]
    /// `rank * dimensions + dimension`: the dimension's coefficient in the rank (0 when absent).
    let coefficients: [Int]
    let dimensionCount: Int

    init(_ problem: Problem) {
        var rankStart = [0], termStart = [0], terms: [Term] = [], slides: [Bool] = []
        var relevant: [Int] = [], nonSliding: [Int] = [], isSliding: [Bool] = [], slidingRank: [[Int]] = []
        for space in problem.dataSpaces {
            var relevantMask = 0, nonSlidingMask = 0, perDimension = Array(repeating: -1, count: problem.dimensions.count)
            for rank in space.projection {
                let index = termStart.count - 1
                var active = 0
                for term in rank where term.coefficient != 0 {
                    terms.append(Term(dimension: term.dimension, coefficient: term.coefficient))
                    relevantMask |= 1 << term.dimension
                    if problem.bounds[term.dimension] > 1 { active += 1 }
                }
                termStart.append(terms.count)
                let sliding = active >= 2
                slides.append(sliding)
                for term in rank where term.coefficient != 0 {
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
            // A dimension also in a non-sliding coordinate always moves that one too: whole tiles.
            slidingRank.append(perDimension.enumerated().map { d, rank in nonSlidingMask & (1 << d) != 0 && rank != -1 ? -2 : rank })
        }
        self.rankStart = rankStart
        self.termStart = termStart
        allTerms = terms
        rankSlides = slides
        self.relevant = relevant
        self.nonSliding = nonSliding
        self.isSliding = isSliding
        self.slidingRank = slidingRank
        dimensionCount = problem.dimensions.count
        var table = Array(repeating: 0, count: slides.count * problem.dimensions.count)
        for rank in 0..<slides.count {
            for t in termStart[rank]..<termStart[rank + 1] { table[rank * problem.dimensions.count + terms[t].dimension] += terms[t].coefficient }
        }
        coefficients = table
    }

    /// Whether every coordinate of `space` is one dimension with coefficient 1, each a different one:
    /// then a box's size is the product of its extents along those dimensions.
    func isPlain(_ space: Int) -> Bool {
        var seen = 0
        for rank in ranks(space) {
            let terms = terms(rank)
            guard terms.count == 1, let term = terms.first, term.coefficient == 1, seen & (1 << term.dimension) == 0 else { return false }
            seen |= 1 << term.dimension
        }
        return true
    }

    /// The ranks of a data space.
    @inline(__always)
    func ranks(_ space: Int) -> Range<Int> { rankStart[space]..<rankStart[space + 1] }

    /// The terms of a rank.
    @inline(__always)
    func terms(_ rank: Int) -> ArraySlice<Term> { allTerms[termStart[rank]..<termStart[rank + 1]] }

    /// The coefficient of `dimension` in `rank` (0 when absent).
    @inline(__always)
    func coefficient(of dimension: Int, in rank: Int) -> Int { coefficients[rank * dimensionCount + dimension] }

    /// How many ranks of `space` (only the non-sliding ones, if asked) a loop over `dimension` moves.
    func ranksMoved(_ space: Int, by dimension: Int, nonSlidingOnly: Bool) -> Int {
        var moved = 0
        for rank in ranks(space) where !nonSlidingOnly || !rankSlides[rank] {
            if terms(rank).contains(where: { $0.dimension == dimension }) { moved += 1 }
        }
        return moved
    }

    /// Words of `space` in a box whose extent along each dimension is `extent(d)`.
    @inline(__always)
    func boxSize(_ space: Int, _ extent: (Int) -> Int) -> Int {
        var size = 1
        for rank in ranks(space) {
            var span = 1
            for t in termStart[rank]..<termStart[rank + 1] { span += allTerms[t].coefficient * (extent(allTerms[t].dimension) - 1) }
            size *= span
        }
        return size
    }
}
