import Testing
@testable import MagnetCore

@Suite struct ConfigNodeTests {
    let yaml = """
    name: demo
    size: 32 KiB
    count: 7
    nested:
      depth: 3
    items: [1, 2, 3]
    """

    @Test func readsScalarsWithTheirLines() throws {
        let root = try ConfigNode.parse(yaml, file: "demo.yaml")
        let map = try root.mapping(knownKeys: ["name", "size", "count", "nested", "items"])
        #expect(try map.required("name").string() == "demo")
        #expect(try map.required("size").byteSize() == 32 * 1024)
        #expect(try map.required("count").int(in: 1...10) == 7)
        #expect(try map.required("count").line == 3)
        let nested = try map.required("nested").mapping(knownKeys: ["depth"])
        #expect(try nested.required("depth").int() == 3)
        #expect(try map.required("items").list().map { try $0.int() } == [1, 2, 3])
    }

    @Test func unknownKeySuggestsTheNearestKnownOne() throws {
        let root = try ConfigNode.parse(yaml, file: "demo.yaml")
        let error = #expect(throws: ConfigError.self) {
            try root.mapping(knownKeys: ["name", "sizes", "count", "nested", "items"])
        }
        #expect(error?.line == 2)
        #expect(error?.keyPath == "size")
        #expect(error?.description == "demo.yaml:2:1: size: unknown key `size`; did you mean `sizes`?")
    }

    @Test func unknownKeyWithNothingCloseListsTheKnownKeys() throws {
        let root = try ConfigNode.parse("zebra: 1\n", file: "f.yaml")
        let error = #expect(throws: ConfigError.self) { try root.mapping(knownKeys: ["alpha", "beta"]) }
        #expect(error?.message == "unknown key `zebra`; known keys: alpha, beta")
    }

    @Test func outOfRangeSaysTheAllowedRange() throws {
        let map = try ConfigNode.parse("count: 0\n", file: "f.yaml").mapping(knownKeys: ["count"])
        let error = #expect(throws: ConfigError.self) { try map.required("count").int(in: 1...64) }
        #expect(error?.description == "f.yaml:1:8: count: 0 is out of range; allowed: 1...64")
    }

    @Test func missingKeyIsNamed() throws {
        let map = try ConfigNode.parse("a: 1\n", file: "f.yaml").mapping(knownKeys: ["a", "b"])
        let error = #expect(throws: ConfigError.self) { try map.required("b") }
        #expect(error?.message == "missing required key `b`")
    }

    @Test func wrongTypeIsDescribed() throws {
        let map = try ConfigNode.parse("a: [1]\nb: hello\n", file: "f.yaml").mapping(knownKeys: ["a", "b"])
        #expect(throws: ConfigError.self) { try map.required("a").int() }
        let error = #expect(throws: ConfigError.self) { try map.required("b").double() }
        #expect(error?.message == "expected a number, found `hello`")
    }

    @Test func syntaxErrorsCarryTheirLine() {
        let error = #expect(throws: ConfigError.self) { try ConfigNode.parse("a: 1\nb: [1, 2\n", file: "bad.yaml") }
        #expect(error?.file == "bad.yaml")
        #expect(error?.line != nil)
        #expect(error?.message.hasPrefix("syntax error") == true)
    }

    @Test func duplicateKeysAreRefused() {
        let error = #expect(throws: ConfigError.self) { try ConfigNode.parse("a: 1\na: 2\n", file: "dup.yaml") }
        #expect(error?.message.contains("duplicate") == true)
    }

    @Test func emptyDocumentIsAnError() {
        let error = #expect(throws: ConfigError.self) { try ConfigNode.parse("", file: "empty.yaml") }
        #expect(error?.message == "the document is empty")
    }

    @Test func jsonIsReadByTheSameParser() throws {
        let map = try ConfigNode.parse(#"{"a": 3, "b": "x"}"#, file: "f.json").mapping(knownKeys: ["a", "b"])
        #expect(try map.required("a").int() == 3)
        #expect(try map.required("b").string() == "x")
    }

    @Test func choiceSuggestsNearMisses() throws {
        let node = try ConfigNode.parse("int9\n", file: "f.yaml")
        let error = #expect(throws: ConfigError.self) {
            try node.choice(DataFormat.allCases.map { (name: $0.rawValue, value: $0) })
        }
        #expect(error?.message == "unknown value `int9`; allowed: int4, int8, int16, fp16, bf16 (did you mean `int4`?)")
    }

    @Test(arguments: [("4096", 4096), ("3KiB", 3072), ("1.5 KiB", 1536), ("2 MiB", 2_097_152), ("512 B", 512), ("1_024", 1024)])
    func byteSizes(text: String, bytes: Int) throws {
        #expect(try ConfigNode.parse(text, file: "f").byteSize() == bytes)
    }

    @Test(arguments: [("64 KB", "ambiguous unit `KB`"), ("3 parsecs", "unknown size unit `parsecs`"), ("0", "too small"),
                      ("0.3 B", "not a whole number of bytes")])
    func badByteSizes(text: String, fragment: String) throws {
        let error = #expect(throws: ConfigError.self) { try ConfigNode.parse(text, file: "f").byteSize() }
        #expect(error?.message.contains(fragment) == true)
    }

    @Test func missingFileSaysSo() {
        let error = #expect(throws: ConfigError.self) { try ConfigNode.load(path: "/nonexistent/design.yaml") }
        #expect(error?.description == "/nonexistent/design.yaml: no such file")
    }
}
