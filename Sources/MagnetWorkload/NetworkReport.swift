import MagnetCore

/// Machine-readable descriptions of networks (the `--json` output of `magnet networks`).
extension Network {
    /// Name, summary, counts and totals (one entry of `magnet networks --json`).
    public var summaryJSON: JSONValue {
        .object([
            ("name", .string(name)),
            ("description", .string(summary)),
            ("layers", .int(layers.count)),
            ("unique_shapes", .int(uniqueShapes.count)),
            ("macs", .int(macs)),
            ("parameters", .int(parameters)),
        ])
    }

    /// Every layer with its loop bounds, plus the unique shapes (`magnet networks show --json`).
    public var detailJSON: JSONValue {
        let groups = uniqueShapes
        var groupOf: [String: Int] = [:]
        for (index, group) in groups.enumerated() { for name in group.layerNames { groupOf[name] = index } }
        let layerValues: [JSONValue] = layers.map { layer in
            let s = layer.shape
            return .object([
                ("name", .string(layer.name)),
                ("type", .string(layer.operation.rawValue)),
                ("shape", .string(layer.shapeSummary)),
                ("bounds", .object(zip(ConvolutionShape.dimensionNames, [s.n, s.g, s.k, s.c, s.p, s.q, s.r, s.s]).map { ($0, .int($1)) })),
                ("stride", [.int(s.strideH), .int(s.strideW)]),
                ("dilation", [.int(s.dilationH), .int(s.dilationW)]),
                ("padding", [.int(s.paddingH), .int(s.paddingW)]),
                ("formats", .object([("weights", .string(layer.formats.weights.rawValue)),
                                     ("inputs", .string(layer.formats.inputs.rawValue)),
                                     ("outputs", .string(layer.formats.outputs.rawValue))])),
                ("macs", .int(layer.macs)),
                ("parameters", .int(layer.parameters)),
                ("unique_shape", .int(groupOf[layer.name] ?? 0)),
            ])
        }
        let groupValues: [JSONValue] = groups.map { group in
            .object([
                ("representative", .string(group.representative.name)),
                ("count", .int(group.count)),
                ("layers", .array(group.layerNames.map(JSONValue.string))),
            ])
        }
        guard case .object(var fields) = summaryJSON else { return summaryJSON }
        fields.append(("layer_list", .array(layerValues)))
        fields.append(("unique_shape_list", .array(groupValues)))
        return .object(fields)
    }
}
