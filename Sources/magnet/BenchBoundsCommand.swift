import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetMapper
import MagnetWorkload

extension BenchCommand {
    /// `magnet bench bounds`: the optimal search's lower bounds against the cost model, at scale.
    struct Bounds: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the optimal search's lower bounds against the cost model on many random mappings, and time them.",
            discussion: """
            For every Timeloop fixture architecture (both halo rules) and the Simba-like template under every dataflow (ResNet-50's layer shapes, mappings drawn from the template's map space), draws random valid mappings and compares the bound of every partial decision on the way to each mapping with the mapping's exact energy and cycles. The sampled search's screen sees the same mappings, and those drawn that do not fit, in batches: its bound may not exceed the model either, and its fit verdict must be the evaluator's. A bound above the model (or a wrong verdict) is a bug: the command lists it and exits with status 1. Also reports bounds computed per second per core.

            Example:
              swift build -c release && .build/release/magnet bench bounds --mappings 200
            """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Folder of the Timeloop reference cases.")
        var fixtures = "Tests/MagnetMapperTests/Fixtures/timeloop-cases"
        @Option(help: "The template design whose dataflows are audited.")
        var design = "examples/simba-like.yaml"
        @Option(help: "Random valid mappings per architecture, halo rule and layer.")
        var mappings = 100
        @Option(help: "Seed of the random mappings.")
        var seed: UInt64 = 1
        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if mappings < 1 { throw ValidationError("--mappings must be at least 1") }
        }

        func run() throws {
            var total = BoundAudit.Report()
            var rows: [JSONValue] = []
            func add(_ label: String, _ report: BoundAudit.Report) {
                total.add(report, label: label)
                rows.append(.object([("case", .string(label)), ("mappings", .int(report.mappings)),
                                     ("bounds", .int(report.bounds)), ("screened", .int(report.screened)),
                                     ("violations", .int(report.violations.count))]))
                if !json {
                    let counts = "\(report.mappings) mappings, \(NumberText.grouped(report.bounds)) bounds, "
                        + "\(NumberText.grouped(report.screened)) screened"
                    print("\(label): \(counts), \(report.violations.count) above the model")
                }
            }
            let folder = URL(fileURLWithPath: fixtures)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            for name in names {
                let directory = folder.appendingPathComponent(name)
                let ert = directory.appendingPathComponent("ERT.yaml").path
                let mapperInput = directory.appendingPathComponent("mapper-input.yaml").path
                let input: TimeloopCase
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("input.yaml").path) {
                    input = try TimeloopInput.load(input: directory.appendingPathComponent("input.yaml").path, ert: ert)
                } else if FileManager.default.fileExists(atPath: mapperInput) {
                    input = try TimeloopInput.loadForMapping(input: mapperInput, ert: ert)
                } else {
                    continue
                }
                for halo in CostModel.HaloReuse.allCases {
                    let report = BoundAudit.run(hardware: input.hardware, problem: input.problem,
                                                keeps: input.mapping.levels.map(\.keeps), haloReuse: halo,
                                                count: mappings, seed: seed)
                    add("\(name) \(halo.rawValue)", report)
                }
            }
            var point = try DesignFile.load(path: design)
            let network = try NetworkFile.resolve("resnet50")
            for dataflow in Dataflow.allCases {
                for depth in [1, 4] {
                    point.dataflow = dataflow
                    point.weightCollectorDepth = depth
                    point.accumulationCollectorDepth = depth
                    let hardware = try point.elaborate()
                    var audited = BoundAudit.Report()
                    for (index, shape) in network.uniqueShapes.enumerated() {
                        let layer = shape.representative
                        let space = MapSpace.template(design: point, hardware: hardware, layer: layer)
                        let report = BoundAudit.run(hardware: hardware, problem: layer.problem, space: space,
                                                    count: max(1, mappings / 10), seed: seed &+ UInt64(index))
                        audited.add(report, label: layer.name)
                    }
                    add("\(point.name) \(dataflow.rawValue) collectors \(depth)", audited)
                }
            }
            let rate = total.boundsPerSecond
            if json {
                print(JSONValue.object([("mappings", .int(total.mappings)), ("bounds", .int(total.bounds)),
                                        ("screened", .int(total.screened)), ("violations", .int(total.violations.count)),
                                        ("bounds_per_second_per_core", .double(rate)), ("cases",
                                                                                        .array(rows))]).rendered())
            } else {
                let counts = "\(total.mappings) mappings, \(NumberText.grouped(total.bounds)) bounds, "
                    + "\(NumberText.grouped(total.screened)) screened"
                let speed = "\(NumberText.grouped(Int(rate))) bounds/s/core"
                print("in all: \(counts), \(total.violations.count) above the model; \(speed)")
                for violation in total.violations.prefix(5) { print("  \(violation)") }
            }
            if !total.violations.isEmpty { throw ExitCode(1) }
        }
    }
}
