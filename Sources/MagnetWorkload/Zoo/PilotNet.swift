extension Zoo {
    /// NVIDIA's PilotNet end-to-end driving CNN (Bojarski et al., 2016): a 66×200 YUV image,
    /// five convolutions and four fully-connected layers. It stands in for MAGNet's DriveNet,
    /// which is not public.
    public static func pilotNet() -> Network {
        Network(name: "pilotnet", summary: "NVIDIA PilotNet end-to-end driving CNN (Bojarski et al. 2016), 66×200 input", layers: [
            .convolution("conv1", inChannels: 3, outChannels: 24, inputHeight: 66, inputWidth: 200, kernel: 5, stride: 2),
            .convolution("conv2", inChannels: 24, outChannels: 36, inputHeight: 31, inputWidth: 98, kernel: 5, stride: 2),
            .convolution("conv3", inChannels: 36, outChannels: 48, inputHeight: 14, inputWidth: 47, kernel: 5, stride: 2),
            .convolution("conv4", inChannels: 48, outChannels: 64, inputHeight: 5, inputWidth: 22, kernel: 3),
            .convolution("conv5", inChannels: 64, outChannels: 64, inputHeight: 3, inputWidth: 20, kernel: 3),
            .fullyConnected("fc1", inputs: 64 * 1 * 18, outputs: 100),
            .fullyConnected("fc2", inputs: 100, outputs: 50),
            .fullyConnected("fc3", inputs: 50, outputs: 10),
            .fullyConnected("fc4", inputs: 10, outputs: 1),
        ])
    }
}
