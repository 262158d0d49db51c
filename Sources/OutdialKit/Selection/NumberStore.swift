/// The `numbers` table: importing the pool and loading it, with today's uses
/// and health from the call history, into a selector.
public struct NumberStore {
    let database: Database
    let plan: NumberingPlan

    public init(database: Database, plan: NumberingPlan = .shared) {
        self.database = database
        self.plan = plan
    }

    /// When a number rests (SPEC §5 health).
    public struct Health: Sendable {
        /// A number whose last call was blocked as spam rests this long.
        public var restAfterSpam: Int64 = 24 * 3600
        /// A number whose answer rate over its last `window` calls is below this rests.
        public var minimumAnswerRate: Double = 0.05
        public var window = 30
        public var rest: Int64 = 24 * 3600

        public init() {}

        /// Why a number with `answered` of its last `calls` calls answered rests,
        /// or nil when the rule leaves it be (too few calls, or rate high enough).
        func lowAnswerRate(answered: Int, calls: Int) -> String? {
            guard calls >= window, Double(answered) / Double(calls) < minimumAnswerRate else { return nil }
            return "answer rate \(Int((Double(answered) / Double(calls) * 100).rounded()))% over its last \(calls) calls"
        }
    }

    static let upsertSQL = """
        INSERT INTO numbers (number, label, connection, daily_cap, weight, enabled, state, latitude, longitude, created_at, updated_at,
            provider_number_id)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)
        ON CONFLICT(number) DO UPDATE SET label = ?2, connection = ?3, daily_cap = ?4, weight = ?5, enabled = ?6, state = ?7,
            latitude = ?8, longitude = ?9, updated_at = ?10, provider_number_id = ?11
        """
    static let allSQL = """
        SELECT id, number, label, connection, daily_cap, weight, enabled, state, latitude, longitude, resting_until, resting_reason,
            provider_number_id
        FROM numbers ORDER BY number
        """
    static let historySQL = """
        SELECT from_number, queued_at, outcome FROM calls WHERE from_number IS NOT NULL AND queued_at > ? ORDER BY from_number, queued_at
        """

    /// A row of the numbers file that could not be used.
    public struct RowError: Sendable, Equatable {
        public var line: Int
        public var reason: String
    }

    /// What an import did.
    public struct ImportSummary: Sendable {
        public var rows = 0
        public var imported = 0
        public var errors: [RowError] = []

        public var json: JSONValue {
            JSONObject([
                "rows": .int(Int64(rows)), "imported": .int(Int64(imported)), "rejected": .int(Int64(errors.count)),
                "errors": .array(errors.map { JSONObject(["line": .int(Int64($0.line)), "reason": .string($0.reason)]) }),
            ])
        }
    }

    /// Imports a numbers CSV (SPEC §2.2): `number` (required), `label`,
    /// `connection`, `daily_cap`, `weight`, `enabled`, `state` (else the area
    /// code's), `provider_number_id` (Vapi's phone-number id). A number already in the pool is updated.
    public func importCSV(path: String, region: String = "US", now: Instant = .now) throws -> ImportSummary {
        let reader = try CSVReader(path: path)
        guard try reader.nextHeader() else { throw CSVError(file: path, line: 1, kind: .empty) }
        let headers = (0..<reader.fieldCount).map { LeadField.fold(reader.string($0) ?? "") }
        func column(_ names: [String]) -> Int? { headers.firstIndex { names.contains($0) } }
        guard let numberColumn = column(["number", "phone", "phonenumber", "callerid", "did"]) else {
            throw CSVError(file: path, line: 1, kind: .missingColumn("number", found: (0..<reader.fieldCount).map { reader.string($0) ?? "" }))
        }
        let columns = (
            label: column(["label", "name"]), connection: column(["connection"]), cap: column(["dailycap", "cap"]), weight: column(["weight"]),
            enabled: column(["enabled", "active"]), state: column(["state", "province"]),
            providerID: column(["providernumberid", "phonenumberid"])
        )
        guard let normalizer = PhoneNormalizer(region: region, plan: plan) else { throw LeadImportError.unknownRegion(region) }
        var summary = ImportSummary()
        try database.transaction {
            let upsert = try database.prepare(Self.upsertSQL)
            while try reader.next() {
                summary.rows += 1
                func text(_ c: Int?) -> String? {
                    guard let c, c < reader.fieldCount, let s = reader.string(c)?.trimmingSpaces(), !s.isEmpty else { return nil }
                    return s
                }
                func fail(_ reason: String) { summary.errors.append(RowError(line: reader.line, reason: reason)) }
                // A record the reader had to cut is not imported half-read.
                if reader.oversized {
                    fail("has a field longer than \(reader.maxRecordBytes / 1024) KiB")
                    continue
                }
                let raw = text(numberColumn) ?? ""
                let number: PhoneNumber
                do throws(PhoneNumberError) { number = try normalizer.normalize(raw).number } catch {
                    fail("number '\(raw)' \(error.reason)")
                    continue
                }
                var cap: Int?
                if let c = text(columns.cap) {
                    guard let v = Int(c), v >= 1 else {
                        fail("daily_cap '\(c)' is not a whole number of 1 or more (leave it empty for no cap; disable a number with enabled: false)")
                        continue
                    }
                    cap = v
                }
                var weight = 1
                if let w = text(columns.weight) {
                    guard let v = Int(w), v >= 0 else {
                        fail("weight '\(w)' is not a whole number")
                        continue
                    }
                    weight = v
                }
                var enabled = true
                if let e = text(columns.enabled)?.lowercased() {
                    switch e {
                    case "true", "yes", "1", "y", "on": enabled = true
                    case "false", "no", "0", "n", "off": enabled = false
                    default:
                        fail("enabled '\(e)' is not true or false")
                        continue
                    }
                }
                let location = plan.locate(number)
                var state = location.state
                if let s = text(columns.state) {
                    guard let code = plan.regionCode(s) else {
                        fail("state '\(s)' is not a US state or Canadian province")
                        continue
                    }
                    state = code
                }
                upsert.reset()
                try upsert.bind([
                    .text(number.e164), .optional(text(columns.label)), .optional(text(columns.connection)), .optional(cap.map(Int64.init)),
                    .integer(Int64(weight)), .integer(enabled ? 1 : 0), .optional(state),
                    location.position.map { .real($0.latitude) } ?? .null, location.position.map { .real($0.longitude) } ?? .null,
                    .integer(now.milliseconds), .optional(text(columns.providerID)),
                ])
                try upsert.execute()
                summary.imported += 1
            }
        }
        return summary
    }

    /// What the operator does to numbers of the pool (`numbers enable|disable|rest`).
    public enum Change: Sendable, Equatable {
        /// In the pool again; a rest set with `.rest` ends too.
        case enable
        /// Never chosen until enabled.
        case disable
        /// Not chosen until the instant, with the reason `numbers list` shows.
        case rest(until: Instant, reason: String)
    }

    /// Applies a change to each number (any format), all or none: a number
    /// that is not in the pool fails the whole change.
    public func apply(_ change: Change, to texts: [String], region: String = "US", now: Instant = .now) throws -> [String] {
        guard let normalizer = PhoneNormalizer(region: region, plan: plan) else { throw LeadImportError.unknownRegion(region) }
        return try database.transaction {
            var changed: [String] = []
            for text in texts {
                guard let number = try? normalizer.normalize(text).number else { throw NotFoundError(what: "number of the pool", key: text) }
                let (sql, values): (String, [SQLValue]) =
                    switch change {
                    case .enable: ("UPDATE numbers SET enabled = 1, resting_until = NULL, resting_reason = NULL, updated_at = ?1 WHERE number = ?2", [])
                    case .disable: ("UPDATE numbers SET enabled = 0, updated_at = ?1 WHERE number = ?2", [])
                    case .rest(let until, let reason):
                        (
                            "UPDATE numbers SET resting_until = ?3, resting_reason = ?4, updated_at = ?1 WHERE number = ?2",
                            [.integer(until.milliseconds), .text(reason)]
                        )
                    }
                try database.run(sql, [.integer(now.milliseconds), .text(number.e164)] + values)
                // A number that is not in the pool matches no row; the transaction then leaves every number as it was.
                guard database.changes == 1 else { throw NotFoundError(what: "number of the pool", key: text) }
                changed.append(number.e164)
            }
            return changed
        }
    }

    /// The pool as stored.
    public func all() throws -> [PoolNumber] {
        try database.query(Self.allSQL) { s in
            let e164 = s.string(1) ?? ""
            // Placed by the numbering plan (zone, area code, position), then what the row says.
            var n =
                PhoneNumber(e164: e164).map { PoolNumber.placed(id: s.int64(0), number: $0, plan: plan) }
                ?? PoolNumber(id: s.int64(0), e164: e164, key: 0, areaCode: 0, state: nil, position: nil, zone: "UTC")
            n.state = s.string(7)
            if !s.isNull(8) { n.position = Coordinate(latitude: s.double(8), longitude: s.double(9)) }
            n.label = s.string(2)
            n.connection = s.string(3)
            n.dailyCap = s.optionalInt64(4).map { Int($0) }
            n.weight = Int(s.int64(5))
            n.enabled = s.int64(6) != 0
            n.restingUntil = s.optionalInt64(10).map { $0 / 1000 }
            n.restingReason = s.string(11)
            n.providerNumberID = s.string(12)
            return n
        }
    }

    /// A selector over the pool with the call history applied: today's uses,
    /// last uses, and rests for numbers whose calls are blocked as spam or
    /// seldom answered. Also returns each number's recent answer rate.
    /// `includingLater`: calls dialled after `at` (a run resumed behind the dial
    /// times its pacing reached) count as uses too, in dial order, as they did in
    /// the run that placed them.
    public func selector(
        settings: SelectionSettings, health: Health = Health(), at: Instant, includingLater: Bool = false
    ) throws -> (NumberSelector, [UInt64: (calls: Int, answered: Int)]) {
        var pool = try all()
        let now = at.seconds
        // History of the last two weeks is enough for today's counts, cooldowns and health.
        var recent: [UInt64: [(Int64, String?)]] = [:]
        var later: [(Int64, UInt64)] = []
        let statement = try database.prepare(Self.historySQL)
        defer { statement.reset() }
        try statement.bind([.integer((now - 14 * 86_400) * 1000)])
        while try statement.step() {
            guard let from = statement.string(0), let number = PhoneNumber(e164: from) else { continue }
            let when = statement.int64(1) / 1000
            guard when <= now else {
                if includingLater { later.append((when, number.key)) }
                continue
            }
            recent[number.key, default: []].append((when, statement.string(2)))
        }
        var rates: [UInt64: (calls: Int, answered: Int)] = [:]
        for i in pool.indices {
            guard let calls = recent[pool[i].key], let last = calls.last else { continue }
            let window = calls.suffix(health.window)
            let answered = window.filter { $0.1 == "answered" }.count
            rates[pool[i].key] = (window.count, answered)
            if last.1 == "spam_blocked", last.0 + health.restAfterSpam > now, (pool[i].restingUntil ?? 0) < last.0 + health.restAfterSpam {
                pool[i].restingUntil = last.0 + health.restAfterSpam
                pool[i].restingReason = "its last call was blocked as spam"
            } else if let reason = health.lowAnswerRate(answered: answered, calls: window.count), last.0 + health.rest > now,
                (pool[i].restingUntil ?? 0) < last.0 + health.rest
            {
                pool[i].restingUntil = last.0 + health.rest
                pool[i].restingReason = reason
            }
        }
        let selector = NumberSelector(numbers: pool, settings: settings, plan: plan)
        for (key, calls) in recent {
            for (when, _) in calls { selector.recordPastUse(key: key, at: when, now: now) }
            if let i = selector.index(of: key) { selector.seedAnswers(i, calls.suffix(health.window).map { $0.1 == "answered" }) }
        }
        for (when, key) in later.sorted(by: { $0.0 < $1.0 }) {
            if let i = selector.index(of: key) { selector.recordUse(i, at: when) }
        }
        return (selector, rates)
    }

    /// The number each lead was last called from (for the sticky tier).
    public func lastFromByLead() throws -> [Int64: UInt64] {
        var result: [Int64: UInt64] = [:]
        let rows = try database.query("SELECT lead_id, from_number FROM calls WHERE from_number IS NOT NULL AND lead_id IS NOT NULL ORDER BY queued_at") {
            ($0.int64(0), $0.string(1))
        }
        for (lead, from) in rows { if let from, let n = PhoneNumber(e164: from) { result[lead] = n.key } }
        return result
    }
}
