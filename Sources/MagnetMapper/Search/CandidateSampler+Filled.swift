import MagnetCore

extension CandidateSampler {
    /// Lowest chance, drawn per candidate, that ``filled(using:evaluator:)`` places a prime
    /// factor at a temporal slot where it fits: 1 fills every level it can, lower values leave
    /// inner buffers emptier. Drawn from `filledTakeMinimum...1` so the starts spread over both
    /// (the search's quality was the same within noise from 0.2 to 0.5, worse at 0.8;
    /// docs/mapper.md, "Starting points").
    static let filledTakeMinimum = 0.2

    /// Chance, per start and on-chip level, that ``filled(using:evaluator:)`` leaves the level's
    /// temporal slot empty. Filling every level from the innermost outward puts loops at levels
    /// where the best mappings have none (the loops over output channels at a collector, which
    /// then hands its partial sum on at every step), and the single moves cannot clear them
    /// without passing through candidates no better. 0.4 measured best of 0.2–0.6 and of a
    /// chance drawn per start (docs/mapper.md, "Empty levels").
    static let filledSkipChance = 0.4

    /// A random candidate that fills the hardware, or `nil` when even the smallest tiles
    /// overflow it. Every searched prime factor starts at the outermost temporal slot that takes
    /// its dimension; then, in a random order of the primes, each moves to the innermost slot
    /// that takes it and where every kept tile still fits: the spatial slots first (all that
    /// fit, inner levels first), then the temporal ones from the innermost level outward, each
    /// placement taken with a chance drawn per candidate (see ``filledTakeMinimum``), and each
    /// level's temporal slot skipped with ``temporalSkipChance``. Orders and
    /// keep/bypass choices are drawn as in ``random(using:)``. The result is admissible but for
    /// the space's minimum parallelism, which the caller checks.
    func filled(using generator: inout SeededGenerator, evaluator: inout Evaluator) -> Candidate? {
        var candidate = random(using: &generator)
        var pending: [(dimension: Int, prime: Int)] = []
        for d in 0..<dimensions {
            for slot in freeSlots[d] { candidate.factors[slot * dimensions + d] = 1 }
            for p in primes[d] {
                pending.append((d, p))
                candidate.factors[parking(d) * dimensions + d] *= p
            }
        }
        guard evaluator.fits(candidate) else { return nil }
        pending.shuffle(using: &generator)
        let take = Double.random(in: Self.filledTakeMinimum...1, using: &generator)
        var placed = Array(repeating: false, count: pending.count)
        for slot in [MapSpace.Slot.spatialX, .spatialY, .temporal] {
            for level in 0..<(levels - 1) {
                if slot == .temporal && Double.random(in: 0..<1, using: &generator) < temporalSkipChance { continue }
                for index in pending.indices where !placed[index] {
                    if slot == .temporal && Double.random(in: 0..<1, using: &generator) >= take { continue }
                    placed[index] = move(pending[index], to: level * 3 + slot.rawValue, in: &candidate,
                                         evaluator: &evaluator)
                }
            }
        }
        return candidate
    }

    /// Where ``filled(using:evaluator:)`` parks the primes of dimension `d`: the outermost free
    /// temporal slot (`level * 3 + slot`), or the outermost level's.
    func parking(_ d: Int) -> Int {
        freeSlots[d].last { $0 % 3 == MapSpace.Slot.temporal.rawValue } ?? (levels - 1) * 3
    }

    /// Moves one parked prime to `target` (`level * 3 + slot`) when the slot takes it (allowed,
    /// within its fan-out and the space's factor bound) and every kept tile still fits; whether
    /// it moved.
    private func move(_ factor: (dimension: Int, prime: Int), to target: Int, in candidate: inout Candidate,
                      evaluator: inout Evaluator) -> Bool {
        let (d, p) = factor
        let from = parking(d)
        guard target != from, freeSlots[d].contains(target), room(candidate, target, p),
              let slot = MapSpace.Slot(rawValue: target % 3) else { return false }
        candidate.factors[from * dimensions + d] /= p
        candidate.factors[target * dimensions + d] *= p
        if Self.withinBound(candidate, level: target / 3, slot: slot, dimension: d, space: space),
           evaluator.tilesFit(candidate) {
            return true
        }
        candidate.factors[target * dimensions + d] /= p
        candidate.factors[from * dimensions + d] *= p
        return false
    }
}
