import Dispatch
import MagnetCore

/// Times the cost model on random valid mappings of one Timeloop case.
public struct ModelBenchmark {
    /// Results of one benchmark.
    public struct Result: Sendable {
        /// Mappings timed.
        public var mappings: Int
        /// Median evaluations per second, closed form.
        public var closedFormPerSecond: Double
        /// Median evaluations per second, reference nest walk.
        public var referencePerSecond: Double
    }

    let model: CostModel
    let sample: [Mapping]

    /// Draws `mappings` random valid mappings of the case's problem onto its hardware.
    public init(input: TimeloopCase, mappings: Int, seed: UInt64) {
        model = CostModel(hardware: input.hardware, problem: input.problem)
        var generator = RandomMappings(hardware: input.hardware, problem: input.problem,
                                       keeps: input.mapping.levels.map(\.keeps), seed: seed)
        var drawn: [Mapping] = []
        while drawn.count < mappings, let mapping = generator.nextValid(attempts: 100_000) { drawn.append(mapping) }
        sample = drawn
    }

    /// Mappings on which the batched path and the reference walk disagree (should be none).
    public func disagreements() -> [Mapping] {
        var evaluator = Evaluator(model)
        return sample.filter {
            let walked = model.evaluateByNestWalk($0)
            return model.evaluate($0) != walked || evaluator.evaluate($0) != walked
        }
    }

    /// Runs both paths `repeats` times and reports medians.
    public func run(repeats: Int, nestWalk: Bool = true) -> Result {
        func rate(_ body: () -> Void) -> Double {
            var rates: [Double] = []
            for _ in 0..<max(repeats, 1) {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                rates.append(Double(sample.count) / max(seconds, 1e-9))
            }
            return rates.sorted()[rates.count / 2]
        }
        var evaluator = Evaluator(model)
        let closedForm = rate { for mapping in sample { _ = evaluator.summary(mapping) } }
        let reference = nestWalk ? rate { for mapping in sample { _ = model.evaluateByNestWalk(mapping) } } : 0
        return Result(mappings: sample.count, closedFormPerSecond: closedForm, referencePerSecond: reference)
    }
}
