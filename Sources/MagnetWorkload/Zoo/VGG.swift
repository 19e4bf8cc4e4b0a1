extension Zoo {
    /// VGG-16 (configuration D, no batch norm), 224×224.
    public static func vgg16() -> Network {
        let stages: [(channels: Int, convs: Int)] = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
        var layers: [Layer] = []
        var inChannels = 3
        var size = 224
        var index = 0  // torchvision `features` index: conv, relu per conv, then a max-pool
        for stage in stages {
            for _ in 0..<stage.convs {
                layers.append(.convolution("features.\(index)", inChannels: inChannels, outChannels: stage.channels,
                                           inputHeight: size, kernel: 3, padding: 1))
                inChannels = stage.channels
                index += 2
            }
            index += 1
            size /= 2
        }
        layers += [
            .fullyConnected("classifier.0", inputs: 512 * 7 * 7, outputs: 4096),
            .fullyConnected("classifier.3", inputs: 4096, outputs: 4096),
            .fullyConnected("classifier.6", inputs: 4096, outputs: 1000),
        ]
        return Network(name: "vgg16", summary: "VGG-16 (configuration D), 224×224", layers: layers)
    }
}
