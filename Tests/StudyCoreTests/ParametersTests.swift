import Foundation
import Testing

@testable import StudyCore

struct ParametersTests {
    /// Parameters as JSON text, read by Foundation's parser: what the direct reading of plain text members must match.
    static func parsed(_ json: String) -> [String: Parameters.Value]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return object.compactMapValues { value in
            (value as? String).map(Parameters.Value.text) ?? (value as? NSNumber).map { .number($0.doubleValue) }
        }
    }

    @Test func plainTextMembersAreReadDirectlyAsFoundationReadsThem() {
        for json in [
            #"{"a":"1"}"#, #"{"lr":"0.001","optimizer":"adam","seed":"007"}"#, #"{"x":""}"#, #"{"":"v"}"#,
            #"{"name":"λ1 ünïcode 🧠","b":"a,b:c}{"}"#, #"{"a":"1","a":"2"}"#,
        ] {
            #expect(Parameters.plainTextMembers(json) == Self.parsed(json), "\(json)")
            #expect(Parameters(json: json).values == Self.parsed(json), "\(json)")
        }
    }

    @Test func anythingElseGoesToTheFullParser() {
        // Escapes, numbers, spaces, nesting, broken text: not plain; the full parser decides.
        for json in [
            #"{"a":"x\"y"}"#, #"{"a":"tab\there"}"#, #"{"a":1}"#, #"{"a": "1"}"#, #"{ "a":"1"}"#, #"{"a":"1",}"#,
            #"{"a":"1""#, #"{"a""1"}"#, #"{"a":"1"}x"#, #"{"a":{"b":"c"}}"#, #"{"a":"\u00e9"}"#, "{}", #"{"a":"1"}}"#,
        ] {
            #expect(Parameters.plainTextMembers(json) == nil, "\(json)")
            #expect(Parameters(json: json).values == (Self.parsed(json) ?? [:]), "\(json)")
        }
        #expect(Parameters(json: #"{"a":"x\"y","n":1.5}"#).values == ["a": .text("x\"y"), "n": .number(1.5)])
    }

    @Test func whatJsonWritesReadsBack() {
        var parameters = Parameters()
        parameters.values = ["lr": .text("0.001"), "note": .text("a \"quoted\"\nline"), "seed": .text("007"), "k": .number(3)]
        #expect(Parameters(json: parameters.json) == parameters)
    }
}
