import Foundation
import Testing
@testable import MagnetCore
@testable import MagnetMapper
import MagnetWorkload

@Suite struct MapSearchTests {
    static func mapperSpace(_ name: String) throws -> MapSpace {
        let folder = TimeloopFixtureTests.directory.appendingPathComponent(name)
        return try TimeloopInput.loadMapSpace(input: folder.appendingPathComponent("mapper-input.yaml").path,
                                              ert: folder.appendingPathComponent("ERT.yaml").path)
    }

    @Test func sameSeedSameMapping() throws {
        let space = try Self.mapperSpace("mapper_eyeriss_like_conv3x3")
        let search = MapSearch(space: space)
        let a = search.run(budget: 3000, threads: 2, seed: 7)
        let b = search.run(budget: 3000, threads: 2, seed: 7)
        #expect(a.mapping != nil)
        #expect(a.mapping == b.mapping)
        #expect(a.summary == b.summary)
        #expect(a.considered == b.considered && a.valid == b.valid)
    }

    /// The returned mapping is valid, reads back from its YAML, and re-evaluates to the same
    /// figures through the reference nest walk.
    @Test(arguments: ["mapper_simba_like_conv3x3", "mapper_eyeriss_like_conv3x3"])
    func bestMappingIsValidAndReevaluates(name: String) throws {
        let space = try Self.mapperSpace(name)
        let result = MapSearch(space: space).run(budget: 4000, threads: 1, seed: 3)
        let mapping = try #require(result.mapping)
        let summary = try #require(result.summary)
        #expect(mapping.problems(on: space.hardware, for: space.problem).isEmpty)
        #expect(result.valid > 0 && result.valid <= result.considered)
        let walked = CostModel(hardware: space.hardware, problem: space.problem).evaluateByNestWalk(mapping)
        #expect(walked.cycles == summary.cycles)
        #expect(abs(walked.energyPJ - summary.energyPJ) <= 1e-9 * walked.energyPJ)
        let path = try temporaryFile(MappingWriter.yaml(mapping, hardware: space.hardware, problem: space.problem))
        #expect(try MappingReader.load(path: path, hardware: space.hardware, problem: space.problem) == mapping)
        // Every constraint of the input holds: fixed factors and forbidden slots.
        for level in mapping.levels.indices {
            let slots = [mapping.levels[level].temporal, mapping.levels[level].spatialX, mapping.levels[level].spatialY]
            for (slot, loops) in slots.enumerated() {
                for loop in loops {
                    if let required = space.fixed[level][slot][loop.dimension] { #expect(loop.bound == required) }
                    else { #expect(space.allowed[level][slot][loop.dimension], "level \(level) slot \(slot) dim \(loop.dimension)") }
                }
            }
        }
    }

    /// On a space small enough to enumerate (m02's two levels, Conv1D K32 R3 P16: 60 factor
    /// splits × 36 loop orders), the search finds the exhaustive optimum.
    @Test func findsTheExhaustiveOptimum() throws {
        let input = try TimeloopFixtureTests.load("m02_conv1d_oc_2level_tiled")
        let space = MapSpace(hardware: input.hardware, problem: input.problem, keeps: input.mapping.levels.map(\.keeps))
        var evaluator = Evaluator(CostModel(hardware: input.hardware, problem: input.problem))
        func splits(_ n: Int) -> [(Int, Int)] { (1...n).filter { n % $0 == 0 }.map { ($0, n / $0) } }
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        var best: Evaluator.Summary?
        var count = 0
        for k in splits(32) { for r in splits(3) { for p in splits(16) {
            for inner in orders { for outer in orders {
                let factors = [[k.0, r.0, p.0], [k.1, r.1, p.1]]
                let order = [inner, outer]
                let mapping = Mapping(levels: (0..<2).map { level in
                    LevelMapping(temporal: order[level].compactMap { d in factors[level][d] > 1 ? Loop(dimension: d, bound: factors[level][d]) : nil },
                                 keeps: space.keeps[level])
                })
                count += 1
                guard evaluator.fits(mapping) else { continue }
                let summary = evaluator.summary(mapping)
                if best == nil || Objective.edp.better(summary, than: best!) { best = summary }
            } }
        } } }
        #expect(count == 6 * 2 * 5 * 36)
        let optimum = try #require(best)
        // Small enough to enumerate: the search does so (orders of factor-1 loops collapsed).
        let exhaustive = MapSearch(space: space).run(budget: 20_000, threads: 1, seed: 1)
        #expect(exhaustive.exhaustive)
        #expect(exhaustive.considered < count)
        #expect(exhaustive.summary?.energyDelayProduct == optimum.energyDelayProduct)
        // A start does not turn the enumeration into sampling: the optimum is no worse than it.
        let started = MapSearch(space: space).run(budget: 20_000, threads: 1, seed: 1,
                                                  start: try #require(sampledStart(space)))
        #expect(started.exhaustive && started.summary?.energyDelayProduct == optimum.energyDelayProduct)
        // Sampling (random starts and hill climbing) gets there too.
        var sampler = MapSearch(space: space)
        sampler.allowExhaustive = false
        let sampled = sampler.run(budget: 20_000, threads: 1, seed: 1)
        #expect(!sampled.exhaustive)
        #expect(sampled.summary?.energyDelayProduct == optimum.energyDelayProduct)
    }

    /// A valid mapping of `space` from a short sampled search.
    private func sampledStart(_ space: MapSpace) -> Mapping? {
        var search = MapSearch(space: space)
        search.allowExhaustive = false
        return search.run(budget: 5, threads: 1, seed: 3).mapping
    }

    @Test func objectivesRankAsDocumented() {
        let a = Evaluator.Summary(energyPJ: 100, cycles: 10, utilization: 1)
        let b = Evaluator.Summary(energyPJ: 50, cycles: 30, utilization: 1)
        // EDP: 1000 < 1500.
        #expect(Objective.edp.better(a, than: b))
        #expect(Objective.energy.better(b, than: a))
        #expect(Objective.cycles.better(a, than: b))
        // mix with w = 1 is energy, w = 0 is cycles, w = 0.5 ranks like EDP.
        #expect(Objective.mix.better(b, than: a, energyWeight: 1))
        #expect(Objective.mix.better(a, than: b, energyWeight: 0))
        #expect(Objective.mix.better(a, than: b, energyWeight: 0.5))
    }

    @Test func convergenceStopsEarlyAndDeterministically() throws {
        let space = try Self.mapperSpace("mapper_simba_like_conv3x3")
        var search = MapSearch(space: space)
        search.convergence = 200
        let a = search.run(budget: 1_000_000, threads: 1, seed: 4)
        let b = search.run(budget: 1_000_000, threads: 1, seed: 4)
        #expect(a.considered < 1_000_000)
        #expect(a.mapping == b.mapping && a.considered == b.considered)
    }

    /// A time limit that has passed before the first candidate still returns a valid mapping:
    /// the search stops at its first clock check that has one (`magnet map --seconds 0.000001`
    /// used to end in "no valid mapping among 0 candidates"), within 256 candidates of it.
    @Test func aTimeLimitTooShortStillReturnsAValidMapping() throws {
        let space = try simbaLikeSpace(layer: "conv1")
        let search = MapSearch(space: space)
        let result = search.run(budget: 1_000_000, seconds: 1e-9, threads: 2, seed: 1)
        let mapping = try #require(result.mapping)
        #expect(mapping.problems(on: space.hardware, for: space.problem).isEmpty)
        #expect(result.valid >= 1 && result.considered <= 2 * 512, "\(result.considered)")
    }

    /// Kicks (restarts from the best candidate a few random moves away) keep the search
    /// deterministic and its result valid, change its course, and reach the Eyeriss-like input's
    /// optimum within 4,000 candidates for every seed tried: the optimum the branch and bound
    /// proves (`magnet bench mapper`), which the search without kicks needs about 16,000 for.
    @Test func kicksReachTheProvenOptimumSooner() throws {
        let space = try Self.mapperSpace("mapper_eyeriss_like_conv3x3")
        var always = MapSearch(space: space)
        always.kickFrom = 0
        always.kickChance = 1
        let a = always.run(budget: 2000, threads: 1, seed: 5), b = always.run(budget: 2000, threads: 1, seed: 5)
        #expect(a.mapping == b.mapping && a.valid == b.valid)
        let mapping = try #require(a.mapping)
        #expect(mapping.problems(on: space.hardware, for: space.problem).isEmpty)
        var never = MapSearch(space: space)
        never.kickChance = 0
        #expect(never.run(budget: 2000, threads: 1, seed: 5).valid != a.valid)
        // The proven optimum is 166.65 J·cycle (1.6665e14 pJ·cycle, rounded).
        let search = MapSearch(space: space)
        for seed: UInt64 in 0..<4 {
            let found = try #require(search.run(budget: 4000, threads: 1, seed: seed).summary)
            #expect(found.energyDelayProduct <= 166.66e12, "seed \(seed): \(found.energyDelayProduct)")
        }
    }

    /// With keep/bypass left open at the middle level, the exhaustive search returns the best of
    /// the optima found with each choice fixed (Conv1D K4 R3 P4 on m03's three levels).
    @Test func openKeepsFindTheBestFixedChoice() throws {
        let input = try TimeloopFixtureTests.load("m03_conv1d_oc_3level_no-bypass")
        let problem = Problem(dimensions: input.problem.dimensions, bounds: [4, 3, 4], dataSpaces: input.problem.dataSpaces)
        var open = MapSpace(hardware: input.hardware, problem: problem, keeps: input.mapping.levels.map(\.keeps))
        open.freeKeeps[1] = [0, 1]  // Weights and Inputs at GlobalBuffer
        let exhaustive = ExhaustiveSearch(sampler: CandidateSampler(space: open))
        let size = try #require(exhaustive.size(limit: 1_000_000))
        let searched = MapSearch(space: open).run(budget: size, threads: 1, seed: 0)
        #expect(searched.exhaustive && searched.considered == size)
        var bestFixed: Evaluator.Summary?
        for keepsWeights in [false, true] {
            for keepsInputs in [false, true] {
                var fixed = MapSpace(hardware: input.hardware, problem: problem, keeps: input.mapping.levels.map(\.keeps))
                fixed.keeps[1] = Set([0, 1].filter { $0 == 0 ? keepsWeights : keepsInputs } + [2])
                let result = MapSearch(space: fixed).run(budget: size, threads: 1, seed: 0)
                #expect(result.exhaustive)
                if let summary = result.summary, bestFixed.map({ Objective.edp.better(summary, than: $0, energyWeight: 0.5) }) ?? true { bestFixed = summary }
            }
        }
        #expect(searched.summary?.energyDelayProduct == bestFixed?.energyDelayProduct)
        #expect(searched.summary != nil)
    }

    @Test func noValidMappingIsReported() throws {
        var space = try Self.mapperSpace("mapper_eyeriss_like_conv3x3")
        // Forbid every slot but the innermost level's: nothing can fit its capacity.
        for level in 1..<space.allowed.count {
            for slot in 0..<3 { for d in space.problem.dimensions.indices { space.fix(level: level, slot: MapSpace.Slot(rawValue: slot)!, dimension: d, factor: 1) } }
        }
        let result = MapSearch(space: space).run(budget: 500, threads: 1, seed: 0)
        #expect(result.mapping == nil)
        #expect(result.valid == 0 && result.considered >= 1)
        var sampler = MapSearch(space: space)
        sampler.allowExhaustive = false
        let sampled = sampler.run(budget: 500, threads: 1, seed: 0)
        #expect(sampled.mapping == nil && sampled.considered == 500 && sampled.valid == 0)
    }
}

@Suite struct MapSpaceInputTests {
    func load(editing edit: (String) -> String) throws -> MapSpace {
        let folder = TimeloopFixtureTests.directory.appendingPathComponent("mapper_simba_like_conv3x3")
        let text = try String(contentsOf: folder.appendingPathComponent("mapper-input.yaml"), encoding: .utf8)
        let path = try temporaryFile(edit(text), name: "mapper-input.yaml")
        return try TimeloopInput.loadMapSpace(input: path, ert: folder.appendingPathComponent("ERT.yaml").path)
    }

    @Test func constraintsBecomeTheSpace() throws {
        let space = try load(editing: { $0 })
        let names = space.hardware.storage.map(\.name)
        let pe = try #require(names.firstIndex(of: "inter_PE_spatial"))
        let m = try #require(space.problem.dimensionIndex("M")), r = try #require(space.problem.dimensionIndex("R"))
        // inter_PE_spatial: R=1,S=1,P=1,Q=1,N=1 fixed; M and C may be split across the 16 PEs.
        #expect(space.fixed[pe][MapSpace.Slot.spatialX.rawValue][r] == 1)
        #expect(space.allowed[pe][MapSpace.Slot.spatialX.rawValue][m])
        // GlobalBuffer keeps Inputs and Outputs only.
        let glb = try #require(names.firstIndex(of: "GlobalBuffer"))
        #expect(space.keeps[glb] == [1, 2])
    }

    @Test func unsupportedConstraintIsNamed() throws {
        let error = #expect(throws: ConfigError.self) {
            try load(editing: { $0.replacingOccurrences(of: "architecture_constraints:\n  targets:\n", with: "architecture_constraints:\n  targets:\n  - target: DRAM\n    type: no_link_transfer\n    keep: [Inputs]\n") })
        }
        #expect(error?.message == "not supported: constraint type `no_link_transfer` at architecture_constraints.targets[0].type")
        let misplaced = #expect(throws: ConfigError.self) {
            try load(editing: { $0.replacingOccurrences(of: "architecture_constraints:\n  targets:\n", with: "architecture_constraints:\n  targets:\n  - target: DRAM\n    type: temporal\n    min: 0.5\n") })
        }
        #expect(misplaced?.message == "`min` does not apply to a temporal constraint; it takes target, type, factors, permutation")
        let misspelt = #expect(throws: ConfigError.self) {
            try load(editing: { $0.replacingOccurrences(of: "architecture_constraints:\n  targets:\n", with: "architecture_constraints:\n  targets:\n  - target: DRAM\n    type: temporl\n    permutation: N\n") })
        }
        #expect(misspelt?.message == "unknown constraint type `temporl`; did you mean `temporal`?")
        #expect(misspelt?.keyPath == "architecture_constraints.targets[0].type")
    }

    static let mapspaceHeader = "mapspace:\n  version: '0.4'\n"

    /// `mapspace_constraints` add to the architecture's: a bound (`M<=4`), a fixed factor and a
    /// minimum parallelism, and the search keeps all three.
    @Test func mapspaceConstraintsAreMergedAndKept() throws {
        let space = try load(editing: {
            $0.replacingOccurrences(of: Self.mapspaceHeader, with: """
                mapspace_constraints:
                  targets:
                  - target: GlobalBuffer
                    type: temporal
                    factors: M <= 4, C=1
                  - target: PEWeightRegs
                    type: utilization
                    min: 0.5

                """ + Self.mapspaceHeader)
        })
        let names = space.hardware.storage.map(\.name)
        let glb = try #require(names.firstIndex(of: "GlobalBuffer"))
        let m = try #require(space.problem.dimensionIndex("M")), c = try #require(space.problem.dimensionIndex("C"))
        #expect(space.maxFactor[glb][0][m] == 4)
        #expect(space.fixed[glb][0][c] == 1)
        #expect(space.minimumParallelism == 0.5)
        #expect(space.innermostOrder[glb] == [space.problem.dimensionIndex("N")!])  // the architecture's permutation stays
        let result = MapSearch(space: space).run(budget: 3000, threads: 1, seed: 1)
        let mapping = try #require(result.mapping)
        let glbLoops = mapping.levels[glb].temporal
        #expect(glbLoops.allSatisfy { $0.dimension != c })
        #expect(glbLoops.filter { $0.dimension == m }.allSatisfy { $0.bound <= 4 })
        // Cumulative spatial utilization: used over available fan-out at every level that fans out.
        var utilization = 1.0
        for level in mapping.levels.indices {
            let fanout = space.hardware.fanout(of: level)
            guard fanout.x * fanout.y > 1 else { continue }
            utilization *= Double(mapping.levels[level].fanoutX * mapping.levels[level].fanoutY) / Double(fanout.x * fanout.y)
        }
        #expect(utilization >= 0.5)
    }

    @Test func respecifiedConstraintIsRefused() throws {
        let error = #expect(throws: ConfigError.self) {
            try load(editing: {
                $0.replacingOccurrences(of: Self.mapspaceHeader, with: "mapspace_constraints:\n- target: GlobalBuffer\n  type: temporal\n  permutation: NM\n" + Self.mapspaceHeader)
            })
        }
        #expect(error?.keyPath == "mapspace_constraints[0].permutation")
        #expect(error?.message.hasPrefix("re-specification of temporal permutation at GlobalBuffer (first given at architecture_constraints.targets[2].permutation, line ") == true)
        let misplaced = #expect(throws: ConfigError.self) {
            try load(editing: {
                $0.replacingOccurrences(of: Self.mapspaceHeader, with: "mapspace_constraints:\n- target: GlobalBuffer\n  type: utilization\n  min: 0.5\n" + Self.mapspaceHeader)
            })
        }
        #expect(misplaced?.message == "parallelism can only be constrained at the innermost storage level (PEWeightRegs), not at GlobalBuffer")
        let badFactor = #expect(throws: ConfigError.self) {
            try load(editing: {
                $0.replacingOccurrences(of: Self.mapspaceHeader, with: "mapspace_constraints:\n- target: DRAM\n  type: temporal\n  factors: M=5\n" + Self.mapspaceHeader)
            })
        }
        #expect(badFactor?.message == "factor M=5 does not divide M = 64")
        let zeroBound = #expect(throws: ConfigError.self) {
            try load(editing: {
                $0.replacingOccurrences(of: Self.mapspaceHeader, with: "mapspace_constraints:\n- target: DRAM\n  type: temporal\n  factors: M<=0\n" + Self.mapspaceHeader)
            })
        }
        #expect(zeroBound?.message == "`M<=0` is not a dimension followed by a factor (`M=4`, `M<=4`, or `M=0` for the whole dimension)")
    }

    /// A level whose keep/bypass the constraints leave open is searched: removing the
    /// GlobalBuffer's bypass entry frees its three data spaces.
    @Test func openKeepsAreSearched() throws {
        let space = try load(editing: {
            $0.replacingOccurrences(of: "  - keep:\n    - Inputs\n    - Outputs\n    bypass:\n    - Weights\n    type: bypass\n    target: GlobalBuffer\n", with: "")
        })
        let glb = try #require(space.hardware.storage.map(\.name).firstIndex(of: "GlobalBuffer"))
        #expect(space.freeKeeps[glb] == [0, 1, 2])
        #expect(space.freeKeeps.last == [])
        let result = MapSearch(space: space).run(budget: 3000, threads: 1, seed: 2)
        let mapping = try #require(result.mapping)
        let walked = CostModel(hardware: space.hardware, problem: space.problem).evaluateByNestWalk(mapping)
        #expect(walked.cycles == result.summary?.cycles)
    }

    @Test func keptAndBypassedConstraintIsRefused() throws {
        let error = #expect(throws: ConfigError.self) {
            try load(editing: { $0.replacingOccurrences(of: "architecture_constraints:\n  targets:\n", with: "architecture_constraints:\n  targets:\n  - target: DRAM\n    type: bypass\n    keep: [Inputs]\n    bypass: [Inputs]\n") })
        }
        #expect(error?.message == "`Inputs` is both kept and bypassed")
    }

    @Test func unknownConstraintTargetIsNamed() throws {
        let error = #expect(throws: ConfigError.self) {
            try load(editing: { $0.replacingOccurrences(of: "architecture_constraints:\n  targets:\n", with: "architecture_constraints:\n  targets:\n  - target: DRAMM\n    type: temporal\n    permutation: N\n") })
        }
        #expect(error?.message.hasPrefix("unknown target `DRAMM`") == true)
    }
}

@Suite struct LoopNestTextTests {
    @Test func printsLevelsOuterToInnerWithTiles() throws {
        let input = try TimeloopFixtureTests.load("m02_conv1d_oc_2level_tiled")
        let evaluation = CostModel(hardware: input.hardware, problem: input.problem).evaluate(input.mapping)
        let text = LoopNestText.render(input.mapping, hardware: input.hardware, problem: input.problem, evaluation: evaluation)
        #expect(text == """
        MainMemory [ Weights:96 Inputs:18 Outputs:512 ]
        -----------------------------------------------
        | for K in [0:16)
        |   for P in [0:16)

        Buffer [ Weights:6 Inputs:3 Outputs:2 ]
        ---------------------------------------
        |     for K in [0:2)
        |       for R in [0:3)

        |         << Compute >>
        """)
    }
}
