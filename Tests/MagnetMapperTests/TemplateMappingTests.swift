import Foundation
import Testing
@testable import MagnetDesigner
@testable import MagnetMapper
@testable import MagnetWorkload

@Suite struct TemplateMappingTests {
    static func design(_ dataflow: Dataflow) throws -> (DesignPoint, Hardware) {
        var point = try DesignFile.load(path: repositoryRoot.appendingPathComponent("examples/simba-like.yaml").path)
        point.dataflow = dataflow
        return (point, try point.elaborate())
    }

    /// Each dataflow's constraints hold in the mapping found: only the allowed loops at the
    /// collectors, the stationary operand's irrelevant loops innermost at its PE buffer, C across
    /// the multipliers and K across the lanes.
    @Test(arguments: Dataflow.allCases)
    func dataflowConstraintsHold(dataflow: Dataflow) throws {
        let (point, hardware) = try Self.design(dataflow)
        let layer = try #require(Zoo.network(named: "resnet18")?.layer(named: "layer2.1.conv1"))
        let space = MapSpace.template(design: point, hardware: hardware, layer: layer)
        let result = MapSearch(space: space).run(budget: 3000, threads: 1, seed: 5)
        let mapping = try #require(result.mapping)
        #expect(mapping.problems(on: hardware, for: layer.problem).isEmpty)
        let names = hardware.storage.map(\.name)
        let dims = layer.problem.dimensions
        func index(_ name: String) -> Int { names.firstIndex(of: name)! }
        func letters(_ loops: [Loop]) -> Set<String> { Set(loops.map { dims[$0.dimension] }) }
        #expect(letters(mapping.levels[index("WeightCollector")].spatialX).isSubset(of: ["C"]))
        #expect(letters(mapping.levels[index("InputCollector")].spatialY).isSubset(of: ["K"]))
        let wc = letters(mapping.levels[index("WeightCollector")].temporal)
        let ac = letters(mapping.levels[index("AccumulationCollector")].temporal)
        switch dataflow {
        case .weightStationary, .outputStationaryLocalWeightStationary: #expect(wc.isSubset(of: ["N", "P", "Q"]))
        default: break
        }
        switch dataflow {
        case .outputStationary, .outputStationaryLocalWeightStationary, .weightStationaryLocalOutputStationary:
            #expect(ac.isSubset(of: ["C", "R", "S"]))
        default: break
        }
        // Stationarity at the PE buffer: the stationary operand's irrelevant loops come first.
        let buffer: (String, Set<String>)? = switch dataflow {
        case .weightStationary, .weightStationaryLocalOutputStationary: ("WeightBuffer", ["N", "P", "Q"])
        case .outputStationary, .outputStationaryLocalWeightStationary: ("AccumulationBuffer", ["C", "R", "S"])
        case .inputStationary: ("InputBuffer", ["K"])
        }
        if let (name, inner) = buffer {
            let order = mapping.levels[index(name)].temporal.map { dims[$0.dimension] }
            if let firstOther = order.firstIndex(where: { !inner.contains($0) }) {
                #expect(order[firstOther...].allSatisfy { !inner.contains($0) }, "\(dataflow): \(order)")
            }
        }
    }

    /// A depthwise layer (C = 1 per group) still maps, with the multipliers left idle.
    @Test func depthwiseGetsAnHonestUtilization() throws {
        let (point, hardware) = try Self.design(.outputStationaryLocalWeightStationary)
        let layer = try #require(Zoo.network(named: "mobilenet_v2")?.layers.first { $0.operation == .depthwiseConvolution })
        let space = MapSpace.template(design: point, hardware: hardware, layer: layer)
        let result = MapSearch(space: space).run(budget: 3000, threads: 1, seed: 1)
        let mapping = try #require(result.mapping)
        let evaluation = CostModel(hardware: hardware, problem: layer.problem).evaluate(mapping)
        // C = 1: at most one of the 8 multipliers of each vector MAC can work.
        #expect(evaluation.utilization <= 1.0 / 8)
        #expect(evaluation.utilization > 0)
    }

    /// The global buffer's keeping of outputs is the search's choice, and no other keep is: on
    /// ResNet-50's layer1.0.conv1 (1×1, 64 → 64, one pass over the channels, so no partial sums to
    /// hold there) the search bypasses it, and beats the best it finds with outputs kept there
    /// (the outputs' trip through the global buffer, written by the PEs and read out to DRAM,
    /// costs its bandwidth and energy).
    @Test func outputsMayBypassTheGlobalBuffer() throws {
        let (point, hardware) = try Self.design(.outputStationaryLocalWeightStationary)
        let layer = try #require(Zoo.network(named: "resnet50")?.layer(named: "layer1.0.conv1"))
        let space = MapSpace.template(design: point, hardware: hardware, layer: layer)
        let globalBuffer = try #require(hardware.storage.firstIndex { $0.name == "GlobalBuffer" })
        let outputs = try #require(layer.problem.dataSpaceIndex("Outputs"))
        for level in space.freeKeeps.indices {
            #expect(space.freeKeeps[level] == (level == globalBuffer ? [outputs] : []), "level \(level)")
        }
        var closed = space
        closed.freeKeeps = space.freeKeeps.map { _ in [] }
        let free = MapSearch(space: space).run(budget: 3000, threads: 1, seed: 1)
        let kept = MapSearch(space: closed).run(budget: 3000, threads: 1, seed: 1)
        let mapping = try #require(free.mapping)
        #expect(!mapping.levels[globalBuffer].keeps.contains(outputs))
        #expect(try #require(kept.mapping).levels[globalBuffer].keeps.contains(outputs))
        let freeEDP = try #require(free.summary).energyDelayProduct
        let keptEDP = try #require(kept.summary).energyDelayProduct
        #expect(freeEDP < keptEDP)
        // The mapping uses the room the bypass frees: with outputs kept in the global buffer too,
        // its tiles (the whole input, 50,176 words, and as many outputs) overflow the 65,536 words.
        var keeping = mapping
        keeping.levels[globalBuffer].keeps.insert(outputs)
        let problems = keeping.problems(on: hardware, for: layer.problem)
        #expect(problems.contains { $0.level == "GlobalBuffer" && $0.message.hasPrefix("tiles need") }, "\(problems)")
    }

    @Test func networkFiguresAddUp() throws {
        let (point, hardware) = try Self.design(.outputStationaryLocalWeightStationary)
        let network = try #require(Zoo.network(named: "pilotnet"))
        let result = try NetworkMapping.map(network: network, design: point, hardware: hardware, budget: 1500, threads: 1, seed: 2)
        #expect(result.layers.count == network.uniqueShapes.count)
        let energy = result.layers.reduce(0.0) { $0 + $1.evaluation.energyPJ * Double($1.layerNames.count) }
        #expect(abs(result.energyPJ - energy) < 1e-6 * energy)
        // 2 GHz: cycles / 2e6 = ms; fJ/op = pJ·1000 / (2·MACs).
        #expect(abs(result.latencyMS - Double(result.cycles) / 2e6) < 1e-12)
        #expect(abs(result.femtojoulesPerOp - result.energyPJ * 1000 / (2 * 26_876_342)) < 1e-9)
        #expect(result.utilization > 0 && result.utilization <= 1)
    }
}

@Suite struct MappingRoundTripTests {
    /// A dimension spread over both mesh axes of one level (C2 on X, C2 on Y) is written with the
    /// dimension twice and read back to the same mapping.
    @Test func aDimensionOnBothMeshAxesRoundTrips() throws {
        let design = try DesignFile.parse("""
            numPEs: 4
            peRows: 2
            peColumns: 2
            lanes: 2
            vectorSize: 4
            weightBuffer: 4 KiB
            inputBuffer: 4 KiB
            accumulationBuffer: 1 KiB
            globalBuffer: 16 KiB
            dramBandwidthGBps: 16
            """, file: "design.yaml")
        let hardware = try design.elaborate()
        let layer = Layer.convolution("conv", inChannels: 16, outChannels: 8, inputHeight: 6, kernel: 3)
        let space = MapSpace.template(design: design, hardware: hardware, layer: layer)
        var search = MapSearch(space: space)
        search.allowExhaustive = false
        // Search until a mapping puts one dimension on both axes of a level, then round-trip it.
        var found = false
        for seed in 0..<40 where !found {
            guard let mapping = search.run(budget: 300, seed: UInt64(seed)).mapping else { continue }
            let both = mapping.levels.contains { level in
                Set(level.spatialX.map(\.dimension)).intersection(level.spatialY.map(\.dimension)).isEmpty == false
            }
            let yaml = MappingWriter.yaml(mapping, hardware: hardware, problem: layer.problem)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID().uuidString).yaml").path
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let read = try MappingReader.load(path: path, hardware: hardware, problem: layer.problem)
            func normalized(_ m: Mapping) -> Mapping {
                var m = m
                for k in m.levels.indices {
                    m.levels[k].temporal = m.levels[k].temporal.filter { $0.bound > 1 }
                    m.levels[k].spatialX = m.levels[k].spatialX.filter { $0.bound > 1 }
                    m.levels[k].spatialY = m.levels[k].spatialY.filter { $0.bound > 1 }
                }
                return m
            }
            #expect(normalized(read) == normalized(mapping), "\(yaml)")
            found = found || both
        }
        #expect(found, "no mapping with a dimension on both mesh axes among 40 searches")
    }
}
