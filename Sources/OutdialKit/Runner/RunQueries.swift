/// What `outdial runs list` reads: a campaign's workflow runs with where each
/// stands — the step it waits at (named from the campaign file when given),
/// when it wakes, and why it stopped or failed.
public struct RunQueries {
    let database: Database

    public init(database: Database) { self.database = database }

    public struct Row: Sendable {
        public var id: Int64
        public var workflow: String
        public var leadID: Int64?
        public var phone: String?
        public var status: String
        public var position: [Int]
        /// The step at `position`, when the campaign file was given.
        public var step: String?
        public var wakeAt: Instant?
        public var reason: String?
        public var updatedAt: Instant

        public var json: JSONValue {
            JSONObject([
                "run_id": .int(id), "workflow": .string(workflow), "lead_id": leadID.map(JSONValue.int) ?? .null, "phone": .optional(phone),
                "status": .string(status), "position": .array(position.map { .int(Int64($0)) }), "step": .optional(step),
                "wake_at": wakeAt.map { .string($0.iso8601) } ?? .null, "reason": .optional(reason), "updated_at": .string(updatedAt.iso8601),
            ])
        }

        var cells: [String] {
            [
                String(id), workflow, phone ?? "-", status, step ?? RunState(position: position, context: [:]).positionJSON, wakeAt?.iso8601 ?? "-",
                reason.map { String($0.prefix(60)) } ?? "-",
            ]
        }
    }

    /// The runs of `campaign` in `status` (all when nil) whose reason contains
    /// `reason` (when given), oldest first, at most `limit`.
    public func list(campaign: String, file: Campaign?, status: RunStatus?, reason: String?, workflow: String?, limit: Int) throws -> [Row] {
        var clauses = ["r.campaign_id = \(Schema.campaignID("?1"))"]
        if status != nil { clauses.append("r.status = ?2") }
        if reason != nil { clauses.append("instr(lower(coalesce(r.error, '')), lower(?3)) > 0") }
        if workflow != nil { clauses.append("r.workflow = ?4") }
        let steps = Dictionary((file?.workflows ?? []).map { ($0.name, $0.steps) }, uniquingKeysWith: { a, _ in a })
        return try database.query(
            """
            SELECT r.id, r.workflow, r.lead_id, l.phone, r.status, r.position, r.wake_at, r.error, r.updated_at
            FROM workflow_runs r LEFT JOIN leads l ON l.id = r.lead_id WHERE \(clauses.joined(separator: " AND ")) ORDER BY r.id LIMIT ?5
            """,
            [.text(campaign), .optional(status?.rawValue), .optional(reason), .optional(workflow), .integer(Int64(limit))]
        ) { s in
            let workflow = s.string(1) ?? ""
            let position = RunState.path(s.string(5) ?? "[0]")
            let status = s.string(4) ?? ""
            return Row(
                id: s.int64(0), workflow: workflow, leadID: s.optionalInt64(2), phone: s.string(3), status: status, position: position,
                step: status == "waiting" ? steps[workflow].map { Step.at(position, in: $0)?.name ?? "end" } : nil,
                wakeAt: status == "waiting" ? s.optionalInt64(6).map { Instant(milliseconds: $0) } : nil, reason: s.string(7),
                updatedAt: Instant(milliseconds: s.int64(8)))
        }
    }

    public static func table(_ rows: [Row]) -> String {
        TextTable.render(header: ["RUN", "WORKFLOW", "PHONE", "STATUS", "AT", "WAKES", "REASON"], rows: rows.map(\.cells))
    }
}
