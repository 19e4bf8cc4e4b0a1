import MagnetDesigner
import MagnetWorkload

extension RTLLayerProgram {
    /// The mapper's choice among the mappings the controller can run.
    public struct Choice: Sendable {
        /// The chosen program.
        public let program: RTLLayerProgram
        /// The cost model's figures for its mapping.
        public let summary: Evaluator.Summary
        /// How many mappings the controller could run (evaluated).
        public let candidates: Int
    }

    /// Searches the mappings the controller can run for `shape` on `design`: every split of the
    /// PE array into channel groups × row blocks that the layer and the PE mesh allow, each
    /// evaluated by the cost model on its padded layer (padding is work the hardware does); the
    /// best by `objective`, ties to more channel groups. Throws the reason when none fits.
    public static func mapped(design: DesignPoint, shape: ConvolutionShape, hardware: Hardware, objective: Objective = .edp) throws -> Choice {
        var best: (RTLLayerProgram, Evaluator.Summary)?
        var candidates = 0
        var firstError: Error?
        for groups in (1...design.numPEs).reversed() where design.numPEs % groups == 0 {
            do {
                let program = try RTLLayerProgram(design: design, shape: shape, groups: groups)
                let mapping = try program.mapping(on: hardware)
                let problem = program.paddedShape.problem
                guard mapping.problems(on: hardware, for: problem).isEmpty else { continue }
                var evaluator = Evaluator(CostModel(hardware: hardware, problem: problem))
                let summary = evaluator.summary(mapping)
                candidates += 1
                if best.map({ objective.better(summary, than: $0.1) }) ?? true { best = (program, summary) }
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        guard let best else {
            throw firstError ?? RTLUnsupported(parameter: "layer", message: "no mapping the controller can run is valid for the cost model")
        }
        return Choice(program: best.0, summary: best.1, candidates: candidates)
    }
}
