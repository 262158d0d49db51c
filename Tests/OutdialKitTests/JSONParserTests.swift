import Testing

@testable import OutdialKit

/// The JSON reader every provider answer and event goes through: strings
/// with and without escapes, and the dotted paths campaigns name
/// (`call_id_path: data.id`).
@Suite struct JSONParserTests {
    @Test func stringsComeOutTheSameWithOrWithoutEscapes() throws {
        let value = try JSONParser.parse(
            Array(#"{"plain":"héllo","quote":"\"hi\"","tail":"a\\b","unicode":"caf\u00e9 \ud83d\ude00","empty":"","mixed":"x\ny"}"#.utf8))
        #expect(value["plain"]?.text == "héllo")
        #expect(value["quote"]?.text == "\"hi\"")
        #expect(value["tail"]?.text == "a\\b")
        #expect(value["unicode"]?.text == "café 😀")
        #expect(value["empty"]?.text == "")
        #expect(value["mixed"]?.text == "x\ny")
    }

    @Test func dottedPathsReachIntoObjectsAndArrays() throws {
        let value = try JSONParser.parse(Array(#"{"data":{"id":"c-1","items":[{"id":7},{"id":8}]},"top":true}"#.utf8))
        #expect(value[path: "data.id"]?.text == "c-1")
        #expect(value[path: "data.items.1.id"]?.text == "8")
        #expect(value[path: "top"]?.text == "true")
        // An empty step is skipped, as a doubled or trailing dot would be.
        #expect(value[path: "data..id"]?.text == "c-1")
        #expect(value[path: "data.id."]?.text == "c-1")
        #expect(value[path: "data.items.2.id"] == nil)
        #expect(value[path: "data.missing"] == nil)
        #expect(value[path: "top.deeper"] == nil)
    }
}
