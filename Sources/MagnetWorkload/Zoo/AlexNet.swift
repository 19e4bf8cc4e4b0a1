extension Zoo {
    /// AlexNet as in torchvision (`features` with 64/192/384/256/256 channels, 224×224 input).
    public static func alexNet() -> Network {
        Network(name: "alexnet", summary: "AlexNet, torchvision variant (one tower, 64-192-384-256-256 channels), 224×224", layers: [
            .convolution("features.0", inChannels: 3, outChannels: 64, inputHeight: 224, kernel: 11, stride: 4, padding: 2),
            .convolution("features.3", inChannels: 64, outChannels: 192, inputHeight: 27, kernel: 5, padding: 2),
            .convolution("features.6", inChannels: 192, outChannels: 384, inputHeight: 13, kernel: 3, padding: 1),
            .convolution("features.8", inChannels: 384, outChannels: 256, inputHeight: 13, kernel: 3, padding: 1),
            .convolution("features.10", inChannels: 256, outChannels: 256, inputHeight: 13, kernel: 3, padding: 1),
            .fullyConnected("classifier.1", inputs: 256 * 6 * 6, outputs: 4096),
            .fullyConnected("classifier.4", inputs: 4096, outputs: 4096),
            .fullyConnected("classifier.6", inputs: 4096, outputs: 1000),
        ])
    }
}
