import MagnetDesigner

/// Which of a PE's two-bank buffers (``BufferBanks``) a layer's program alternates between their
/// banks, so that one bank loads or is read out while compute uses the other (docs/rtl.md,
/// "Cycles"). The program writes each as a controller register and ``ControllerTiming`` times
/// the schedule they give; both take them from here.
public struct BankAlternation: Sendable, Equatable {
    /// The tiles' inputs alternate between the input banks
    /// (``ControllerEmitter/Register/alternateInputBanks``): a tile's input fits one bank.
    public var inputs: Bool
    /// The read-out units alternate between the accumulation banks
    /// (``ControllerEmitter/Register/alternateAccumulationBanks``): a tile's partial sums fit one
    /// bank and no tile keeps its sums across channel passes.
    public var readOuts: Bool
    /// The passes' weights alternate between each lane's weight banks
    /// (``ControllerEmitter/Register/alternateWeightBanks``): with the tiles inside several
    /// passes, a pass's weights fit one bank.
    public var weights: Bool
    /// The tiles' kept partial sums alternate between the accumulation banks
    /// (``ControllerEmitter/Register/alternateHeldSums``): with the tiles inside several channel
    /// passes, every other tile's sums fit one bank.
    public var heldSums: Bool

    /// The alternation of `tiles` times `tile` on `pe`, with `steps` weight vectors per lane and
    /// channel pass, `kPasses` × `channelPasses` passes, the weights loaded on `schedule`.
    init(_ tile: RTLLayerProgram.Tile, tiles: Int, pe: PEEmitter, steps: Int, kPasses: Int, channelPasses: Int,
         schedule: RTLLayerProgram.WeightSchedule) {
        let tilesInside = schedule == .tilesInsidePasses
        let sumsPerTile = tile.rowsPerPE * tile.columns
        let twoAccumulationBanks = pe.accumulationBankWords < pe.accumulationBufferDepth
        let keepsSums = tilesInside && channelPasses > 1
        inputs = pe.inputBankWords < pe.inputBufferDepth && tile.inputWords <= pe.inputBankWords
        readOuts = twoAccumulationBanks && sumsPerTile <= pe.accumulationBankWords && !keepsSums
        weights = tilesInside && kPasses * channelPasses > 1
            && pe.weightBankWords < pe.weightBufferDepth && steps <= pe.weightBankWords
        heldSums = keepsSums && twoAccumulationBanks && (tiles + 1) / 2 * sumsPerTile <= pe.accumulationBankWords
    }
}
