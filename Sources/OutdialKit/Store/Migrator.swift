/// One forward step of the schema. Once landed, a migration is never edited:
/// changes are new migrations.
public struct Migration: Sendable {
    /// The `user_version` the database has after this step.
    public var version: Int
    /// What the step does, for `init`'s report.
    public var summary: String
    /// The DDL, run inside the migration's transaction.
    public var sql: String
    /// Changes to tables' `CREATE TABLE` text that leave what is stored as it
    /// is (an equivalent `CHECK`), made after `sql`.
    public var edits: [SchemaEdit]
    /// Tables the step rebuilds (create a copy, copy the rows, drop, rename),
    /// the way SQLite documents for changes `ALTER TABLE` cannot make
    /// (https://www.sqlite.org/lang_altertable.html#otheralter): the step runs
    /// with foreign keys off, so dropping a table other rows point at deletes
    /// nothing, and `PRAGMA foreign_key_check` of each of them must find no
    /// row before it commits.
    public var rebuildsTables: [String]

    public init(version: Int, summary: String, sql: String = "", edits: [SchemaEdit] = [], rebuildsTables: [String] = []) {
        self.version = version
        self.summary = summary
        self.sql = sql
        self.edits = edits
        self.rebuildsTables = rebuildsTables
    }
}

/// A change to one table's `CREATE TABLE` text in `sqlite_schema`, the way
/// SQLite documents for constraints that do not change the file's content
/// (https://www.sqlite.org/lang_altertable.html#otheralter): no copy of the
/// table, however many rows it has. `from` must occur exactly once.
public struct SchemaEdit: Sendable {
    public var table: String
    public var from: String
    public var to: String

    public init(table: String, from: String, to: String) {
        self.table = table
        self.from = from
        self.to = to
    }
}

/// Why a database cannot be brought to the current schema.
public enum MigrationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file was written by a newer outdial.
    case newerDatabase(path: String, found: Int, supported: Int)
    /// A table's definition is not the one a migration was written against
    /// (changed by hand): nothing is changed.
    case unexpectedDefinition(path: String, version: Int, table: String)
    /// A rebuilt table has rows that point at rows that do not exist: nothing is changed.
    case foreignKeyViolation(path: String, version: Int, table: String, rowID: Int64, parent: String)

    public var description: String {
        switch self {
        case .newerDatabase(let path, let found, let supported):
            return "\(path) has schema version \(found), but this outdial knows versions up to \(supported); use a newer outdial for this database."
        case .unexpectedDefinition(let path, let version, let table):
            return
                "\(path): cannot migrate to schema version \(version): the definition of table \(table) is not the one outdial created (was it changed by hand?); the file is unchanged."
        case .foreignKeyViolation(let path, let version, let table, let rowID, let parent):
            return
                "\(path): cannot migrate to schema version \(version): row \(rowID) of table \(table) refers to a row of \(parent) that does not exist; the file is unchanged."
        }
    }
}

/// What `migrate` did.
public struct MigrationReport: Equatable, Sendable {
    /// The version before.
    public var from: Int
    /// The version after.
    public var to: Int
    /// The summaries of the steps applied, in order.
    public var applied: [String]

    /// Whether the database was empty before (a new file).
    public var created: Bool { from == 0 && to > 0 }
}

/// Brings a database to the newest schema by applying, in order and each in
/// its own transaction, the migrations above its `PRAGMA user_version`.
public struct Migrator: Sendable {
    public var migrations: [Migration]

    public init(migrations: [Migration] = Schema.migrations) {
        precondition(migrations.enumerated().allSatisfy { $0.offset + 1 == $0.element.version }, "migrations must be numbered 1, 2, 3 …")
        self.migrations = migrations
    }

    /// The version a fully migrated database has.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies the missing migrations (up to `target`, default all).
    @discardableResult
    public func migrate(_ database: Database, upTo target: Int? = nil) throws -> MigrationReport {
        let target = target ?? latestVersion
        let found = try database.userVersion
        guard found <= latestVersion else {
            throw MigrationError.newerDatabase(path: database.path, found: found, supported: latestVersion)
        }
        var applied: [String] = []
        for migration in migrations where migration.version > found && migration.version <= target {
            // The pragma is a no-op inside a transaction: it goes before.
            if !migration.rebuildsTables.isEmpty { try database.execute("PRAGMA foreign_keys = OFF") }
            defer { if !migration.rebuildsTables.isEmpty { try? database.execute("PRAGMA foreign_keys = ON") } }
            try database.transaction {
                try database.execute(migration.sql)
                if !migration.edits.isEmpty { try apply(migration.edits, of: migration.version, to: database) }
                for table in migration.rebuildsTables {
                    let violation = try database.query("PRAGMA foreign_key_check(\(table))") { ($0.int64(1), $0.string(2) ?? "") }.first
                    if let (rowID, parent) = violation {
                        throw MigrationError.foreignKeyViolation(path: database.path, version: migration.version, table: table, rowID: rowID, parent: parent)
                    }
                }
                try database.execute("PRAGMA user_version = \(migration.version)")
            }
            applied.append(migration.summary)
        }
        return MigrationReport(from: found, to: max(found, min(target, latestVersion)), applied: applied)
    }

    /// Rewrites table definitions in place, then moves the schema cookie on so
    /// every connection (this one included) reads the new text.
    private func apply(_ edits: [SchemaEdit], of version: Int, to database: Database) throws {
        let cookie = try database.scalar("PRAGMA schema_version") ?? 0
        try database.execute("PRAGMA writable_schema = ON")
        defer { try? database.execute("PRAGMA writable_schema = RESET") }
        for edit in edits {
            let sql = try database.text("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", [.text(edit.table)]) ?? ""
            guard sql.components(separatedBy: edit.from).count == 2 else {
                throw MigrationError.unexpectedDefinition(path: database.path, version: version, table: edit.table)
            }
            try database.run(
                "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?",
                [.text(sql.replacingOccurrences(of: edit.from, with: edit.to)), .text(edit.table)])
        }
        try database.execute("PRAGMA schema_version = \(cookie + 1)")
    }

    /// Whether a database needs migrating, without changing it.
    public func isCurrent(_ database: Database) throws -> Bool {
        try database.userVersion == latestVersion
    }
}
