import Foundation
import MagnetCore

extension ONNXShapeInference {
    /// A sliding window's outputs along each spatial axis (`Conv` and the pools).
    struct Window {
        /// Output size per spatial axis.
        var sizes: [Int]
        /// Padding before the first element per spatial axis.
        var padsBegin: [Int]
        var kernel: [Int]
        var strides: [Int]
        var dilations: [Int]
    }

    /// The window of `node` over the spatial dimensions `input`, by its `kernel_shape` (or
    /// `kernel`), `strides`, `dilations`, `pads` or `auto_pad`, and `ceil_mode`.
    func window(_ node: Onnx_NodeProto, input: [Int], kernel given: [Int]?) throws -> Window {
        let rank = input.count
        guard let kernel = node.ints("kernel_shape") ?? given, kernel.count == rank else {
            throw error(node, "no kernel_shape for its \(rank) spatial dimensions")
        }
        let strides = node.ints("strides") ?? Array(repeating: 1, count: rank)
        let dilations = node.ints("dilations") ?? Array(repeating: 1, count: rank)
        let pads = node.ints("pads") ?? Array(repeating: 0, count: 2 * rank)
        guard strides.count == rank, dilations.count == rank, pads.count == 2 * rank,
              strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }), pads.allSatisfy({ $0 >= 0 }) else {
            throw error(node, "strides, dilations or pads do not match its \(rank) spatial dimensions")
        }
        let autoPad = node.string("auto_pad", default: "NOTSET")
        let ceilMode = node.int("ceil_mode", default: 0) == 1
        var sizes: [Int] = [], begins: [Int] = []
        for axis in 0..<rank {
            let extent = dilations[axis] * (kernel[axis] - 1) + 1, stride = strides[axis], size = input[axis]
            var output: Int, begin: Int
            switch autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                output = (size + stride - 1) / stride
                let total = max((output - 1) * stride + extent - size, 0)
                begin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
            case "VALID":
                output = size >= extent ? (size - extent) / stride + 1 : 0
                begin = 0
            default:
                let span = size + pads[axis] + pads[axis + rank] - extent
                output = span < 0 ? 0 : (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
                // With ceil_mode, a last window that would start in the end padding is dropped.
                if ceilMode && output > 1 && (output - 1) * stride >= size + pads[axis] { output -= 1 }
                begin = pads[axis]
            }
            guard output >= 1 else {
                throw error(node, "its \(kernel[axis])-wide window (dilation \(dilations[axis])) does not fit in "
                                + "spatial dimension \(axis) of size \(size)")
            }
            sizes.append(output)
            begins.append(begin)
        }
        return Window(sizes: sizes, padsBegin: begins, kernel: kernel, strides: strides, dilations: dilations)
    }

    /// What a `Conv` node computes: its input and weight shapes, groups and window.
    func convolution(_ node: Onnx_NodeProto) throws -> (input: [Int], weights: [Int], groups: Int, window: Window) {
        let x = try shape(node, 0), w = try shape(node, 1)
        guard x.count == w.count, x.count == 3 || x.count == 4 else {
            throw error(node, "magnet imports 1-D and 2-D convolutions; input rank \(x.count), weight rank \(w.count)")
        }
        let groups = node.int("group", default: 1)
        guard groups >= 1, x[1] == w[1] * groups, w[0] % groups == 0 else {
            throw error(node, "input channels \(x[1]), weights \(w) and group \(groups) do not agree")
        }
        return (x, w, groups, try window(node, input: Array(x[2...]), kernel: Array(w[2...])))
    }

    /// What a `Gemm` or `MatMul` node computes: `batch` products of `[m×k]·[k×n]`, and its
    /// output shape.
    func matrixProduct(_ node: Onnx_NodeProto) throws -> (m: Int, n: Int, k: Int, batch: Int, output: [Int]) {
        var a = try shape(node, 0), b = try shape(node, 1)
        if node.opType == "Gemm" {
            guard a.count == 2, b.count == 2 else { throw error(node, "Gemm needs two matrices; got \(a) and \(b)") }
            if node.int("transA", default: 0) == 1 { a.reverse() }
            if node.int("transB", default: 0) == 1 { b.reverse() }
            guard a[1] == b[0] else { throw error(node, "inner dimensions \(a[1]) and \(b[0]) differ") }
            return (a[0], b[1], a[1], 1, [a[0], b[1]])
        }
        guard !a.isEmpty, !b.isEmpty else { throw error(node, "MatMul of a scalar") }
        let vectorA = a.count == 1, vectorB = b.count == 1
        if vectorA { a.insert(1, at: 0) }
        if vectorB { b.append(1) }
        let m = a[a.count - 2], k = a[a.count - 1], n = b[b.count - 1]
        guard b[b.count - 2] == k else { throw error(node, "inner dimensions \(k) and \(b[b.count - 2]) differ") }
        guard let batchShape = Self.broadcast([Array(a.dropLast(2)), Array(b.dropLast(2))]) else {
            throw error(node, "batch dimensions \(a.dropLast(2)) and \(b.dropLast(2)) do not broadcast")
        }
        let output = batchShape + (vectorA ? [] : [m]) + (vectorB ? [] : [n])
        let batch = batchShape.reduce(1, *)
        // Shared right-hand matrix: the batch is more rows of one product.
        if b.count == 2 { return (m * batch, n, k, 1, output) }
        return (m, n, k, batch, output)
    }

    /// The layer a `Conv`, `Gemm` or `MatMul` node computes (`nil` for other nodes).
    mutating func layer(of node: Onnx_NodeProto) throws -> Layer? {
        switch node.opType {
        case "Conv":
            let (x, w, groups, window) = try convolution(node)
            let name = layerName(node)
            // A 1-D convolution is a 2-D one of height 1.
            let twoD = x.count == 4
            let shape = ConvolutionShape(
                n: x[0], g: groups, k: w[0] / groups, c: w[1],
                p: twoD ? window.sizes[0] : 1, q: window.sizes[twoD ? 1 : 0],
                r: twoD ? window.kernel[0] : 1, s: window.kernel[twoD ? 1 : 0],
                strideH: twoD ? window.strides[0] : 1, strideW: window.strides[twoD ? 1 : 0],
                dilationH: twoD ? window.dilations[0] : 1, dilationW: window.dilations[twoD ? 1 : 0],
                paddingH: twoD ? window.padsBegin[0] : 0, paddingW: window.padsBegin[twoD ? 1 : 0])
            let operation: Layer.Operation = groups == 1 ? .convolution
                : (groups == x[1] && groups == w[0] ? .depthwiseConvolution : .groupedConvolution)
            return Layer(name: name, operation: operation, shape: shape)
        case "Gemm", "MatMul":
            let product = try matrixProduct(node)
            let name = layerName(node)
            let weightsAreParameters = input(node, 1)?.isConstant == true
            if node.opType == "Gemm" && weightsAreParameters {
                return .fullyConnected(name, inputs: product.k, outputs: product.n, batch: product.m)
            }
            return .matrixMultiply(name, m: product.m, n: product.n, k: product.k, batch: product.batch,
                                   weightsAreParameters: weightsAreParameters)
        default:
            return nil
        }
    }

    /// Numpy-style broadcasting of `shapes` (`nil` when they do not broadcast).
    static func broadcast(_ shapes: [[Int]]) -> [Int]? {
        let rank = shapes.map(\.count).max() ?? 0
        var result = Array(repeating: 1, count: rank)
        for shape in shapes {
            let offset = rank - shape.count
            for (index, dim) in shape.enumerated() {
                let current = result[offset + index]
                if current == 1 {
                    result[offset + index] = dim
                } else if dim != 1 && dim != current {
                    return nil
                }
            }
        }
        return result
    }
}
