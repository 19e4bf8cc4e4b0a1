import Foundation
import MagnetCore
import Testing
@testable import MagnetDesigner

@Suite(.enabled(if: rtlToolsAvailable, "needs yosys, verilator and iverilog (make test installs them)"))
struct RequantizerRTLTests {
    static let configurations: [(lanes: Int, accumulator: Int, output: Int)] = [
        (8, 24, 8),    // Simba-like
        (4, 16, 4),    // int4 activations
        (2, 40, 16),   // int16 activations, a wide accumulator
    ]

    func emitter(_ index: Int) -> RequantizerEmitter {
        let c = Self.configurations[index]
        return RequantizerEmitter(lanes: c.lanes, accumulationBits: c.accumulator, outputBits: c.output)
    }

    /// A self-checking testbench: random sums (the extremes of the accumulator among them),
    /// scales, shifts over their whole range and ReLU, expected outputs from
    /// ``Requantization/output(ofSum:outputBits:)``.
    func bench(_ emitter: RequantizerEmitter, vectors: Int, seed: UInt64) throws -> RTLBench {
        let bench = try RTLBench([emitter.emit()])
        var generator = SeededGenerator(seed: seed)
        let ab = emitter.accumulationBits, maximumShift = Requantization.maximumShift(accumulationBits: ab)
        let extremes = [-(1 << (ab - 1)), (1 << (ab - 1)) - 1, 0, -1, 1]
        var body = ""
        for vector in 0..<vectors {
            let sums = (0..<emitter.lanes).map { lane in
                Int.random(in: 0..<4, using: &generator) == 0
                    ? extremes[(vector + lane) % extremes.count] : randomSigned(ab, using: &generator)
            }
            let requantization = Requantization(
                scale: vector % 7 == 0 ? (1 << Requantization.scaleBits) - 1 : Int.random(in: 1..<(1 << 16), using: &generator),
                shift: vector % 5 == 0 ? maximumShift : Int.random(in: 0...maximumShift, using: &generator),
                relu: Bool.random(using: &generator))
            let outputs = sums.map { requantization.output(ofSum: $0, outputBits: emitter.outputBits) }
            body += """
                    sums = \(packed(sums, ab)); scale = \(requantization.scale); shift = \(requantization.shift);
                    relu = \(requantization.relu ? 1 : 0); #1;
                    if (outputs !== \(packed(outputs, emitter.outputBits))) begin
                        $display("MISMATCH vector \(vector): got %h", outputs); errors = errors + 1;
                    end
                    checks = checks + 1;

            """
        }
        try bench.writeTestbench(declarations: """
                reg [\(emitter.lanes * ab - 1):0] sums;
                reg [\(Requantization.scaleBits - 1):0] scale;
                reg [\(Requantization.shiftBits - 1):0] shift;
                reg relu;
                wire [\(emitter.lanes * emitter.outputBits - 1):0] outputs;
                \(RequantizerEmitter.moduleName) dut (.sums(sums), .scale(scale), .shift(shift), .relu(relu), .outputs(outputs));
            """, body: body)
        return bench
    }

    @Test(arguments: 0..<3)
    func simulatesBitExactUnderIverilog(_ index: Int) throws {
        let output = try bench(emitter(index), vectors: 300, seed: UInt64(index + 1)).simulate()
        #expect(output.contains("PASS 300 checks"), "\(output.prefix(2000))")
    }

    @Test(arguments: 0..<3)
    func lintsCleanAndSynthesizesWithoutLatches(_ index: Int) throws {
        let bench = try bench(emitter(index), vectors: 1, seed: 1)
        bench.expectLintCleanAndSynthesizes(top: RequantizerEmitter.moduleName)
    }
}
