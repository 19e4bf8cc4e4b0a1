import Foundation
@testable import MagnetMapper

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, name: String = "file.yaml") throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("magnet-mapper-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// A fixture's folder.
func fixture(_ name: String) -> URL { TimeloopFixtureTests.directory.appendingPathComponent(name) }
