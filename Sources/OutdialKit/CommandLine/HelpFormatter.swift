/// Renders help and usage from command declarations, in the sections
/// swift-argument-parser users know: OVERVIEW, USAGE, ARGUMENTS, OPTIONS,
/// SUBCOMMANDS.
struct HelpFormatter {
    var width: Int
    /// The column where descriptions start.
    let column = 26

    /// `outdial leads import [--db <path>] <file>`, wrapped to the width.
    func usage(for path: [Command]) -> String {
        let command = path[path.count - 1]
        var parts = path.map(\.name)
        let options = CommandParser.options(for: path)
        if command.subcommands.isEmpty || command.run != nil {
            parts += options.map(\.usage)
            parts += command.arguments.map(\.usage)
        } else {
            parts += options.map(\.usage)
            parts.append("<subcommand>")
        }
        let prefix = path.map(\.name).joined(separator: " ")
        return wrap(parts.joined(separator: " "), indent: prefix.count + 1, first: 7).trimmingLeading(7)
    }

    func help(for path: [Command]) -> String {
        let command = path[path.count - 1]
        var text = "OVERVIEW: " + wrap(command.abstract, indent: 0, first: 10).trimmingLeading(10) + "\n\n"
        if let discussion = command.discussion {
            for paragraph in discussion.split(separator: "\n\n", omittingEmptySubsequences: true) {
                text += wrap(String(paragraph), indent: 0, first: 0) + "\n\n"
            }
        }
        text += "USAGE: " + usage(for: path) + "\n\n"
        if !command.arguments.isEmpty {
            text += "ARGUMENTS:\n"
            for argument in command.arguments {
                text += row("<\(argument.name)>", describe(argument.help, kind: argument.kind, defaultValue: nil, environment: nil))
            }
            text += "\n"
        }
        text += "OPTIONS:\n"
        for option in CommandParser.options(for: path) {
            text += row(option.label, describe(option.help, kind: option.valueKind, defaultValue: option.defaultValue, environment: option.environment))
        }
        if path.count == 1, command.version != nil { text += row("--version", "Show the version.") }
        text += row("-h, --help", "Show help information.")
        if !command.subcommands.isEmpty {
            text += "\nSUBCOMMANDS:\n"
            for sub in command.subcommands { text += row(sub.name, sub.abstract) }
            text += "\n  See '\(path[0].name) help \(path.dropFirst().map { $0.name + " " }.joined())<subcommand>' for detailed help.\n"
        }
        return text
    }

    private func describe(_ help: String, kind: ValueKind?, defaultValue: String?, environment: String?) -> String {
        var notes: [String] = []
        if case .choice(let words) = kind { notes.append("values: " + words.joined(separator: ", ")) }
        if let defaultValue { notes.append("default: \(defaultValue)") }
        if let environment { notes.append("env: \(environment)") }
        return notes.isEmpty ? help : help + " (" + notes.joined(separator: "; ") + ")"
    }

    /// One labelled row, the description starting at `column` and wrapped
    /// with a hanging indent; a long label puts the description on the next line.
    private func row(_ label: String, _ description: String) -> String {
        let head = "  " + label
        let body = wrap(description, indent: column, first: column)
        if head.count + 2 <= column {
            return head + String(repeating: " ", count: column - head.count) + body.trimmingLeading(column) + "\n"
        }
        return head + "\n" + body + "\n"
    }

    /// Wraps words to the width; every line is indented by `indent`, the
    /// first by `first` (so callers can splice it after a label).
    private func wrap(_ text: String, indent: Int, first: Int) -> String {
        let limit = max(width, column + 20)
        var lines: [String] = []
        var line = String(repeating: " ", count: first)
        var lineHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if lineHasWord, line.count + 1 + word.count > limit {
                lines.append(line)
                line = String(repeating: " ", count: indent)
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Drops up to `count` leading spaces.
    fileprivate func trimmingLeading(_ count: Int) -> String {
        var dropped = 0
        var index = startIndex
        while dropped < count, index < endIndex, self[index] == " " {
            index = self.index(after: index)
            dropped += 1
        }
        return String(self[index...])
    }
}
