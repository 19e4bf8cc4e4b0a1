import MagnetDesigner
import Testing

/// ``LibertyLibrary`` and ``CellLeakage``: a netlist's cell counts priced by the library's
/// `cell_leakage_power`, flip-flops apart.
@Suite struct LibertyLibraryTests {
    /// Two combinational cells and a flip-flop, leakage in pW, one name quoted, a state-dependent
    /// leakage group that is not the cell's figure, and a cell that states no area.
    static let library = """
        library (tiny) {
          leakage_power_unit : "1pW";
          nom_voltage : 1.10;
          cell (NAND2_X1) {
            area : 0.798;
            cell_leakage_power : 20000.5;
            leakage_power () { when : "!A1 & !A2"; value : 9999; }
            pin (A1) { direction : input; capacitance : 1.5; }
          }
          cell ("INV_X1") {
            area : 0.532;
            cell_leakage_power : 14000;
          }
          cell (DFF_X1) {
            area : 4.522;
            cell_leakage_power : 79112;
          }
          cell (NO_AREA) {
            cell_leakage_power : 5000;
          }
        }
        """

    @Test func readsEachCellsLeakageInNanowattsAndItsArea() throws {
        let cells = try LibertyLibrary(text: Self.library)
        #expect(cells.nominalVoltageV == 1.10)
        #expect(cells.cells["NAND2_X1"] == .init(leakageNW: 20.0005, areaUM2: 0.798))
        #expect(cells.cells["INV_X1"] == .init(leakageNW: 14, areaUM2: 0.532))
        #expect(cells.cells["DFF_X1"] == .init(leakageNW: 79.112, areaUM2: 4.522))
        #expect(cells.cells.count == 3, "a cell without an area is not priced: \(cells.cells.keys.sorted())")
        #expect(cells.leakage(of: ["NO_AREA": 1]).unpriced == ["NO_AREA"])
    }

    /// By hand: 10 NAND2 (200.005 nW, 7.98 µm²) and 4 INV (56 nW, 2.128 µm²) are 256.005 nW over
    /// 10.108 µm²; 3 flip-flops 237.336 nW; the submodule instance is not priced.
    @Test func leakageSplitsFlipFlopsFromTheOtherCells() throws {
        let cells = try LibertyLibrary(text: Self.library)
        let leakage = cells.leakage(of: ["NAND2_X1": 10, "INV_X1": 4, "DFF_X1": 3, "magnet_pe": 2])
        #expect(abs(leakage.otherNW - 256.005) < 1e-9)
        #expect(abs(leakage.otherAreaUM2 - 10.108) < 1e-9)
        #expect(abs(leakage.flipFlopNW - 237.336) < 1e-9)
        #expect(abs(leakage.totalNW - 493.341) < 1e-9)
        #expect(abs(try #require(leakage.otherNWPerUM2) - 256.005 / 10.108) < 1e-12)
        #expect(leakage.unpriced == ["magnet_pe"])
        #expect(cells.leakage(of: ["DFF_X1": 1]).otherNWPerUM2 == nil)
    }

    @Test func aLibraryWithoutAUnitOrLeakageIsRefused() {
        #expect(throws: LibertyLibrary.ReadError.leakageUnit(line: nil)) {
            try LibertyLibrary(text: "library (x) {\n  cell (A) {\n    cell_leakage_power : 1;\n  }\n}")
        }
        #expect(throws: LibertyLibrary.ReadError.leakageUnit(line: 2)) {
            try LibertyLibrary(text: "library (x) {\n  leakage_power_unit : \"1fW\";\n  cell (A) {\n  }\n}")
        }
        #expect(throws: LibertyLibrary.ReadError.noLeakage) {
            try LibertyLibrary(text: "library (x) {\n  leakage_power_unit : \"1nW\";\n"
                               + "  cell (A) {\n    area : 1;\n  }\n}")
        }
        #expect("\(LibertyLibrary.ReadError.leakageUnit(line: 2))"
                == "line 2: leakage_power_unit is not one of 1pW, 1nW, 1uW, 1mW, 1W")
    }

    /// yosys `stat -liberty` output for a top with one submodule: each module's own cells, and the
    /// flattened totals from the `design hierarchy` section (whose tree lines are not cells).
    @Test func synthesisReportKeepsEachModulesCellsAndTheDesigns() {
        let stat = """
            === sub ===

               Number of wires:                 9
               Number of cells:                 5
                 DFF_X1                         2
                 NAND2_X1                       3

               Chip area for module '\\sub': 11.438000

            === top ===

               Number of cells:                 3
                 INV_X1                         1
                 sub                            2

               Chip area for module '\\top': 0.532000

            === design hierarchy ===

               top                              1
                 sub                            2

               Number of wires:                20
               Number of cells:                11
                 DFF_X1                         4
                 INV_X1                         1
                 NAND2_X1                       6

               Chip area for top module '\\top': 23.408000
            """
        let report = SynthesisReport(yosysStat: stat)
        #expect(report.moduleCells == ["sub": ["DFF_X1": 2, "NAND2_X1": 3], "top": ["INV_X1": 1, "sub": 2]])
        #expect(report.designCells == ["DFF_X1": 4, "INV_X1": 1, "NAND2_X1": 6])
        #expect(report.cells == 11 && report.flipFlops == 4 && report.totalAreaUM2 == 23.408)
        let single = SynthesisReport(yosysStat: "=== top ===\n   Number of cells: 2\n     INV_X1   2\n")
        #expect(single.designCells == ["INV_X1": 2])
    }
}
