extension Zoo {
    /// BERT-base encoder (12 layers, hidden 768, 12 heads, FFN 3072) at sequence length 128:
    /// per layer the Q, K, V and output projections, the attention scores (Q·Kᵀ per head) and
    /// attention-weighted values (softmax·V per head), and the two FFN matmuls.
    public static func bertBase(sequenceLength: Int = 128) -> Network {
        let hidden = 768, heads = 12, ffn = 3072
        let headSize = hidden / heads
        var layers: [Layer] = []
        for index in 0..<12 {
            let prefix = "encoder.layer.\(index)"
            for projection in ["query", "key", "value"] {
                layers.append(.matrixMultiply("\(prefix).attention.\(projection)", m: sequenceLength, n: hidden, k: hidden))
            }
            layers.append(.matrixMultiply("\(prefix).attention.scores", m: sequenceLength, n: sequenceLength, k: headSize,
                                          batch: heads, weightsAreParameters: false))
            layers.append(.matrixMultiply("\(prefix).attention.context", m: sequenceLength, n: headSize, k: sequenceLength,
                                          batch: heads, weightsAreParameters: false))
            layers.append(.matrixMultiply("\(prefix).attention.output", m: sequenceLength, n: hidden, k: hidden))
            layers.append(.matrixMultiply("\(prefix).intermediate", m: sequenceLength, n: ffn, k: hidden))
            layers.append(.matrixMultiply("\(prefix).output", m: sequenceLength, n: hidden, k: ffn))
        }
        return Network(name: "bert_base", summary: "BERT-base encoder, sequence length \(sequenceLength) (matmuls of 12 layers)", layers: layers)
    }
}
