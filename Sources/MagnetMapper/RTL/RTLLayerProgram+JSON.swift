import MagnetCore
import MagnetDesigner

extension RTLLayerProgram {
    /// The fields of the program as `export --rtl` writes it (docs/rtl.md, "Exported designs"):
    /// how the layer runs (split, tiles, passes, weight schedule), the controller's exact cycles
    /// beside `modelCycles` (the cost model's for the same mapping), the host's register writes
    /// in order (the per-PE registers and `control` last, which starts the run), and the DRAM
    /// regions.
    public func jsonFields(modelCycles: Int) -> [(String, JSONValue)] {
        let writes: [JSONValue] = registers.map { write in
            .object([("address", .int(write.address)),
                     ("name", .string(ControllerEmitter.registerName(at: write.address) ?? "unused")),
                     ("value", .int(write.value))])
        }
        func region(_ base: Int, _ end: Int) -> JSONValue { .object([("base", .int(base)), ("words", .int(end - base))]) }
        return [
            ("split", .object([("channel_groups", .int(split.groups)), ("row_blocks", .int(split.rowBlocks))])),
            ("tiles", .object([("bands", .int(bands)), ("column_tiles", .int(columnTiles))])),
            ("k_passes", .int(kPasses)), ("channel_passes", .int(channelPasses)),
            ("weight_schedule", .string(weightSchedule.rawValue)),
            ("controller_cycles", .int(expectedCycles)), ("model_cycles", .int(modelCycles)),
            ("requantization", .object([("scale", .int(requantization.scale)), ("shift", .int(requantization.shift)),
                                        ("relu", .bool(requantization.relu))])),
            ("registers", .array(writes)),
            ("dram", .object([
                ("word_bits", .int(top.controller.dramWordBits)), ("words", .int(dramWords)),
                ("weights", region(weightBase, inputBase)), ("inputs", region(inputBase, outputBase)),
                ("outputs", region(outputBase, dramWords)),
            ])),
        ]
    }
}
