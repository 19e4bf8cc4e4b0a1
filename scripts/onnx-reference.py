#!/usr/bin/env python3
"""What onnx's own shape inference says of an ONNX model's compute layers (docs/workloads.md,
"ONNX"): the reference magnet's ONNX import is tested against.

    .venv/bin/python scripts/onnx-reference.py MODEL.onnx

prints JSON: {"layers": [{"name", "op", "macs", "output"}...], "macs": total}, one entry per
Conv, Gemm and MatMul node in graph order, its multiply-accumulates computed from the shapes
onnx.shape_inference infers (strict mode, with data propagation for shape arithmetic).
"""
import json
import sys

import onnx
from onnx import helper, shape_inference


def main(path):
    model = shape_inference.infer_shapes(onnx.load(path), strict_mode=True, data_prop=True)
    graph = model.graph
    shapes = {}
    for info in list(graph.input) + list(graph.value_info) + list(graph.output):
        shapes[info.name] = [d.dim_value if d.HasField("dim_value") else None
                             for d in info.type.tensor_type.shape.dim]
    for initializer in graph.initializer:
        shapes[initializer.name] = list(initializer.dims)

    def attribute(node, name, default):
        for a in node.attribute:
            if a.name == name:
                return helper.get_attribute_value(a)
        return default

    def product(dims):
        result = 1
        for d in dims:
            result *= d
        return result

    layers = []
    for node in graph.node:
        output = shapes[node.output[0]]
        if node.op_type == "Conv":
            weights = shapes[node.input[1]]
            macs = product(output) * product(weights[1:])
        elif node.op_type == "Gemm":
            a = shapes[node.input[0]]
            macs = product(output) * (a[0] if attribute(node, "transA", 0) else a[1])
        elif node.op_type == "MatMul":
            macs = product(output) * shapes[node.input[0]][-1]
        else:
            continue
        layers.append({"name": node.name or node.output[0], "op": node.op_type, "macs": macs, "output": output})
    print(json.dumps({"layers": layers, "macs": sum(layer["macs"] for layer in layers)}))


if __name__ == "__main__":
    main(sys.argv[1])
