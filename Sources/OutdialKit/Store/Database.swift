import CSQLite
import Foundation

/// A connection to one SQLite file: WAL, foreign keys, a busy timeout, and a
/// cache of prepared statements keyed by their SQL.
///
/// A thin hand-written wrapper in the manner of SwiftPM's `Basics/SQLite` and
/// GRDB's `Statement`: it hides nothing SQLite does, it only makes the C API
/// safe to call and its errors readable.
public final class Database {
    /// The file this connection opened.
    public let path: String
    let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    private var transactionDepth = 0
    /// Takes this connection's checkpoints, when `checkpointInBackground()` was asked.
    var background: Checkpointer?

    /// Opens (creating if needed) a database file.
    ///
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for another process's lock
    ///     before failing with `SQLITE_BUSY` (exit 75), in milliseconds.
    ///   - readOnly: open without write access and without creating the file.
    public init(path: String, busyTimeout: Int32 = 5000, readOnly: Bool = false) throws(StoreError) {
        _ = Self.configured
        self.path = path
        var pointer: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(readOnly ? Self.readOnlyURI(path) : path, &pointer, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open the database"
            sqlite3_close_v2(pointer)
            throw StoreError(code: rc, message: message, path: path)
        }
        handle = pointer
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeout)
        if !readOnly {
            // Takes effect only for a new, empty file: 8 KiB pages halve the page
            // reads of a bulk import's index build and of full scans.
            try execute("PRAGMA page_size = 8192")
            // WAL lets a reader (export, ingest's look-ups) run beside the runner's writes.
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA synchronous = NORMAL")
        }
        try execute("PRAGMA foreign_keys = ON")
    }

    /// The URI a read-only connection opens. A WAL database needs its `-shm`
    /// file: where it cannot be made (a read-only folder) and no `-wal` is
    /// waiting to be read, the file is opened `immutable` — nobody can be
    /// writing it, since nobody can make the files a writer needs.
    static func readOnlyURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let escaped = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        let shmPossible =
            FileManager.default.fileExists(atPath: path + "-shm") ? access(path + "-shm", R_OK) == 0 : access(FilePath.folder(of: absolute), W_OK) == 0
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int ?? 0
        let walWaiting = walSize > 0
        return "file:\(escaped)?mode=ro" + (!shmPossible && !walWaiting ? "&immutable=1" : "")
    }

    /// Process-wide SQLite settings, applied once before the first connection.
    private static let configured: Bool = outdial_sqlite3_disable_memstatus() == SQLITE_OK

    deinit {
        statements.removeAll()
        if let background {
            sqlite3_wal_hook(handle, nil, nil)
            background.stop()
        }
        sqlite3_close_v2(handle)
    }

    /// Copies this whole database into `target` with SQLite's online backup
    /// API: a consistent snapshot even while another process writes.
    public func backup(into target: Database) throws(StoreError) {
        guard let backup = sqlite3_backup_init(target.handle, "main", handle, "main") else {
            throw StoreError(code: sqlite3_extended_errcode(target.handle), message: String(cString: sqlite3_errmsg(target.handle)), path: target.path)
        }
        var rc: Int32
        repeat {
            rc = sqlite3_backup_step(backup, -1)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { sqlite3_sleep(50) }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        let finished = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finished == SQLITE_OK else {
            throw StoreError(code: rc == SQLITE_DONE ? finished : rc, message: String(cString: sqlite3_errmsg(target.handle)), path: target.path)
        }
    }

    /// Runs one or more statements that take no parameters and return no rows
    /// worth reading (DDL, pragmas).
    public func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw StoreError(code: sqlite3_extended_errcode(handle), message: text, sql: sql, path: path)
        }
    }

    /// A prepared statement for this SQL, reused across calls and reset for
    /// the caller.
    public func prepare(_ sql: String) throws(StoreError) -> Statement {
        if let statement = statements[sql] {
            statement.reset()
            return statement
        }
        let statement = try Statement(database: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` in a transaction that commits when it returns and rolls
    /// back when it throws. Nested calls become savepoints.
    ///
    /// The outer transaction is `BEGIN IMMEDIATE`, so a writer takes the lock
    /// up front and waits out the busy timeout there, not halfway through.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            let name = "sp\(transactionDepth)"
            try execute("SAVEPOINT \(name)")
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            do {
                let value = try body()
                try execute("RELEASE \(name)")
                return value
            } catch {
                try? execute("ROLLBACK TO \(name)")
                try? execute("RELEASE \(name)")
                throw error
            }
        }
        try execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The rowid of the last row inserted on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs a statement with bound values, discarding any rows.
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) {
        let statement = try prepare(sql)
        try statement.bind(values)
        try statement.execute()
    }

    /// Collects every row of a query through `read`.
    public func query<T>(_ sql: String, _ values: [SQLValue] = [], _ read: (Statement) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var rows: [T] = []
        while try statement.step() { rows.append(try read(statement)) }
        return rows
    }

    /// The first column of the first row, as an integer.
    public func scalar(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int64? {
        let statement = try prepare(sql)
        defer { statement.reset() }  // an unfinished statement would hold a read lock
        try statement.bind(values)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// The first column of the first row, as text.
    public func text(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> String? {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return statement.string(0)
    }

    /// `PRAGMA user_version`: the schema version this file is at.
    public var userVersion: Int {
        get throws(StoreError) { Int(try scalar("PRAGMA user_version") ?? 0) }
    }

    func error(_ code: Int32, sql: String?) -> StoreError {
        StoreError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
    }
}
