import Foundation
import TestSupport
import Testing

@testable import OutdialKit

/// Every input in `Tests/Fuzz/Corpus/` (crashes `make fuzz` or a sweep found,
/// and the inputs the fixes were written for) runs through its parser to an
/// answer: a trap here takes the test run down with it.
@Suite struct FuzzCorpusTests {
    static var corpus: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")
    }

    /// The target a corpus file is for: `TARGET-…` or `crash-TARGET-…`.
    static func target(of name: String) -> FuzzTarget? {
        let parts = name.split(separator: "-")
        return FuzzTarget(rawValue: String(parts.first == "crash" || parts.first == "hang" ? parts.dropFirst().first ?? "" : parts.first ?? ""))
    }

    @Test func everyCorpusInputRunsToAnAnswer() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        #expect(names.count >= 10)
        let dir = try TemporaryDirectory()
        let scratch = try FuzzTarget.Scratch(directory: dir.path("scratch"))
        for name in names {
            let target = try #require(Self.target(of: name), "\(name) names no fuzz target")
            let bytes = try #require(FileManager.default.contents(atPath: Self.corpus.appendingPathComponent(name).path))
            target.run(Array(bytes), in: scratch)
        }
    }

    @Test func theCrashersAreRefusedWithAReason() throws {
        let read = { (name: String) in try String(contentsOf: Self.corpus.appendingPathComponent(name), encoding: .utf8) }
        #expect(try Instant(iso8601: read("instant-four-fraction-digits")).iso8601 == "2026-03-08T10:00:00.123Z")
        #expect(throws: TimeParseError.self) { try TimeSpan(parsing: read("duration-overflow")) }
        for name in ["campaign-nearby-km-infinite.yml", "campaign-min-gap-overflow.yml", "campaign-opportunity-value-huge.yml", "campaign-alias-bomb.yml"] {
            #expect(throws: CampaignFileError.self, "\(name)") { try Campaign.load(path: Self.corpus.appendingPathComponent(name).path) }
        }
        #expect(throws: WindowSpecError.self) { try ComplianceRules.load(path: Self.corpus.appendingPathComponent("rules-easter-offset-huge.json").path) }
    }
}
