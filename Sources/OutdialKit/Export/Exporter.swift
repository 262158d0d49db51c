#if canImport(Glibc)
    import Glibc
#endif

/// How an export is written.
public struct ExportOptions: Sendable {
    public enum TimeFormat: String, Sendable, CaseIterable {
        /// `2026-11-23T14:00:00.000Z`.
        case utc
        /// `2026-11-23T09:00:00.000-05:00`, in the lead's zone (the first it is gated on).
        case local
    }

    public var format: Exporter.Format = .csv
    public var since: Instant?
    public var until: Instant?
    /// Only this campaign's rows (calls and results).
    public var campaign: String?
    public var timeFormat: TimeFormat = .utc
    /// CSV: JSON objects spread into `column.key` columns, arrays written as text; `raw` left out.
    public var flatten = false
    /// Start with a UTF-8 byte-order mark (for Excel).
    public var byteOrderMark = false

    public init() {}
}

/// `outdial export`: calls, per-lead results, leads, tasks and notes as CSV
/// (RFC 4180), JSON Lines or a JSON array, in a stable column order; every row
/// of a lead carries the lead's CRM id, name, phone and email; instants in one
/// format; JSON columns nested in the JSON formats (docs/campaign.md, "Export").
public struct Exporter {
    public enum Table: String, CaseIterable, Sendable { case calls, results, leads, tasks, notes, messages }
    public enum Format: String, CaseIterable, Sendable { case csv, jsonl, json }

    enum Kind { case text, integer, instant, bool, json, zones }

    struct Column {
        var name: String
        var sql: String
        var kind: Kind
    }

    struct Spec {
        var from: String
        /// The instant `--since` and `--until` filter on.
        var time: String
        /// The text of the lead's zones, space-separated, for local times.
        var zones: String
        /// The campaign id `--campaign` filters on (the name is in `campaigns`).
        var campaign: String?
        var order: String
        var columns: [Column]
    }

    let database: Database

    public init(database: Database) { self.database = database }

    private static func columns(_ prefix: String, _ list: [(String, Kind)]) -> [Column] {
        list.map { Column(name: $0.0, sql: prefix + $0.0, kind: $0.1) }
    }

    /// The lead's identity, next to `lead_id` in every table that has one.
    static let leadIdentity: [Column] = [
        Column(name: "external_id", sql: "l.external_id", kind: .text), Column(name: "first_name", sql: "l.first_name", kind: .text),
        Column(name: "last_name", sql: "l.last_name", kind: .text), Column(name: "phone", sql: "l.phone", kind: .text),
        Column(name: "email", sql: "l.email", kind: .text),
    ]

    static let callColumns: [Column] =
        columns(
            "c.", [("call_id", .integer), ("provider", .text), ("provider_call_id", .text), ("connection", .text), ("agent_id", .text), ("lead_id", .integer)])
        + leadIdentity + [Column(name: "campaign", sql: "k.name", kind: .text)]
        + columns(
            "c.",
            [
                ("workflow_run_id", .integer), ("attempt", .integer), ("direction", .text), ("from_number", .text), ("to_number", .text),
                ("status", .text), ("outcome", .text), ("disconnection_reason", .text), ("queued_at", .instant), ("started_at", .instant),
                ("ended_at", .instant), ("duration_ms", .integer), ("transcript", .text), ("transcript_json", .json), ("recording_url", .text),
                ("recording_multichannel_url", .text), ("public_log_url", .text), ("summary", .text), ("sentiment", .text), ("call_successful", .bool),
                ("in_voicemail", .bool), ("user_spoke", .bool), ("custom_analysis", .json), ("dynamic_variables", .json), ("collected_variables", .json),
                ("transfer_to", .text), ("cost_cents", .integer), ("latency_json", .json), ("error_message", .text), ("lead_timezone", .text),
                ("selection_tier", .text), ("raw", .json),
            ])
    static let leadColumns: [Column] =
        columns(
            "l.",
            [
                ("id", .integer), ("external_id", .text), ("phone", .text), ("phone_source", .text), ("first_name", .text), ("last_name", .text),
                ("email", .text),
            ])
        + [Column(name: "zones", sql: "z.zones", kind: .zones), Column(name: "zone_sources", sql: "z.sources", kind: .json)]
        + columns(
            "l.",
            [
                ("state", .text), ("state_source", .text), ("zip", .text), ("country", .text), ("timezone", .text), ("status", .text), ("dnc", .bool),
                ("owner", .text), ("tags", .json), ("fields", .json), ("source_line", .integer), ("created_at", .instant), ("updated_at", .instant),
            ])
    static let taskColumns: [Column] =
        columns("t.", [("id", .integer), ("lead_id", .integer)]) + leadIdentity
        + columns("t.", [("title", .text), ("due_at", .instant), ("assignee", .text), ("status", .text), ("created_at", .instant)])
    static let noteColumns: [Column] =
        columns("n.", [("id", .integer), ("lead_id", .integer)]) + leadIdentity
        + columns("n.", [("call_id", .integer), ("body", .text), ("created_at", .instant)])

    static let messageColumns: [Column] =
        columns("m.", [("id", .integer), ("lead_id", .integer)]) + leadIdentity
        + columns("m.", [("channel", .text), ("direction", .text)])
        + [
            Column(name: "from", sql: "m.from_addr", kind: .text), Column(name: "to", sql: "m.to_addr", kind: .text),
            Column(name: "text", sql: "m.body", kind: .text), Column(name: "sent_at", sql: "m.sent_at", kind: .instant),
            Column(name: "status", sql: "m.status", kind: .text),
            Column(name: "provider_message_id", sql: "substr(m.external_id, length(m.channel) + 2)", kind: .text),
            Column(name: "opt_out", sql: "m.opt_out", kind: .text),
        ]

    /// One row per lead and campaign the lead is enrolled in.
    static let resultColumns: [Column] =
        [Column(name: "lead_id", sql: "l.id", kind: .integer)] + leadIdentity + [
            Column(name: "campaign", sql: "k.name", kind: .text),
            Column(name: "attempts", sql: "(SELECT count(*) FROM calls c WHERE c.lead_id = l.id AND c.campaign_id = e.campaign_id)", kind: .integer),
            Column(
                name: "answered", sql: "(SELECT max(c.outcome = 'answered') FROM calls c WHERE c.lead_id = l.id AND c.campaign_id = e.campaign_id)", kind: .bool
            ),
            Column(name: "last_outcome", sql: "lc.outcome", kind: .text),
            Column(name: "last_call_status", sql: "lc.status", kind: .text),
            Column(name: "last_call_at", sql: "lc.queued_at", kind: .instant),
            Column(name: "last_call_id", sql: "lc.call_id", kind: .integer),
            Column(name: "last_sentiment", sql: "lc.sentiment", kind: .text),
            Column(name: "last_summary", sql: "lc.summary", kind: .text),
            Column(
                name: "successful", sql: "(SELECT max(c.call_successful) FROM calls c WHERE c.lead_id = l.id AND c.campaign_id = e.campaign_id)", kind: .bool),
            Column(name: "tags", sql: "l.tags", kind: .json),
            Column(name: "latest_note", sql: "(SELECT n.body FROM notes n WHERE n.lead_id = l.id ORDER BY n.id DESC LIMIT 1)", kind: .text),
            Column(
                name: "status",
                sql: """
                    CASE WHEN EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id AND c.campaign_id = e.campaign_id AND c.status IN ('queued', 'dialing', 'in_progress')) THEN 'in_flight'
                    WHEN EXISTS (SELECT 1 FROM workflow_runs r WHERE r.lead_id = l.id AND r.campaign_id = e.campaign_id AND r.status = 'waiting') THEN 'waiting'
                    WHEN EXISTS (SELECT 1 FROM workflow_runs r WHERE r.lead_id = l.id AND r.campaign_id = e.campaign_id AND r.status IN ('stopped', 'failed')) THEN 'stopped'
                    ELSE 'done' END
                    """, kind: .text),
            Column(
                name: "stop_reason",
                sql:
                    "(SELECT r.error FROM workflow_runs r WHERE r.lead_id = l.id AND r.campaign_id = e.campaign_id AND r.status IN ('stopped', 'failed') ORDER BY r.id DESC LIMIT 1)",
                kind: .text),
            Column(name: "owner", sql: "l.owner", kind: .text),
            Column(name: "dnc", sql: "l.dnc", kind: .bool),
        ]

    static func spec(_ table: Table) -> Spec {
        let lead = "LEFT JOIN leads l ON l.id = "
        switch table {
        case .calls:
            return Spec(
                from: "calls c \(lead)c.lead_id LEFT JOIN campaigns k ON k.id = c.campaign_id", time: "c.queued_at", zones: "c.lead_timezone",
                campaign: "c.campaign_id", order: "c.call_id",
                columns: callColumns)
        case .results:
            return Spec(
                from: """
                    (SELECT DISTINCT campaign_id, lead_id FROM workflow_runs) e JOIN leads l ON l.id = e.lead_id JOIN campaigns k ON k.id = e.campaign_id
                    LEFT JOIN calls lc ON lc.call_id = (SELECT c.call_id FROM calls c WHERE c.lead_id = e.lead_id AND c.campaign_id = e.campaign_id ORDER BY c.attempt DESC LIMIT 1)
                    LEFT JOIN zone_sets z ON z.id = l.zone_set_id
                    """, time: "lc.queued_at", zones: "z.zones", campaign: "e.campaign_id", order: "k.name, l.id", columns: resultColumns)
        case .leads:
            return Spec(
                from: "leads l LEFT JOIN zone_sets z ON z.id = l.zone_set_id", time: "l.updated_at", zones: "z.zones", campaign: nil, order: "l.id",
                columns: leadColumns)
        case .tasks:
            return Spec(
                from: "tasks t \(lead)t.lead_id LEFT JOIN zone_sets z ON z.id = l.zone_set_id", time: "t.created_at", zones: "z.zones", campaign: nil,
                order: "t.id", columns: taskColumns)
        case .messages:
            return Spec(
                from: "messages m \(lead)m.lead_id LEFT JOIN zone_sets z ON z.id = l.zone_set_id", time: "m.sent_at", zones: "z.zones", campaign: nil,
                order: "m.id", columns: messageColumns)
        case .notes:
            return Spec(
                from: "notes n \(lead)n.lead_id LEFT JOIN zone_sets z ON z.id = l.zone_set_id", time: "n.created_at", zones: "z.zones", campaign: nil,
                order: "n.id", columns: noteColumns)
        }
    }

    func statement(_ spec: Spec, _ options: ExportOptions) throws -> Statement {
        var sql = "SELECT " + spec.columns.map(\.sql).joined(separator: ", ") + ", \(spec.zones)"
        sql += " FROM \(spec.from) WHERE (?1 IS NULL OR \(spec.time) >= ?1) AND (?2 IS NULL OR \(spec.time) < ?2)"
        if let campaign = spec.campaign { sql += " AND (?3 IS NULL OR \(campaign) = \(Schema.campaignID("?3")))" }
        sql += " ORDER BY \(spec.order)"
        let statement = try database.prepare(sql)
        var values: [SQLValue] = [.optional(options.since?.milliseconds), .optional(options.until?.milliseconds)]
        if spec.campaign != nil { values.append(.optional(options.campaign)) }
        try statement.bind(values)
        return statement
    }

    /// Writes a table to a file descriptor (1 for stdout). Returns the rows written.
    @discardableResult
    public func export(_ table: Table, options: ExportOptions, to descriptor: Int32) throws -> Int {
        let spec = Self.spec(table)
        var columns = spec.columns
        let flatten = options.flatten && options.format == .csv
        if flatten { columns.removeAll { $0.name == "raw" } }
        // Flattened, each JSON object column becomes one column per key any row holds (a first pass finds them).
        var keys: [String: [String]] = [:]
        if flatten {
            var found: [String: Set<String>] = [:]
            let scan = try statement(spec, options)
            defer { scan.reset() }
            let objects = spec.columns.enumerated().filter { $0.element.kind == .json && $0.element.name != "raw" }
            while try scan.step() {
                for (i, column) in objects where !scan.isNull(Int32(i)) {
                    Self.flatKeys(LeadRecord.parse(scan.string(Int32(i)) ?? "null"), prefix: "", into: &found[column.name, default: []])
                }
            }
            for (name, set) in found where !set.isEmpty { keys[name] = set.sorted() }
        }
        let statement = try statement(spec, options)
        defer { statement.reset() }
        let zonesColumn = Int32(spec.columns.count)
        var clocks = ZoneClocks()
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
        if options.byteOrderMark { out += [0xEF, 0xBB, 0xBF] }
        // Which columns of the statement each output column reads.
        let indexed = spec.columns.enumerated().filter { !(flatten && $0.element.name == "raw") }.map { (Int32($0.offset), $0.element) }
        if options.format == .csv {
            var names: [String] = []
            for (_, column) in indexed {
                if let list = keys[column.name] { names += list.map { column.name + "." + $0 } } else { names.append(column.name) }
            }
            for (i, name) in names.enumerated() {
                if i > 0 { out.append(44) }
                Self.csvField(name, into: &out)
            }
            out += [13, 10]
        } else if options.format == .json {
            out.append(91)
        }
        var rows = 0
        while try statement.step() {
            if options.format == .json, rows > 0 { out.append(44) }
            rows += 1
            var clock: ZoneClock?
            if options.timeFormat == .local, let zone = statement.string(zonesColumn)?.split(separator: " ").first {
                clock = clocks.clock(String(zone))
            }
            func instant(_ c: Int32) -> String {
                let value = Instant(milliseconds: statement.int64(c))
                return clock.map { value.iso8601(in: $0) } ?? value.iso8601Milliseconds
            }
            if options.format == .csv {
                var first = true
                func field(_ text: String?) {
                    if !first { out.append(44) }
                    first = false
                    if let text { Self.csvField(text, into: &out) }
                }
                for (c, column) in indexed {
                    if let list = keys[column.name] {
                        var flat: [String: String] = [:]
                        if !statement.isNull(c) { Self.flatten(LeadRecord.parse(statement.string(c) ?? "null"), prefix: "", into: &flat) }
                        for key in list { field(flat[key]) }
                        continue
                    }
                    guard !statement.isNull(c) else {
                        field(nil)
                        continue
                    }
                    switch column.kind {
                    case .instant: field(instant(c))
                    case .bool: field(statement.int64(c) != 0 ? "true" : "false")
                    case .json where flatten: field(Self.text(LeadRecord.parse(statement.string(c) ?? "null")))
                    default: field(statement.string(c) ?? "")
                    }
                }
                out += [13, 10]
            } else {
                Self.object(statement, indexed, instant: instant).write(to: &out)
                if options.format == .jsonl { out.append(10) }
            }
            if out.count >= 1 << 16 { try flush() }
        }
        if options.format == .json { out += [93, 10] }
        try flush()
        return rows
    }

    /// The row the statement is on, as the JSON formats write it.
    static func object(_ statement: Statement, _ columns: [(Int32, Column)], instant: (Int32) -> String) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        for (c, column) in columns {
            let value: JSONValue
            if statement.isNull(c) {
                value = column.kind == .json && column.name == "zone_sources" ? .object([]) : column.kind == .zones ? .array([]) : .null
            } else {
                switch column.kind {
                case .text: value = .string(statement.string(c) ?? "")
                case .zones: value = .array((statement.string(c) ?? "").split(separator: " ").map { .string(String($0)) })
                case .integer: value = .int(statement.int64(c))
                case .instant: value = .string(instant(c))
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
        let spec = Self.spec(.calls)
        let sql = "SELECT " + spec.columns.map(\.sql).joined(separator: ", ") + " FROM \(spec.from) WHERE c.call_id = ?"
        let statement = try database.prepare(sql)
        defer { statement.reset() }
        try statement.bind([.integer(id)])
        guard try statement.step() else { return nil }
        return Self.object(statement, spec.columns.enumerated().map { (Int32($0.offset), $0.element) }) {
            Instant(milliseconds: statement.int64($0)).iso8601Milliseconds
        }
    }

    /// The dotted keys of an object's leaves (`a.b`); arrays are leaves.
    static func flatKeys(_ value: JSONValue, prefix: String, into keys: inout Set<String>) {
        guard case .object(let pairs) = value else {
            if !prefix.isEmpty { keys.insert(prefix) }
            return
        }
        for (key, child) in pairs { flatKeys(child, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &keys) }
    }

    static func flatten(_ value: JSONValue, prefix: String, into flat: inout [String: String]) {
        guard case .object(let pairs) = value else {
            if !prefix.isEmpty { flat[prefix] = text(value) }
            return
        }
        for (key, child) in pairs { flatten(child, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &flat) }
    }

    /// A JSON value as plain text for a CSV cell: scalars as themselves, an
    /// array of scalars joined with "; ", an array of objects one line each (`role: agent, content: Hi`).
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .null: return nil
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .array(let items):
            let objects = items.contains { if case .object = $0 { return true } else { return false } }
            return items.compactMap(text).joined(separator: objects ? "\n" : "; ")
        case .object(let pairs):
            return pairs.compactMap { key, child in text(child).map { "\(key): \($0)" } }.joined(separator: ", ")
        }
    }

    /// RFC 4180: quoted when it holds a comma, quote, CR or LF.
    static func csvField(_ text: String, into out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return out += bytes }
        RejectsWriter.quote(bytes, into: &out)
    }
}
