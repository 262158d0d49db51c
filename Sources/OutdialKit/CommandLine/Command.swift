/// A command of the tool, declared as data: its name, help, arguments,
/// options, subcommands and what it runs. Help, usage, errors and completion
/// scripts are all generated from this declaration.
public struct Command: Sendable {
    /// What a command does when it is invoked.
    public typealias Run = @Sendable (Invocation) async throws -> Void

    public var name: String
    /// One line for the SUBCOMMANDS list and the OVERVIEW.
    public var abstract: String
    /// Further paragraphs shown after the overview in the command's own help.
    public var discussion: String?
    public var arguments: [Argument]
    public var options: [Option]
    public var subcommands: [Command]
    /// `nil` for a group: invoking it without a subcommand shows its help.
    public var run: Run?
    /// The version printed by `--version` (the root command only).
    public var version: String?

    public init(
        name: String,
        abstract: String,
        discussion: String? = nil,
        arguments: [Argument] = [],
        options: [Option] = [],
        subcommands: [Command] = [],
        version: String? = nil,
        run: Run? = nil
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
        self.version = version
        self.run = run
    }

    /// The subcommand with this name, if any.
    public func subcommand(named name: String) -> Command? {
        subcommands.first { $0.name == name }
    }
}

/// A positional argument.
public struct Argument: Sendable {
    public var name: String
    public var help: String
    public var kind: ValueKind
    public var isOptional: Bool
    /// Takes every remaining positional value (the last argument only).
    public var isRepeating: Bool

    public init(_ key: OptionKey, help: String, kind: ValueKind = .string, optional: Bool = false, repeating: Bool = false) {
        self.name = key.name
        self.help = help
        self.kind = kind
        self.isOptional = optional
        self.isRepeating = repeating
    }

    /// `<file>`, `[<file>]`, `<number> ...`.
    var usage: String {
        let core = "<\(name)>" + (isRepeating ? " ..." : "")
        return isOptional ? "[\(core)]" : core
    }
}

/// A named option or flag.
public struct Option: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A flag; with `inversion` it also accepts `--no-NAME`.
        case flag(inversion: Bool)
        /// An option that takes a value.
        case value(ValueKind, valueName: String)
    }

    /// The long name, without dashes.
    public var name: String
    public var short: Character?
    public var help: String
    public var kind: Kind
    /// Shown in help and used when the option is absent.
    public var defaultValue: String?
    /// An environment variable consulted when the option is absent.
    public var environment: String?
    /// May be given more than once; every value is kept in order.
    public var isRepeating: Bool
    /// Accepted by every subcommand below the one that declares it.
    public var isInherited: Bool

    public init(
        _ key: OptionKey,
        short: Character? = nil,
        help: String,
        kind: Kind,
        default defaultValue: String? = nil,
        environment: String? = nil,
        repeating: Bool = false,
        inherited: Bool = false
    ) {
        self.name = key.name
        self.short = short
        self.help = help
        self.kind = kind
        self.defaultValue = defaultValue
        self.environment = environment
        self.isRepeating = repeating
        self.isInherited = inherited
    }

    /// A flag, optionally with a `--no-` form.
    public static func flag(_ key: OptionKey, short: Character? = nil, help: String, inversion: Bool = false, inherited: Bool = false) -> Option {
        Option(key, short: short, help: help, kind: .flag(inversion: inversion), inherited: inherited)
    }

    /// An option taking a value.
    public static func value(
        _ key: OptionKey,
        short: Character? = nil,
        _ valueName: String,
        _ kind: ValueKind = .string,
        help: String,
        default defaultValue: String? = nil,
        environment: String? = nil,
        repeating: Bool = false,
        inherited: Bool = false
    ) -> Option {
        Option(
            key, short: short, help: help, kind: .value(kind, valueName: valueName),
            default: defaultValue, environment: environment, repeating: repeating, inherited: inherited)
    }

    var isFlag: Bool { if case .flag = kind { return true } else { return false } }

    var hasInversion: Bool { if case .flag(true) = kind { return true } else { return false } }

    var valueKind: ValueKind? { if case .value(let k, _) = kind { return k } else { return nil } }

    /// `--db <path>`, `--color/--no-color`, `-q, --quiet`.
    var label: String {
        var text = short.map { "-\($0), " } ?? ""
        switch kind {
        case .flag(let inversion): text += inversion ? "--\(name)/--no-\(name)" : "--\(name)"
        case .value(_, let valueName): text += "--\(name) <\(valueName)>"
        }
        return text
    }

    /// The form used in a usage line: `[--db <path>]`.
    var usage: String {
        let core: String
        switch kind {
        case .flag(let inversion): core = inversion ? "--\(name)/--no-\(name)" : "--\(name)"
        case .value(_, let valueName): core = "--\(name) <\(valueName)>"
        }
        return "[\(core)]" + (isRepeating ? " ..." : "")
    }
}
