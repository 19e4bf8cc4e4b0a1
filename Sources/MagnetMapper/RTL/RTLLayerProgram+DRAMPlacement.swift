extension RTLLayerProgram {
    /// Where a layer's tensors sit in DRAM, in words (docs/rtl.md, "Chained layers"): the weights
    /// and the padded input from their bases, and each output word (one channel group of `lanes`
    /// channels at one pixel) at `outputBase + group·outputGroupWords + p·outputRowWords +
    /// q·outputColumnWords`. Alone, a layer's outputs lie channel group by channel group (`P·Q`,
    /// `Q`, 1); in a chain, where the next layer reads its input: pixel by pixel of its padded
    /// input, the channel groups side by side (1, `W'·words per pixel`, `words per pixel`).
    public struct DRAMPlacement: Sendable, Equatable {
        /// Word of the first weight vector.
        public var weightBase: Int
        /// Word of the padded input's first pixel.
        public var inputBase: Int
        /// Words from one input pixel to the next: the layer's channel vectors CT, or more when
        /// the layer before wrote its outputs here (its padded channels' words, zeros, are never
        /// read).
        public var inputPixelWords: Int
        /// Words from one padded input row to the next: `W'` pixels, or more when the layer before
        /// wrote columns this layer's stride never reaches.
        public var inputRowWords: Int
        /// Word of the output of channel group 0 at row 0, column 0.
        public var outputBase: Int
        /// Words from one output channel group (of `lanes` channels) to the next.
        public var outputGroupWords: Int
        /// Words from one output row to the next.
        public var outputRowWords: Int
        /// Words from one output column to the next.
        public var outputColumnWords: Int
        /// Words of DRAM the layer needs (its regions and any before them).
        public var words: Int

        /// The word of output channel group `group` at row `p`, column `q`.
        public func outputWord(group: Int, p: Int, q: Int) -> Int {
            outputBase + group * outputGroupWords + p * outputRowWords + q * outputColumnWords
        }
    }
}
