/// Named lead lists (`leads import --list NAME`, `outdial lists`, a campaign's
/// `audience.lists`): all SQL on `lists` and `list_members`.
public struct LeadLists {
    let database: Database

    public init(database: Database) { self.database = database }

    /// One list with its size.
    public struct Summary: Sendable, Equatable {
        public var name: String
        public var leads: Int
        public var createdAt: Instant

        public var json: JSONValue {
            JSONObject(["name": .string(name), "leads": .int(Int64(leads)), "created_at": .string(createdAt.iso8601)])
        }
    }

    /// The list's id, creating it when new.
    func create(_ name: String, at now: Instant) throws -> Int64 {
        try database.run("INSERT INTO lists (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING", [.text(name), .integer(now.milliseconds)])
        return try database.scalar("SELECT id FROM lists WHERE name = ?", [.text(name)]) ?? 0
    }

    static let addSQL = "INSERT OR IGNORE INTO list_members (list_id, lead_id, added_at) SELECT ?1, id, ?2 FROM leads WHERE phone = ?3"

    /// Adds the leads with these phones; returns how many were not in it yet.
    func add(phones: [String], to list: Int64, at now: Instant) throws -> Int {
        guard !phones.isEmpty else { return 0 }
        let statement = try database.prepare(Self.addSQL)
        defer { statement.reset() }
        var added = 0
        for phone in phones {
            statement.rewind()
            try statement.bind([.integer(list), .integer(now.milliseconds), .text(phone)])
            try statement.step()
            added += database.changes
        }
        return added
    }

    func size(_ list: Int64) throws -> Int {
        Int(try database.scalar("SELECT count(*) FROM list_members WHERE list_id = ?", [.integer(list)]) ?? 0)
    }

    /// Every list with its size, by name.
    public func all() throws -> [Summary] {
        try database.query(
            "SELECT l.name, (SELECT count(*) FROM list_members m WHERE m.list_id = l.id), l.created_at FROM lists l ORDER BY l.name"
        ) { Summary(name: $0.string(0) ?? "", leads: Int($0.int64(1)), createdAt: Instant(milliseconds: $0.int64(2))) }
    }

    /// The names of the lists the lead is in, by name.
    public func names(of leadID: Int64) throws -> [String] {
        try database.query(
            "SELECT l.name FROM list_members m JOIN lists l ON l.id = m.list_id WHERE m.lead_id = ? ORDER BY l.name", [.integer(leadID)]
        ) { $0.string(0) ?? "" }
    }

    /// Whether the lead is in any of the lists.
    func contains(_ leadID: Int64, inAnyOf names: [String]) throws -> Bool {
        try database.query(
            "SELECT l.name FROM list_members m JOIN lists l ON l.id = m.list_id WHERE m.lead_id = ?", [.integer(leadID)]
        ) { $0.string(0) ?? "" }.contains(where: names.contains)
    }

    /// The ids of the leads in any of the lists.
    func members(of names: [String]) throws -> Set<Int64> {
        var ids = Set<Int64>()
        for name in names {
            for id in try database.query(
                "SELECT m.lead_id FROM list_members m JOIN lists l ON l.id = m.list_id WHERE l.name = ?", [.text(name)], { $0.int64(0) })
            {
                ids.insert(id)
            }
        }
        return ids
    }
}
