import OutdialKit

/// The command tree: every command is declared here and wired to the library.
enum OutdialCommands {
    static let root: Command = Command(
        name: "outdial",
        abstract: "Run outbound AI-voice campaigns from a shell.",
        discussion: """
            outdial gates each lead through a calling window in the lead's own time zone, picks a local-looking caller ID from a pool, places the call through a telephony connection and keeps every outcome in a SQLite database.
            """,
        options: [CommonOptions.db, CommonOptions.quiet, CommonOptions.noColor],
        subcommands: [
            InitCommand.command,
            LeadsCommand.command,
            ListsCommand.command,
            DncCommand.command,
            NumbersCommand.command,
            WindowCommand.command,
            SelectCommand.command,
            PlanCommand.command,
            CheckCommand.command,
            RunCommand.command,
            RunsCommand.command,
            CallsCommand.command,
            IngestCommand.command,
            ServeCommand.command,
            ReportCommand.command,
            StatusCommand.command,
            OutboxCommand.command,
            ConversationsCommand.command,
            ExportCommand.command,
            CompletionsCommand.command,
        ],
        version: OutdialVersion.current
    )
}

/// Options several commands share.
enum CommonOptions {
    static let db = Option.value(
        .db, "path", .path, help: "The campaign database.", default: Store.defaultPath, environment: "OUTDIAL_DB", inherited: true)
    static let quiet = Option.flag(.quiet, short: "q", help: "Print no progress or informational messages.", inherited: true)
    static let noColor = Option.flag(.noColor, help: "Never colour the output (also: NO_COLOR).", inherited: true)
    static let json = Option.flag(.json, help: "Print machine-readable JSON on stdout.")

    /// The `--region` value, checked against the numbering plan.
    static func region(_ invocation: Invocation) throws -> String {
        let region = (invocation.string(.region) ?? "US").uppercased()
        guard PhoneNormalizer(region: region) != nil else {
            throw invocation.usageError("The value '\(region)' is invalid for '--region <code>': expected an ISO country code such as US, CA or GB.")
        }
        return region
    }

    /// A phone-number argument, normalised; a bad one is a usage error.
    static func phone(_ invocation: Invocation, argument: OptionKey = .phone, region: String) throws -> PhoneNumber {
        let text = invocation.string(argument) ?? ""
        do throws(PhoneNumberError) {
            return try PhoneNormalizer(region: region)!.normalize(text).number
        } catch {
            throw invocation.usageError("The value '\(text)' is invalid for '<\(argument)>': it \(error.reason).")
        }
    }

    /// The database path the user chose.
    /// The database of a command that only reads or runs on one: a path
    /// with no file is refused (a typo in --db must not create an empty database).
    static func existingDatabase(_ invocation: Invocation) throws -> Database {
        let path = try databasePath(invocation)
        guard Store.exists(path) else { throw NoDatabaseError(path: path) }
        return try Store.open(path)
    }

    static func databasePath(_ invocation: Invocation) throws -> String {
        let path = invocation.string(.db) ?? Store.defaultPath
        if let reason = Store.refusal(ofPath: path) { throw invocation.usageError("--db '\(path)' \(reason).") }
        return path
    }
}
