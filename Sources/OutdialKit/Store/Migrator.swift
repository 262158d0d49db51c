/// One forward step of the schema. Once landed, a migration is never edited:
/// changes are new migrations.
public struct Migration: Sendable {
    /// The `user_version` the database has after this step.
    public var version: Int
    /// What the step does, for `init`'s report.
    public var summary: String
    /// The DDL, run inside the migration's transaction.
    public var sql: String

    public init(version: Int, summary: String, sql: String) {
        self.version = version
        self.summary = summary
        self.sql = sql
    }
}

/// Why a database cannot be brought to the current schema.
public enum MigrationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file was written by a newer outdial.
    case newerDatabase(path: String, found: Int, supported: Int)

    public var description: String {
        switch self {
        case .newerDatabase(let path, let found, let supported):
            return "\(path) has schema version \(found), but this outdial knows versions up to \(supported); use a newer outdial for this database."
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
            try database.transaction {
                try database.execute(migration.sql)
                try database.execute("PRAGMA user_version = \(migration.version)")
            }
            applied.append(migration.summary)
        }
        return MigrationReport(from: found, to: max(found, min(target, latestVersion)), applied: applied)
    }

    /// Whether a database needs migrating, without changing it.
    public func isCurrent(_ database: Database) throws -> Bool {
        try database.userVersion == latestVersion
    }
}
