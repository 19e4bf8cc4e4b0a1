import MagnetWorkload

/// The mappings of the other shapes mapped with one shape (its network's, and those of the
/// networks mapped together with it), reshaped to it (``WarmStart/reshape(_:of:to:)``) and scored
/// once under the exact model: where that shape's search starts, and what it may take once every
/// shape is mapped (docs/mapper.md, "Sibling starts").
struct SiblingPool {
    /// One reshaped mapping and its figures on the pool's shape.
    struct Entry {
        var mapping: Mapping
        var summary: Evaluator.Summary
    }

    /// The shape's map space.
    let space: MapSpace
    /// The valid reshapes, in the order their siblings were added.
    private(set) var entries: [Entry] = []
    private let sampler: CandidateSampler
    /// Made when first needed and dropped by ``release()``: a network keeps a pool per shape
    /// between its search and the adoption, and an evaluator's scratch memory is most of a pool.
    private var evaluator: Evaluator?

    /// An empty pool for the shape of `space`.
    init(space: MapSpace) {
        self.space = space
        sampler = CandidateSampler(space: space)
    }

    /// Reshapes `mapping`, a sibling's mapping of `problem` on the same hardware, to the pool's
    /// shape and keeps it when the reshape is valid.
    mutating func add(_ mapping: Mapping, of problem: Problem) {
        // Valid as a search's candidates are: admissible, and fitting (checked as it is scored).
        guard let reshaped = WarmStart.reshapedCandidate(mapping, of: problem, to: space),
              sampler.admissible(reshaped) else { return }
        prepareEvaluator()
        if let summary = evaluator!.summaryIfFits(reshaped) {
            entries.append(Entry(mapping: reshaped.mapping(), summary: summary))
        }
    }

    /// `mapping` (valid in the pool's space) with its figures.
    mutating func scored(_ mapping: Mapping) -> Entry {
        prepareEvaluator()
        return Entry(mapping: mapping, summary: evaluator!.summary(mapping))
    }

    /// Makes the evaluator if the pool has none; it is then changed in place (a copy taken out of
    /// the optional and put back would copy its scratch arrays on every write).
    private mutating func prepareEvaluator() {
        if evaluator == nil { evaluator = Evaluator(CostModel(hardware: space.hardware, problem: space.problem)) }
    }

    /// Frees the evaluator until the pool scores again; the entries stay.
    mutating func release() {
        evaluator = nil
    }

    /// Up to `count` distinct mappings of `first` followed by the pool's, best first by
    /// `objective`, equals in that order.
    func starts(after first: [Entry], count: Int, objective: Objective, energyWeight: Double) -> [Mapping] {
        let all = first + entries
        let order = all.indices.sorted { a, b in
            if objective.better(all[a].summary, than: all[b].summary, energyWeight: energyWeight) { return true }
            if objective.better(all[b].summary, than: all[a].summary, energyWeight: energyWeight) { return false }
            return a < b
        }
        var chosen: [Mapping] = []
        for index in order where chosen.count < count && !chosen.contains(all[index].mapping) {
            chosen.append(all[index].mapping)
        }
        return chosen
    }

    /// The pool's best entry where it beats `own` by `objective` (the first of equals); `nil`
    /// when none does.
    func better(than own: Entry, objective: Objective, energyWeight: Double) -> Entry? {
        var best: Entry?
        for entry in entries
        where objective.better(entry.summary, than: (best ?? own).summary, energyWeight: energyWeight) {
            best = entry
        }
        return best
    }
}
