import Foundation
import MagnetCore
import Testing

/// The Dockerfile and cluster/ files cannot run here (no Docker engine, no Slurm, no
/// Kubernetes); these checks catch what breaks them silently: YAML that does not parse, shell
/// scripts with syntax errors, and magnet options that do not exist.
@Suite struct DeploymentFilesTests {
    static let files: [String] = {
        let root = CLIRunner.repository
        var paths = ["Dockerfile"]
        if let walker = FileManager.default.enumerator(atPath: root.appendingPathComponent("cluster").path) {
            for case let path as String in walker where !path.hasSuffix("/") {
                var isDirectory: ObjCBool = false
                let full = root.appendingPathComponent("cluster/\(path)").path
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                    paths.append("cluster/\(path)")
                }
            }
        }
        return paths.sorted()
    }()

    @Test func thereAreLaunchFilesForEachPlatform() {
        for expected in ["cluster/compose.yaml", "cluster/kubernetes/magnet.yaml", "cluster/slurm/coordinator.sbatch",
                         "cluster/slurm/submit.sh",
                         "cluster/slurm/workers.sbatch", "cluster/ssh/start-workers.sh"] {
            #expect(Self.files.contains(expected), "\(expected) is missing")
        }
    }

    @Test func yamlParsesAndScriptsPassBashSyntaxCheck() throws {
        for file in Self.files {
            let path = CLIRunner.repository.appendingPathComponent(file).path
            if file.hasSuffix(".yaml") {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                for (index, document) in text.components(separatedBy: "\n---\n").enumerated() {
                    _ = try ConfigNode.parse(document, file: "\(file) (document \(index + 1))")
                }
            } else if file.hasSuffix(".sh") || file.hasSuffix(".sbatch") {
                let bash = Process()
                bash.executableURL = URL(fileURLWithPath: "/bin/bash")
                bash.arguments = ["-n", path]
                try bash.run()
                bash.waitUntilExit()
                #expect(bash.terminationStatus == 0, "bash -n \(file)")
            }
        }
    }

    /// Every `magnet VERB --option` written in these files names a verb and options that exist.
    @Test func everyMagnetInvocationUsesRealOptions() throws {
        var checked = 0
        for file in Self.files {
            let text = try String(contentsOfFile: CLIRunner.repository.appendingPathComponent(file).path, encoding: .utf8)
            // Words of each line, with JSON-ish list punctuation removed: ["worker", "--connect", ...].
            for line in text.split(separator: "\n") {
                let words = line.split(whereSeparator: { " \t[],\"".contains($0) }).map(String.init)
                guard let start = words.firstIndex(where: { $0 == "magnet" || $0.hasSuffix("/magnet") || $0 == "args:" || $0 == "command:" }),
                      start + 1 < words.count else { continue }
                let verb = words[start + 1]
                let verbs = ["sweep", "coordinator", "worker", "status", "trials", "pareto", "export", "keys", "design", "map", "networks",
                             "report", "dashboard"]
                guard verbs.contains(verb) else { continue }
                let help = try CLIRunner.run([verb, "--help"]).stdout
                for option in words[(start + 2)...] where option.hasPrefix("--") {
                    let name = String(option.prefix { $0 != "=" })
                    #expect(help.contains(name), "\(file): `magnet \(verb)` has no option \(name)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 10)
    }

    @Test func theDockerfileBuildsTheProductAndCopiesItsResources() throws {
        let text = try String(contentsOfFile: CLIRunner.repository.appendingPathComponent("Dockerfile").path, encoding: .utf8)
        #expect(text.contains("swift build -c release --product magnet"))
        // The technology tables are a resource bundle next to the binary; its name is the one SwiftPM makes.
        let bundle = CLIRunner.executable.deletingLastPathComponent().appendingPathComponent("magnet_MagnetDesigner.resources").path
        #expect(FileManager.default.fileExists(atPath: bundle), "no resource bundle at \(bundle)")
        #expect(text.contains("magnet_MagnetDesigner.resources"))
        #expect(text.contains("ENTRYPOINT [\"/opt/magnet/magnet\"]"))
    }
}
