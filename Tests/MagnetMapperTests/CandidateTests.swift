import Testing
@testable import MagnetCore
@testable import MagnetMapper

/// A candidate's storage: loop orders in one flat array and keeps as bit masks, copied into
/// another candidate's storage in place (``Candidate/assign(_:)``) without touching a copy that
/// shares it, and read back as the mapping it stands for.
@Suite struct CandidateTests {
    /// Random candidates of a template space whose global buffer may keep or bypass outputs.
    static func candidates(count: Int, seed: UInt64) throws -> [Candidate] {
        let space = try simbaLikeSpace(layer: "layer2.0.conv2")
        #expect(!space.keepChoices.isEmpty, "the template leaves a keep open")
        let sampler = CandidateSampler(space: space)
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in sampler.random(using: &generator) }
    }

    @Test func assignCopiesEverythingAndLeavesSharedCopiesAlone() throws {
        let drawn = try Self.candidates(count: 40, seed: 3)
        #expect(Set(drawn.map(\.keepMasks)).count > 1, "both keep choices drawn")
        for (target, source) in zip(drawn, drawn.dropFirst()) {
            var written = target
            let sharing = written  // shares the storage `assign` writes into
            written.assign(source)
            #expect(written == source)
            #expect(written.mapping() == source.mapping())
            #expect(sharing == target, "a copy sharing the storage changed")
            #expect(sharing.mapping() == target.mapping())
        }
    }

    @Test func ordersAndKeepsReadBackAsTheMapping() throws {
        for candidate in try Self.candidates(count: 20, seed: 5) {
            let mapping = candidate.mapping()
            #expect(Candidate(mapping, dimensions: candidate.dimensions) != nil)
            for level in mapping.levels.indices {
                let order = Array(candidate.order(level))
                #expect(order.sorted() == Array(0..<candidate.dimensions), "every dimension once")
                #expect(order.map { candidate.loop(level, at: order.firstIndex(of: $0)!) } == order)
                let looped = order.filter { candidate.factor(level, 0, $0) > 1 }
                #expect(mapping.levels[level].temporal.map(\.dimension) == looped)
                #expect(mapping.levels[level].keeps == candidate.keeps[level])
            }
        }
    }

    @Test func swapsAndFlipsChangeOneLevel() throws {
        let candidate = try #require(try Self.candidates(count: 1, seed: 9).first)
        let level = 1, dataSpace = 2
        var swapped = candidate
        swapped.swapLoops(level, 0, 3)
        #expect(swapped.loop(level, at: 0) == candidate.loop(level, at: 3))
        #expect(swapped.loop(level, at: 3) == candidate.loop(level, at: 0))
        for other in 0..<candidate.keepMasks.count where other != level {
            #expect(swapped.order(other) == candidate.order(other))
        }
        var flipped = candidate
        flipped.flipKeep(level, dataSpace)
        #expect(flipped.keeps[level].symmetricDifference(candidate.keeps[level]) == [dataSpace])
        #expect(flipped.mapping().levels[level].keeps == flipped.keeps[level])
        flipped.flipKeep(level, dataSpace)
        #expect(flipped == candidate)
    }
}
