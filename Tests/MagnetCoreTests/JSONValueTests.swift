import Foundation
import Testing
@testable import MagnetCore

@Suite struct JSONValueTests {
    @Test func keepsKeyOrderAndEscapes() {
        let value: JSONValue = .object([("z", 1), ("a", .string("q\"uote\n")), ("n", .null), ("list", [true, 2.5])])
        #expect(value.rendered(pretty: false) == #"{"z":1,"a":"q\"uote\n","n":null,"list":[true,2.5]}"#)
    }

    @Test func prettyOutputIsValidJSON() throws {
        let value: JSONValue = .object([("name", "x"), ("values", [1, 2, 3]), ("nested", .object([("e", .double(0.125))])), ("empty", [])])
        let parsed = try JSONSerialization.jsonObject(with: Data(value.rendered().utf8)) as? [String: Any]
        #expect(parsed?["name"] as? String == "x")
        #expect((parsed?["nested"] as? [String: Any])?["e"] as? Double == 0.125)
    }

    @Test func wholeDoublesPrintWithoutFraction() {
        #expect(JSONValue.double(4.0).rendered() == "4")
        #expect(JSONValue.double(.infinity).rendered() == "null")
        #expect(JSONValue.string("\u{01}").rendered() == "\"\\u0001\"")
    }
}
