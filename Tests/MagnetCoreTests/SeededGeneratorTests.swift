import Testing
@testable import MagnetCore

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameSequence() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        let first = (0..<100).map { _ in a.next() }
        let second = (0..<100).map { _ in b.next() }
        #expect(first == second)
    }

    @Test func differentSeedsDiffer() {
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 2)
        #expect((0..<8).map { _ in a.next() } != (0..<8).map { _ in b.next() })
    }

    @Test func uniformEnoughForSampling() {
        var generator = SeededGenerator(seed: 7)
        var counts = Array(repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[Int.random(in: 0..<10, using: &generator)] += 1 }
        // Each bucket expects 10,000; 5 standard deviations is ±474.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
    }
}
