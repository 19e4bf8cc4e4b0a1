import Foundation
import MagnetCore
import Testing
@testable import MagnetDesigner

@Suite struct SRAMMacroTableTests {
    let table = SRAMMacroTable.cacti7
    let header = "node_nm,vdd_V,capacity_bytes,width_bits,read_energy_pJ,write_energy_pJ,leakage_mW,area_mm2,"
        + "cycle_time_ns"

    /// The bundled rows, read back from the file itself.
    typealias Row = (node: Int, bytes: Double, width: Int, read: Double, write: Double, leak: Double, area: Double)

    func rows() throws -> [Row] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/MagnetDesigner/Technology/sram-cacti7.csv")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.hasPrefix("node_nm") }
            .map { line in
                let f = line.split(separator: ",").map { Double($0)! }
                return (Int(f[0]), f[2], Int(f[3]), f[4], f[5], f[6], f[7])
            }
    }

    @Test func everyCACTIRowIsReturnedExactly() throws {
        let rows = try rows()
        #expect(rows.count == 212)
        #expect(Set(rows.map(\.node)) == [22, 32, 45, 65])
        for row in rows {
            let macro = table.macro(node: row.node, capacityBytes: row.bytes, widthBits: row.width)
            #expect(close(macro.readEnergyPJ, row.read, relative: 1e-12), "\(row)")
            #expect(close(macro.writeEnergyPJ, row.write, relative: 1e-12), "\(row)")
            #expect(close(macro.leakageMW, row.leak, relative: 1e-12), "\(row)")
            #expect(close(macro.areaMM2, row.area, relative: 1e-12), "\(row)")
        }
        #expect(table.nodes[22]?.vddV == 0.8 && table.nodes[45]?.vddV == 1.1)
    }

    /// Between rows, log-log: 6 KiB × 64 bits at 22 nm lies between 4 KiB (1.17092 pJ) and 8 KiB
    /// (1.59026 pJ) at t = log₂ 1.5 = 0.58496: 1.17092^0.41504 · 1.59026^0.58496 = 1.40053 pJ.
    /// 4 KiB × 96 bits, between 64 (1.17092) and 128 bits (1.5901): 1.40045 pJ.
    @Test func betweenRowsIsLogLog() {
        #expect(close(table.macro(node: 22, capacityBytes: 6144, widthBits: 64).readEnergyPJ, 1.400531, relative: 1e-5))
        #expect(close(table.macro(node: 22, capacityBytes: 4096, widthBits: 96).readEnergyPJ, 1.400448, relative: 1e-5))
    }

    /// Interpolation follows CACTI's steps closely: 16 KiB × 64 at 22 nm interpolated from 8 and
    /// 32 KiB alone is √(1.59026 · 3.78646) = 2.4539 pJ per read against CACTI's 2.6436 (−7.2%),
    /// writes +2.9%, area −14%; the smooth fit `a + b·√C` this table replaces was off by 19% RMS.
    @Test func aRowLeftOutIsInterpolatedFromItsNeighbours() throws {
        let kept = try rows().filter { !($0.node == 22 && $0.bytes == 16384) }
        let text = ([header] + kept.map { "\($0.node),0.8,\($0.bytes),\($0.width),\($0.read),\($0.write),"
                                          + "\($0.leak),\($0.area),1" })
            .joined(separator: "\n")
        let thinned = try SRAMMacroTable(csv: text, file: "thinned.csv")
        let macro = thinned.macro(node: 22, capacityBytes: 16384, widthBits: 64)
        #expect(close(macro.readEnergyPJ, 2.453865, relative: 1e-5))
        #expect(close(macro.readEnergyPJ / 2.6436, 1 - 0.0718, relative: 1e-3))
        #expect(close(macro.writeEnergyPJ, 2.344989, relative: 1e-5))
        #expect(close(macro.areaMM2, 0.01293266, relative: 1e-5))
    }

    /// Narrower than 64 bits: the same words at 64 bits, prorated. A 24-bit × 128-word array
    /// (384 B) is 24/64 of 64 × 128 (1 KiB, 0.380161 pJ): 0.142560 pJ; CACTI itself gives 0.172121
    /// for that macro (−17%). 24 × 256 words: 0.243107 against CACTI's 0.231658 (+4.9%).
    @Test func narrowArraysAreProratedFromTheSameDepth() {
        #expect(close(table.macro(node: 22, capacityBytes: 384, widthBits: 24).readEnergyPJ, 0.142560, relative: 1e-5))
        #expect(close(table.macro(node: 22, capacityBytes: 768, widthBits: 24).readEnergyPJ, 0.243107, relative: 1e-5))
        // Wider than 512 bits: two 512-bit halves of the same depth, 2 × (4 KiB × 512) for 8 KiB × 1024.
        let wide = table.macro(node: 45, capacityBytes: 8192, widthBits: 1024)
        let half = table.macro(node: 45, capacityBytes: 4096, widthBits: 512)
        #expect(close(wide.readEnergyPJ, 2 * half.readEnergyPJ) && close(wide.areaMM2, 2 * half.areaMM2))
    }

    /// Below the smallest macro at a width, that macro (512 B at 64 bits); beyond 4 MiB, along
    /// the line through 2 and 4 MiB: 8 MiB reads cost 4 MiB's times its ratio to 2 MiB's.
    @Test func outsideTheCapacityRange() {
        let smallest = table.macro(node: 45, capacityBytes: 512, widthBits: 64)
        #expect(table.macro(node: 45, capacityBytes: 64, widthBits: 64) == smallest)
        let two = table.macro(node: 45, capacityBytes: 2 * 1_048_576, widthBits: 64)
        let four = table.macro(node: 45, capacityBytes: 4 * 1_048_576, widthBits: 64)
        let eight = table.macro(node: 45, capacityBytes: 8 * 1_048_576, widthBits: 64)
        #expect(close(eight.readEnergyPJ, four.readEnergyPJ * four.readEnergyPJ / two.readEnergyPJ, relative: 1e-9))
        #expect(eight.areaMM2 > four.areaMM2)
    }

    @Test func badRowsAreLocated() {
        let badNumber = #expect(throws: ConfigError.self) {
            try SRAMMacroTable(csv: "# c\n\(header)\n22,0.8,512,64,x,1,1,1,1\n", file: "t.csv")
        }
        #expect(badNumber?.description == "t.csv:3: `read_energy_pJ` is not a non-negative number: `x`")
        let badHeader = #expect(throws: ConfigError.self) { try SRAMMacroTable(csv: "node,vdd\n", file: "t.csv") }
        #expect(badHeader?.description.hasPrefix("t.csv:1: expected the columns node_nm,vdd_V,") == true)
        let short = #expect(throws: ConfigError.self) {
            try SRAMMacroTable(csv: "\(header)\n22,0.8,512\n", file: "t.csv")
        }
        #expect(short?.description == "t.csv:2: expected 9 fields, found 3")
    }
}
