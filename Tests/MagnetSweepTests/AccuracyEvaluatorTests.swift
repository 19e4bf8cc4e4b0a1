import Foundation
import MagnetCore
import MagnetStore
import MagnetTuner
import Testing
@testable import MagnetSweep

/// The accuracy evaluator protocol with small stand-in evaluators (shell scripts): the request
/// they read, the metrics their answers become, the cache, and every way an evaluator can fail.
@Suite struct AccuracyEvaluatorTests {
    /// Writes an executable script into a fresh folder; its path.
    static func script(_ body: String, name: String = "evaluate.sh") throws -> String {
        let folder = temporaryDirectory()
        let path = folder.appendingPathComponent(name).path
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// The tiny sweep searching weight formats, with `evaluator` as its accuracy command.
    static func spec(_ command: [String], timeout: Double = 20, constraint: String = "area_mm2 <= 0.4") throws
        -> SweepSpec {
        let quoted = command.map { "\"\($0)\"" }.joined(separator: ", ")
        let text = tinySweep(extra: "accuracy: {command: [\(quoted)], timeout: \(timeout)}")
            .replacingOccurrences(of: "dataflow: [WS, OS]", with: "weightFormat: [int4, int8]")
            .replacingOccurrences(of: "area_mm2 <= 0.4", with: constraint)
        return try SweepSpec.parse(text, file: "/tmp/accuracy.yaml")
    }

    /// A stand-in for a quantization study: int4 weights cost accuracy; every call is logged.
    static let honest = """
        input=$(cat)
        printf '%s\\n' "$input" >> "$(dirname "$0")/requests.log"
        case "$input" in
          *'"weights":"int4"'*) echo '{"accuracy": 0.8, "top5": 0.97}' ;;
          *) echo '{"accuracy": 0.95, "top5": 0.99}' ;;
        esac
        """

    @Test func answersBecomeMetricsAndHardwareChangesDoNotAskAgain() throws {
        let path = try Self.script(Self.honest)
        let evaluator = try TrialEvaluator(spec: try Self.spec([path]))
        func metrics(_ values: [Parameter.Value]) -> [String: Double] {
            let outcome = evaluator.evaluate(trial: 1, values: values)
            #expect(outcome.state != .failed, "\(outcome.error ?? "")")
            return Dictionary(uniqueKeysWithValues: outcome.metrics)
        }
        let narrow = metrics([.double(4), .double(2), .string("int4")])
        #expect(narrow["accuracy"] == 0.8 && narrow["accuracy_top5"] == 0.97)
        #expect(abs(narrow["accuracy_drop"]! - 0.15) < 1e-12)   // the int16 answer, 0.95, less 0.8
        let wide = metrics([.double(4), .double(2), .string("int8")])
        #expect(wide["accuracy"] == 0.95 && wide["accuracy_drop"] == 0)
        // Other hardware, same formats: served from the cache.
        _ = metrics([.double(2), .double(4), .string("int8")])
        let accuracy = try #require(evaluator.evaluator.accuracy)
        #expect(accuracy.runs == 3)   // int4, its int16 reference, int8
        // What the evaluator read: the network, the design's keys, every layer with its formats.
        let log = try String(contentsOfFile: URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent("requests.log").path, encoding: .utf8)
        let first = try JSONValue(parsing: String(log.split(separator: "\n")[0]), source: "request")
        #expect(first["network"] == .string("tiny-cnn"))
        #expect(first["design"]?["weightFormat"] == .string("int4") && first["design"]?["numPEs"] == .int(4))
        guard case .array(let layers)? = first["layers"] else { Issue.record("no layers"); return }
        #expect(layers.count == 6
                    && layers.allSatisfy { $0["weights"] == .string("int4") && $0["inputs"] == .string("int8") })
    }

    /// With per-layer formats, each layer of the request carries its own: the rule's layer at
    /// the searched format, the others at the design's; the datapath is built for the widest.
    @Test func requestsCarryEachLayersFormats() throws {
        let path = try Self.script(Self.honest)
        let text = tinySweep(extra: "accuracy: {command: [\"\(path)\"], timeout: 20}")
            .replacingOccurrences(of: "  dataflow: [WS, OS]",
                                  with: "  layerFormats:\n    - {layers: stem, weightFormat: [int4, int8]}")
        let spec = try SweepSpec.parse(text, file: "/tmp/per-layer.yaml")
        let evaluator = try TrialEvaluator(spec: spec)
        let outcome = evaluator.evaluate(trial: 1, values: [.double(4), .double(2), .string("int4")])
        #expect(outcome.metrics.first { $0.0 == "accuracy" }?.1 == 0.8, "\(outcome.error ?? "")")
        let log = try String(contentsOfFile: URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent("requests.log").path, encoding: .utf8)
        let request = try JSONValue(parsing: String(log.split(separator: "\n")[0]), source: "request")
        guard case .array(let layers)? = request["layers"] else { Issue.record("no layers"); return }
        let narrow = layers.filter { $0["weights"] == .string("int4") }
        #expect(narrow.count == 1 && narrow.first?["name"] == .string("stem"), "\(layers)")
        #expect(layers.filter { $0["weights"] == .string("int8") }.count == layers.count - 1)
        #expect(request["design"]?["layerFormats"] == .array([.object([("layers", "stem"), ("weightFormat", "int4")])]))
    }

    /// A constraint on accuracy makes the int4 designs infeasible in a real sweep.
    @Test func anAccuracyConstraintRulesOutNarrowFormats() throws {
        let spec = try Self.spec([try Self.script(Self.honest)], constraint: "accuracy >= 0.9")
        let store = try newStudy(spec)
        _ = try SweepRunner(spec: spec, store: store, options: .init(slots: 2)).run()
        let trials = try store.trials()
        #expect(trials.count == 6 && trials.allSatisfy { $0.state != .failed })
        for trial in trials {
            let narrow = trial.params["weightFormat"] == .string("int4")
            #expect((trial.state == .infeasible) == narrow, "trial \(trial.number): \(trial.params)")
        }
    }

    /// Answers land in the study file with their trials; a resumed sweep (a new evaluator) takes
    /// them as known, and trials asking the same question at once ask it once: over two runs
    /// of the eight designs, the evaluator answers int4, int8 and the int16 reference once each.
    @Test func answersAreKeptInTheStudyFileAndAskedOnce() throws {
        let path = try Self.script(Self.honest)
        let spec = try Self.spec([path], constraint: "accuracy >= 0.9")
        let store = try newStudy(spec)
        _ = try SweepRunner(spec: spec, store: store, options: .init(slots: 2, trials: 3)).run()
        let first = try store.accuracyAnswers()
        #expect(!first.isEmpty && first.allSatisfy { $0.network == "tiny-cnn" })
        #expect(first.allSatisfy { ($0.key.contains(#""weights":"int4""#) ? 0.8 : 0.95) == $0.accuracy })
        #expect(first.allSatisfy { $0.extra["top5"] != nil })
        _ = try SweepRunner(spec: spec, store: store, options: .init(slots: 2, trials: 8)).run()
        let requests = try String(contentsOfFile: URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent("requests.log").path, encoding: .utf8).split(separator: "\n")
        #expect(requests.count == 3)
        let answers = try store.accuracyAnswers()
        #expect(answers.count == 3 && Array(answers.prefix(first.count)) == first)
        #expect(try store.trials().allSatisfy { $0.state != .failed && $0.metric("accuracy") != nil })
    }

    @Test func failingEvaluatorsFailTheTrialWithTheReason() throws {
        let notExecutable = try Self.script("echo '{\"accuracy\": 0.9}'")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: notExecutable)
        let cases: [([String], Double, String)] = [
            ([try Self.script("cat > /dev/null; echo hello")], 20, "did not answer one JSON object (it wrote `hello`)"),
            ([try Self.script("cat > /dev/null; echo '{\"accuracy\": 1.5}'")], 20, "answered no `accuracy` in [0, 1]"),
            ([try Self.script("cat > /dev/null; echo '{\"top1\": 0.5}'")], 20, "answered no `accuracy` in [0, 1]"),
            ([try Self.script("cat > /dev/null; sleep 10")], 0.3, "took more than 0.3 s and was stopped"),
            ([try Self.script("cat > /dev/null; echo 'model not found' >&2; exit 3")], 20,
             "exited with status 3; stderr: model not found"),
            (["/nonexistent/evaluate"], 20, "exited with status 127"),
            ([notExecutable], 20, "exited with status 126"),
        ]
        for (command, timeout, message) in cases {
            let evaluator = try TrialEvaluator(spec: try Self.spec(command, timeout: timeout))
            let outcome = evaluator.evaluate(trial: 1, values: [.double(4), .double(2), .string("int8")])
            #expect(outcome.state == .failed, "\(command)")
            #expect(outcome.error?.contains(message) == true, "\(command): \(outcome.error ?? "no error")")
            #expect(outcome.error?.hasPrefix("accuracy evaluator `\(command[0])`") == true)
        }
    }

    /// An evaluator that never reads a request larger than a pipe holds: one that exits fails
    /// the evaluation (the write meets a closed pipe, which once ended the whole process), and
    /// one that hangs is still stopped at its timeout.
    @Test func anEvaluatorThatDoesNotReadItsRequestFailsTheEvaluationOnly() throws {
        let request = JSONValue.object([("padding", .string(String(repeating: "x", count: 256 * 1024)))])
        let exits = AccuracyEvaluator(command: [try Self.script("exit 3")], timeoutSeconds: 20)
        guard case .failure(let failure) = exits.evaluate(request, key: "exits") else {
            Issue.record("an evaluator that exits 3 succeeded")
            return
        }
        #expect(failure.description.contains("exited with status 3"), "\(failure)")
        let hangs = AccuracyEvaluator(command: [try Self.script("sleep 30")], timeoutSeconds: 0.5)
        guard case .failure(let stopped) = hangs.evaluate(request, key: "hangs") else {
            Issue.record("an evaluator that hangs succeeded")
            return
        }
        #expect(stopped.description.contains("took more than 0.5 s and was stopped"), "\(stopped)")
    }

    @Test func theSweepFileNamesTheEvaluator() throws {
        // A command word naming a file beside the sweep file becomes its path.
        let folder = temporaryDirectory()
        let sweep = folder.appendingPathComponent("sweep.yaml").path
        try "".write(toFile: folder.appendingPathComponent("eval.py").path, atomically: true, encoding: .utf8)
        let text = tinySweep(extra: "accuracy: {command: [python3, eval.py, --fast], timeout: 30}")
        let spec = try SweepSpec.parse(text, file: sweep)
        #expect(spec.accuracy?.command == ["python3", folder.appendingPathComponent("eval.py").path, "--fast"])
        #expect(spec.accuracy?.timeoutSeconds == 30)
        #expect(spec.metricNames.contains("accuracy") && spec.metricNames.contains("accuracy_drop"))
        #expect(spec.canonicalJSON["accuracy"]?["timeout"] == .double(30))
        // Without an evaluator, accuracy cannot be asked for; an empty command is refused.
        let noEvaluator = try #require(sweepError(tinySweep().replacingOccurrences(of: "area_mm2 <= 0.4",
                                                                                   with: "accuracy >= 0.9")))
        #expect(noEvaluator.message.contains("needs an accuracy evaluator"), "\(noEvaluator)")
        let empty = try #require(sweepError(tinySweep(extra: "accuracy: {command: []}")))
        #expect(empty.keyPath == "accuracy.command", "\(empty)")
        #expect(try SweepSpec.parse(tinySweep(), file: "/tmp/t.yaml").canonicalJSON["accuracy"] == nil)
    }
}
