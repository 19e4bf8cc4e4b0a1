#!/usr/bin/env python3
"""Writes a small ONNX model with onnx's own helper, for the tests of magnet's ONNX import
(docs/workloads.md, "ONNX models"): a 3x3 convolution (3 -> 8 channels, padding 1) then a
fully-connected layer, over an input `image` of shape [batch, 3, 16, 16] whose batch is
symbolic.

    .venv/bin/python scripts/onnx-example.py OUT.onnx
"""
import sys

import onnx
from onnx import TensorProto, helper


def main(path):
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 16, 16])
    scores = helper.make_tensor_value_info("scores", TensorProto.FLOAT, None)
    weights = helper.make_tensor("w", TensorProto.FLOAT, [8, 3, 3, 3], [0.0] * 216)
    fc = helper.make_tensor("fc", TensorProto.FLOAT, [10, 2048], [0.0] * 20480)
    nodes = [
        helper.make_node("Conv", ["image", "w"], ["features"], name="stem", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["features"], ["activated"], name="relu"),
        helper.make_node("Flatten", ["activated"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "fc"], ["scores"], name="classifier", transB=1),
    ]
    graph = helper.make_graph(nodes, "example", [image], [scores], [weights, fc])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


if __name__ == "__main__":
    main(sys.argv[1])
