/// A mistake in how the command line was written: exit 64, `Error: …` and the
/// usage line of the command it happened in.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The sentence after `Error: `.
    public var message: String
    /// The usage line of the command being parsed (`outdial init [--db <path>]`).
    public var usage: String
    /// The command path for the `--help` hint (`outdial init`).
    public var commandPath: String

    public init(_ message: String, usage: String, commandPath: String) {
        self.message = message
        self.usage = usage
        self.commandPath = commandPath
    }

    public var description: String { message }

    /// What goes to stderr: the error, the usage line and where to read more.
    public var rendered: String {
        "Error: \(message)\nUsage: \(usage)\n  See '\(commandPath) --help' for more information.\n"
    }
}
