/// Neighbours of one point drawn ahead in a batch and screened together (``CandidateScreen``),
/// then handed out one at a time, the least bound first (docs/mapper.md, "Screening").
struct NeighbourBatch {
    /// The screen, holding the batch's lanes.
    var screen: CandidateScreen
    /// One candidate per lane, kept from batch to batch so that drawing writes into storage
    /// already allocated (``Candidate/assign(_:)``).
    private var candidates: [Candidate] = []
    /// How many lanes the last batch drew.
    private var drawn = 0
    /// The lanes in the order they are handed out.
    private var order: [Int] = []
    private var nextLane = 0

    init(space: MapSpace) {
        screen = CandidateScreen(space: space)
        candidates.reserveCapacity(CandidateScreen.width)
        order.reserveCapacity(CandidateScreen.width)
    }

    /// Whether every candidate drawn has been handed out.
    var isEmpty: Bool { nextLane >= drawn }

    /// Draws `count` (at most a screen's width) candidates and screens them: `drawOne` writes
    /// each into a lane's candidate (one of an earlier batch, or a copy of `point` at first).
    mutating func draw(_ count: Int, around point: Candidate, _ drawOne: (inout Candidate) -> Void) {
        screen.clear()
        while candidates.count < count { candidates.append(point) }
        for lane in 0..<count {
            drawOne(&candidates[lane])
            screen.add(candidates[lane])
        }
        drawn = count
        screen.run()
        nextLane = 0
        // The least bound first (insertion sort of at most eight lanes, stable).
        order.removeAll(keepingCapacity: true)
        let keys = screen.orderingKeys
        for lane in 0..<count {
            var place = order.count
            while place > 0 && keys[order[place - 1]] > keys[lane] { place -= 1 }
            order.insert(lane, at: place)
        }
    }

    /// The next candidate and its lane.
    mutating func next() -> (Candidate, Int) {
        let lane = order[nextLane]
        nextLane += 1
        return (candidates[lane], lane)
    }

    /// Drops the candidates not handed out yet (the point they were drawn around changed).
    mutating func discard() { nextLane = drawn }
}
