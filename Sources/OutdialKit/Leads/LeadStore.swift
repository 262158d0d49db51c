/// Reading leads back.
public struct LeadStore {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns = """
        id, external_id, phone, first_name, last_name, email, state, state_source, zip, country, timezone, zones,
        zone_sources, status, dnc, fields, source_line, created_at, updated_at, tags
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
        guard case .array(let items) = LeadRecord.parse(text) else { return [] }
        return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }

    static func read(_ s: Statement) -> LeadRecord {
        LeadRecord(
            id: s.int64(0), externalID: s.string(1), phone: s.string(2) ?? "", firstName: s.string(3), lastName: s.string(4),
            email: s.string(5), state: s.string(6), stateSource: s.string(7), zip: s.string(8), country: s.string(9),
            timezone: s.string(10), zones: (s.string(11) ?? "").split(separator: " ").map(String.init),
            zoneSources: s.string(12) ?? "{}", status: s.string(13) ?? "new", dnc: s.int64(14) != 0, fields: s.string(15) ?? "{}",
            tags: Self.strings(fromJSON: s.string(19) ?? "[]"), sourceLine: s.optionalInt64(16), createdAt: Instant(milliseconds: s.int64(17)),
            updatedAt: Instant(milliseconds: s.int64(18)))
    }
}
