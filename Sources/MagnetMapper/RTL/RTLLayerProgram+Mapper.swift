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
    /// PE array into channel groups × row blocks that the layer and the PE mesh allow, under
    /// each ``WeightSchedule`` that fits, each evaluated by the cost model on its padded layer
    /// (padding is work the hardware does); the best by `objective` of those valid for the model,
    /// ties to fewer controller cycles, then more channel groups, then resident weights, then the
    /// tiles inside the passes.
    /// Throws the reason when none fits. (A resident mapping can be invalid for the model where
    /// the reloading one is not: the model's global buffer holds a tile's outputs of every pass.)
    public static func mapped(design: DesignPoint, shape: ConvolutionShape, hardware: Hardware, objective: Objective = .edp) throws -> Choice {
        var best: (RTLLayerProgram, Evaluator.Summary)?
        var candidates = 0
        var firstError: Error?
        for groups in (1...design.numPEs).reversed() where design.numPEs % groups == 0 {
            // Each weight schedule's tiling with the fewest cycles, where one fits; where none does,
            // the reason, from the program of any schedule (which says what each order lacks).
            let programs = RTLLayerProgram.WeightSchedule.preferenceOrder.compactMap {
                try? RTLLayerProgram(design: design, shape: shape, groups: groups, weightSchedule: $0)
            }
            if programs.isEmpty {
                do { _ = try RTLLayerProgram(design: design, shape: shape, groups: groups) } catch {
                    if firstError == nil { firstError = error }
                }
                continue
            }
            for program in programs {
                let mapping: Mapping
                do { mapping = try program.mapping(on: hardware) } catch {
                    if firstError == nil { firstError = error }
                    continue
                }
                let problem = program.paddedShape.problem
                guard mapping.problems(on: hardware, for: problem).isEmpty else { continue }
                var evaluator = Evaluator(CostModel(hardware: hardware, problem: problem))
                let summary = evaluator.summary(mapping)
                candidates += 1
                // Ties in the model (e.g. one tile, where the weights load once on any schedule) go
                // to the fewer controller cycles.
                let better = best.map {
                    objective.better(summary, than: $0.1)
                        || (!objective.better($0.1, than: summary) && program.expectedCycles < $0.0.expectedCycles)
                } ?? true
                if better { best = (program, summary) }
            }
        }
        guard let best else {
            throw firstError ?? RTLUnsupported(parameter: "layer", message: "no mapping the controller can run is valid for the cost model")
        }
        return Choice(program: best.0, summary: best.1, candidates: candidates)
    }
}
