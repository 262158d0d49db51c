/// Where a command's words go: results on stdout, diagnostics and progress on
/// stderr; with `--json` stdout carries JSON only, with `--quiet` the chatter
/// on stderr is dropped (errors never are).
public struct Output: Sendable {
    /// `--json`: machine output on stdout.
    public var json: Bool
    /// `--quiet`: no informational messages or progress.
    public var quiet: Bool
    /// Colour is allowed (not `--no-color`, no `NO_COLOR`, stdout a terminal).
    public var color: Bool

    public init(json: Bool = false, quiet: Bool = false, color: Bool = false) {
        self.json = json
        self.quiet = quiet
        self.color = color
    }

    /// A result line on stdout.
    public func result(_ text: String) {
        Terminal.write(text.hasSuffix("\n") ? text : text + "\n", to: .standardOutput)
    }

    /// JSON Lines on stdout: one object per line, nothing for none (`--json` of the list commands).
    public func jsonLines(_ values: [JSONValue]) {
        var text = ""
        for value in values { text += value.rendered + "\n" }
        if !text.isEmpty { Terminal.write(text, to: .standardOutput) }
    }

    /// An informational line on stderr, dropped by `--quiet`.
    public func info(_ text: String) {
        guard !quiet else { return }
        Terminal.write(text.hasSuffix("\n") ? text : text + "\n", to: .standardError)
    }

    /// A warning on stderr (`warning: …`), shown even with `--quiet`.
    public func warning(_ text: String) {
        Terminal.write("warning: " + text + "\n", to: .standardError)
    }

    /// Text wrapped in an ANSI style when colour is allowed.
    public func styled(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m" + text + "\u{1B}[0m" : text
    }

    /// The few styles outdial uses.
    public enum Style: String, Sendable {
        case bold = "1", red = "31", green = "32", yellow = "33", dim = "2"
    }

    /// A progress bar on stderr, live only when stderr is a terminal and not `--quiet`.
    public func progress(_ label: String, total: Int64) -> ProgressBar {
        ProgressBar(label: label, total: total, enabled: !quiet && Terminal.isTerminal(.standardError))
    }
}
