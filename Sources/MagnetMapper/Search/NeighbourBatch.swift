/// Neighbours of one point drawn ahead in a batch and screened together (``CandidateScreen``),
/// then handed out one at a time, the least bound first (docs/mapper.md, "Screening").
///
/// A screen is prepared for one choice of the keeps the space leaves open, so the batch holds one
/// screen per combination of those choices (made when a candidate first needs it), each
/// candidate screened by its own; a space with more than ``maximumOpenKeeps`` open choices has
/// one screen, for the space's starting keeps, and lets the others through unscreened.
struct NeighbourBatch {
    /// Open keep choices beyond which the batch keeps a single screen (2⁴ screens at most).
    static let maximumOpenKeeps = 4

    /// Where a candidate of the batch is screened.
    private struct Placement {
        /// Its screen in ``screens``.
        var screen: Int
        /// Its lane in that screen.
        var lane: Int
    }

    private let space: MapSpace
    /// The open keep choices a screen is chosen by (empty beyond ``maximumOpenKeeps``).
    private let keepChoices: [(level: Int, dataSpace: Int)]
    /// The space's starting keeps, a bit per data space per level (``Candidate/keepMasks``).
    private let startingKeepMasks: [Int]
    /// The screens made so far (the space's starting keeps' first).
    private var screens: [CandidateScreen]
    /// Per combination of ``keepChoices`` (bit `i` set: choice `i` flipped from the space's
    /// starting keeps, as ``MapSpace/keeps(flipping:of:)`` reads it), its screen in ``screens``,
    /// or -1 until a candidate needs it.
    private var screenOfCombination: [Int]
    /// One candidate per place in the batch, kept from batch to batch so that drawing writes into
    /// storage already allocated (``Candidate/assign(_:)``).
    private var candidates: [Candidate] = []
    private var placements: [Placement] = []
    /// How many candidates the last batch drew.
    private var drawn = 0
    /// The candidates' places in the order they are handed out.
    private var order: [Int] = []
    private var nextPlace = 0

    init(space: MapSpace) {
        self.space = space
        let open = space.keepChoices
        keepChoices = open.count <= Self.maximumOpenKeeps ? open : []
        startingKeepMasks = Candidate.masks(space.keeps)
        screens = [CandidateScreen(space: space)]
        screenOfCombination = Array(repeating: -1, count: 1 << keepChoices.count)
        screenOfCombination[0] = 0
        candidates.reserveCapacity(CandidateScreen.width)
        placements.reserveCapacity(CandidateScreen.width)
        order.reserveCapacity(CandidateScreen.width)
    }

    /// Whether every candidate drawn has been handed out.
    var isEmpty: Bool { nextPlace >= drawn }

    /// Draws `count` (at most a screen's width) candidates and screens them: `drawOne` writes
    /// each into a candidate of the batch (one of an earlier batch, or a copy of `point` at first).
    mutating func draw(_ count: Int, around point: Candidate, _ drawOne: (inout Candidate) -> Void) {
        for index in screens.indices { screens[index].clear() }
        while candidates.count < count { candidates.append(point) }
        placements.removeAll(keepingCapacity: true)
        for place in 0..<count {
            drawOne(&candidates[place])
            let combination = combination(ofKeepMasks: candidates[place].keepMasks)
            if screenOfCombination[combination] < 0 {
                screenOfCombination[combination] = screens.count
                var chosen = space
                chosen.keeps = space.keeps(flipping: combination, of: keepChoices)
                screens.append(CandidateScreen(space: chosen))
            }
            let screen = screenOfCombination[combination]
            placements.append(Placement(screen: screen, lane: screens[screen].add(candidates[place])))
        }
        drawn = count
        for index in screens.indices where screens[index].count > 0 { screens[index].run() }
        nextPlace = 0
        // The least bound first (insertion sort of at most eight candidates, stable).
        order.removeAll(keepingCapacity: true)
        for place in 0..<count {
            let key = orderingKey(place)
            var at = order.count
            while at > 0 && orderingKey(order[at - 1]) > key { at -= 1 }
            order.insert(place, at: at)
        }
    }

    /// The next candidate and its place in the batch.
    mutating func next() -> (Candidate, Int) {
        let place = order[nextPlace]
        nextPlace += 1
        return (candidates[place], place)
    }

    /// Whether the candidate at `place` surely does not fit, or surely scores no better than
    /// `current` under `objective` (``CandidateScreen/rejects(_:against:objective:energyWeight:)``).
    func rejects(_ place: Int, against current: Evaluator.Summary, objective: Objective,
                 energyWeight: Double) -> Bool {
        let placement = placements[place]
        return screens[placement.screen].rejects(placement.lane, against: current, objective: objective,
                                                 energyWeight: energyWeight)
    }

    /// Drops the candidates not handed out yet (the point they were drawn around changed).
    mutating func discard() { nextPlace = drawn }

    /// The bound on energy × cycles of the candidate at `place` (0 when it is not screened).
    func orderingKey(_ place: Int) -> Float {
        let placement = placements[place]
        return screens[placement.screen].orderingKeys[placement.lane]
    }

    /// The combination of ``keepChoices`` that keeps `keepMasks` make: a bit per choice they
    /// flip from the space's starting keeps.
    private func combination(ofKeepMasks keepMasks: [Int]) -> Int {
        var combination = 0
        for (bit, choice) in keepChoices.enumerated()
        where (keepMasks[choice.level] ^ startingKeepMasks[choice.level]) >> choice.dataSpace & 1 == 1 {
            combination |= 1 << bit
        }
        return combination
    }
}
