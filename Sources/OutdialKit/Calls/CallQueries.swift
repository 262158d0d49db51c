/// What `outdial calls` reads and does: the calls in a state (in flight, the
/// `unknown` ones an operator must look at), one call in full, and an
/// operator's word on a call whose outcome outdial could not learn.
public struct CallQueries {
    let database: Database

    public init(database: Database) { self.database = database }

    /// `--status`: a `calls.status`, or `in_flight` (dialling or in progress).
    public static let statuses = ["in_flight"] + CallStatus.allCases.map(\.rawValue)

    public struct Row: Sendable {
        public var id: Int64
        public var campaign: String
        public var leadID: Int64?
        public var to: String
        public var from: String?
        public var status: String
        public var outcome: String?
        public var connection: String?
        public var providerCallID: String?
        public var queuedAt: Instant
        public var error: String?

        public var json: JSONValue {
            JSONObject([
                "call_id": .int(id), "campaign": .string(campaign), "lead_id": leadID.map(JSONValue.int) ?? .null, "to_number": .string(to),
                "from_number": .optional(from), "status": .string(status), "outcome": .optional(outcome), "connection": .optional(connection),
                "provider_call_id": .optional(providerCallID), "queued_at": .string(queuedAt.iso8601), "error_message": .optional(error),
            ])
        }
    }

    /// The calls in `status` (all when nil), of `campaign` (all when nil), newest first, at most `limit`.
    public func list(status: String?, campaign: String?, limit: Int) throws -> [Row] {
        let statusClause: String
        switch status {
        case nil: statusClause = "1"
        case "in_flight": statusClause = "(status = 'dialing' OR status = 'in_progress')"
        default: statusClause = "status = ?1"
        }
        let sql = """
            SELECT call_id, (SELECT name FROM campaigns WHERE id = campaign_id), lead_id, to_number, from_number, status, outcome, connection, provider_call_id, queued_at, error_message
            FROM calls WHERE \(statusClause) AND (?2 IS NULL OR campaign_id = \(Schema.campaignID("?2"))) ORDER BY call_id DESC LIMIT ?3
            """
        return try database.query(sql, [.optional(status), .optional(campaign), .integer(Int64(limit))]) { s in
            Row(
                id: s.int64(0), campaign: s.string(1) ?? "", leadID: s.optionalInt64(2), to: s.string(3) ?? "", from: s.string(4), status: s.string(5) ?? "",
                outcome: s.string(6), connection: s.string(7), providerCallID: s.string(8), queuedAt: Instant(milliseconds: s.int64(9)), error: s.string(10))
        }
    }

    /// Why a call cannot be resolved by hand.
    public struct ResolveError: Error, CommandError, Equatable {
        public var message: String
        public init(message: String) { self.message = message }
        public var description: String { message }
        public var exitCode: ExitCode { .failure }
    }

    /// An operator checked a call on the provider's dashboard: its outcome is
    /// recorded as an event like any other, so the campaign's post-call
    /// workflows start (the next `run` advances them). Only a call with no
    /// outcome (`unknown`, or still in flight) can be resolved.
    public func resolve(_ id: Int64, outcome: CallOutcome, note: String?, campaign: Campaign, at now: Instant = .now) throws {
        guard let record = try CallStore(database: database).record(id) else { throw ResolveError(message: "there is no call \(id)") }
        guard record.intent.campaign == campaign.name else {
            throw ResolveError(message: "call \(id) belongs to campaign '\(record.intent.campaign)', not '\(campaign.name)'")
        }
        guard record.report == nil else {
            throw ResolveError(message: "call \(id) already has its outcome (\(record.report!.outcome.rawValue)); only calls without one can be resolved")
        }
        guard record.status != .queued else { throw ResolveError(message: "call \(id) was never sent; the next run sends it") }
        var report = CallReport(
            status: ProviderOutcomes.status(for: outcome), outcome: outcome, disconnectionReason: "resolved_by_operator", endedAt: now.milliseconds)
        report.summary = note
        report.userSpoke = outcome == .answered
        report.inVoicemail = outcome == .voicemail
        let raw = JSONObject(["resolved_by_operator": .bool(true), "outcome": .string(outcome.rawValue), "note": .optional(note)]).rendered
        try EventRecorder(database: database, campaign: campaign).record(
            CallEvent(call: .callID(id), providerCallID: record.providerCallID, report: report, raw: raw), receivedAt: now.milliseconds)
    }
}
