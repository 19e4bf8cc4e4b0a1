import Testing
@testable import MagnetWorkload

/// MAC totals at batch 1 (conv + FC/matmul only) against published figures.
@Suite struct ZooTests {
    @Test func resNet50MatchesPublishedTotal() throws {
        // Published: 4,089,184,256 MACs (torchvision ResNet-50 v1.5, "4.09 GFLOPS").
        let network = try #require(Zoo.network(named: "resnet50"))
        #expect(network.macs == 4_089_184_256)
        #expect(network.layers.count == 54)  // 1 stem + 16 blocks × 3 + 4 downsamples + fc
        #expect(network.parameters == 25_502_912)  // torchvision's 25,557,032 less 54,120 biases/BN
    }

    @Test func vgg16MatchesPublishedTotal() throws {
        // Published: 15,470,264,320 MACs (torchvision "15.47 GFLOPS").
        let network = try #require(Zoo.network(named: "vgg16"))
        #expect(network.macs == 15_470_264_320)
        #expect(network.parameters == 138_344_128)  // torchvision's 138,357,544 less 13,416 biases
    }

    @Test func resNet18MatchesPublishedTotal() throws {
        // Published: 1,814,073,344 MACs (torchvision "1.81 GFLOPS").
        #expect(Zoo.network(named: "resnet18")?.macs == 1_814_073_344)
    }

    @Test func alexNetByHand() throws {
        // torchvision AlexNet, 224×224 (published "0.71 GFLOPS"):
        let conv1 = 64 * 3 * 11 * 11 * 55 * 55  //  70,276,800  (224+4−11)/4+1 = 55
        let conv2 = 192 * 64 * 5 * 5 * 27 * 27  // 223,948,800
        let conv3 = 384 * 192 * 3 * 3 * 13 * 13 // 112,140,288
        let conv4 = 256 * 384 * 3 * 3 * 13 * 13 // 149,520,384
        let conv5 = 256 * 256 * 3 * 3 * 13 * 13 //  99,680,256
        let fc = 9216 * 4096 + 4096 * 4096 + 4096 * 1000  // 58,621,952
        let network = try #require(Zoo.network(named: "alexnet"))
        #expect(network.macs == conv1 + conv2 + conv3 + conv4 + conv5 + fc)
        #expect(network.macs == 714_188_480)
    }

    @Test func mobileNetV2MatchesPublishedTotal() throws {
        // The paper's Table 4 rounds to 300M multiply-adds; torchvision "0.30 GFLOPS", 3.4M params.
        let network = try #require(Zoo.network(named: "mobilenet_v2"))
        #expect(network.macs == 300_774_272)
        // Parameters: 3,504,872 in torchvision, less 35,112 BN/bias parameters.
        #expect(network.parameters == 3_469_760)
        // Every depthwise layer is recognised as such: 17 inverted-residual blocks.
        #expect(network.layers.filter { $0.operation == .depthwiseConvolution }.count == 17)
    }

    @Test func pilotNetByHand() throws {
        // Bojarski et al. 2016: 66×200×3 input, "27 million connections, 250 thousand parameters".
        let conv1 = 24 * 3 * 25 * 31 * 98    //  5,468,400  (66−5)/2+1 = 31, (200−5)/2+1 = 98
        let conv2 = 36 * 24 * 25 * 14 * 47   // 14,212,800
        let conv3 = 48 * 36 * 25 * 5 * 22    //  4,752,000
        let conv4 = 64 * 48 * 9 * 3 * 20     //  1,658,880
        let conv5 = 64 * 64 * 9 * 1 * 18     //    663,552
        let fc = 1152 * 100 + 100 * 50 + 50 * 10 + 10 * 1  // 120,710
        let network = try #require(Zoo.network(named: "pilotnet"))
        #expect(network.macs == conv1 + conv2 + conv3 + conv4 + conv5 + fc)
        #expect(network.macs == 26_876_342)
        #expect(network.parameters == 251_822)  // 252,219 with the 397 biases
    }

    @Test func bertBaseByHand() throws {
        // Sequence 128, hidden 768, 12 heads of 64, FFN 3072; per encoder layer:
        let qkv = 3 * 128 * 768 * 768          // 226,492,416
        let scores = 12 * 128 * 128 * 64       //  12,582,912
        let context = 12 * 128 * 128 * 64      //  12,582,912
        let output = 128 * 768 * 768           //  75,497,472
        let ffn = 2 * 128 * 768 * 3072         // 603,979,776
        let network = try #require(Zoo.network(named: "bert_base"))
        #expect(network.macs == 12 * (qkv + scores + context + output + ffn))
        #expect(network.macs == 11_173_625_856)
        // Weights: 4·768² + 2·768·3072 per layer; attention matmuls have none.
        #expect(network.parameters == 12 * (4 * 768 * 768 + 2 * 768 * 3072))
        #expect(network.uniqueShapes.count == 5)
    }

    @Test func everyNetworkIsWellFormed() {
        for network in Zoo.all {
            #expect(network.validate().isEmpty, "\(network.name): \(network.validate())")
            #expect(network.layers.allSatisfy { $0.shape.p >= 1 && $0.shape.q >= 1 })
        }
        #expect(Zoo.all.map(\.name) == Zoo.names)
    }

    @Test func identicalShapesAreGrouped() throws {
        let network = try #require(Zoo.network(named: "resnet50"))
        let groups = network.uniqueShapes
        #expect(groups.count == 24)
        #expect(groups.reduce(0) { $0 + $1.count } == network.layers.count)
        // layer1.1.conv1 (256→64 1×1 at 56×56) first appears as the second block's conv1 and repeats in layer1.2.
        let group = try #require(groups.first { $0.representative.name == "layer1.1.conv1" })
        #expect(group.layerNames == ["layer1.1.conv1", "layer1.2.conv1"])
    }
}
