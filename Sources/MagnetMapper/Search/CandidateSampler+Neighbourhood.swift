import MagnetCore

extension CandidateSampler {
    /// One move of the full neighbourhood (``moves(of:)``): the same kinds of move as
    /// ``neighbour(of:using:)`` draws, named instead of drawn.
    enum Move: Equatable {
        /// A prime factor `prime` of `dimension` leaves slot `from` (`level * 3 + slot`) for `to`.
        case shift(dimension: Int, prime: Int, from: Int, to: Int)
        /// `prime` of `dimension` goes from `from` to `to`, and `otherPrime` of `other` back.
        case exchange(dimension: Int, prime: Int, other: Int, otherPrime: Int, from: Int, to: Int)
        /// Positions `first` and `second` of `level`'s loop order trade places.
        case swap(level: Int, first: Int, second: Int)
        /// The keep/bypass choice of `dataSpace` at `level` flips.
        case flip(level: Int, dataSpace: Int)
    }

    /// Every move that changes `candidate` and keeps it within the fan-outs: each distinct prime
    /// of each held factor to every other slot with room, each such prime traded against each
    /// distinct prime of another dimension held at the target, each pair of looped temporal
    /// loops of a level within the group they must stay in, each open keep/bypass choice.
    func moves(of candidate: Candidate) -> [Move] {
        var found: [Move] = []
        for d in 0..<dimensions {
            for from in freeSlots[d] where candidate.factors[from * dimensions + d] > 1 {
                for p in distinctPrimes(of: d, dividing: candidate.factors[from * dimensions + d]) {
                    for to in freeSlots[d] where to != from {
                        if room(candidate, to, p) { found.append(.shift(dimension: d, prime: p, from: from, to: to)) }
                        for e in 0..<dimensions where e != d && candidate.factors[to * dimensions + e] > 1
                            && takes[from * dimensions + e] && takes[to * dimensions + e] {
                            for q in distinctPrimes(of: e, dividing: candidate.factors[to * dimensions + e]) {
                                let move = Move.exchange(dimension: d, prime: p, other: e, otherPrime: q,
                                                         from: from, to: to)
                                var next = candidate
                                apply(move, to: &next)
                                if room(next, from, 1) && room(next, to, 1) { found.append(move) }
                            }
                        }
                    }
                }
            }
        }
        for level in 0..<levels {
            for group in swapGroups(of: candidate, level: level) {
                for i in group.indices { for j in group.indices where j > i {
                    found.append(.swap(level: level, first: group[i], second: group[j]))
                } }
            }
        }
        for (level, dataSpace) in keepChoices { found.append(.flip(level: level, dataSpace: dataSpace)) }
        return found
    }

    /// The two groups of positions of a level's loop order that a swap may exchange, past the
    /// level's fixed innermost order and only loops with factors above 1: the looped dimensions
    /// that must stay inside the others, and the other looped ones. A swap stays within a group.
    enum SwapGroup: Int {
        /// Looped dimensions that must stay inside the others.
        case inner
        /// The other looped dimensions.
        case outer
    }

    /// The swap group of position `place` of `level`'s loop order (`nil`: no swap moves it).
    func swapGroup(ofPosition place: Int, in candidate: Candidate, level: Int) -> SwapGroup? {
        let dimension = candidate.loop(level, at: place)
        guard place >= space.innermostOrder[level].count, candidate.factor(level, 0, dimension) > 1 else { return nil }
        return space.innermostSet[level].contains(dimension) ? .inner : .outer
    }

    /// The positions of `level`'s loop order in each ``SwapGroup``, inner first.
    func swapGroups(of candidate: Candidate, level: Int) -> [[Int]] {
        [SwapGroup.inner, .outer].map { group in
            (0..<dimensions).filter { swapGroup(ofPosition: $0, in: candidate, level: level) == group }
        }
    }

    /// How many positions of `level`'s loop order `group` holds.
    func swapGroupSize(of candidate: Candidate, level: Int, group: SwapGroup) -> Int {
        var size = 0
        for place in 0..<dimensions where swapGroup(ofPosition: place, in: candidate, level: level) == group {
            size += 1
        }
        return size
    }

    /// The `index`th position (from the innermost) of `level`'s loop order in `group`.
    func swapPosition(_ index: Int, of candidate: Candidate, level: Int, group: SwapGroup) -> Int {
        var remaining = index
        for place in 0..<dimensions where swapGroup(ofPosition: place, in: candidate, level: level) == group {
            if remaining == 0 { return place }
            remaining -= 1
        }
        preconditionFailure("swap position \(index) beyond its group")
    }

    /// Applies one move.
    func apply(_ move: Move, to candidate: inout Candidate) {
        switch move {
        case let .shift(d, p, from, to):
            candidate.factors[from * dimensions + d] /= p
            candidate.factors[to * dimensions + d] *= p
        case let .exchange(d, p, e, q, from, to):
            candidate.factors[from * dimensions + d] /= p
            candidate.factors[to * dimensions + d] *= p
            candidate.factors[to * dimensions + e] /= q
            candidate.factors[from * dimensions + e] *= q
        case let .swap(level, first, second):
            candidate.swapLoops(level, first, second)
        case let .flip(level, dataSpace):
            candidate.flipKeep(level, dataSpace)
        }
    }

    /// The distinct searched primes of dimension `d` that divide `factor`, smallest first.
    private func distinctPrimes(of d: Int, dividing factor: Int) -> [Int] {
        var result: [Int] = []
        for p in primes[d] where factor % p == 0 && result.last != p { result.append(p) }
        return result.isEmpty ? [factor] : result
    }
}
