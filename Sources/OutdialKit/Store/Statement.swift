import CSQLite

/// A value to bind to a statement parameter.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }

    /// Text, or NULL for nil.
    public static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }

    /// An integer, or NULL for nil.
    public static func optional(_ value: Int64?) -> SQLValue { value.map(SQLValue.integer) ?? .null }
}

/// A prepared statement. Parameters are 1-based, columns 0-based, as in SQLite.
public final class Statement {
    let handle: OpaquePointer
    /// The SQL text, for error messages.
    public let sql: String
    private unowned let database: Database

    init(database: Database, sql: String) throws(StoreError) {
        var pointer: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard rc == SQLITE_OK, let pointer else { throw database.error(rc, sql: sql) }
        self.handle = pointer
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds values to parameters 1…n.
    public func bind(_ values: [SQLValue]) throws(StoreError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: try check(sqlite3_bind_null(handle, index))
            case .integer(let v): try bind(v, at: index)
            case .real(let v): try check(sqlite3_bind_double(handle, index, v))
            case .text(let v): try bind(v, at: index)
            case .blob(let v):
                let rc = v.withUnsafeBytes { bytes in
                    sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), SQLite.transient)
                }
                try check(rc)
            }
        }
    }

    /// Binds an integer.
    @inline(__always)
    public func bind(_ value: Int64, at index: Int32) throws(StoreError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds text.
    @inline(__always)
    public func bind(_ value: String, at index: Int32) throws(StoreError) {
        var value = value
        let rc = value.withUTF8 { bytes in bindTextCode(bytes, at: index) }
        try check(rc)
    }

    /// Binds UTF-8 bytes as text without building a `String` (hot paths).
    @inline(__always)
    public func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) throws(StoreError) {
        try check(bindTextCode(bytes, at: index))
    }

    @inline(__always)
    private func bindTextCode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) -> Int32 {
        guard let base = bytes.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, SQLite.transient) }
        return sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), SQLite.transient)
    }

    /// Binds UTF-8 bytes as text without copying them: the caller keeps the
    /// bytes alive and unchanged until the statement is reset or rebound.
    @inline(__always)
    public func bindTextNoCopy(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) throws(StoreError) {
        guard let base = bytes.baseAddress else { return try check(sqlite3_bind_text(handle, index, "", 0, SQLite.transient)) }
        try check(sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil))
    }

    /// Resets the statement for another run, keeping its bindings.
    @inline(__always)
    public func rewind() { sqlite3_reset(handle) }

    /// Binds NULL.
    @inline(__always)
    public func bindNull(at index: Int32) throws(StoreError) {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Advances to the next row: true when a row is ready, false when done.
    @discardableResult
    public func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion and resets it for the next use.
    public func execute() throws(StoreError) {
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Whether column `index` is NULL.
    public func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` as an integer (0 for NULL).
    public func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` as an integer, nil for NULL.
    public func optionalInt64(_ index: Int32) -> Int64? { isNull(index) ? nil : int64(index) }

    /// Column `index` as a double.
    public func double(_ index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// Column `index` as text, nil for NULL.
    public func string(_ index: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The number of columns a row has.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The name of column `index`.
    public func columnName(_ index: Int32) -> String { String(cString: sqlite3_column_name(handle, index)) }

    @inline(__always)
    private func check(_ rc: Int32) throws(StoreError) {
        if rc != SQLITE_OK { throw database.error(rc, sql: sql) }
    }
}

/// SQLite constants Swift cannot import directly.
enum SQLite {
    /// `SQLITE_TRANSIENT`: SQLite copies the bound bytes before the call returns.
    static var transient: sqlite3_destructor_type { unsafeBitCast(-1 as Int, to: sqlite3_destructor_type.self) }
}
