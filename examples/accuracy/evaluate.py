#!/usr/bin/env python3
"""An accuracy evaluator for magnet (docs/accuracy.md): a small multilayer perceptron on
scikit-learn's bundled handwritten digits (8x8 images, 10 classes), trained on three quarters of
the 1,797 images and scored on the held-out quarter after post-training quantization of each
layer to the formats magnet asks for.

Reads magnet's request on stdin ({"network", "design", "layers": [{"name", "weights", "inputs",
"outputs"}]}) and answers {"accuracy": held-out accuracy, "float_accuracy": unquantized}.
Layers are `fc1` (64 -> 32) and `fc2` (32 -> 10), as in digits-mlp.yaml beside this file.

Quantization (per tensor, symmetric, round to nearest): an intN tensor keeps values in
[-(2^(N-1) - 1), 2^(N-1) - 1] times a scale of max|x| / (2^(N-1) - 1); weights are scaled by
their own maximum, activations by the largest value seen on the training images; fp16 rounds to
IEEE half, bf16 keeps the 8 high bits of the float32 mantissa field.
"""
import json
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier


def quantize(x, fmt, scale_source=None):
    x = np.asarray(x, dtype=np.float32)
    if fmt == "fp16":
        return x.astype(np.float16).astype(np.float32)
    if fmt == "bf16":
        bits = x.view(np.uint32) & np.uint32(0xFFFF0000)
        return bits.view(np.float32)
    levels = {"int4": 7, "int8": 127, "int16": 32767}[fmt]
    peak = float(np.max(np.abs(x if scale_source is None else scale_source)))
    if peak == 0:
        return x
    scale = peak / levels
    return np.clip(np.round(x / scale), -levels, levels) * scale


def main():
    request = json.load(sys.stdin)
    formats = {layer["name"]: layer for layer in request["layers"]}
    images, labels = load_digits(return_X_y=True)
    images = images / 16.0
    train_x, test_x, train_y, test_y = train_test_split(images, labels, test_size=0.25, random_state=0,
                                                        stratify=labels)
    model = MLPClassifier(hidden_layer_sizes=(32,), max_iter=600, random_state=0).fit(train_x, train_y)
    weights, biases = model.coefs_, model.intercepts_
    names = ["fc1", "fc2"]

    def forward(x, quantized):
        calibration = train_x
        for index, name in enumerate(names):
            w, b = weights[index], biases[index]
            if quantized:
                fmt = formats[name]
                x = quantize(x, fmt["inputs"], calibration)
                w = quantize(w, fmt["weights"])
            x, calibration = x @ w + b, calibration @ weights[index] + biases[index]
            if index < len(names) - 1:
                x, calibration = np.maximum(x, 0), np.maximum(calibration, 0)
        return np.argmax(x, axis=1)

    accuracy = float(np.mean(forward(test_x, True) == test_y))
    baseline = float(np.mean(forward(test_x, False) == test_y))
    print(json.dumps({"accuracy": accuracy, "float_accuracy": baseline}))


if __name__ == "__main__":
    main()
