#if canImport(Glibc)
    import Glibc
#endif

/// `outdial export`: calls, leads, tasks and notes as CSV (RFC 4180), JSON
/// Lines or a JSON array, in a stable column order, instants as ISO 8601 UTC,
/// JSON columns nested in the JSON formats.
public struct Exporter {
    public enum Table: String, CaseIterable, Sendable { case calls, leads, tasks, notes }
    public enum Format: String, CaseIterable, Sendable { case csv, jsonl, json }

    enum Kind { case text, integer, instant, bool, json }

    struct Column {
        var name: String
        var kind: Kind
    }

    let database: Database

    public init(database: Database) { self.database = database }

    static let callColumns: [Column] = columns([
        ("call_id", .integer), ("provider", .text), ("provider_call_id", .text), ("connection", .text), ("agent_id", .text), ("lead_id", .integer),
        ("campaign", .text), ("workflow_run_id", .integer), ("attempt", .integer), ("direction", .text), ("from_number", .text), ("to_number", .text),
        ("status", .text), ("outcome", .text), ("disconnection_reason", .text), ("queued_at", .instant), ("started_at", .instant), ("ended_at", .instant),
        ("duration_ms", .integer), ("transcript", .text), ("transcript_json", .json), ("recording_url", .text), ("recording_multichannel_url", .text),
        ("public_log_url", .text), ("summary", .text), ("sentiment", .text), ("call_successful", .bool), ("in_voicemail", .bool), ("user_spoke", .bool),
        ("custom_analysis", .json), ("dynamic_variables", .json), ("collected_variables", .json), ("transfer_to", .text), ("cost_cents", .integer),
        ("latency_json", .json), ("error_message", .text), ("lead_timezone", .text), ("selection_tier", .text), ("raw", .json),
    ])
    static let leadColumns: [Column] = columns([
        ("id", .integer), ("external_id", .text), ("phone", .text), ("first_name", .text), ("last_name", .text), ("email", .text), ("zones", .text),
        ("zone_sources", .json), ("state", .text), ("state_source", .text), ("zip", .text), ("country", .text), ("timezone", .text), ("status", .text),
        ("dnc", .bool), ("owner", .text), ("tags", .json), ("fields", .json), ("source_line", .integer), ("created_at", .instant), ("updated_at", .instant),
    ])
    static let taskColumns: [Column] = columns([
        ("id", .integer), ("lead_id", .integer), ("title", .text), ("due_at", .instant), ("assignee", .text), ("status", .text), ("created_at", .instant),
    ])
    static let noteColumns: [Column] = columns([("id", .integer), ("lead_id", .integer), ("call_id", .integer), ("body", .text), ("created_at", .instant)])

    private static func columns(_ list: [(String, Kind)]) -> [Column] { list.map { Column(name: $0.0, kind: $0.1) } }

    static func spec(_ table: Table) -> (source: String, time: String, columns: [Column]) {
        switch table {
        case .calls: return ("calls", "queued_at", callColumns)
        case .leads: return ("lead_zones", "updated_at", leadColumns)
        case .tasks: return ("tasks", "created_at", taskColumns)
        case .notes: return ("notes", "created_at", noteColumns)
        }
    }

    /// Writes a table to a file descriptor (1 for stdout). Returns the rows written.
    @discardableResult
    public func export(_ table: Table, format: Format, since: Instant?, until: Instant?, to descriptor: Int32) throws -> Int {
        let (source, time, columns) = Self.spec(table)
        let sql =
            "SELECT " + columns.map(\.name).joined(separator: ", ")
            + " FROM \(source) WHERE (?1 IS NULL OR \(time) >= ?1) AND (?2 IS NULL OR \(time) < ?2) ORDER BY rowid"
        let statement = try database.prepare(sql)
        defer { statement.reset() }
        try statement.bind([.optional(since?.milliseconds), .optional(until?.milliseconds)])
        var out: [UInt8] = []
        out.reserveCapacity(1 << 17)
        func flush() throws {
            var offset = 0
            while offset < out.count {
                let n = out.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, out.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw OutputFileError(path: descriptor == 1 ? "standard output" : "the export file", reason: String(cString: strerror(errno)))
                }
                offset += n
            }
            out.removeAll(keepingCapacity: true)
        }
        if format == .csv {
            out += Array(columns.map(\.name).joined(separator: ",").utf8) + [13, 10]
        } else if format == .json {
            out.append(91)
        }
        var rows = 0
        while try statement.step() {
            if format == .json, rows > 0 { out.append(44) }
            rows += 1
            if format == .csv {
                for (i, column) in columns.enumerated() {
                    if i > 0 { out.append(44) }
                    let c = Int32(i)
                    guard !statement.isNull(c) else { continue }
                    let text: String
                    switch column.kind {
                    case .instant: text = Instant(milliseconds: statement.int64(c)).iso8601
                    case .bool: text = statement.int64(c) != 0 ? "true" : "false"
                    default: text = statement.string(c) ?? ""
                    }
                    Self.csvField(text, into: &out)
                }
                out += [13, 10]
            } else {
                Self.object(statement, columns).write(to: &out)
                if format == .jsonl { out.append(10) }
            }
            if out.count >= 1 << 16 { try flush() }
        }
        if format == .json { out += [93, 10] }
        try flush()
        return rows
    }

    /// The row the statement is on, as the JSON formats write it.
    static func object(_ statement: Statement, _ columns: [Column]) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        for (i, column) in columns.enumerated() {
            let c = Int32(i)
            let value: JSONValue
            if statement.isNull(c) {
                value = column.kind == .json && column.name == "zone_sources" ? .object([]) : .null
            } else {
                switch column.kind {
                case .text:
                    value =
                        column.name == "zones"
                        ? .array((statement.string(c) ?? "").split(separator: " ").map { .string(String($0)) }) : .string(statement.string(c) ?? "")
                case .integer: value = .int(statement.int64(c))
                case .instant: value = .string(Instant(milliseconds: statement.int64(c)).iso8601)
                case .bool: value = .bool(statement.int64(c) != 0)
                case .json: value = LeadRecord.parse(statement.string(c) ?? "null")
                }
            }
            pairs.append((column.name, value))
        }
        return .object(pairs)
    }

    /// One call as `export calls --format json` writes it, or nil.
    public func call(_ id: Int64) throws -> JSONValue? {
        let sql = "SELECT " + Self.callColumns.map(\.name).joined(separator: ", ") + " FROM calls WHERE call_id = ?"
        let statement = try database.prepare(sql)
        defer { statement.reset() }
        try statement.bind([.integer(id)])
        guard try statement.step() else { return nil }
        return Self.object(statement, Self.callColumns)
    }

    /// RFC 4180: quoted when it holds a comma, quote, CR or LF.
    static func csvField(_ text: String, into out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return out += bytes }
        RejectsWriter.quote(bytes, into: &out)
    }
}
