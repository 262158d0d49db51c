import Foundation
import TestSupport
import Testing

/// The README's tour, run line by line as written, in order, from a directory
/// that looks like a fresh clone (the examples beside it): every line succeeds.
@Suite struct ReadmeCLITests {
    private var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    /// The shell words of a line (single and double quotes, `#` comments), as `sh` splits them.
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else if c == "#" && !inWord {
                break
            } else {
                word.append(c)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }

    @Test func everyCommandOfTheREADMETourWorksAsWritten() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- tour -->\n```sh\n"))
        let end = try #require(readme.range(of: "```\n<!-- /tour -->"))
        let lines = readme[start.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
        #expect(lines.count >= 10)
        let dir = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: dir.path("examples"), withDestinationPath: root.appendingPathComponent("examples").path)
        for line in lines {
            let words = Self.words(line)
            #expect(words.first == "outdial", "the tour line '\(line)' is not an outdial command")
            let result = try Outdial.run(Array(words.dropFirst()), in: dir.path(""))
            #expect(result.status == 0, "'\(line)' exited \(result.status): \(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: dir.path("tour-report.html")))
        #expect(FileManager.default.fileExists(atPath: dir.path("tour-calls.csv")))
    }

    @Test func wordsAreSplitAsTheShellSplitsThem() {
        #expect(Self.words(#"outdial leads show "850-339-2204"  # a comment"#) == ["outdial", "leads", "show", "850-339-2204"])
        #expect(Self.words("outdial dnc add 201XXXXXXX") == ["outdial", "dnc", "add", "201XXXXXXX"])
        #expect(Self.words("a 'b c' d#e") == ["a", "b c", "d#e"])
    }
}
