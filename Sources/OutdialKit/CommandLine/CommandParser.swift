/// What a command line asks for once parsed.
public enum ParseOutcome: Sendable {
    /// Run a command with these values.
    case run(Command.Run, Invocation)
    /// Print this help text on stdout and exit 0.
    case help(String)
    /// Print the bare version on stdout and exit 0.
    case version(String)
}

/// Parses a command line against a tree of `Command` declarations, the way
/// swift-argument-parser users expect: `--opt value` and `--opt=value`,
/// `--flag/--no-flag`, grouped short flags, `--` ends options, `help SUB…`.
public struct CommandParser: Sendable {
    public var root: Command
    /// The width help text is wrapped to.
    public var width: Int

    public init(root: Command, width: Int = Terminal.columns) {
        self.root = root
        self.width = width
    }

    /// Parses the arguments after the program name.
    public func parse(_ arguments: [String], environment: [String: String] = [:]) throws(UsageError) -> ParseOutcome {
        var path = [root]
        var values: [String: [String]] = [:]
        var flags: [String: Bool] = [:]
        var deferred: [(name: String, inline: String?)] = []
        var positionals: [String] = []
        var onlyPositionals = false
        var i = 0

        while i < arguments.count {
            let word = arguments[i]
            i += 1
            if onlyPositionals {
                positionals.append(word)
                continue
            }
            if word == "--" {
                onlyPositionals = true
                continue
            }
            let available = Self.options(for: path)
            if word.hasPrefix("--") {
                var name = String(word.dropFirst(2))
                var inline: String?
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if name == "help" { return .help(help(for: path)) }
                if name == "version", path.count == 1, let version = root.version { return .version(version) }
                if let option = available.first(where: { $0.name == name }) {
                    if option.isFlag {
                        if inline != nil { throw error("The flag '--\(name)' does not take a value.", path) }
                        flags[name] = true
                    } else {
                        let value = try takeValue(for: option, inline: inline, arguments, &i, path)
                        values[name, default: []].append(value)
                    }
                } else if name.hasPrefix("no-"), let option = available.first(where: { $0.hasInversion && $0.name == name.dropFirst(3) }) {
                    if inline != nil { throw error("The flag '--\(name)' does not take a value.", path) }
                    flags[option.name] = false
                } else if name.hasPrefix("no-"), available.contains(where: { $0.isFlag && $0.name == name.dropFirst(3) }) {
                    throw error("The flag '--\(name.dropFirst(3))' has no '--\(name)' form; leave it out instead.", path)
                } else if !path[path.count - 1].subcommands.isEmpty, positionals.isEmpty {
                    // Before the subcommand is named, an option may be the subcommand's (`outdial --json leads list`):
                    // it is judged once the command is known.
                    deferred.append((name, inline))
                } else {
                    var names = available.flatMap { $0.hasInversion ? ["--\($0.name)", "--no-\($0.name)"] : ["--\($0.name)"] }
                    names.append("--help")
                    if path.count == 1, root.version != nil { names.append("--version") }
                    throw error("Unknown option '--\(name)'." + didYouMean("--\(name)", names), path)
                }
                continue
            }
            if word.hasPrefix("-"), word.count > 1, Int(word) == nil, Double(word) == nil {
                var letters = Array(word.dropFirst())
                while !letters.isEmpty {
                    let letter = letters.removeFirst()
                    if letter == "h" { return .help(help(for: path)) }
                    guard let option = available.first(where: { $0.short == letter }) else {
                        throw error("Unknown option '-\(letter)'.", path)
                    }
                    if option.isFlag {
                        flags[option.name] = true
                    } else {
                        let inline = letters.isEmpty ? nil : String(letters)
                        letters.removeAll()
                        let value = try takeValue(for: option, inline: inline, arguments, &i, path)
                        values[option.name, default: []].append(value)
                    }
                }
                continue
            }
            let current = path[path.count - 1]
            if !current.subcommands.isEmpty, positionals.isEmpty {
                if word == "help" {
                    var target = path
                    for name in arguments[i...] where !name.hasPrefix("-") {
                        guard let sub = target[target.count - 1].subcommand(named: name) else {
                            throw unknownSubcommand(name, target)
                        }
                        target.append(sub)
                    }
                    return .help(help(for: target))
                }
                guard let sub = current.subcommand(named: word) else { throw unknownSubcommand(word, path) }
                path.append(sub)
                continue
            }
            positionals.append(word)
        }

        let command = path[path.count - 1]
        guard let run = command.run else {
            if let first = deferred.first { throw error("Unknown option '--\(first.name)'.", path) }
            return .help(help(for: path))
        }
        for (name, inline) in deferred {
            guard let option = Self.options(for: path).first(where: { $0.name == name }) else {
                let names = Self.options(for: path).map { "--\($0.name)" } + ["--help"]
                throw error("Unknown option '--\(name)'." + didYouMean("--\(name)", names), path)
            }
            if option.isFlag {
                if inline != nil { throw error("The flag '--\(name)' does not take a value.", path) }
                flags[name] = true
            } else {
                guard let inline else { throw error("Give '--\(name)' after '\(command.name)', or as --\(name)=VALUE before it.", path) }
                if let reason = option.valueKind?.validate(inline) {
                    throw error("The value '\(inline)' is invalid for '\(option.label)': \(reason).", path)
                }
                values[name, default: []].append(inline)
            }
        }

        var next = 0
        for argument in command.arguments {
            if argument.isRepeating {
                let rest = Array(positionals[min(next, positionals.count)...])
                next = positionals.count
                if rest.isEmpty, !argument.isOptional { throw error("Missing expected argument '<\(argument.name)>'.", path) }
                if !rest.isEmpty { values[argument.name] = rest }
            } else if next < positionals.count {
                values[argument.name] = [positionals[next]]
                next += 1
            } else if !argument.isOptional {
                throw error("Missing expected argument '<\(argument.name)>'.", path)
            }
            for value in values[argument.name] ?? [] {
                if let reason = argument.kind.validate(value) {
                    throw error("The value '\(value)' is invalid for '<\(argument.name)>': \(reason).", path)
                }
            }
        }
        if next < positionals.count { throw error("Unexpected argument '\(positionals[next])'.", path) }

        for option in Self.options(for: path) where !option.isFlag && values[option.name] == nil {
            if let variable = option.environment, let value = environment[variable], !value.isEmpty {
                if let reason = option.valueKind?.validate(value) {
                    throw error("The value '\(value)' of \(variable) is invalid for '\(option.label)': \(reason).", path)
                }
                values[option.name] = [value]
            } else if let value = option.defaultValue {
                values[option.name] = [value]
            }
        }

        let output = Output(
            json: flags["json"] ?? false,
            quiet: flags["quiet"] ?? false,
            color: !(flags["no-color"] ?? false) && environment["NO_COLOR"] == nil && Terminal.isTerminal(.standardOutput))
        var invocation = Invocation(
            commandPath: path.map(\.name), values: values, flags: flags, environment: environment, output: output)
        invocation.usage = HelpFormatter(width: width).usage(for: path)
        return .run(run, invocation)
    }

    /// The options a command accepts: its own and those its ancestors pass down.
    static func options(for path: [Command]) -> [Option] {
        var result: [Option] = []
        for (index, command) in path.enumerated() {
            let isLast = index == path.count - 1
            result += command.options.filter { isLast || $0.isInherited }
        }
        return result
    }

    private func takeValue(for option: Option, inline: String?, _ arguments: [String], _ i: inout Int, _ path: [Command]) throws(UsageError) -> String {
        let value: String
        if let inline {
            value = inline
        } else if i < arguments.count, !(arguments[i].hasPrefix("--") && arguments[i].count > 2) {
            value = arguments[i]
            i += 1
        } else {
            throw error("Missing value for '\(option.label)'.", path)
        }
        if let reason = option.valueKind?.validate(value) {
            throw error("The value '\(value)' is invalid for '\(option.label)': \(reason).", path)
        }
        return value
    }

    private func unknownSubcommand(_ word: String, _ path: [Command]) -> UsageError {
        let names = path[path.count - 1].subcommands.map(\.name) + ["help"]
        return error("Unknown subcommand '\(word)'." + didYouMean(word, names), path)
    }

    private func didYouMean(_ word: String, _ candidates: [String]) -> String {
        Suggestion.closest(to: word, in: candidates).map { " Did you mean '\($0)'?" } ?? ""
    }

    private func error(_ message: String, _ path: [Command]) -> UsageError {
        UsageError(message, usage: HelpFormatter(width: width).usage(for: path), commandPath: path.map(\.name).joined(separator: " "))
    }

    /// The help text of the command at the end of a path.
    public func help(for path: [Command]) -> String {
        HelpFormatter(width: width).help(for: path)
    }

    /// The help text of a command named by its path from the root (`["leads", "import"]`).
    public func help(forPath names: [String]) -> String? {
        var path = [root]
        for name in names {
            guard let sub = path[path.count - 1].subcommand(named: name) else { return nil }
            path.append(sub)
        }
        return help(for: path)
    }
}
