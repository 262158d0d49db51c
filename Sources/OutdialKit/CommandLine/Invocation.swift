/// A parsed command line ready to run: which command, the values given for its
/// options and arguments (already validated), and where output goes.
public struct Invocation: Sendable {
    /// The commands from the root to the one invoked.
    public var commandPath: [String]
    /// Values by option or argument name, in the order given.
    public var values: [String: [String]]
    /// Flags given, by name (`false` for an explicit `--no-NAME`).
    public var flags: [String: Bool]
    /// The process environment the values were resolved against.
    public var environment: [String: String]
    /// Result and diagnostic writers configured from `--json`, `--quiet`, `--no-color`.
    public var output: Output
    /// The usage line of the command, for usage errors found after parsing.
    public var usage: String = ""

    public init(commandPath: [String], values: [String: [String]], flags: [String: Bool], environment: [String: String], output: Output) {
        self.commandPath = commandPath
        self.values = values
        self.flags = flags
        self.environment = environment
        self.output = output
    }

    /// A usage error (exit 64) about this command, for a value that only the
    /// command itself can judge (`--map` naming an unknown field).
    public func usageError(_ message: String) -> UsageError {
        UsageError(message, usage: usage, commandPath: commandPath.joined(separator: " "))
    }

    /// Whether a flag is on (absent flags are off).
    public func flag(_ key: OptionKey) -> Bool { flags[key.name] ?? false }

    /// Whether a flag was written explicitly, either way.
    public func flagIfGiven(_ key: OptionKey) -> Bool? { flags[key.name] }

    /// The value of an option or argument (the last one given, or its
    /// environment fallback, or its default).
    public func string(_ key: OptionKey) -> String? { values[key.name]?.last }

    /// Every value of a repeating option or argument.
    public func strings(_ key: OptionKey) -> [String] { values[key.name] ?? [] }

    /// An integer value (validated during parsing).
    public func int(_ key: OptionKey) -> Int? { string(key).flatMap { Int($0) } }

    /// An instant value (validated during parsing).
    public func instant(_ key: OptionKey) -> Instant? { string(key).flatMap { try? Instant(commandLine: $0) } }

    /// A duration value (validated during parsing).
    public func duration(_ key: OptionKey) -> TimeSpan? { string(key).flatMap { try? TimeSpan(parsing: $0) } }
}
