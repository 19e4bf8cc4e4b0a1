extension Zoo {
    /// ResNet-18 (torchvision: basic blocks [2, 2, 2, 2]), 224×224.
    public static func resNet18() -> Network {
        resNet(name: "resnet18", summary: "ResNet-18, torchvision variant (basic blocks 2-2-2-2), 224×224",
               blocks: [2, 2, 2, 2], bottleneck: false)
    }

    /// ResNet-50 v1.5 (torchvision: bottlenecks [3, 4, 6, 3], stride on the 3×3 conv), 224×224.
    public static func resNet50() -> Network {
        resNet(name: "resnet50", summary: "ResNet-50 v1.5, torchvision variant (stride in the 3×3 conv), 224×224",
               blocks: [3, 4, 6, 3], bottleneck: true)
    }

    /// The torchvision ResNet family: a 7×7/2 stem, a 3×3/2 max-pool, four stages, an FC head.
    static func resNet(name: String, summary: String, blocks: [Int], bottleneck: Bool) -> Network {
        var layers: [Layer] = [.convolution("conv1", inChannels: 3, outChannels: 64, inputHeight: 224, kernel: 7, stride: 2, padding: 3)]
        let expansion = bottleneck ? 4 : 1
        var inChannels = 64
        var size = 56  // after the max-pool
        for (stage, count) in blocks.enumerated() {
            let width = 64 << stage
            for block in 0..<count {
                let stride = (stage > 0 && block == 0) ? 2 : 1
                let prefix = "layer\(stage + 1).\(block)"
                let outSize = (size - 1) / stride + 1
                if bottleneck {
                    layers.append(.convolution("\(prefix).conv1", inChannels: inChannels, outChannels: width, inputHeight: size, kernel: 1))
                    layers.append(.convolution("\(prefix).conv2", inChannels: width, outChannels: width, inputHeight: size, kernel: 3, stride: stride, padding: 1))
                    layers.append(.convolution("\(prefix).conv3", inChannels: width, outChannels: width * expansion, inputHeight: outSize, kernel: 1))
                } else {
                    layers.append(.convolution("\(prefix).conv1", inChannels: inChannels, outChannels: width, inputHeight: size, kernel: 3, stride: stride, padding: 1))
                    layers.append(.convolution("\(prefix).conv2", inChannels: width, outChannels: width, inputHeight: outSize, kernel: 3, padding: 1))
                }
                if stride != 1 || inChannels != width * expansion {
                    layers.append(.convolution("\(prefix).downsample.0", inChannels: inChannels, outChannels: width * expansion,
                                               inputHeight: size, kernel: 1, stride: stride))
                }
                inChannels = width * expansion
                size = outSize
            }
        }
        layers.append(.fullyConnected("fc", inputs: inChannels, outputs: 1000))
        return Network(name: name, summary: summary, layers: layers)
    }
}
