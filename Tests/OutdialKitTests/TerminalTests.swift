import Testing

@testable import OutdialKit

@Suite struct TerminalTests {
    @Test func controlCharactersFromDataAreShownEscaped() {
        #expect(Terminal.escapingControls("\u{1B}]0;pwned\u{07}Ann\u{1B}[2J") == "\\x1b]0;pwned\\x07Ann\\x1b[2J")
        #expect(Terminal.escapingControls("a\rb\u{7F}c\u{9B}d\u{0}") == "a\\x0db\\x7fc\\u{009b}d\\x00")
        // Newlines, tabs and text in any script pass as they are.
        let plain = "Müller\tZoë\n東京 ☎︎\n"
        #expect(Terminal.escapingControls(plain) == plain)
    }
}
