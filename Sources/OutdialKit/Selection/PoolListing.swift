/// `outdial numbers list`: each caller ID of the pool with today's use and its
/// health at an instant, as table rows or JSON Lines.
public struct PoolListing {
    public struct Row: Sendable {
        public var number: PoolNumber
        public var dailyCap: Int
        public var usedToday: Int
        public var lastUsed: Instant?
        public var recentCalls: Int
        public var recentAnswered: Int
        /// `ok`, or why the number cannot be chosen now (disabled, resting …).
        public var status: String

        /// `42% of 30`, or `-` with no recent call.
        public var answerRate: String {
            recentCalls == 0 ? "-" : "\(Int((Double(recentAnswered) / Double(recentCalls) * 100).rounded()))% of \(recentCalls)"
        }

        public var json: JSONValue {
            JSONObject([
                "number": .string(number.e164), "label": .optional(number.label), "connection": .optional(number.connection),
                "state": .optional(number.state), "daily_cap": .int(Int64(dailyCap)), "weight": .int(Int64(number.weight)),
                "enabled": .bool(number.enabled), "used_today": .int(Int64(usedToday)), "last_used": lastUsed.map { .string($0.iso8601) } ?? .null,
                "recent_calls": .int(Int64(recentCalls)), "recent_answered": .int(Int64(recentAnswered)), "status": .string(status),
            ])
        }

        var cells: [String] {
            [
                number.e164, number.label ?? "-", number.state ?? "-", "\(usedToday)/\(dailyCap)", String(number.weight),
                lastUsed?.iso8601 ?? "never", answerRate, status,
            ]
        }
    }

    public var rows: [Row]

    /// The pool of `database` at `at`, with a campaign's selection settings and health rules.
    public init(database: Database, settings: SelectionSettings, health: NumberStore.Health, at: Instant) throws {
        let (selector, rates) = try NumberStore(database: database).selector(settings: settings, health: health, at: at)
        let now = at.seconds
        rows = selector.numbers.enumerated().map { i, n in
            Row(
                number: n, dailyCap: selector.cap(i), usedToday: selector.usesToday(i, at: now), lastUsed: selector.lastUsed(i).map(Instant.init(seconds:)),
                recentCalls: rates[n.key]?.calls ?? 0, recentAnswered: rates[n.key]?.answered ?? 0, status: selector.ineligibility(i, at: now) ?? "ok")
        }
    }

    public var table: String {
        TextTable.render(header: ["NUMBER", "LABEL", "STATE", "TODAY", "WEIGHT", "LAST USE", "ANSWERED", "STATUS"], rows: rows.map(\.cells))
    }

    /// One JSON object a line.
    public var jsonLines: String { rows.map { $0.json.rendered + "\n" }.joined() }
}
