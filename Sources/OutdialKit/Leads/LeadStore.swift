/// Reading leads back.
public struct LeadStore {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns = """
        id, external_id, phone, first_name, last_name, email, state, state_source, zip, country, timezone, zones,
        zone_sources, status, dnc, fields, source_line, created_at, updated_at, tags, phone_source
        """
    static let byIDSQL = "SELECT \(columns) FROM lead_zones WHERE id = ?"
    static let byPhoneSQL = "SELECT \(columns) FROM lead_zones WHERE phone = ?"
    static let byExternalIDSQL = "SELECT \(columns) FROM lead_zones WHERE external_id = ? ORDER BY id LIMIT 2"
    static let pageSQL = "SELECT \(columns) FROM lead_zones WHERE id > ? ORDER BY id LIMIT ?"
    static let countSQL = "SELECT count(*), sum(dnc) FROM leads"

    /// Finds a lead by outdial id, phone (any format) or the CSV's own id.
    public func find(_ text: String, region: String = "US") throws -> LeadRecord? {
        if let normalizer = PhoneNormalizer(region: region), let phone = try? normalizer.normalize(text).number,
            let lead = try one(Self.byPhoneSQL, [.text(phone.e164)])
        {
            return lead
        }
        if let id = Int64(text), let lead = try one(Self.byIDSQL, [.integer(id)]) { return lead }
        return try one(Self.byExternalIDSQL, [.text(text)])
    }

    /// The lead with this outdial id.
    public func find(id: Int64) throws -> LeadRecord? { try one(Self.byIDSQL, [.integer(id)]) }

    /// A lead's activity for `leads show`: its calls, notes and tasks, oldest first.
    public func activity(_ id: Int64) throws -> JSONValue {
        let calls = try database.query(
            "SELECT call_id, (SELECT name FROM campaigns WHERE id = campaign_id), attempt, from_number, status, outcome, sentiment, queued_at, duration_ms, summary FROM calls WHERE lead_id = ? ORDER BY queued_at, call_id",
            [.integer(id)]
        ) { s in
            JSONObject([
                "call_id": .int(s.int64(0)), "campaign": .optional(s.string(1)), "attempt": .int(s.int64(2)), "from_number": .optional(s.string(3)),
                "status": .optional(s.string(4)), "outcome": .optional(s.string(5)), "sentiment": .optional(s.string(6)),
                "queued_at": .string(Instant(milliseconds: s.int64(7)).iso8601), "duration_ms": s.optionalInt64(8).map(JSONValue.int) ?? .null,
                "summary": .optional(s.string(9)),
            ])
        }
        let notes = try database.query("SELECT body, call_id, created_at FROM notes WHERE lead_id = ? ORDER BY id", [.integer(id)]) { s in
            JSONObject([
                "body": .optional(s.string(0)), "call_id": s.optionalInt64(1).map(JSONValue.int) ?? .null,
                "created_at": .string(Instant(milliseconds: s.int64(2)).iso8601),
            ])
        }
        let tasks = try database.query("SELECT title, due_at, assignee, status FROM tasks WHERE lead_id = ? ORDER BY id", [.integer(id)]) { s in
            JSONObject([
                "title": .optional(s.string(0)), "due_at": s.optionalInt64(1).map { .string(Instant(milliseconds: $0).iso8601) } ?? .null,
                "assignee": .optional(s.string(2)), "status": .optional(s.string(3)),
            ])
        }
        let campaigns = try database.query("SELECT campaign, status, attempts FROM campaign_leads WHERE lead_id = ? ORDER BY campaign", [.integer(id)]) { s in
            JSONObject(["campaign": .optional(s.string(0)), "status": .optional(s.string(1)), "attempts": .int(s.int64(2))])
        }
        return JSONObject(["campaigns": .array(campaigns), "calls": .array(calls), "notes": .array(notes), "tasks": .array(tasks)])
    }

    /// A lead by outdial id.
    public func byID(_ id: Int64) throws -> LeadRecord? { try one(Self.byIDSQL, [.integer(id)]) }

    /// Leads in id order after `afterID`.
    public func page(after afterID: Int64 = 0, limit: Int) throws -> [LeadRecord] {
        try database.query(Self.pageSQL, [.integer(afterID), .integer(Int64(limit))], Self.read)
    }

    /// Calls `body` for every lead in id order, reading in pages.
    public func forEach(_ body: (LeadRecord) throws -> Void) throws {
        var after: Int64 = 0
        while true {
            let page = try page(after: after, limit: 1000)
            guard let last = page.last else { return }
            for lead in page { try body(lead) }
            after = last.id
        }
    }

    static let gateRowsSQL = "SELECT zone_set_id, state, state_source, phone FROM leads WHERE dnc = 0"

    /// Every callable (not DNC) lead in the compact form the window sweep
    /// takes, with the zone sets they refer to.
    public func gateRows(plan: NumberingPlan = .shared) throws -> (rows: [GateRow], zoneSets: [Int64: [String]]) {
        let zoneSets = try ZoneSetStore.zones(database)
        var rows: [GateRow] = []
        var regions = AddressRegions(plan: plan)
        let s = try database.prepare(Self.gateRowsSQL)
        defer { s.reset() }
        while try s.step() {
            let region = regions.index(state: s.string(1), source: s.string(2))
            rows.append(GateRow(zoneSet: Int32(truncatingIfNeeded: s.int64(0)), addressRegion: region, areaCode: Self.areaCode(s)))
        }
        return (rows, zoneSets)
    }

    /// The NANP area code of column 3 (`+1NPA…`), read from its bytes.
    private static func areaCode(_ s: Statement) -> Int16 {
        guard let phone = s.string(3) else { return 0 }
        let u = phone.utf8
        guard u.count == 12, u.first == UInt8(ascii: "+") else { return 0 }
        var it = u.dropFirst()
        guard it.first == UInt8(ascii: "1") else { return 0 }
        it = it.dropFirst()
        var npa: Int16 = 0
        for b in it.prefix(3) { npa = npa * 10 + Int16(b - 48) }
        return npa
    }

    /// How many leads there are, and how many are on the DNC list.
    public func counts() throws -> (leads: Int, dnc: Int) {
        let s = try database.prepare(Self.countSQL)
        guard try s.step() else { return (0, 0) }
        return (Int(s.int64(0)), Int(s.int64(1)))
    }

    private func one(_ sql: String, _ values: [SQLValue]) throws -> LeadRecord? {
        try database.query(sql, values, Self.read).first
    }

    static func strings(fromJSON text: String) -> [String] {
        if text == "[]" { return [] }
        // Tags are written by outdial as a flat array of strings; read that shape directly.
        if let fast = flatStringArray(text) { return fast }
        guard case .array(let items) = LeadRecord.parse(text) else { return [] }
        return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }

    /// `["a","b"]` without escapes, or nil for anything else.
    private static func flatStringArray(_ text: String) -> [String]? {
        let u = Array(text.utf8)
        guard u.first == 91, u.last == 93, !u.contains(92) else { return nil }
        var result: [String] = []
        var i = 1
        while i < u.count - 1 {
            guard u[i] == 34 else { return nil }
            guard let end = u[(i + 1)...].firstIndex(of: 34) else { return nil }
            result.append(String(decoding: u[(i + 1)..<end], as: UTF8.self))
            i = end + 1
            if i < u.count - 1 {
                guard u[i] == 44 else { return nil }
                i += 1
            }
        }
        return result
    }

    static func read(_ s: Statement) -> LeadRecord {
        read(s, zones: (s.string(11) ?? "").split(separator: " ").map(String.init), zoneSources: s.string(12) ?? "{}")
    }

    /// A row of `columns` order whose zones (columns 11 and 12) the caller already has.
    static func read(_ s: Statement, zones: [String], zoneSources: String) -> LeadRecord {
        LeadRecord(
            id: s.int64(0), externalID: s.string(1), phone: s.string(2) ?? "", firstName: s.string(3), lastName: s.string(4),
            email: s.string(5), state: s.string(6), stateSource: s.string(7), zip: s.string(8), country: s.string(9),
            timezone: s.string(10), zones: zones,
            zoneSources: zoneSources, status: s.string(13) ?? "new", dnc: s.int64(14) != 0, fields: s.string(15) ?? "{}",
            tags: Self.strings(fromJSON: s.string(19) ?? "[]"), sourceLine: s.optionalInt64(16), createdAt: Instant(milliseconds: s.int64(17)),
            updatedAt: Instant(milliseconds: s.int64(18)), phoneSource: s.string(20))
    }
}

/// Reads leads by id for the runner, many times over: straight from `leads`
/// (no join), with each zone set's zones read once and shared by every lead
/// that has them.
final class LeadReader {
    let database: Database
    private var zoneSets: [Int64: (zones: [String], sources: String)] = [:]

    /// `LeadStore.columns` with the zone set's id where its zones would be.
    static let byIDSQL = """
        SELECT id, external_id, phone, first_name, last_name, email, state, state_source, zip, country, timezone, zone_set_id,
            NULL, status, dnc, fields, source_line, created_at, updated_at, tags, phone_source
        FROM leads WHERE id = ?
        """

    init(database: Database) { self.database = database }

    func lead(_ id: Int64) throws -> LeadRecord? {
        let s = try database.prepare(Self.byIDSQL)
        defer { s.reset() }
        try s.bind(id, at: 1)
        guard try s.step() else { return nil }
        let zoneSet = try zoneSet(s.optionalInt64(11))
        return LeadStore.read(s, zones: zoneSet.zones, zoneSources: zoneSet.sources)
    }

    /// The dial fields (`DialLead`) of the leads whose ids `wanted` holds, each
    /// once, in id order: one pass over the table when they are more than an
    /// eighth of it, a read each when fewer.
    func dialLeads(_ wanted: [Int64], _ body: (DialLead) throws -> Void) throws {
        guard let low = wanted.min(), let high = wanted.max() else { return }
        var set = LeadIndexed<Bool>(absent: false)
        set.reserve(low...high)
        var ids: [Int64] = []
        for id in wanted where !set[id] {
            set[id] = true
            ids.append(id)
        }
        let zoneSets = try ZoneSetStore.zones(database)
        if ids.count * 8 < (try database.scalar("SELECT count(*) FROM leads") ?? 0) {
            let one = try database.prepare(DialLead.byIDSQL)
            defer { one.reset() }
            for id in ids.sorted() {
                one.rewind()
                try one.bind(id, at: 1)
                if try one.step() { try body(DialLead(row: one, zoneSets: zoneSets)) }
            }
            return
        }
        let scan = try database.prepare(DialLead.allSQL)
        defer { scan.reset() }
        while try scan.step() {
            if set[scan.int64(0)] { try body(DialLead(row: scan, zoneSets: zoneSets)) }
        }
    }

    /// A zone set's zones and sources; the table is read again when an id is
    /// new to this reader (a lead imported while the runner runs).
    private func zoneSet(_ id: Int64?) throws -> (zones: [String], sources: String) {
        guard let id else { return ([], "{}") }
        if let known = zoneSets[id] { return known }
        for row in try ZoneSetStore.all(database) {
            zoneSets[row.id] = (row.zones.split(separator: " ").map(String.init), row.sources)
        }
        return zoneSets[id] ?? ([], "{}")
    }
}
