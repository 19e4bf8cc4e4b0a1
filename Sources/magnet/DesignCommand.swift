import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner

/// `magnet design`: inspect and check design points.
struct DesignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "design",
        abstract: "Show or validate an accelerator design point (a YAML/JSON file; keys in docs/template.md).",
        discussion: """
        Examples:
          magnet design show examples/simba-like.yaml
          magnet design show examples/simba-like.yaml --json
          magnet design validate my-design.yaml
        """,
        subcommands: [Show.self, Validate.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Elaborate a design: per-level table, MAC count, peak TOPS, area breakdown, TOPS/mm².",
            discussion: "Example:\n  magnet design show examples/simba-like.yaml --json")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The design file (YAML or JSON).")
        var file: String
        @Flag(help: "Print the elaborated hardware as JSON.")
        var json = false

        func run() throws {
            let log = global.logger("magnet.design")
            let point = try DesignFile.load(path: file)
            log.debug("loaded design \(point.name) from \(file)")
            let report = try DesignReport(point: point)
            if json {
                print(report.json.rendered())
            } else {
                print(DesignText.render(report))
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a design file; print every problem with its file, line and key.",
            discussion: "Exits 0 and prints `ok` when the design is valid, 1 otherwise.\n\nExample:\n  magnet design validate examples/simba-like.yaml")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The design file (YAML or JSON).")
        var file: String

        func run() throws {
            _ = global.logger("magnet.design")
            let problems = try DesignFile.problems(path: file)
            if problems.isEmpty {
                print("\(file): ok")
                return
            }
            for problem in problems {
                FileHandle.standardError.write(Data("error: \(problem.description)\n".utf8))
            }
            throw ExitCode.failure
        }
    }
}

/// The text form of `magnet design show`.
enum DesignText {
    /// The DRAM: its type, channels and energy per bit with their source, or the table's energy.
    static func dramLine(_ p: DesignPoint) -> String {
        let bandwidth = "DRAM \(NumberText.compact(p.dramBandwidthGBps)) GB/s"
        guard let dram = p.dram else {
            let priced = p.dramEnergyPJPerBit == nil ? "the \(p.technology) table's" : "the design's"
            return bandwidth + " at \(priced) energy per bit (no `dram` type)"
        }
        let channels = p.dramChannels ?? 1
        return bandwidth + " of \(channels) \(dram.rawValue) channel\(channels == 1 ? "" : "s") "
            + "(\(NumberText.compact(dram.channelBandwidthGBps)) GB/s peak each), "
            + "read \(NumberText.fixed(dram.pJPerBit(of: .read), 2)) / "
            + "write \(NumberText.fixed(dram.pJPerBit(of: .write), 2)) pJ/bit "
            + "(\(dram.source))"
    }

    static func render(_ report: DesignReport) -> String {
        let p = report.point
        let hw = report.hardware
        var lines: [String] = []
        lines.append("design \(p.name): \(p.technology) at \(NumberText.fixed(report.voltageV, 2)) V, "
                     + "\(NumberText.fixed(p.clockGHz, 2)) GHz, dataflow \(p.dataflow.rawValue)")
        lines.append("  PE array \(p.peRows) × \(p.peColumns) = \(p.numPEs) PEs, \(p.lanes) lanes × \(p.vectorSize)-wide vector MACs per PE")
        let datapath = p.datapathFormats
        lines.append("  \(NumberText.grouped(p.macCount)) MACs (\(datapath.weights.rawValue) × \(datapath.inputs.rawValue), \(p.accumulationBits)-bit accumulation), \(NumberText.fixed(hw.compute.energyPerMACPJ, 4)) pJ per MAC")
        if !p.layerFormats.isEmpty {
            let rules = p.layerFormats.map { rule in
                "\(rule.layers): \((rule.weightFormat ?? p.weightFormat).rawValue) × "
                    + "\((rule.activationFormat ?? p.activationFormat).rawValue)"
            }
            lines.append("  layer formats: " + rules.joined(separator: "; ") + "; other layers \(p.weightFormat.rawValue) × "
                         + "\(p.activationFormat.rawValue) (a narrower layer's values are packed in the memories' words)")
        }
        lines.append("  " + DesignText.dramLine(p))
        lines.append("  peak \(NumberText.fixed(report.peakTOPS, 2)) TOPS, area \(NumberText.fixed(report.areaMM2, 3)) mm², \(NumberText.fixed(report.peakTOPSPerMM2, 2)) TOPS/mm² (cells, SRAM and placement; docs/technology.md)")
        let leakage = NumberText.fixed(hw.logicLeakagePJPerCycle, 4)
        lines.append("  every cycle: clock \(NumberText.fixed(hw.clockPJPerCycle, 3)) pJ (the logic's flip-flops; "
                     + "collectors are clock-gated), logic leakage \(leakage) pJ (docs/technology.md)")
        lines.append("  every output: requantizer \(NumberText.fixed(hw.postProcessingPJPerOutput, 4)) pJ")
        lines.append("")
        var table = TextTable(["level", "keeps", "inst", "fanout", "capacity", "word", "block", "read pJ", "write pJ", "update pJ", "leak pJ/cyc", "area mm²"],
                              alignments: [.left, .left, .right, .right, .right, .right, .right, .right, .right, .right, .right, .right])
        for (index, level) in hw.storage.enumerated() {
            let fanout = hw.fanout(of: index)
            let capacity = level.capacityBytes.map(NumberText.bytes) ?? "unbounded"
            table.append([level.name, level.keeps.sorted().map { String($0.prefix(1)) }.joined(), String(level.instances),
                          "\(fanout.x)×\(fanout.y)", capacity, "\(level.wordBits)b", String(level.blockSize),
                          NumberText.fixed(level.readEnergyPJ, 3), NumberText.fixed(level.writeEnergyPJ, 3),
                          NumberText.fixed(level.updateEnergyPJ, 3), NumberText.fixed(level.leakagePJPerCycle, 5),
                          level.technology == .dram ? "off-chip" : NumberText.fixed(level.areaUM2 * Double(level.instances) / 1e6, 4)])
        }
        lines.append(table.rendered())
        lines.append("  keeps: W = Weights, I = Inputs, O = Outputs; energies per access of one block; levels inner to outer")
        lines.append("")
        lines.append("area breakdown:")
        for part in report.areaBreakdownMM2 {
            let share = part.areaMM2 / report.areaMM2 * 100
            lines.append("  \(part.component.padding(toLength: 22, withPad: " ", startingAt: 0)) \(NumberText.fixed(part.areaMM2, 4)) mm²  \(NumberText.fixed(share, 1))%")
        }
        return lines.joined(separator: "\n")
    }
}
