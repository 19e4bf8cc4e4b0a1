import Foundation
import Testing

/// `magnet elaborate --synth-report --liberty`: the RTL mapped onto a real cell library by yosys,
/// each module's cell area beside the area model's.
@Suite struct ElaborateLibertyTests {
    /// A small but complete Liberty library: seven combinational cells ABC can map any logic
    /// onto and one D flip-flop, with areas 1–8; the combinational cells leak 5 nW per µm² of
    /// them, the flip-flop 80 nW.
    static let library = """
        library (small) {
          delay_model : table_lookup;
          time_unit : "1ns";
          voltage_unit : "1V";
          current_unit : "1mA";
          leakage_power_unit : "1nW";
          nom_voltage : 1.1;
          capacitive_load_unit (1, pf);
        \(cell("BUF", 1, ["A"], "A"))
        \(cell("INV", 1, ["A"], "!A"))
        \(cell("NAND2", 2, ["A", "B"], "!(A&B)"))
        \(cell("NOR2", 2, ["A", "B"], "!(A|B)"))
        \(cell("AND2", 3, ["A", "B"], "(A&B)"))
        \(cell("OR2", 3, ["A", "B"], "(A|B)"))
        \(cell("XOR2", 4, ["A", "B"], "(A^B)"))
          cell (DFF) {
            area : 8;
            cell_leakage_power : 80;
            ff (IQ, IQN) { clocked_on : "C"; next_state : "D"; }
            pin (C) { direction : input; clock : true; }
            pin (D) { direction : input; }
            pin (Q) { direction : output; function : "IQ"; }
          }
        }
        """

    static func cell(_ name: String, _ area: Int, _ inputs: [String], _ function: String) -> String {
        "  cell (\(name)) {\n    area : \(area);\n    cell_leakage_power : \(5 * area);\n"
            + inputs.map { "    pin (\($0)) { direction : input; }\n" }.joined()
            + "    pin (Y) { direction : output; function : \"\(function)\"; }\n  }"
    }

    /// ``ElaborateCommandTests/twoPEs`` at 45 nm, the library's node.
    static let design = ElaborateCommandTests.twoPEs + "\ntechnology: 45nm\n"

    /// `magnet elaborate --synth-report --liberty` on ``design`` with `library` written as `name`,
    /// in a folder of its own that is removed afterwards.
    static func elaborateTwoPEs(library: String, named name: String) throws -> CLIRunner.Result {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("magnet-liberty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let design = folder.appendingPathComponent("two-pes.yaml").path
        let liberty = folder.appendingPathComponent(name).path
        try Self.design.write(toFile: design, atomically: true, encoding: .utf8)
        try library.write(toFile: liberty, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("rtl").path
        return try CLIRunner.run(["elaborate", design, "-o", out, "--synth-report", "--liberty", liberty])
    }

    /// The per-module table: every module with its copies (2 PEs × 2 lanes of dot products; the
    /// read-out's requantizer, which the model leaves out),
    /// the copies × areas adding up to yosys's own total for the top, the model's column equal
    /// to `design show`'s figures, and each PE at least its collectors' flip-flops (8 µm² each in
    /// this library: 2 × 4 × 8 weight bits + 2 × 24 partial-sum bits + 4 × 8 input bits).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/yosys"), "needs yosys"))
    func modulesAreMappedOntoTheLibrary() throws {
        let result = try Self.elaborateTwoPEs(library: Self.library, named: "small.lib")
        #expect(result.status == 0, "\(result.stderr)")
        func number(_ text: Substring) -> Double? { Double(text.replacingOccurrences(of: ",", with: "")) }
        var rows: [String: (copies: Int, synthesized: Double, model: Double?)] = [:]
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, fields[0].hasPrefix("magnet_"), let copies = Int(fields[1]),
                  let synthesized = number(fields[2]) else { continue }
            rows[String(fields[0])] = (copies, synthesized, number(fields[3]))
        }
        #expect(Set(rows.keys) == ["magnet_dot", "magnet_pe", "magnet_controller", "magnet_requantize", "magnet_top"],
                "\(result.stdout)")
        #expect(rows["magnet_dot"]?.copies == 4 && rows["magnet_pe"]?.copies == 2)
        let totalLine = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("all cells: ") })
        let total = try #require(number(totalLine.split(separator: " ")[2]))
        let sum = rows.values.reduce(0) { $0 + Double($1.copies) * $1.synthesized }
        #expect(abs(sum - total) <= Double(rows.count), "each module is rounded to 1 µm²: \(sum) vs \(total)")
        #expect(try #require(rows["magnet_pe"]).synthesized >= 8 * 144)
        #expect(rows["magnet_top"]?.model == nil && rows["magnet_requantize"]?.copies == 1)
        // The model's column is the design's own figures at 45 nm (docs/technology.md):
        // a lane 382 + 611 × 3, a PE's control 383.4 + 629 × 2 + 40.5 × 8 plus its collectors'
        // flip-flops (4.522 µm² each), the controller 34,002 + 562.8 × 2, the requantizer 3,578 × 2.
        #expect(rows["magnet_dot"]?.model == (382 + 611 * 3).rounded())
        let control: Double = 383.4 + 629 * 2 + 40.5 * 8, collectors: Double = 4.522 * 144
        #expect(rows["magnet_pe"]?.model == (control + collectors).rounded())
        #expect(rows["magnet_controller"]?.model == (34_002 + 562.8 * 2).rounded())
        #expect(rows["magnet_requantize"]?.model == Double(3_578 * 2))
        // Leakage: each module's own cells at 5 nW/µm² and 80 nW per flip-flop, so at least 5 nW
        // per µm² of its area, at most 10; the design's line splits flip-flops (80 nW each) from
        // the rest (exactly 5 nW/µm²), beside the model's 45 nm density (18,380 pW/µm² at 0.9 V)
        // at the library's 1.1 V: 22.46.
        var leakages: [String: Double] = [:]
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 6, fields[0].hasPrefix("magnet_"), let leakage = number(fields[fields.count - 1]) {
                leakages[String(fields[0])] = leakage
            }
        }
        for (module, row) in rows where module != "magnet_top" {
            let leakage = try #require(leakages[module], "\(result.stdout)")
            #expect(leakage >= 5 * row.synthesized - 1 && leakage <= 10 * row.synthesized + 1, "\(module)")
        }
        let leakageLine = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("leakage on ") })
        let words = leakageLine.split(separator: " ")
        let flipFlops = try #require(words.firstIndex(of: "flip-flops;").flatMap { number(words[$0 - 1]) })
        let flipFlopMicrowatts = try #require(words.firstIndex(of: "µW").flatMap { number(words[$0 + 4]) })
        #expect(leakageLine.contains("µW of it in"), "\(leakageLine)")
        #expect(abs(flipFlopMicrowatts - flipFlops * 0.08) <= 0.05, "\(leakageLine)")
        #expect(leakageLine.contains("at 1.10 V)") && leakageLine.contains("the other cells 5.00 nW/µm²")
                && leakageLine.contains("the model's logic leakage: 22.46 nW/µm² at 1.10 V"), "\(leakageLine)")
        // The model's whole-design leakage: `design show`'s logic leakage and its register levels'
        // leakage × instances, per cycle at 1 GHz (pJ/cycle × GHz = mW), from 0.9 V to 1.1 V.
        let modelLine = try #require(result.stdout.split(separator: "\n")
            .first { $0.hasPrefix("the model's leakage of the same cells at 1.10 V: ") })
        let design = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-\(UUID().uuidString).yaml")
        try Self.design.write(to: design, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: design) }
        let show = try CLIRunner.run(["design", "show", design.path, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let clockGHz = try #require(json["clock_GHz"] as? Double)
        let logic = try #require(json["logic_leakage_pJ_per_cycle"] as? Double) * clockGHz * 1000 * 1.1 / 0.9
        let levels = try #require(json["levels"] as? [[String: Any]])
        let registers = levels.filter { $0["technology"] as? String == "registers" }.reduce(0.0) {
            $0 + ($1["leakage_pJ_per_cycle"] as? Double ?? .nan) * Double($1["instances"] as? Int ?? 0)
        } * clockGHz * 1000 * 1.1 / 0.9
        #expect(registers > 0 && logic > registers)
        let modelWords = modelLine.split(separator: " ")
        let printed = try #require(modelWords.firstIndex(of: "µW").flatMap { number(modelWords[$0 - 1]) })
        #expect(abs(printed - (logic + registers)) <= 0.05, "\(modelLine) against \(logic) + \(registers)")
        let printedLogic = try #require(modelWords.firstIndex(of: "(logic").flatMap { number(modelWords[$0 + 1].dropLast()) })
        let printedRegisters = try #require(modelWords.firstIndex(of: "collectors")
            .flatMap { number(modelWords[$0 + 1].dropLast(2)) })
        #expect(abs(printedLogic - logic) <= 0.05 && abs(printedRegisters - registers) <= 0.05, "\(modelLine)")
    }

    /// A library that states no leakage still maps and reports area; the leakage line says why
    /// it is missing instead of pricing it at zero.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/yosys"), "needs yosys"))
    func aLibraryWithoutLeakageReportsAreaAndSaysSo() throws {
        let stripped = Self.library.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("leakage") }.joined(separator: "\n")
        let result = try Self.elaborateTwoPEs(library: stripped, named: "no-leakage.lib")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("all cells: "), "\(result.stdout)")
        #expect(result.stdout.contains("leakage on no-leakage.lib: not reported (no leakage_power_unit)"),
                "\(result.stdout)")
        let controller = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("magnet_controller") })
        #expect(controller.hasSuffix("—"), "\(controller)")
    }

    @Test func libertyNeedsTheReportAndAReadableFile() throws {
        let out = FileManager.default.temporaryDirectory
            .appendingPathComponent("magnet-liberty-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let alone = try CLIRunner.run(["elaborate", "examples/simba-like.yaml", "-o", out,
                                       "--liberty", "cells.lib"])
        #expect(alone.status == 1 && alone.stderr.contains("error: --liberty goes with --synth-report"),
                "\(alone.stderr)")
        let missing = try CLIRunner.run(["elaborate", "examples/simba-like.yaml", "-o", out, "--synth-report",
                                         "--liberty", "/nonexistent/cells.lib"])
        #expect(missing.status == 1 && missing.stderr.contains("error: --liberty: cannot read /nonexistent/cells.lib"),
                "\(missing.stderr)")
        // A .gz library that is not gzip: one line naming the file and gzip's reason.
        let fake = out + "-cells.lib.gz"
        try "library (x) {}".write(toFile: fake, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: fake) }
        let notGzip = try CLIRunner.run(["elaborate", "examples/simba-like.yaml", "-o", out, "--synth-report",
                                         "--liberty", fake])
        let line = "error: --liberty: cannot decompress \(fake): gzip: \(fake): not in gzip format"
        #expect(notGzip.status == 1 && notGzip.stderr.split(separator: "\n").map(String.init) == [line],
                "\(notGzip.stderr)")
    }
}
