import Foundation

/// What a Liberty cell library says about its cells' leakage: each cell's `cell_leakage_power`
/// (the state-averaged leakage a static power analysis sums when no activity is given) and
/// `area`, in the library's `leakage_power_unit`, read once so that a synthesized netlist's cell
/// counts (``SynthesisReport``) can be priced (docs/technology.md, "Logic leakage").
public struct LibertyLibrary: Sendable, Equatable {
    /// One cell's figures.
    public struct Cell: Sendable, Equatable {
        /// `cell_leakage_power`, in nW.
        public var leakageNW: Double
        /// `area`, in the library's area unit (µm² for NanGate45).
        public var areaUM2: Double

        /// A cell's figures.
        public init(leakageNW: Double, areaUM2: Double) {
            self.leakageNW = leakageNW
            self.areaUM2 = areaUM2
        }
    }

    /// The cells that state both figures, by name.
    public var cells: [String: Cell]
    /// `nom_voltage`, when the library states it.
    public var nominalVoltageV: Double?

    /// Why a library cannot be read.
    public enum ReadError: Error, Equatable, CustomStringConvertible {
        /// `leakage_power_unit` is missing or not one of pW, nW, uW, mW, W (line of the unit, if any).
        case leakageUnit(line: Int?)
        /// No cell states `cell_leakage_power`.
        case noLeakage

        public var description: String {
            switch self {
            case .leakageUnit(let line?):
                return "line \(line): leakage_power_unit is not one of 1pW, 1nW, 1uW, 1mW, 1W"
            case .leakageUnit(nil):
                return "no leakage_power_unit"
            case .noLeakage:
                return "no cell states cell_leakage_power"
            }
        }
    }

    /// Reads the library's text: the library-level `leakage_power_unit` and `nom_voltage`, and per
    /// `cell (NAME)` group its first `area` and its `cell_leakage_power` (one statement per line,
    /// as library compilers write them).
    public init(text: String) throws {
        var unitNW: Double?, unitLine: Int?
        var current: String?
        var leakage: [String: Double] = [:], area: [String: Double] = [:]
        nominalVoltageV = nil
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let name = Self.groupName(line, keyword: "cell") {
                current = name
            } else if let value = Self.attribute(line, "cell_leakage_power").flatMap(Double.init), let current {
                leakage[current] = value
            } else if let value = Self.attribute(line, "area").flatMap(Double.init), let current,
                      area[current] == nil {
                area[current] = value
            } else if let value = Self.attribute(line, "leakage_power_unit") {
                unitLine = index + 1
                unitNW = Self.nanowatts[value.replacingOccurrences(of: "\"", with: "")]
            } else if current == nil, let value = Self.attribute(line, "nom_voltage").flatMap(Double.init) {
                nominalVoltageV = value
            }
        }
        guard let unitNW else { throw ReadError.leakageUnit(line: unitLine) }
        cells = [:]
        for (name, value) in leakage {
            if let area = area[name] { cells[name] = Cell(leakageNW: value * unitNW, areaUM2: area) }
        }
        if cells.isEmpty { throw ReadError.noLeakage }
    }

    /// nW per unit of `leakage_power_unit`.
    private static let nanowatts: [String: Double] = ["1pW": 1e-3, "1nW": 1, "1uW": 1e3, "1mW": 1e6, "1W": 1e9]

    /// `value` of a `name : value;` statement.
    private static func attribute(_ line: String, _ name: String) -> String? {
        guard line.hasPrefix(name) else { return nil }
        let rest = line.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
        guard rest.first == ":" else { return nil }
        let value = rest.dropFirst().prefix { $0 != ";" }
        return value.trimmingCharacters(in: .whitespaces)
    }

    /// `NAME` of a `keyword (NAME) {` group, without quotes.
    private static func groupName(_ line: String, keyword: String) -> String? {
        guard line.hasPrefix(keyword) else { return nil }
        let rest = line.dropFirst(keyword.count).drop { $0 == " " || $0 == "\t" }
        guard rest.first == "(", let close = rest.firstIndex(of: ")") else { return nil }
        let name = rest[rest.index(after: rest.startIndex)..<close].trimmingCharacters(in: .whitespaces)
        return name.replacingOccurrences(of: "\"", with: "")
    }
}
