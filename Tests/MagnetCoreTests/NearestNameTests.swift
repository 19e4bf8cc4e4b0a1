import Testing
@testable import MagnetCore

@Suite struct NearestNameTests {
    @Test func editDistanceCountsInsertionsDeletionsSubstitutions() {
        func d(_ a: String, _ b: String) -> Int { NearestName.editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars)) }
        #expect(d("kitten", "sitting") == 3)  // k→s, e→i, +g
        #expect(d("", "abc") == 3)
        #expect(d("numPE", "numPEs") == 1)
        #expect(d("same", "same") == 0)
    }

    @Test func suggestsOnlyPlausibleTypos() {
        let keys = ["numPEs", "lanes", "vectorSize", "weightBuffer"]
        #expect(NearestName.suggestion(for: "numPE", among: keys) == "numPEs")
        #expect(NearestName.suggestion(for: "vectorsize", among: keys) == "vectorSize")
        #expect(NearestName.suggestion(for: "weightbufer", among: keys) == "weightBuffer")
        #expect(NearestName.suggestion(for: "frequency", among: keys) == nil)
    }
}
