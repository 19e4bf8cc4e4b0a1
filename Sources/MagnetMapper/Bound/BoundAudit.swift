import Dispatch
import MagnetCore
import MagnetDesigner
import MagnetWorkload

/// Checks that ``MappingBound`` never exceeds the cost model: for random valid mappings, the bound
/// of every partial decision a search can reach on the way to the mapping (spatial factors only;
/// temporal factors from the innermost levels out, from the outermost in, or both, with or without
/// their innermost loops; loop orders from the outermost level in, position by position) is at
/// most the energy and the cycles the ``Evaluator`` gives the complete mapping. The same mappings,
/// and those drawn that do not fit, go through the ``CandidateScreen`` in batches: its bound may
/// not exceed the model either, and where it can tell, it must say whether a mapping fits exactly
/// as the evaluator does.
public struct BoundAudit: Sendable {
    /// What an audit found.
    public struct Report: Sendable {
        /// Mappings checked.
        public var mappings = 0
        /// Bounds compared with the exact figures.
        public var bounds = 0
        /// Candidates screened (``CandidateScreen``), fitting or not.
        public var screened = 0
        /// Every case where a bound exceeded the model, described (empty when admissible).
        public var violations: [String] = []
        /// Seconds spent computing bounds.
        public var boundSeconds = 0.0

        /// An empty report.
        public init() {}

        /// Bounds computed per second.
        public var boundsPerSecond: Double { boundSeconds > 0 ? Double(bounds) / boundSeconds : 0 }

        /// Adds another report's counts and its violations, each prefixed with `label`.
        public mutating func add(_ other: Report, label: String) {
            mappings += other.mappings
            bounds += other.bounds
            screened += other.screened
            boundSeconds += other.boundSeconds
            violations += other.violations.map { "\(label): \($0)" }
        }
    }

    /// Audits `count` random valid mappings (drawn by ``RandomMappings`` with `seed`, or, given a
    /// map space, drawn from it with its order constraints, which the bound then relies on).
    public static func run(hardware: Hardware, problem: Problem, keeps: [Set<Int>]? = nil, space: MapSpace? = nil,
                           haloReuse: CostModel.HaloReuse = .timeloopV3, count: Int, seed: UInt64) -> Report {
        var report = Report()
        let model = CostModel(hardware: hardware, problem: problem, haloReuse: haloReuse)
        var evaluator = Evaluator(model)
        var bound = space.map { MappingBound(space: $0, haloReuse: haloReuse) } ?? MappingBound(model)
        let levels = hardware.storage.count
        let draw = mappingSource(hardware: hardware, problem: problem, keeps: keeps, space: space, seed: seed)
        var screen = CandidateScreen(space: space ?? MapSpace(hardware: hardware, problem: problem, keeps: keeps))
        var pending: [(mapping: Mapping, exact: Evaluator.Summary?)] = []
        func screenPending() {
            screen.run()
            for (lane, drawn) in pending.enumerated() {
                report.screened += 1
                if let fits = screen.fitsHardware(lane), fits != (drawn.exact != nil) {
                    report.violations.append("screen: fits \(fits), the evaluator says \(!fits) for \(drawn.mapping)")
                }
                guard let exact = drawn.exact, let value = screen.bound(lane) else { continue }
                if value.energyPJ > exact.energyPJ || value.cycles > Double(exact.cycles) {
                    report.violations.append("screen: bound \(value.energyPJ) pJ, \(value.cycles) cycles > exact "
                        + "\(exact.energyPJ) pJ, \(exact.cycles) cycles for \(drawn.mapping)")
                }
            }
            screen.clear()
            pending.removeAll(keepingCapacity: true)
        }
        var attempts = 0
        while report.mappings < count && attempts < 500 * count {
            attempts += 1
            guard let mapping = draw(), let candidate = Candidate(mapping, dimensions: problem.dimensions.count)
            else { continue }
            let exact = evaluator.fits(mapping) ? evaluator.summary(mapping) : nil
            screen.add(candidate)
            pending.append((mapping, exact))
            if screen.isFull { screenPending() }
            guard let exact else { continue }
            report.mappings += 1
            for decided in decisions(for: mapping, levels: levels) {
                let start = DispatchTime.now().uptimeNanoseconds
                let value = bound.bound(candidate, decided)
                report.boundSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                report.bounds += 1
                if value.energyPJ > exact.energyPJ * (1 + 1e-12) || value.cycles > Double(exact.cycles) {
                    let bound = "bound \(value.energyPJ) pJ, \(value.cycles) cycles"
                    let model = "exact \(exact.energyPJ) pJ, \(exact.cycles) cycles"
                    report.violations.append("\(decided): \(bound) > \(model) for \(mapping)")
                }
            }
        }
        if !pending.isEmpty { screenPending() }
        return report
    }

    /// Every partial decision on the way to `mapping` that a search may bound.
    static func decisions(for mapping: Mapping, levels: Int) -> [Decisions] {
        var decisions: [Decisions] = []
        for through in -1..<levels {
            decisions.append(Decisions(temporalThrough: through, ordersFrom: levels))
            decisions.append(Decisions(temporalThrough: through, ordersFrom: levels, innermostThrough: through))
            for from in (through + 1)..<levels {
                decisions.append(Decisions(temporalThrough: through, ordersFrom: levels, decidedFrom: from))
                decisions.append(Decisions(temporalThrough: through, ordersFrom: levels, innermostThrough: through,
                                           decidedFrom: from))
            }
        }
        for from in 0..<levels {
            decisions.append(Decisions(temporalThrough: levels - 1, ordersFrom: from, innermostThrough: levels - 1))
            let loops = mapping.levels[from].temporal.filter { $0.bound > 1 }.count
            for ordered in 1..<max(loops, 1) {
                decisions.append(Decisions(temporalThrough: levels - 1, ordersFrom: from + 1, orderedLoops: ordered,
                                           innermostThrough: levels - 1))
            }
        }
        return decisions
    }

    /// Random mappings: from the space's sampler (random points and some of their neighbours, so
    /// that good mappings are covered too), or from ``RandomMappings``.
    private static func mappingSource(hardware: Hardware, problem: Problem, keeps: [Set<Int>]?, space: MapSpace?,
                                      seed: UInt64) -> () -> Mapping? {
        if let space {
            let sampler = CandidateSampler(space: space)
            var generator = SeededGenerator(seed: seed)
            var current: Candidate?
            var steps = 0
            return {
                if current == nil || steps >= 8 {
                    current = sampler.random(using: &generator)
                    steps = 0
                } else {
                    current = sampler.neighbour(of: current!, using: &generator)
                    steps += 1
                }
                guard let candidate = current, sampler.admissible(candidate) else { return nil }
                return candidate.mapping()
            }
        }
        var generator = RandomMappings(hardware: hardware, problem: problem, keeps: keeps, seed: seed)
        return { generator.nextValid(attempts: 300) }
    }
}
