import CSQLite

/// A failure reported by SQLite, with the code, SQLite's message and the SQL
/// that was running, so a user or a bug report can tell what failed where.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The extended SQLite result code.
    public var code: Int32
    /// SQLite's own message.
    public var message: String
    /// The statement that failed, when there was one.
    public var sql: String?
    /// The database file.
    public var path: String?

    public init(code: Int32, message: String, sql: String? = nil, path: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
    }

    /// The primary result code (`SQLITE_BUSY` for `SQLITE_BUSY_SNAPSHOT`).
    public var primaryCode: Int32 { code & 0xFF }

    /// The database stayed locked past the busy timeout: try again later (exit 75).
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    /// A constraint (unique, foreign key, check) refused the write.
    public var isConstraint: Bool { primaryCode == SQLITE_CONSTRAINT }

    public var description: String {
        var text = (path.map { "\($0): " } ?? "") + "database error: \(message) (\(Self.name(of: code)))"
        if let sql { text += "\n  while running: " + sql.split(whereSeparator: \.isNewline).map { String($0).trimmingSpaces() }.joined(separator: " ") }
        return text
    }

    /// `SQLITE_BUSY` and the like for a code.
    static func name(of code: Int32) -> String {
        switch code & 0xFF {
        case SQLITE_ERROR: return "SQLITE_ERROR"
        case SQLITE_PERM: return "SQLITE_PERM"
        case SQLITE_ABORT: return "SQLITE_ABORT"
        case SQLITE_BUSY: return "SQLITE_BUSY"
        case SQLITE_LOCKED: return "SQLITE_LOCKED"
        case SQLITE_NOMEM: return "SQLITE_NOMEM"
        case SQLITE_READONLY: return "SQLITE_READONLY"
        case SQLITE_IOERR: return "SQLITE_IOERR"
        case SQLITE_CORRUPT: return "SQLITE_CORRUPT"
        case SQLITE_FULL: return "SQLITE_FULL"
        case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN"
        case SQLITE_CONSTRAINT: return "SQLITE_CONSTRAINT"
        case SQLITE_MISMATCH: return "SQLITE_MISMATCH"
        case SQLITE_MISUSE: return "SQLITE_MISUSE"
        case SQLITE_NOTADB: return "SQLITE_NOTADB"
        case SQLITE_RANGE: return "SQLITE_RANGE"
        default: return "SQLite code \(code)"
        }
    }
}
