import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload
import Testing

/// The register compiler and the controller's map space (docs/rtl.md, "One map space"): every
/// mapping the map space offers compiles back to its program, and a mapping outside it is refused
/// with the level where it leaves the controller's nest. No simulator needed.
struct RTLCompilerTests {
    static func simbaLike() throws -> DesignPoint {
        try DesignFile.load(path: examplesDirectory.appendingPathComponent("simba-like.yaml").path)
    }

    /// The designs of the RTL suite the cost model takes (not is-wrap, whose accumulator is
    /// deliberately narrower than a product) and Simba-like, with their elaborations.
    static func designs() throws -> [(design: DesignPoint, hardware: Hardware)] {
        try (AcceleratorRTLTests.designs + [simbaLike()]).compactMap { design in
            (try? design.elaborate()).map { (design, $0) }
        }
    }

    /// Random layers: sizes, filters, strides, dilations, padding and groups (depthwise included).
    static func randomShapes(count: Int, seed: UInt64) -> [ConvolutionShape] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let groups = [1, 1, 1, 2, 3].randomElement(using: &generator)!
            let k = Int.random(in: 1...24, using: &generator), c = Int.random(in: 1...24, using: &generator)
            let r = [1, 3, 5].randomElement(using: &generator)!, s = [1, 3].randomElement(using: &generator)!
            return ConvolutionShape(g: groups, k: k, c: groups == 3 ? 1 : c,
                                    p: Int.random(in: 1...12, using: &generator),
                                    q: Int.random(in: 1...12, using: &generator), r: r, s: s,
                                    strideH: Int.random(in: 1...2, using: &generator),
                                    strideW: Int.random(in: 1...2, using: &generator),
                                    dilationH: Int.random(in: 1...2, using: &generator),
                                    paddingH: Int.random(in: 0...1, using: &generator),
                                    paddingW: Int.random(in: 0...2, using: &generator))
        }
    }

    /// The register writes, comparable.
    static func writes(_ program: RTLLayerProgram) -> [[Int]] { program.registers.map { [$0.address, $0.value] } }

    /// The property test: on five designs, points drawn from the map space of the RTL layers, of
    /// random layers and of full-size zoo layers (a strided 1×1, a depthwise 3×3, a 7×7/2) go
    /// through the mapping file a user edits (written, read back) and compile to the very program
    /// that wrote them: the same registers, schedule and cycles. The map space offers nothing the
    /// compiler refuses.
    @Test func everyMappingOfTheMapSpaceCompilesToItsProgram() throws {
        var generator = SeededGenerator(seed: 7)
        let rtlLayers = try AcceleratorRTLTests.layers.map { try AcceleratorRTLTests.layer($0).shape }
        let resnet = try NetworkFile.resolve("resnet50"), mobilenet = try NetworkFile.resolve("mobilenetv2")
        let zoo = try [NetworkFile.layer("layer2.0.downsample.0", in: resnet, source: "resnet50"),
                       NetworkFile.layer("features.1.conv.0", in: mobilenet, source: "mobilenetv2"),
                       NetworkFile.layer("conv1", in: resnet, source: "resnet50")].map(\.shape)
        var compiled = 0, spaces = 0, schedules: Set<RTLLayerProgram.WeightSchedule> = []
        for (design, hardware) in try Self.designs() {
            let shapes = rtlLayers + Self.randomShapes(count: 6, seed: UInt64(design.numPEs * 31 + design.lanes))
                + (design.name == "simba-like" ? zoo : [])
            for shape in shapes {
                guard let space = try? RTLLayerProgram.mapSpace(design: design, shape: shape, hardware: hardware) else {
                    continue
                }
                spaces += 1
                #expect(Set(space.map(\.mapping)).count == space.count, "one point per mapping")
                for point in space.shuffled(using: &generator).prefix(12) {
                    let program = point.program
                    let text = try program.mappingYAML(on: hardware)
                    let nest = try MappingReader.parseLoopNest(text, file: "mapping.yaml", hardware: hardware,
                                                               problem: shape.problem)
                    let label = "\(design.name) \(shape) \(program.split) \(program.bands)×\(program.columnTiles)"
                        + " CP \(program.channelPasses) \(program.weightSchedule)"
                    let back: RTLLayerProgram
                    do {
                        back = try RTLLayerProgram(compiling: nest, design: design, shape: shape, hardware: hardware)
                    } catch {
                        Issue.record("\(label): refused: \(error)")
                        continue
                    }
                    #expect(Self.writes(back) == Self.writes(program), "\(label)")
                    #expect(back.weightSchedule == program.weightSchedule
                                && back.expectedCycles == program.expectedCycles,
                            "\(label)")
                    #expect(try back.mapping(on: hardware) == point.mapping, "\(label)")
                    compiled += 1
                    schedules.insert(program.weightSchedule)
                }
            }
        }
        #expect(spaces >= 40 && compiled >= 300, "\(spaces) map spaces, \(compiled) mappings compiled")
        #expect(schedules == Set(RTLLayerProgram.WeightSchedule.allCases))
    }

    /// Every program of the controller's map space is a mapping the cost model accepts: the
    /// model's global buffer holds only inputs, as the controller's does (the read-out moves the
    /// partial sums from the accumulation banks straight to DRAM), so no buffer of the model is
    /// asked to hold what the controller does not keep there. On five designs, the RTL layers,
    /// random layers, and on Simba-like every unique layer of ResNet-50.
    @Test func everyProgramOfTheMapSpaceIsValidForTheModel() throws {
        let rtlLayers = try AcceleratorRTLTests.layers.map { try AcceleratorRTLTests.layer($0).shape }
        let resnet = try NetworkFile.resolve("resnet50")
        var points = 0
        for (design, hardware) in try Self.designs() {
            let shapes = rtlLayers + Self.randomShapes(count: 6, seed: UInt64(design.numPEs * 17 + design.lanes))
                + (design.name == "simba-like" ? resnet.uniqueShapes.map(\.representative.shape) : [])
            for shape in shapes {
                guard let space = try? RTLLayerProgram.mapSpace(design: design, shape: shape, hardware: hardware) else {
                    continue
                }
                for point in space {
                    let problems = point.mapping.problems(on: hardware, for: point.program.paddedShape.problem)
                    #expect(problems.isEmpty, "\(design.name) \(shape) \(point.program.weightSchedule): \(problems)")
                    points += 1
                }
            }
        }
        #expect(points >= 10_000)
    }

    /// Mappings a step away from the map space (two loops of a level swapped, a factor of 2 moved
    /// to another level, a data space's keep flipped) and random mappings of the whole template
    /// are either compiled to a program that runs exactly them, or refused with the reason: the
    /// compiler never accepts a mapping it would run differently.
    @Test func mappingsOutsideTheMapSpaceAreRefusedOrRunExactly() throws {
        var generator = SeededGenerator(seed: 11)
        var refused = 0, accepted = 0
        for (design, hardware) in try Self.designs() {
            // K and C fill whole passes of every split, so one padded layer serves all.
            let shape = ConvolutionShape(k: design.numPEs * design.lanes * 2, c: design.vectorSize * 2, p: 4, q: 6,
                                         r: 3, s: 3, paddingH: 1, paddingW: 1)
            let problem = shape.problem
            let space = try RTLLayerProgram.mapSpace(design: design, shape: shape, hardware: hardware)
            var mappings: [Mapping] = []
            for point in space.shuffled(using: &generator).prefix(30) {
                var mutant = point.mapping
                let level = Int.random(in: 0..<mutant.levels.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0 where mutant.levels[level].temporal.count >= 2:
                    mutant.levels[level].temporal.swapAt(0, mutant.levels[level].temporal.count - 1)
                case 1:
                    let loops = mutant.levels.indices.flatMap { l in
                        mutant.levels[l].temporal.indices.filter { mutant.levels[l].temporal[$0].bound % 2 == 0 }
                            .map { (l, $0) }
                    }
                    guard let (from, index) = loops.randomElement(using: &generator) else { continue }
                    let dimension = mutant.levels[from].temporal[index].dimension
                    mutant.levels[from].temporal[index].bound /= 2
                    mutant.levels[level].temporal.append(Loop(dimension: dimension, bound: 2))
                default:
                    let space = Int.random(in: 0..<problem.dataSpaces.count, using: &generator)
                    if mutant.levels[level].keeps.contains(space) {
                        mutant.levels[level].keeps.remove(space)
                    } else {
                        mutant.levels[level].keeps.insert(space)
                    }
                }
                mappings.append(mutant)
            }
            var random = RandomMappings(hardware: hardware, problem: problem, seed: UInt64(design.numPEs))
            for _ in 0..<30 { if let mapping = random.nextValid(attempts: 2_000) { mappings.append(mapping) } }
            for mapping in mappings {
                do {
                    let program = try RTLLayerProgram(compiling: mapping, design: design, shape: shape,
                                                      hardware: hardware)
                    func trimmed(_ mapping: Mapping) -> [[[Int]]] {
                        mapping.levels.map { level in
                            [level.temporal, level.spatialX, level.spatialY].map { loops in
                                loops.filter { $0.bound > 1 }.flatMap { [$0.dimension, $0.bound] }
                            } + [level.keeps.sorted()]
                        }
                    }
                    #expect(trimmed(try program.mapping(on: hardware)) == trimmed(mapping), "\(design.name)")
                    accepted += 1
                } catch let error as RTLUnsupported {
                    #expect(error.parameter == "mapping" || error.parameter == "layer", "\(error)")
                    #expect(!error.message.isEmpty)
                    refused += 1
                }
            }
        }
        // Some mutants stay in the map space (a swap of loops the nest does not order, a keep
        // flip undone by none), most leave it.
        #expect(refused >= 100, "\(refused) refused, \(accepted) accepted")
    }

    /// What the compiler says, level by level, with the numbers.
    @Test func refusalsNameTheLevelAndTheNumbers() throws {
        let design = try Self.simbaLike(), hardware = try design.elaborate()
        let shape = ConvolutionShape(k: 64, c: 64, p: 56, q: 56)
        let program = try RTLLayerProgram(design: design, shape: shape, groups: 8, bands: 2, columnTiles: 28,
                                          channelPasses: 1, weightSchedule: .resident)
        let mapping = try program.mapping(on: hardware)
        func refusal(_ mapping: Mapping, _ shape: ConvolutionShape = shape) -> String {
            do {
                _ = try RTLLayerProgram(compiling: mapping, design: design, shape: shape, hardware: hardware)
                return "accepted"
            } catch { return "\(error)" }
        }
        let names = hardware.storage.map(\.name)
        func index(_ name: String) -> Int { names.firstIndex(of: name)! }
        let (p, q) = (shape.problem.dimensionIndex("P")!, shape.problem.dimensionIndex("Q")!)

        // The tiles in the other order: columns outer, rows inner.
        var swapped = mapping
        #expect(swapped.levels[index("DRAM")].temporal == [Loop(dimension: q, bound: 28), Loop(dimension: p, bound: 2)])
        swapped.levels[index("DRAM")].temporal.reverse()
        #expect(refusal(mapping) == "accepted")
        #expect(refusal(swapped) == "mapping: not supported by the RTL generator yet: at DRAM the controller runs "
                + "temporal Q28 P2, keeps Weights, Inputs, Outputs; the mapping has temporal P2 Q28, keeps Weights, "
                + "Inputs, Outputs (8 channel groups × 2 row blocks, 2×28 tiles, 1 channel passes, weights resident "
                + "across tiles; docs/rtl.md)", "\(refusal(swapped))")

        // Half the PEs.
        var half = mapping
        half.levels[index("GlobalBuffer")].spatialY = []
        half.levels[index("DRAM")].temporal.append(Loop(dimension: p, bound: 2))
        #expect(refusal(half) == "mapping: not supported by the RTL generator yet: the global buffer's spatial loops "
                + "split K 2 and P 2 ways over the PEs; the controller spreads channel groups × row blocks over "
                + "all 16",
                "\(refusal(half))")

        // K 60 is padded to 64 for 8 groups × 8 lanes: the mapping must cover the padded layer.
        let sixty = ConvolutionShape(k: 60, c: 64, p: 56, q: 56)
        var unpadded = mapping
        let k = sixty.problem.dimensionIndex("K")!
        unpadded.levels[index("InputCollector")].spatialY = [Loop(dimension: k, bound: 6)]
        #expect(refusal(unpadded, sixty).contains("the mapping's K factors multiply to 48; the controller runs the "
                                                  + "layer padded to K = 64"), "\(refusal(unpadded, sixty))")

        // A tile too large for the buffers: one tile of all 56×56 outputs.
        var whole = mapping
        whole.levels[index("DRAM")].temporal = []
        whole.levels[index("WeightBuffer")].temporal = [Loop(dimension: q, bound: 56), Loop(dimension: p, bound: 28)]
        #expect(refusal(whole).contains("must fit each PE's input buffer: needs"), "\(refusal(whole))")

        // Weights kept in the global buffer, which the controller's weights bypass.
        var kept = mapping
        kept.levels[index("GlobalBuffer")].keeps.insert(shape.problem.dataSpaces.firstIndex { $0.name == "Weights" }!)
        #expect(refusal(kept).contains("at GlobalBuffer the controller runs no temporal loops, spatial X"),
                "\(refusal(kept))")

        // Too few levels.
        #expect(refusal(Mapping(levels: Array(mapping.levels.dropFirst())))
                    .contains("the mapping has \(names.count - 1) storage levels, the design \(names.count)"))
    }

    /// `mapped` searches the whole map space: its choice is the lowest EDP on the generated
    /// hardware (controller cycles, the model's energy over them) of every split × tiling ×
    /// schedule that fits and that the model accepts, enumerated here without the map space.
    @Test(arguments: [0, 1, 4])
    func theMapperTakesTheBestOfTheWholeMapSpace(_ index: Int) throws {
        let (design, hardware) = try Self.designs()[index]
        let shape = try AcceleratorRTLTests.layer("conv3x3").shape
        let choice = try RTLLayerProgram.mapped(design: design, shape: shape, hardware: hardware)
        var best = Double.infinity, mappings: Set<Mapping> = []
        for groups in 1...design.numPEs where design.numPEs % groups == 0 {
            for bands in 1...8 { for columns in 1...8 { for passes in 1...8 {
                for schedule in RTLLayerProgram.WeightSchedule.allCases {
                    guard let program = try? RTLLayerProgram(design: design, shape: shape, groups: groups, bands: bands,
                                                             columnTiles: columns, channelPasses: passes,
                                                             weightSchedule: schedule),
                          let mapping = try? program.mapping(on: hardware) else { continue }
                    let problem = program.paddedShape.problem
                    guard mapping.problems(on: hardware, for: problem).isEmpty else { continue }
                    mappings.insert(mapping)
                    let evaluation = CostModel(hardware: hardware, problem: problem).evaluate(mapping)
                    best = min(best, evaluation.energyPJ(over: program.expectedCycles) * Double(program.expectedCycles))
                }
            } } }
        }
        #expect(choice.candidates == mappings.count && mappings.count >= 10)
        #expect(choice.controllerSummary.energyDelayProduct == best)
        #expect(choice.controllerSummary.cycles == choice.program.expectedCycles)
    }
}
