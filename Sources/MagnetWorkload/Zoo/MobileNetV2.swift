extension Zoo {
    /// MobileNetV2 1.0 (torchvision), 224×224: inverted residual blocks with depthwise 3×3 convs.
    public static func mobileNetV2() -> Network {
        // (expansion t, output channels c, repeats n, first stride s), from the paper's Table 2.
        let settings: [(t: Int, c: Int, n: Int, s: Int)] = [
            (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
        ]
        var layers: [Layer] = [.convolution("features.0", inChannels: 3, outChannels: 32, inputHeight: 224, kernel: 3, stride: 2, padding: 1)]
        var inChannels = 32
        var size = 112
        var feature = 1
        for setting in settings {
            for repeatIndex in 0..<setting.n {
                let stride = repeatIndex == 0 ? setting.s : 1
                let hidden = inChannels * setting.t
                let prefix = "features.\(feature).conv"
                var part = 0
                if setting.t != 1 {
                    layers.append(.convolution("\(prefix).\(part)", inChannels: inChannels, outChannels: hidden, inputHeight: size, kernel: 1))
                    part += 1
                }
                layers.append(.depthwise("\(prefix).\(part)", channels: hidden, inputHeight: size, kernel: 3, stride: stride, padding: 1))
                size = (size - 1) / stride + 1
                layers.append(.convolution("\(prefix).\(part + 1)", inChannels: hidden, outChannels: setting.c, inputHeight: size, kernel: 1))
                inChannels = setting.c
                feature += 1
            }
        }
        layers.append(.convolution("features.18", inChannels: inChannels, outChannels: 1280, inputHeight: size, kernel: 1))
        layers.append(.fullyConnected("classifier.1", inputs: 1280, outputs: 1000))
        return Network(name: "mobilenet_v2", summary: "MobileNetV2 1.0, torchvision variant, 224×224", layers: layers)
    }
}
