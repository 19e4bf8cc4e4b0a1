import Foundation
import MagnetCore

/// What one SRAM macro costs: per access, leakage and area (one bank, one read/write port).
public struct SRAMMacro: Sendable, Equatable {
    /// Energy of one read of the full width (pJ).
    public var readEnergyPJ: Double
    /// Energy of one write of the full width (pJ).
    public var writeEnergyPJ: Double
    /// Leakage power (mW).
    public var leakageMW: Double
    /// Area (mm²).
    public var areaMM2: Double
    /// Shortest cycle (ns).
    public var cycleTimeNS: Double

    /// Every figure multiplied by `factor` (a macro `factor` times as wide, or a fraction of one).
    func scaled(by factor: Double) -> SRAMMacro {
        SRAMMacro(readEnergyPJ: readEnergyPJ * factor, writeEnergyPJ: writeEnergyPJ * factor,
                  leakageMW: leakageMW * factor, areaMM2: areaMM2 * factor, cycleTimeNS: cycleTimeNS)
    }
}

/// SRAM macros characterised by CACTI 7 at a few nodes, and the rules that give any other shape
/// (bundled `Technology/sram-cacti7.csv`; docs/technology.md, "SRAM from CACTI").
///
/// Inside the table a macro is interpolated log-log in capacity and width between the four
/// macros around it, so it follows CACTI's own steps between array organisations rather than a
/// smooth law. Outside it:
/// - narrower than the narrowest width (64 bits) or wider than the widest (512): the same number
///   of words at that width, prorated by the width ratio (`w/64` of a 64-bit macro);
/// - smaller than the smallest macro CACTI could organise at a width: that smallest macro (the
///   periphery dominates so small an array);
/// - larger than the largest (4 MiB): extrapolated along the line through the two largest.
public struct SRAMMacroTable: Sendable {
    /// One node's macros.
    public struct Node: Sendable {
        /// Feature size (nm).
        public var featureNM: Int
        /// CACTI's supply at this node (V).
        public var vddV: Double
        /// Widths in the table (bits), ascending.
        public var widths: [Int]
        /// For each width, the capacities in the table (bytes, ascending) and their macros.
        public var columns: [Int: [(capacityBytes: Double, macro: SRAMMacro)]]
    }

    /// The nodes in the table, by feature size.
    public var nodes: [Int: Node]

    /// The bundled CACTI 7 table.
    public static let cacti7: SRAMMacroTable = {
        guard let url = Bundle.module.url(forResource: "sram-cacti7", withExtension: "csv", subdirectory: "Technology"),
              let text = try? String(contentsOf: url, encoding: .utf8),
              let table = try? SRAMMacroTable(csv: text, file: url.path) else {
            fatalError("the bundled Technology/sram-cacti7.csv is missing or damaged: reinstall magnet")
        }
        return table
    }()

    /// Reads a table: `#` comment lines, a header, then one macro per line (the bundled file's
    /// columns).
    public init(csv text: String, file: String) throws {
        let columns = ["node_nm", "vdd_V", "capacity_bytes", "width_bits", "read_energy_pJ", "write_energy_pJ",
                       "leakage_mW", "area_mm2", "cycle_time_ns"]
        var header: [String]?
        var nodes: [Int: Node] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: ",").map { String($0) }
            guard let names = header else {
                guard fields == columns else {
                    throw ConfigError(file: file, line: index + 1,
                                      message: "expected the columns \(columns.joined(separator: ","))")
                }
                header = fields
                continue
            }
            guard fields.count == names.count else {
                throw ConfigError(file: file, line: index + 1,
                                  message: "expected \(names.count) fields, found \(fields.count)")
            }
            var values: [Double] = []
            for (name, field) in zip(names, fields) {
                guard let value = Double(field), value.isFinite, value >= 0 else {
                    throw ConfigError(file: file, line: index + 1,
                                      message: "`\(name)` is not a non-negative number: `\(field)`")
                }
                values.append(value)
            }
            let featureNM = Int(values[0]), width = Int(values[3])
            let macro = SRAMMacro(readEnergyPJ: values[4], writeEnergyPJ: values[5], leakageMW: values[6],
                                  areaMM2: values[7], cycleTimeNS: values[8])
            var node = nodes[featureNM] ?? Node(featureNM: featureNM, vddV: values[1], widths: [], columns: [:])
            node.columns[width, default: []].append((values[2], macro))
            nodes[featureNM] = node
        }
        for (featureNM, var node) in nodes {
            node.widths = node.columns.keys.sorted()
            for width in node.widths {
                node.columns[width]?.sort { $0.capacityBytes < $1.capacityBytes }
                if let column = node.columns[width], column.count < 2 {
                    throw ConfigError(file: file,
                                      message: "\(featureNM) nm, \(width) bits: at least two capacities needed")
                }
            }
            guard node.widths.count >= 2 else {
                throw ConfigError(file: file, message: "\(featureNM) nm: at least two widths needed")
            }
            nodes[featureNM] = node
        }
        self.nodes = nodes
    }

    /// The macro of `capacityBytes` and `widthBits` at the table's node `featureNM` (which must
    /// be one of ``nodes``).
    public func macro(node featureNM: Int, capacityBytes: Double, widthBits: Int) -> SRAMMacro {
        guard let node = nodes[featureNM] else { preconditionFailure("no \(featureNM) nm rows in the SRAM table") }
        let width = Double(widthBits)
        let narrowest = Double(node.widths[0]), widest = Double(node.widths[node.widths.count - 1])
        // The same number of words at a width in the table, prorated.
        if width < narrowest {
            return macro(node: node, capacityBytes: capacityBytes * narrowest / width, width: narrowest)
                .scaled(by: width / narrowest)
        }
        if width > widest {
            return macro(node: node, capacityBytes: capacityBytes * widest / width, width: widest)
                .scaled(by: width / widest)
        }
        return macro(node: node, capacityBytes: capacityBytes, width: width)
    }

    /// A macro at a width within the table's range: log-log between the widths around it.
    func macro(node: Node, capacityBytes: Double, width: Double) -> SRAMMacro {
        let upper = node.widths.firstIndex { Double($0) >= width } ?? node.widths.count - 1
        let high = node.widths[upper]
        if Double(high) == width { return macro(column: node.columns[high]!, capacityBytes: capacityBytes) }
        let low = node.widths[upper - 1]
        let fraction = log(width / Double(low)) / log(Double(high) / Double(low))
        return interpolate(macro(column: node.columns[low]!, capacityBytes: capacityBytes),
                           macro(column: node.columns[high]!, capacityBytes: capacityBytes), fraction)
    }

    /// A macro of one width: log-log between the capacities around it; the smallest macro below
    /// the column, extrapolated along the last two above it.
    func macro(column: [(capacityBytes: Double, macro: SRAMMacro)], capacityBytes: Double) -> SRAMMacro {
        if capacityBytes <= column[0].capacityBytes { return column[0].macro }
        let upper = column.firstIndex { $0.capacityBytes >= capacityBytes } ?? column.count - 1
        let (low, high) = (column[upper - 1], column[upper])
        let fraction = log(capacityBytes / low.capacityBytes) / log(high.capacityBytes / low.capacityBytes)
        return interpolate(low.macro, high.macro, fraction)
    }

    /// The log-log interpolation `a^(1−t)·b^t` of every figure (extrapolation for `t > 1`).
    func interpolate(_ a: SRAMMacro, _ b: SRAMMacro, _ t: Double) -> SRAMMacro {
        func between(_ x: Double, _ y: Double) -> Double {
            guard x > 0, y > 0 else { return x + (y - x) * t }
            return exp(log(x) * (1 - t) + log(y) * t)
        }
        return SRAMMacro(readEnergyPJ: between(a.readEnergyPJ, b.readEnergyPJ),
                         writeEnergyPJ: between(a.writeEnergyPJ, b.writeEnergyPJ),
                         leakageMW: between(a.leakageMW, b.leakageMW), areaMM2: between(a.areaMM2, b.areaMM2),
                         cycleTimeNS: between(a.cycleTimeNS, b.cycleTimeNS))
    }
}
