/// The name of an option, flag or argument, as a value: commands declare
/// their options and read them through the same constants (`.campaign`,
/// `.maxCalls`), so a key that is misspelt where it is read does not compile.
/// It is not a string literal on purpose.
public struct OptionKey: Hashable, Sendable, CustomStringConvertible {
    /// The long name, without dashes (`max-calls`).
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }
}
