import MagnetDesigner
import MagnetWorkload

extension RTLLayerProgram {
    /// One point of the controller's map space: a program and the mapping it runs.
    public struct MapSpacePoint: Sendable {
        /// The program (registers, DRAM layout, cycles).
        public let program: RTLLayerProgram
        /// Its loop nest as a mapping of ``RTLLayerProgram/paddedShape`` (``RTLLayerProgram/mapping(on:)``).
        public let mapping: Mapping
    }

    /// The controller's map space for `shape` on `design` (docs/rtl.md, "One map space"): every
    /// split of the PE array into channel groups × row blocks the layer and the PE mesh allow,
    /// every tiling into bands × column tiles × channel passes, under every weight schedule, whose
    /// data fits the buffers. Programs that write the same mapping (one pass, or one tile, where
    /// schedules coincide) appear once, as the one with the fewest controller cycles (then the
    /// earlier in ``WeightSchedule/preferenceOrder``). Each point's mapping compiles back to its
    /// program (``init(compiling:design:shape:hardware:)``). Throws the reason when nothing fits
    /// (what the finest tiling of the first split lacks, on every schedule).
    public static func mapSpace(design: DesignPoint, shape: ConvolutionShape,
                                hardware: Hardware) throws -> [MapSpacePoint] {
        var points: [Mapping: MapSpacePoint] = [:]
        var order: [Mapping] = []
        var firstError: Error?, firstSplitError: Error?
        for groups in (1...design.numPEs).reversed() where design.numPEs % groups == 0 {
            // The split's best program, when any tiling of it fits: its dense layer and channel
            // vectors bound the tilings.
            let any: RTLLayerProgram
            do { any = try RTLLayerProgram(design: design, shape: shape, groups: groups) } catch {
                if firstSplitError == nil { firstSplitError = error }
                continue
            }
            for bands in Factorization.divisors(any.shape.p / any.split.rowBlocks) {
                for columnTiles in Factorization.divisors(any.shape.q) {
                    for channelPasses in Factorization.divisors(any.channelVectors) {
                        for schedule in WeightSchedule.preferenceOrder {
                            let program: RTLLayerProgram, mapping: Mapping
                            do {
                                program = try RTLLayerProgram(design: design, shape: shape, groups: groups,
                                                              bands: bands, columnTiles: columnTiles,
                                                              channelPasses: channelPasses, weightSchedule: schedule)
                                mapping = try program.mapping(on: hardware)
                            } catch {
                                if firstError == nil { firstError = error }
                                continue
                            }
                            // Schedules run in preference order: a later one replaces an earlier
                            // one only with fewer cycles.
                            if let known = points[mapping], known.program.expectedCycles <= program.expectedCycles {
                                continue
                            }
                            if points[mapping] == nil { order.append(mapping) }
                            points[mapping] = MapSpacePoint(program: program, mapping: mapping)
                        }
                    }
                }
            }
        }
        if order.isEmpty {
            throw firstSplitError ?? firstError
                ?? RTLUnsupported(parameter: "layer", message: "no split of the PE array fits")
        }
        return order.map { points[$0]! }
    }
}
