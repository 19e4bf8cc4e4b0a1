/// The built-in networks, by name.
///
/// Each network lists only the layers that multiply (convolutions, fully-connected layers and
/// matmuls) at batch 1 with INT8 operands; their MAC totals match the published figures (see
/// docs/workloads.md). Layer names follow the reference implementation's module names
/// (torchvision for the CNNs) so they can be matched with profiles of real runs.
public enum Zoo {
    /// Names of the built-in networks, in the order they are listed.
    public static let names = ["alexnet", "resnet18", "resnet50", "vgg16", "mobilenet_v2", "pilotnet", "bert_base"]

    /// The built-in network called `name` (case-insensitive), or `nil`.
    public static func network(named name: String) -> Network? {
        switch name.lowercased() {
        case "alexnet": return alexNet()
        case "resnet18": return resNet18()
        case "resnet50": return resNet50()
        case "vgg16": return vgg16()
        case "mobilenet_v2", "mobilenetv2": return mobileNetV2()
        case "pilotnet": return pilotNet()
        case "bert_base", "bert-base": return bertBase()
        default: return nil
        }
    }

    /// Every built-in network, in ``names`` order.
    public static var all: [Network] { names.compactMap(network(named:)) }
}
