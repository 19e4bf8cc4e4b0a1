import MagnetDesigner
import MagnetWorkload

extension RTLLayerProgram {
    /// The mapper's choice among the mappings the controller can run.
    public struct Choice: Sendable {
        /// The chosen program.
        public let program: RTLLayerProgram
        /// The cost model's figures for its mapping.
        public let summary: Evaluator.Summary
        /// What running it on the generated hardware costs: the controller's exact cycles, and
        /// the model's energy for the mapping's accesses with leakage and clocking over those
        /// cycles (``Evaluation/energyPJ(over:)``).
        public let controllerSummary: Evaluator.Summary
        /// How many mappings the controller could run (evaluated).
        public let candidates: Int
    }

    /// Searches the controller's map space for `shape` on `design` (``mapSpace(design:shape:hardware:)``:
    /// every split, tiling and weight schedule that fits) for the program that runs best on the
    /// generated hardware by `objective`: each scored with the controller's exact cycles and the
    /// cost model's energy for its mapping on the padded layer (padding is work the hardware
    /// does), leakage and clocking over those cycles — the model's own cycles are the figure the
    /// RTL is compared with, not the ranking, since the controller does not yet overlap what the
    /// model overlaps (docs/rtl.md). Only mappings valid for the model count; ties go to the map
    /// space's order (more channel groups, fewer bands, column tiles and channel passes, resident
    /// weights before the tiles inside the passes). Throws the reason when nothing fits. (Every
    /// program's mapping is valid for the model, `RTLCompilerTests` checks it on thousands; the
    /// check stays for designs no test has seen.)
    public static func mapped(design: DesignPoint, shape: ConvolutionShape, hardware: Hardware,
                              objective: Objective = .edp) throws -> Choice {
        var best: Choice?
        var candidates = 0
        var models: [Int: CostModel] = [:]
        for point in try mapSpace(design: design, shape: shape, hardware: hardware) {
            // The padded layer depends on the split (K is padded to whole passes).
            let padded = point.program.paddedShape.problem
            guard point.mapping.problems(on: hardware, for: padded).isEmpty else { continue }
            let model = models[point.program.paddedK] ?? CostModel(hardware: hardware, problem: padded)
            models[point.program.paddedK] = model
            let evaluation = model.evaluate(point.mapping)
            let cycles = point.program.expectedCycles
            let summary = Evaluator.Summary(energyPJ: evaluation.energyPJ, cycles: evaluation.cycles,
                                            utilization: evaluation.utilization)
            let controller = Evaluator.Summary(energyPJ: evaluation.energyPJ(over: cycles), cycles: cycles,
                                               utilization: Double(evaluation.computes)
                                                   / Double(hardware.compute.instances * cycles))
            candidates += 1
            if best.map({ objective.better(controller, than: $0.controllerSummary) }) ?? true {
                best = Choice(program: point.program, summary: summary, controllerSummary: controller, candidates: 0)
            }
        }
        guard let best else {
            throw RTLUnsupported(parameter: "layer",
                                 message: "no mapping the controller can run is valid for the cost model")
        }
        return Choice(program: best.program, summary: best.summary, controllerSummary: best.controllerSummary,
                      candidates: candidates)
    }
}
