import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetWorkload

@Suite struct NetworkFileTests {
    static var examplePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/tiny-cnn.yaml").path
    }

    @Test func loadsTheExample() throws {
        let network = try NetworkFile.load(path: Self.examplePath)
        #expect(network.name == "tiny-cnn")
        #expect(network.layers.map(\.name) == ["stem", "dw", "pw[0]", "pw[1]", "mix", "head"])
        // stem: 32·3·32·32·9 = 884,736; dw: 32·16·16·9 = 73,728; pw: 64·32·16·16 = 524,288 (×2);
        // mix: 4·256·256·16 = 4,194,304; head: 64·10 = 640.
        #expect(network.macs == 884_736 + 73_728 + 2 * 524_288 + 4_194_304 + 640)
        #expect(network.uniqueShapes.count == 5)
        let head = try #require(network.layer(named: "head"))
        #expect(head.formats == OperandFormats(weights: .int4, inputs: .int8, outputs: .int8))
        #expect(network.layer(named: "mix")?.parameters == 0)
        #expect(network.layer(named: "dw")?.shape.p == 16)
    }

    /// examples/alexnet-eyeriss.yaml is the workload Eyeriss reports (docs/validation.md): the
    /// original AlexNet's convolutions at batch 4, 666 M MACs per image — conv1 96·3·11²·55²,
    /// conv2 2 groups × 128·48·5²·27², conv3 384·256·3²·13², conv4 2 × 192·192·3²·13², conv5
    /// 2 × 128·192·3²·13².
    @Test func theEyerissAlexNetHasItsPublishedMACs() throws {
        let path = URL(fileURLWithPath: Self.examplePath).deletingLastPathComponent()
            .appendingPathComponent("alexnet-eyeriss.yaml").path
        let network = try NetworkFile.load(path: path)
        let perImage = [96 * 3 * 121 * 3_025, 2 * 128 * 48 * 25 * 729, 384 * 256 * 9 * 169, 2 * 192 * 192 * 9 * 169,
                        2 * 128 * 192 * 9 * 169]
        #expect(network.layers.map(\.macs) == perImage.map { 4 * $0 })
        #expect(perImage.reduce(0, +) == 665_784_864)
        #expect(network.layers.allSatisfy { $0.formats.weights == .int16 && $0.shape.n == 4 })
    }

    @Test func jsonNetworksLoadToo() throws {
        let json = #"{"name": "j", "layers": [{"name": "fc", "type": "fc", "C": 10, "K": 5}]}"#
        let network = try NetworkFile.parse(json, file: "net.json")
        #expect(network.macs == 50)
    }

    func error(_ yaml: String) -> ConfigError? {
        #expect(throws: ConfigError.self) { try NetworkFile.parse(yaml, file: "net.yaml") }
    }

    @Test func unknownLayerKeyIsLocatedAndSuggested() {
        let e = error("name: n\nlayers:\n  - name: a\n    type: conv\n    C: 3\n    K: 8\n    H: 8\n    R: 3\n    strid: 2\n")
        #expect(e?.description == "net.yaml:9:5: layers[0].strid: unknown key `strid`; did you mean `stride`?")
    }

    @Test func keysOfAnotherLayerTypeAreRejected() {
        let e = error("name: n\nlayers:\n  - {name: a, type: fc, C: 3, K: 8, R: 3}\n")
        #expect(e?.keyPath == "layers[0].R")
        #expect(e?.message.hasPrefix("unknown key `R`") == true)
    }

    @Test func unknownLayerTypeListsTheTypes() {
        let e = error("name: n\nlayers:\n  - {name: a, type: convolution, C: 3, K: 8}\n")
        #expect(e?.message == "unknown value `convolution`; allowed: conv, grouped, depthwise, fc, matmul")
    }

    @Test func outOfRangeValueSaysTheRange() {
        let e = error("name: n\nlayers:\n  - {name: a, type: fc, C: 0, K: 8}\n")
        #expect(e?.keyPath == "layers[0].C")
        #expect(e?.message == "0 is out of range; allowed: 1...2147483647")
    }

    @Test func missingSizeIsNamed() {
        let e = error("name: n\nlayers:\n  - {name: a, type: conv, C: 3, K: 8, R: 3}\n")
        #expect(e?.message == "missing required key `H` (input height) or `P` (output height)")
    }

    @Test func inputAndOutputSizesTogetherAreRefused() {
        let e = error("name: n\nlayers:\n  - {name: a, type: conv, C: 3, K: 8, R: 3, H: 8, P: 6}\n")
        #expect(e?.message == "give the input size (H, W) or the output size (P, Q), not both")
    }

    @Test func kernelLargerThanInputIsRefused() {
        let e = error("name: n\nlayers:\n  - {name: a, type: conv, C: 3, K: 8, R: 5, H: 3}\n")
        #expect(e?.message == "the 5-row kernel (dilation 1) does not fit in H = 3 with padding 0")
    }

    @Test func groupsMustDivideChannels() {
        let e = error("name: n\nlayers:\n  - {name: a, type: grouped, C: 6, K: 8, R: 3, H: 8, groups: 4}\n")
        #expect(e?.message == "C = 6 is not divisible by groups = 4")
    }

    @Test func duplicateLayerNamesAreRefused() {
        let e = error("name: n\nlayers:\n  - {name: a, type: fc, C: 3, K: 8}\n  - {name: a, type: fc, C: 8, K: 2}\n")
        #expect(e?.line == 4)
        #expect(e?.message == "layer name `a` is already used at line 3")
    }

    @Test func emptyLayerListIsRefused() {
        #expect(error("name: n\nlayers: []\n")?.message == "a network needs at least one layer")
    }

    @Test func badFormatIsRefused() {
        let e = error("name: n\nlayers:\n  - {name: a, type: fc, C: 3, K: 8, formats: {weights: int3}}\n")
        #expect(e?.keyPath == "layers[0].formats.weights")
    }

    @Test func resolveExplainsUnknownNames() {
        let e = #expect(throws: ConfigError.self) { try NetworkFile.resolve("resnet5") }
        #expect(e?.message.contains("did you mean `resnet50`?") == true)
        #expect((try? NetworkFile.resolve("ResNet50"))?.name == "resnet50")
    }
}

@Suite struct OversizedLayerTests {
    func error(_ yaml: String) -> ConfigError? {
        #expect(throws: ConfigError.self) { try NetworkFile.parse(yaml, file: "huge.yaml") }
    }

    @Test func aLayerWhoseCountsOverflowIsALocatedError() {
        // 2^31-1 for every size: the MAC count overflows Int (it crashed with an illegal instruction).
        let big = Int(Int32.max)
        let e = error("name: n\nlayers:\n  - {name: a, type: conv, C: \(big), K: \(big), P: \(big), R: \(big)}\n")
        #expect(e?.description.hasPrefix("huge.yaml:3:5: ") == true, "\(e?.description ?? "")")
        #expect(e?.description.contains("layer `a`: the MAC count N·G·K·C·P·Q·R·S is above 2^53") == true)
        // A stride that makes the input too large, with a modest MAC count.
        let strided = error("name: n\nlayers:\n  - {name: s, type: conv, C: 65536, K: 1, P: 65536, R: 1, stride: \(big)}\n")
        #expect(strided?.description.contains("layer `s`: the input count N·G·C·H·W is above 2^53") == true,
                "\(strided?.description ?? "")")
    }

    @Test func aNetworkWhoseTotalOverflowsIsALocatedError() {
        // Each layer 2^26 · 2^26 = 2^52 MACs: the third passes 2^53 in all.
        let layer = "{name: fc, type: fc, C: 67108864, K: 67108864, repeat: 3}"
        let e = error("name: n\nlayers:\n  - \(layer)\n")
        #expect(e?.description.contains("the network's MAC count passes 2^53 at layer `fc[2]`") == true, "\(e?.description ?? "")")
        // Just within: two such layers load.
        let network = try? NetworkFile.parse("name: n\nlayers:\n  - {name: fc, type: fc, C: 67108864, K: 67108864, repeat: 2}\n",
                                             file: "ok.yaml")
        #expect(network?.macs == 1 << 53)
    }
}
