import Foundation
import MagnetCore

extension ONNXShapeInference {
    /// Operators whose first output has their first input's shape.
    static let sameShape: Set<String> = [
        "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Clip", "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish",
        "Softplus", "Softsign", "Gelu", "Mish", "Erf", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Abs", "Ceil",
        "Floor", "Round", "Sign", "Not", "Identity", "Cast", "CastLike", "LRN", "Softmax", "LogSoftmax", "Hardmax",
        "BatchNormalization", "InstanceNormalization", "LayerNormalization", "GroupNormalization",
        "LpNormalization", "MeanVarianceNormalization", "Dropout", "Shrink", "ThresholdedRelu", "IsNaN", "IsInf",
        "Trilu", "CumSum", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
    ]

    /// Operators whose output broadcasts their inputs' shapes.
    static let broadcasting: Set<String> = [
        "Add", "Sub", "Mul", "Div", "Pow", "Sum", "Max", "Min", "Mean", "Equal", "Less", "Greater",
        "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Where", "BitShift", "Mod",
    ]

    /// Operators that reduce over axes.
    static let reductions: Set<String> = [
        "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
        "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin",
    ]

    /// The outputs of `node` (`nil` for an operator whose shapes magnet does not infer). An
    /// output's shape is `nil` where an input's shape is not known.
    func infer(_ node: Onnx_NodeProto) throws -> [ONNXTensor]? {
        let op = node.opType
        let first = input(node, 0)
        let constant = allConstant(node)
        /// One output of `shape` (none known when `nil`), with `integers` when known.
        func one(_ shape: [Int]?, _ integers: [Int]? = nil) -> [ONNXTensor] {
            [ONNXTensor(shape: shape, integers: integers, isConstant: constant)]
        }
        if Self.sameShape.contains(op) {
            let keepsValues = op == "Identity" || op == "Cast"
            let main = ONNXTensor(shape: first?.shape, integers: keepsValues ? first?.integers : nil, isConstant: constant)
            // Dropout's mask has its input's shape; other extra outputs (statistics) stay unknown.
            let extra = ONNXTensor(shape: op == "Dropout" ? first?.shape : nil)
            return [main] + Array(repeating: extra, count: max(node.output.count - 1, 0))
        }
        if Self.broadcasting.contains(op) {
            let shapes = node.input.filter { !$0.isEmpty }.map { tensors[$0]?.shape }
            guard shapes.allSatisfy({ $0 != nil }) else { return one(nil) }
            guard let shape = Self.broadcast(shapes.map { $0! }) else {
                throw error(node, "input shapes \(shapes.map { $0! }) do not broadcast")
            }
            return one(shape, foldArithmetic(node, shape: shape))
        }
        if Self.reductions.contains(op) { return one(try reduced(node)) }
        switch op {
        case "Conv":
            let (x, w, _, window) = try convolution(node)
            return one([x[0], w[0]] + window.sizes)
        case "Gemm", "MatMul":
            return one(try matrixProduct(node).output)
        case "MaxPool", "AveragePool", "LpPool":
            guard let x = first?.shape else { return one(nil) }
            guard x.count >= 3 else {
                throw error(node, "pooling needs a batch, channels and spatial dimensions; got \(x)")
            }
            let window = try window(node, input: Array(x[2...]), kernel: nil)
            let shape = Array(x[..<2]) + window.sizes
            return [ONNXTensor(shape: shape)] + (node.output.count > 1 ? [ONNXTensor(shape: shape)] : [])
        case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool":
            guard let x = first?.shape else { return one(nil) }
            return one(Array(x.prefix(2)) + Array(repeating: 1, count: max(x.count - 2, 0)))
        case "Flatten":
            guard let x = first?.shape else { return one(nil) }
            let axis = try self.axis(node.int("axis", default: 1), rank: x.count + 1, node)
            return one([x[..<axis].reduce(1, *), x[axis...].reduce(1, *)])
        case "Reshape":
            guard let x = first?.shape, let target = opsetVersion >= 5 ? integers(node, 1) : node.ints("shape") else {
                return one(nil)
            }
            return one(try reshaped(x, to: target, allowZero: node.int("allowzero", default: 0) == 1, node),
                       first?.integers)
        case "Transpose":
            guard let x = first?.shape else { return one(nil) }
            let perm = node.ints("perm") ?? Array((0..<x.count).reversed())
            guard perm.sorted() == Array(0..<x.count) else { throw error(node, "perm \(perm) for rank \(x.count)") }
            return one(perm.map { x[$0] })
        case "Squeeze", "Unsqueeze":
            guard let x = first?.shape else { return one(nil) }
            let axes = opsetVersion >= 13 ? integers(node, 1) : node.ints("axes")
            return one(try squeezed(x, axes: axes, node), first?.integers)
        case "Concat":
            let shapes = node.input.filter { !$0.isEmpty }.map { tensors[$0]?.shape }
            guard let rank = shapes.first??.count, shapes.allSatisfy({ $0 != nil }) else { return one(nil) }
            let axis = try self.axis(node.int("axis", default: 0), rank: rank, node)
            var shape = shapes[0]!
            shape[axis] = shapes.reduce(0) { $0 + $1![axis] }
            let values = node.input.map { tensors[$0]?.integers }
            return one(shape, values.allSatisfy { $0 != nil } ? values.flatMap { $0! } : nil)
        case "Split":
            return try split(node)
        case "Slice":
            return one(try sliced(node))
        case "Pad":
            guard let x = first?.shape, let pads = opsetVersion >= 11 ? integers(node, 1) : node.ints("pads"),
                  pads.count == 2 * x.count else { return one(nil) }
            return one(x.indices.map { x[$0] + pads[$0] + pads[$0 + x.count] })
        case "Shape":
            guard let x = first?.shape else { return one(nil) }
            let start = node.int("start", default: 0).clamped(rank: x.count)
            let end = node.int("end", default: x.count).clamped(rank: x.count)
            let values = Array(x[start..<max(start, end)])
            return [ONNXTensor(shape: [values.count], integers: values, isConstant: true)]
        case "Size":
            guard let x = first?.shape else { return one(nil) }
            return [ONNXTensor(shape: [], integers: [x.reduce(1, *)], isConstant: true)]
        case "Gather":
            // Shape arithmetic: picking entries of a known shape vector.
            var values: [Int]?
            if let data = first?.integers, first?.shape?.count == 1, let indices = integers(node, 1) {
                values = indices.allSatisfy({ (-data.count..<data.count).contains($0) })
                    ? indices.map { data[$0 < 0 ? $0 + data.count : $0] } : nil
            }
            return one(try gathered(node), values)
        case "Constant":
            return [try constantValue(node)]
        case "ConstantOfShape":
            guard let target = first?.integers else { return one(nil) }
            return [ONNXTensor(shape: target, isConstant: true)]
        case "Expand":
            guard let x = first?.shape, let target = integers(node, 1) else { return one(nil) }
            guard let shape = Self.broadcast([x, target]) else { throw error(node, "cannot expand \(x) to \(target)") }
            return one(shape)
        case "Tile":
            guard let x = first?.shape, let repeats = integers(node, 1), repeats.count == x.count else {
                return one(nil)
            }
            return one(zip(x, repeats).map { $0 * $1 })
        case "Resize", "Upsample":
            return one(resized(node))
        case "DepthToSpace", "SpaceToDepth":
            guard let x = first?.shape, x.count == 4 else { return one(nil) }
            let block = node.int("blocksize", default: 1)
            return one(op == "DepthToSpace" ? [x[0], x[1] / (block * block), x[2] * block, x[3] * block]
                                            : [x[0], x[1] * block * block, x[2] / block, x[3] / block])
        default:
            return nil
        }
    }

    /// The integer values of an elementwise `Add`, `Sub`, `Mul` or `Div` of known integer
    /// tensors (shape arithmetic), or `nil`.
    func foldArithmetic(_ node: Onnx_NodeProto, shape: [Int]) -> [Int]? {
        guard node.input.count == 2, let a = integers(node, 0), let b = integers(node, 1),
              a.count == shape.reduce(1, *) || a.count == 1, b.count == shape.reduce(1, *) || b.count == 1 else {
            return nil
        }
        var values: [Int] = []
        for index in 0..<max(a.count, b.count) {
            let x = a[a.count == 1 ? 0 : index], y = b[b.count == 1 ? 0 : index]
            switch node.opType {
            case "Add": values.append(x + y)
            case "Sub": values.append(x - y)
            case "Mul": values.append(x * y)
            case "Div" where y != 0: values.append(x / y)
            default: return nil
            }
        }
        return values
    }

    /// `x` reshaped to `target` (0 copies the input's dimension unless `allowZero`; −1 is
    /// inferred).
    func reshaped(_ x: [Int], to target: [Int], allowZero: Bool, _ node: Onnx_NodeProto) throws -> [Int] {
        var shape = target.enumerated().map { index, dim in dim == 0 && !allowZero && index < x.count ? x[index] : dim }
        let total = x.reduce(1, *)
        if let inferred = shape.firstIndex(of: -1) {
            let rest = shape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            guard rest > 0, total % rest == 0 else { throw error(node, "cannot reshape \(x) to \(target)") }
            shape[inferred] = total / rest
        }
        guard shape.reduce(1, *) == total, shape.allSatisfy({ $0 >= 0 }) else {
            throw error(node, "cannot reshape \(x) (\(total) elements) to \(target)")
        }
        return shape
    }

    /// `x` with `axes` removed (`Squeeze`; all 1s when `nil`) or inserted (`Unsqueeze`).
    func squeezed(_ x: [Int], axes: [Int]?, _ node: Onnx_NodeProto) throws -> [Int]? {
        if node.opType == "Squeeze" {
            guard let axes else { return x.filter { $0 != 1 } }
            let removed = Set(try axes.map { try axis($0, rank: x.count, node) })
            return x.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        }
        guard let axes else { return nil }
        let rank = x.count + axes.count
        let inserted = Set(try axes.map { try axis($0, rank: rank, node) })
        var rest = x.makeIterator()
        return (0..<rank).map { inserted.contains($0) ? 1 : (rest.next() ?? 1) }
    }

    /// The shape a reduction leaves (`axes` from the attribute or, in later opsets, the input).
    func reduced(_ node: Onnx_NodeProto) throws -> [Int]? {
        guard let x = input(node, 0)?.shape else { return nil }
        let keep = node.int("keepdims", default: 1) == 1
        var axes: [Int]?
        if node.opType == "ArgMax" || node.opType == "ArgMin" {
            axes = [node.int("axis", default: 0)]
        } else {
            axes = node.ints("axes") ?? integers(node, 1)
            if node.input.count > 1 && !node.input[1].isEmpty && axes == nil { return nil }
        }
        let all = axes == nil || axes!.isEmpty
        if all && node.int("noop_with_empty_axes", default: 0) == 1 { return x }
        let reducedAxes = all ? Set(x.indices) : Set(try axes!.map { try axis($0, rank: x.count, node) })
        return x.enumerated().compactMap { index, dim in reducedAxes.contains(index) ? (keep ? 1 : nil) : dim }
    }

    /// The outputs of a `Split`.
    func split(_ node: Onnx_NodeProto) throws -> [ONNXTensor] {
        let count = node.output.count
        guard let x = input(node, 0)?.shape else { return Array(repeating: ONNXTensor(), count: count) }
        let axis = try self.axis(node.int("axis", default: 0), rank: x.count, node)
        let sizes = node.ints("split") ?? integers(node, 1)
            ?? (0..<count).map { index in
                let part = (x[axis] + count - 1) / count
                return min(part, max(x[axis] - part * index, 0))
            }
        guard sizes.count == count, sizes.reduce(0, +) == x[axis] else {
            throw error(node, "split sizes \(sizes) do not cover dimension \(axis) of \(x)")
        }
        return sizes.map { size in
            var shape = x
            shape[axis] = size
            return ONNXTensor(shape: shape)
        }
    }

    /// The shape a `Slice` leaves (`starts`, `ends`, `axes` and `steps` from its inputs, or
    /// before opset 10 its attributes).
    func sliced(_ node: Onnx_NodeProto) throws -> [Int]? {
        guard let x = input(node, 0)?.shape else { return nil }
        let starts: [Int]?, ends: [Int]?, axesGiven: [Int]?, stepsGiven: [Int]?
        if opsetVersion >= 10 {
            (starts, ends) = (integers(node, 1), integers(node, 2))
            axesGiven = node.input.count > 3 && !node.input[3].isEmpty ? integers(node, 3) : nil
            stepsGiven = node.input.count > 4 && !node.input[4].isEmpty ? integers(node, 4) : nil
            if (node.input.count > 3 && !node.input[3].isEmpty && axesGiven == nil)
                || (node.input.count > 4 && !node.input[4].isEmpty && stepsGiven == nil) { return nil }
        } else {
            (starts, ends, axesGiven, stepsGiven) = (node.ints("starts"), node.ints("ends"), node.ints("axes"), nil)
        }
        guard let starts, let ends, starts.count == ends.count else { return nil }
        let axes = try (axesGiven ?? Array(0..<starts.count)).map { try axis($0, rank: x.count, node) }
        let steps = stepsGiven ?? Array(repeating: 1, count: starts.count)
        var shape = x
        for (index, axis) in axes.enumerated() {
            let size = x[axis], step = steps[index]
            guard step != 0 else { throw error(node, "a slice step of 0") }
            func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int {
                min(max(value < 0 ? value + size : value, low), high)
            }
            if step > 0 {
                let start = clamp(starts[index], 0, size), end = clamp(ends[index], 0, size)
                shape[axis] = max(0, (end - start + step - 1) / step)
            } else {
                let start = clamp(starts[index], 0, size - 1), end = clamp(ends[index], -1, size - 1)
                shape[axis] = max(0, (start - end - step - 1) / -step)
            }
        }
        return shape
    }

    /// The shape of a `Gather` (data's dimensions around the indices' shape at `axis`).
    func gathered(_ node: Onnx_NodeProto) throws -> [Int]? {
        guard let data = input(node, 0)?.shape, let indices = input(node, 1)?.shape else { return nil }
        let axis = try self.axis(node.int("axis", default: 0), rank: data.count, node)
        return Array(data[..<axis]) + indices + Array(data[(axis + 1)...])
    }

    /// A `Constant` node's tensor.
    func constantValue(_ node: Onnx_NodeProto) throws -> ONNXTensor {
        if let value = node.attribute("value") {
            return ONNXTensor(shape: value.t.dims.map { Int($0) }, integers: value.t.integerValues,
                              reals: value.t.realValues, isConstant: true)
        }
        if let ints = node.ints("value_ints") {
            return ONNXTensor(shape: [ints.count], integers: ints, isConstant: true)
        }
        if let int = node.attribute("value_int") {
            return ONNXTensor(shape: [], integers: [Int(int.i)], isConstant: true)
        }
        if let reals = node.floats("value_floats") {
            return ONNXTensor(shape: [reals.count], reals: reals, isConstant: true)
        }
        if node.attribute("value_float") != nil { return ONNXTensor(shape: [], isConstant: true) }
        return ONNXTensor(isConstant: true)
    }

    /// The shape of a `Resize` or `Upsample` from its `sizes` or `scales`.
    func resized(_ node: Onnx_NodeProto) -> [Int]? {
        guard let x = input(node, 0)?.shape else { return nil }
        if node.opType == "Resize", let sizes = integers(node, 3), sizes.count == x.count { return sizes }
        let scales = node.opType == "Resize" ? input(node, 2)?.reals : (node.floats("scales") ?? input(node, 1)?.reals)
        guard let scales, scales.count == x.count else { return nil }
        return zip(x, scales).map { Int((Double($0) * $1).rounded(.down)) }
    }
}

private extension Int {
    /// A `Shape` node's start or end in `0...rank`, from a possibly negative one.
    func clamped(rank: Int) -> Int { Swift.min(Swift.max(self < 0 ? self + rank : self, 0), rank) }
}
