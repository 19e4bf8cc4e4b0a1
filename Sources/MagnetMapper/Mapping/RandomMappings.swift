import MagnetCore
import MagnetDesigner
import MagnetWorkload

/// Draws random valid mappings of a problem onto a hardware hierarchy: every dimension's prime
/// factors spread over the levels' temporal and spatial slots, random loop orders, capacity and
/// fan-out respected. Deterministic for a seed.
public struct RandomMappings {
    /// The hardware.
    public let hardware: Hardware
    /// The problem.
    public let problem: Problem
    /// The keep sets per level (data-space indices).
    public let keeps: [Set<Int>]
    private var generator: SeededGenerator
    private let primeFactors: [[Int]]

    /// Creates a generator; `keeps` defaults to what each hardware level keeps.
    public init(hardware: Hardware, problem: Problem, keeps: [Set<Int>]? = nil, seed: UInt64) {
        self.hardware = hardware
        self.problem = problem
        self.keeps = keeps ?? hardware.storage.map { level in
            Set(problem.dataSpaces.indices.filter { level.keeps.contains(problem.dataSpaces[$0].name) })
        }
        generator = SeededGenerator(seed: seed)
        primeFactors = problem.bounds.map(Factorization.primes)
    }

    /// One random mapping (valid or not).
    public mutating func draw() -> Mapping {
        let levelCount = hardware.storage.count
        var temporal = Array(repeating: Array(repeating: 1, count: problem.dimensions.count), count: levelCount)
        var spatialX = temporal, spatialY = temporal
        var usedX = Array(repeating: 1, count: levelCount), usedY = usedX
        let fanouts = (0..<levelCount).map { hardware.fanout(of: $0) }
        for (dimension, primes) in primeFactors.enumerated() {
            // Each dimension is split over one to three slots, as a mapper's tilings usually are.
            let slotCount = Int.random(in: 1...3, using: &generator)
            let slots = (0..<slotCount).map { _ in
                (level: Int.random(in: 0..<levelCount, using: &generator), kind: Int.random(in: 0..<4, using: &generator))
            }
            for prime in primes {
                let (level, slot) = slots.randomElement(using: &generator)!
                if slot == 0 && usedX[level] * prime <= fanouts[level].x {
                    spatialX[level][dimension] *= prime
                    usedX[level] *= prime
                } else if slot == 1 && usedY[level] * prime <= fanouts[level].y {
                    spatialY[level][dimension] *= prime
                    usedY[level] *= prime
                } else {
                    temporal[level][dimension] *= prime
                }
            }
        }
        var levels: [LevelMapping] = []
        for level in 0..<levelCount {
            func loops(_ factors: [Int]) -> [Loop] {
                var order = Array(problem.dimensions.indices)
                order.shuffle(using: &generator)
                return order.filter { factors[$0] > 1 }.map { Loop(dimension: $0, bound: factors[$0]) }
            }
            levels.append(LevelMapping(temporal: loops(temporal[level]), spatialX: loops(spatialX[level]),
                                       spatialY: loops(spatialY[level]), keeps: keeps[level]))
        }
        return Mapping(levels: levels)
    }

    /// A random valid mapping, or `nil` after `attempts` invalid draws.
    public mutating func nextValid(attempts: Int = 10_000) -> Mapping? {
        for _ in 0..<attempts {
            let mapping = draw()
            if mapping.problems(on: hardware, for: problem).isEmpty { return mapping }
        }
        return nil
    }
}
