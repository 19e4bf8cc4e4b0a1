import MagnetCore

/// The template's logic beyond its MACs and collectors, and what placement adds around cells and
/// macros: the rules of docs/technology.md, "Logic from synthesis" and "Placement".
extension Technology {
    /// Standard-cell area (µm²) of the template's logic beyond its collectors.
    public struct TemplateLogic: Sendable, Equatable {
        /// One lane's dot product: its multipliers and the adder tree that sums them.
        public var dotProductLaneUM2: Double
        /// One PE's control, multiplexers and per-lane accumulator adders.
        public var peControlUM2: Double
        /// The array controller, without its requantizer.
        public var controllerUM2: Double
        /// The read-out's requantizer (in the RTL a module of the controller).
        public var requantizerUM2: Double
        /// Flip-flops of one PE beyond its collectors.
        public var peFlipFlops: Double
        /// Flip-flops of the controller.
        public var controllerFlipFlops: Double
    }

    /// The logic of an array of `numPEs` PEs, each `lanes` lanes of `vectorSize`-wide dot
    /// products, from ``Logic``'s int8 fits (docs/technology.md, "Logic from synthesis"):
    ///
    /// - a lane of integer dot products: `first + added·(vectorSize − 1)` scaled by the operand
    ///   widths' product against int8 × int8 (`m·n/64`, the multiplier's rule); a floating-point
    ///   lane (not synthesized: the RTL is integer only): `vectorSize` MAC units and
    ///   `vectorSize − 1` fp32 adders;
    /// - a PE: the fixed part, the per-lane part × accumulator bits / 24, the per-element part ×
    ///   operand bits (m + n) / 16;
    /// - the controller: fixed plus per PE, whatever the formats; its requantizer per lane ×
    ///   accumulator bits / 24 (a multiplier of the sum by the 16-bit scale);
    /// - flip-flops beyond the collectors: per PE fixed plus per lane × accumulator bits / 24,
    ///   the controller's fixed plus per PE.
    public func templateLogic(numPEs: Int, lanes: Int, vectorSize: Int, weights: DataFormat,
                              activations: DataFormat, accumulationBits: Int) -> TemplateLogic {
        let addedProducts = Double(vectorSize - 1)
        let laneUM2: Double
        if weights.isInteger && activations.isInteger {
            let operandScale = Double(weights.bits * activations.bits) / 64
            laneUM2 = (logic.dotProductUM2 + logic.dotProductUM2PerAddedProduct * addedProducts) * operandScale
        } else {
            let mac = mac(weights: weights, activations: activations, accumulationBits: accumulationBits)
            laneUM2 = mac.areaUM2 * Double(vectorSize) + fp32Add.areaUM2 * addedProducts
        }
        let accumulatorScale = Double(accumulationBits) / 24
        let elementScale = Double(weights.bits + activations.bits) / 16
        return TemplateLogic(
            dotProductLaneUM2: laneUM2,
            peControlUM2: logic.peControlUM2 + logic.peControlUM2PerLane * Double(lanes) * accumulatorScale
                + logic.peControlUM2PerLaneElement * Double(lanes * vectorSize) * elementScale,
            controllerUM2: logic.controllerUM2 + logic.controllerUM2PerPE * Double(numPEs),
            requantizerUM2: logic.requantizerUM2PerLane * Double(lanes) * accumulatorScale,
            peFlipFlops: logic.peFlipFlops + logic.peFlipFlopsPerLane * Double(lanes) * accumulatorScale,
            controllerFlipFlops: logic.controllerFlipFlops + logic.controllerFlipFlopsPerPE * Double(numPEs))
    }

    /// Area (µm²) that standard cells of `cellsUM2` take once placed: cells ÷ utilisation.
    public func placedLogicUM2(cellsUM2: Double) -> Double {
        cellsUM2 / floorplan.logicUtilisation
    }

    /// Area (µm²) of the keep-out ring around one square SRAM macro of `macroAreaUM2`:
    /// `(side + 2·halo)² − side²`.
    public func macroHaloUM2(macroAreaUM2: Double) -> Double {
        let side = macroAreaUM2.squareRoot(), halo = floorplan.macroHaloUM
        return 4 * halo * side + 4 * halo * halo
    }
}
