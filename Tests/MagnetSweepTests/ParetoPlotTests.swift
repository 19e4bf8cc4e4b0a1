import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MagnetCore
import MagnetStore
import Testing
@testable import MagnetSweep

/// Counts elements by their `class` attribute, checking the document is well-formed XML.
final class ClassCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if let kind = attributes["class"] { counts[kind, default: 0] += 1 }
    }
}

@Suite struct ParetoPlotTests {
    func trial(_ number: Int, energy: Double, latency: Double, state: TrialState = .complete) -> TrialRecord {
        TrialRecord(number: number, params: .object([("n", .int(number))]), state: state,
                    metrics: [("energy_per_inference_uJ", energy), ("latency_ms", latency)])
    }

    @Test func drawsEveryTrialAndHighlightsTheFront() throws {
        // Front (both minimized): 1 (1, 9), 2 (2, 5), 4 (6, 1). Dominated: 3 (4, 6), 5 (7, 7).
        // Infeasible 6 (0.5, 0.5) is drawn as a cross and does not count for the front; failed 7 is not drawn.
        let trials = [trial(1, energy: 1, latency: 9), trial(2, energy: 2, latency: 5), trial(3, energy: 4, latency: 6),
                      trial(4, energy: 6, latency: 1), trial(5, energy: 7, latency: 7),
                      trial(6, energy: 0.5, latency: 0.5, state: .infeasible),
                      TrialRecord(number: 7, params: .object([]), state: .failed)]
        let plot = ParetoPlot(x: ObjectiveSpec(metric: "energy_per_inference_uJ", direction: .minimize),
                              y: ObjectiveSpec(metric: "latency_ms", direction: .minimize))
        let svg = plot.svg(trials, title: "test <study>")
        let counter = ClassCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(counter.counts["front"] == 3)
        #expect(counter.counts["trial"] == 2)
        #expect(counter.counts["infeasible"] == 1)
        #expect(counter.counts["front-line"] == 1)
        #expect(svg.contains("test &lt;study&gt;"))
        #expect(svg.contains("trial 4: energy_per_inference_uJ 6, latency_ms 1"))
    }

    @Test func ticksAreRoundAndCoverTheData() {
        let (ticks, range) = ParetoPlot.ticks(3152, 7462)
        #expect(range.lowerBound <= 3152 && range.upperBound >= 7462)
        #expect(ticks.first == range.lowerBound && ticks.last == range.upperBound)
        #expect(ticks == [3000, 4000, 5000, 6000, 7000, 8000])
        // A single value still gets a range.
        let (_, single) = ParetoPlot.ticks(2, 2)
        #expect(single.lowerBound < 2 && single.upperBound > 2)
    }
}
