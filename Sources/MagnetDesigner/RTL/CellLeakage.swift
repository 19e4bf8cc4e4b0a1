/// The leakage of a synthesized netlist's cells on a ``LibertyLibrary``, flip-flops apart from
/// the rest (the model prices the two differently: docs/technology.md, "Logic leakage").
public struct CellLeakage: Sendable, Equatable {
    /// Flip-flops' leakage, nW.
    public var flipFlopNW = 0.0
    /// The other cells' leakage, nW.
    public var otherNW = 0.0
    /// The other cells' area, µm².
    public var otherAreaUM2 = 0.0
    /// Cell types the library does not price (submodule instances, black-box macros).
    public var unpriced: Set<String> = []

    /// All of it, nW.
    public var totalNW: Double { flipFlopNW + otherNW }
    /// The other cells' leakage per µm² of them, nW/µm² (`nil` without such cells).
    public var otherNWPerUM2: Double? { otherAreaUM2 > 0 ? otherNW / otherAreaUM2 : nil }
}

extension LibertyLibrary {
    /// The leakage of `cells` (counts by cell type, as ``SynthesisReport/moduleCells`` and
    /// ``SynthesisReport/designCells`` hold them).
    public func leakage(of cells: [String: Int]) -> CellLeakage {
        var result = CellLeakage()
        for (name, count) in cells {
            guard let cell = self.cells[name] else {
                result.unpriced.insert(name)
                continue
            }
            if SynthesisReport.isFlipFlop(name) {
                result.flipFlopNW += Double(count) * cell.leakageNW
            } else {
                result.otherNW += Double(count) * cell.leakageNW
                result.otherAreaUM2 += Double(count) * cell.areaUM2
            }
        }
        return result
    }
}
