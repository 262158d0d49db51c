import CSQLite
import Foundation

/// Opening the campaign database the way every command wants it.
public enum Store {
    /// The default database file when neither `--db` nor `OUTDIAL_DB` is given.
    public static let defaultPath = "outdial.db"

    /// Opens a database and brings it to the current schema, creating it if needed.
    /// Why `path` cannot name a database file (an empty path and `:memory:`
    /// are temporary databases that keep nothing; `file:` is a URI), or nil.
    public static func refusal(ofPath path: String) -> String? {
        if path.isEmpty { return "is empty; name a database file" }
        if path == ":memory:" { return "is a temporary in-memory database that keeps nothing; name a database file" }
        if path.hasPrefix("file:") { return "is a URI; name the database file itself" }
        return nil
    }

    /// Whether a database file is at `path`.
    public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// A database file this process may not write (its permissions, or a
    /// folder where SQLite cannot make its `-wal` and `-shm` files) is opened
    /// read-only: commands that only read it (`leads list`, `export`, `plan`,
    /// `report`, `status`) work; one that writes fails with a clear error.
    public static func open(_ path: String, busyTimeout: Int32 = 5000) throws -> Database {
        if exists(path), !isWritable(path) {
            let database = try Database(path: path, busyTimeout: busyTimeout, readOnly: true)
            guard try Migrator().isCurrent(database) else { throw ReadOnlyDatabaseError(path: path, upgrade: true) }
            return database
        }
        let database = try Database(path: path, busyTimeout: busyTimeout)
        try Migrator().migrate(database)
        return database
    }

    /// A connection that only reads `path`. A WAL file left by a process that
    /// was killed must be recovered first, which a read-only connection cannot
    /// do (`SQLITE_READONLY_RECOVERY`); where this process may write the file,
    /// it then reads through a read-write connection, which recovers it.
    public static func openForReading(_ path: String) throws -> Database {
        let readOnly = try Database(path: path, readOnly: true)
        let failure: StoreError
        do {
            _ = try readOnly.scalar("SELECT count(*) FROM sqlite_master")
            return readOnly
        } catch {
            failure = error
        }
        guard failure.primaryCode == SQLITE_READONLY, isWritable(path) else { throw failure }
        return try Database(path: path)
    }

    /// Whether this process can write the database at `path` and the files SQLite keeps beside it.
    public static func isWritable(_ path: String) -> Bool {
        guard access(path, W_OK) == 0 else { return false }
        if access(FilePath.folder(of: path), W_OK) == 0 { return true }
        return ["-wal", "-shm"].allSatisfy { access(path + $0, W_OK) == 0 }
    }
}

/// A read-only database that a command would have to change (exit 74): to
/// upgrade its schema, or to write what the command writes.
public struct ReadOnlyDatabaseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    /// The schema is older than this outdial's: it must be opened writable once.
    public var upgrade: Bool
    public init(path: String, upgrade: Bool) {
        self.path = path
        self.upgrade = upgrade
    }
    public var description: String {
        upgrade
            ? "\(path) is read-only and was made by an older outdial; run `outdial init --db \(path)` once where it can be written, to bring it up to date"
            : "\(path) is read-only (the file's or its folder's permissions), and this command writes to it; reading commands (leads list, export, plan, report, status) work on it"
    }
}

extension ReadOnlyDatabaseError: CommandError { public var exitCode: ExitCode { .ioError } }

/// What `outdial init` did to a database file.
public struct InitReport: Equatable, Sendable {
    /// What `init` did to the file (its raw value is `--json`'s `action`).
    public enum Action: String, Sendable {
        case created, migrated, current
    }
    public var action: Action
    public var from: Int
    public var to: Int
    public var applied: [String]
}

extension Store {
    /// Creates or migrates a database file and says which.
    public static func initialize(_ path: String) throws -> InitReport {
        let database = try Database(path: path)
        let report = try Migrator().migrate(database)
        let action: InitReport.Action = report.applied.isEmpty ? .current : (report.from == 0 ? .created : .migrated)
        return InitReport(action: action, from: report.from, to: report.to, applied: report.applied)
    }
}

/// A command that reads a database was pointed at a path with no file (exit 66).
public struct NoDatabaseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public init(path: String) { self.path = path }
    public var description: String {
        "no database at \(path); create it with `outdial init --db \(path)` (or `outdial leads import FILE --db \(path)`), or check the path"
    }
}

extension NoDatabaseError: CommandError { public var exitCode: ExitCode { .noInput } }
