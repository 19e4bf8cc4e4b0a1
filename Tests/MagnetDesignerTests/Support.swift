import Foundation
@testable import MagnetDesigner

/// The repository's examples/ folder.
let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

/// The Simba-like reference point (examples/simba-like.yaml, docs/template.md), built in code.
func simbaLike() -> DesignPoint {
    DesignPoint(name: "simba-like", numPEs: 16, peRows: 4, peColumns: 4, lanes: 8, vectorSize: 8,
                weightBufferBytes: 32 * 1024, inputBufferBytes: 8 * 1024, accumulationBufferBytes: 3 * 1024,
                globalBufferBytes: 64 * 1024, dramBandwidthGBps: 25.6, accumulationBits: 24,
                dataflow: .outputStationaryLocalWeightStationary, clockGHz: 2, technology: "16nm")
}

/// `|a − b| ≤ tolerance · |b|`.
func close(_ a: Double, _ b: Double, relative tolerance: Double = 1e-9) -> Bool {
    abs(a - b) <= tolerance * abs(b)
}
