/// The `dnc` table.
public struct DoNotCallStore {
    let database: Database

    public init(database: Database) { self.database = database }

    static let insertSQL = "INSERT OR IGNORE INTO dnc (pattern, kind, source, added_at) VALUES (?, ?, ?, ?)"
    static let markNumberSQL = "UPDATE leads SET dnc = 1, updated_at = ? WHERE phone = ? AND dnc = 0"
    static let markAreaCodeSQL = "UPDATE leads SET dnc = 1, updated_at = ? WHERE phone >= ? AND phone < ? AND dnc = 0"
    static let listSQL = "SELECT pattern, kind, source, added_at FROM dnc ORDER BY pattern"

    /// Loads the whole list.
    public func load() throws -> DoNotCallList {
        var list = DoNotCallList()
        let statement = try database.prepare(Self.listSQL)
        while try statement.step() {
            guard let pattern = statement.string(0) else { continue }
            if statement.string(1) == "area_code" {
                let digits = pattern.dropFirst(2).prefix(3)
                if let npa = Int(digits) { list.insert(.areaCode(npa)) }
            } else if let number = PhoneNumber(e164: pattern) {
                list.insert(.number(number))
            }
        }
        return list
    }

    /// Whether a number is on the list, by its own entry or its area code's,
    /// without loading the list (for one number at a time).
    public func contains(_ number: PhoneNumber) throws -> Bool {
        var patterns: [SQLValue] = [.text(DoNotCallEntry.number(number).pattern)]
        if let npa = number.areaCode { patterns.append(.text(DoNotCallEntry.areaCode(npa).pattern)) }
        let sql = "SELECT count(*) FROM dnc WHERE pattern IN (" + patterns.map { _ in "?" }.joined(separator: ", ") + ")"
        return try database.scalar(sql, patterns) ?? 0 > 0
    }

    /// Adds entries (in the caller's transaction) and marks the leads they
    /// cover. Returns how many entries were new.
    @discardableResult
    public func add(_ entries: [DoNotCallEntry], source: String, at now: Instant = .now) throws -> Int {
        var added = 0
        let insert = try database.prepare(Self.insertSQL)
        for entry in entries {
            insert.reset()
            try insert.bind([.text(entry.pattern), .text(entry.kind), .text(source), .integer(now.milliseconds)])
            try insert.execute()
            guard database.changes > 0 else { continue }
            added += 1
            switch entry {
            case .number(let n):
                try database.run(Self.markNumberSQL, [.integer(now.milliseconds), .text(n.e164)])
            case .areaCode(let npa):
                try database.run(Self.markAreaCodeSQL, [.integer(now.milliseconds), .text("+1\(npa)"), .text("+1\(npa + 1)")])
            }
        }
        return added
    }

    /// Every entry, for `dnc list`.
    public func all() throws -> [(pattern: String, kind: String, source: String?, addedAt: Instant)] {
        try database.query(Self.listSQL) { s in (s.string(0) ?? "", s.string(1) ?? "", s.string(2), Instant(milliseconds: s.int64(3))) }
    }
}
