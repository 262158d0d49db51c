/// Reading leads back.
public struct LeadStore {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns = """
        id, external_id, phone, first_name, last_name, email, state, state_source, zip, country, timezone, zones,
        zone_sources, status, dnc, fields, source_line, created_at, updated_at
        """
    static let byIDSQL = "SELECT \(columns) FROM leads WHERE id = ?"
    static let byPhoneSQL = "SELECT \(columns) FROM leads WHERE phone = ?"
    static let byExternalIDSQL = "SELECT \(columns) FROM leads WHERE external_id = ? ORDER BY id LIMIT 2"
    static let pageSQL = "SELECT \(columns) FROM leads WHERE id > ? ORDER BY id LIMIT ?"
    static let tagsSQL = "SELECT tag FROM lead_tags WHERE lead_id = ? ORDER BY tag"
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
        var leads = try database.query(Self.pageSQL, [.integer(afterID), .integer(Int64(limit))], Self.read)
        for i in leads.indices { leads[i].tags = try tags(leads[i].id) }
        return leads
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
        guard var lead = try database.query(sql, values, Self.read).first else { return nil }
        lead.tags = try tags(lead.id)
        return lead
    }

    private func tags(_ id: Int64) throws -> [String] {
        try database.query(Self.tagsSQL, [.integer(id)]) { $0.string(0) ?? "" }
    }

    static func read(_ s: Statement) -> LeadRecord {
        LeadRecord(
            id: s.int64(0), externalID: s.string(1), phone: s.string(2) ?? "", firstName: s.string(3), lastName: s.string(4),
            email: s.string(5), state: s.string(6), stateSource: s.string(7), zip: s.string(8), country: s.string(9),
            timezone: s.string(10), zones: (s.string(11) ?? "").split(separator: " ").map(String.init),
            zoneSources: s.string(12) ?? "{}", status: s.string(13) ?? "new", dnc: s.int64(14) != 0, fields: s.string(15) ?? "{}",
            tags: [], sourceLine: s.optionalInt64(16), createdAt: Instant(milliseconds: s.int64(17)),
            updatedAt: Instant(milliseconds: s.int64(18)))
    }
}
