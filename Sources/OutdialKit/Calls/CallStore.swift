/// All SQL that writes `calls`: the intent, the mark before a request
/// leaves, the provider's id, the outcome, and recovery of calls a stopped
/// run left in flight. No other type writes the table.
struct CallStore {
    let database: Database

    static let intentSQL = """
        INSERT INTO calls (provider, connection, agent_id, lead_id, campaign_id, workflow_run_id, attempt, direction, from_number, to_number,
            status, queued_at, lead_timezone, selection_tier, dynamic_variables)
        VALUES (?, ?, ?, ?, \(Schema.campaignID()), ?, ?, 'outbound', ?, ?, 'queued', ?, ?, ?, ?)
        """
    static let dialingSQL = "UPDATE calls SET status = 'dialing' WHERE call_id = ? AND status = 'queued'"
    static let placedSQL = "UPDATE calls SET status = 'in_progress', provider_call_id = ? WHERE call_id = ? AND status IN ('queued', 'dialing')"
    static let unknownSQL = "UPDATE calls SET status = 'unknown', error_message = ? WHERE call_id = ? AND status IN ('queued', 'dialing', 'in_progress')"
    /// A request the provider provably did not act on (a 401, 429, a concurrency refusal): back to queued, to be sent again.
    static let requeueSQL = """
        UPDATE calls SET status = 'queued', provider_call_id = NULL, error_message = ? WHERE call_id = ? AND status IN ('queued', 'dialing', 'in_progress')
        """
    /// The provider refused the call itself: it fails, with the provider's words, and has its outcome.
    static let inFlightSQL =
        "SELECT \(columns), dynamic_variables FROM calls WHERE campaign_id = \(Schema.campaignID()) AND status = 'in_progress' ORDER BY call_id"
    /// The outcome is applied once: a call that has one is left as it is. (An
    /// `IN` list of more than two values here would build a temporary b-tree
    /// on every call recorded; a call has an outcome exactly when it ended.)
    static let reportSQL = """
        UPDATE calls SET status = ?, outcome = ?, disconnection_reason = ?, started_at = ?, ended_at = ?, duration_ms = ?, transcript = ?,
            summary = ?, sentiment = ?, call_successful = ?, in_voicemail = ?, user_spoke = ?, custom_analysis = ?, cost_cents = ?,
            provider_call_id = coalesce(?, provider_call_id), raw = ?, transcript_json = ?, recording_url = ?, recording_multichannel_url = ?,
            public_log_url = ?, collected_variables = ?, transfer_to = ?, latency_json = ?
        WHERE call_id = ? AND outcome IS NULL
        """
    static let recoverSQL = """
        UPDATE calls SET status = 'unknown', error_message = 'outdial stopped while dialling; not redialled'
        WHERE campaign_id = \(Schema.campaignID()) AND status = 'dialing'
        """
    static let columns = """
        call_id, provider, connection, agent_id, lead_id, (SELECT name FROM campaigns WHERE id = campaign_id), workflow_run_id, attempt, from_number, to_number, queued_at, lead_timezone,
        selection_tier, status, provider_call_id, error_message, outcome, disconnection_reason, started_at, ended_at, duration_ms, sentiment,
        user_spoke, in_voicemail, call_successful, summary, transcript, custom_analysis, cost_cents
        """
    static let queuedSQL =
        "SELECT \(columns), dynamic_variables FROM calls WHERE campaign_id = \(Schema.campaignID()) AND status = 'queued' ORDER BY call_id"
    static let byIDSQL = "SELECT \(columns) FROM calls WHERE call_id = ?"
    static let byProviderSQL = "SELECT call_id FROM calls WHERE provider = ? AND provider_call_id = ?"
    static let historySQL =
        "SELECT lead_id, queued_at FROM calls WHERE campaign_id = \(Schema.campaignID()) AND lead_id IS NOT NULL ORDER BY queued_at"
    static let endsAfterSQL = "SELECT ended_at FROM calls WHERE campaign_id = \(Schema.campaignID()) AND ended_at > ? ORDER BY ended_at"

    /// Writes the intent (`queued`) and returns the call's id.
    func insert(_ intent: CallIntent) throws -> Int64 {
        try database.run(
            Self.intentSQL,
            [
                .text(intent.provider.rawValue), .text(intent.connection), .optional(intent.agent), .integer(intent.leadID), .text(intent.campaign),
                .optional(intent.workflowRunID), .integer(Int64(intent.attempt)), .text(intent.from), .text(intent.to), .integer(intent.dialAt * 1000),
                .text(intent.leadTimezone), .optional(intent.tier?.rawValue),
                .text(
                    intent.variables.isEmpty ? "{}" : JSONValue.object(intent.variables.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).rendered
                ),
            ])
        return database.lastInsertRowID
    }

    /// The request is about to leave: from now on the call may exist at the provider.
    func markDialing(_ id: Int64) throws { try database.run(Self.dialingSQL, [.integer(id)]) }

    /// Sends the call again later: the provider did not act on the request.
    func requeue(_ id: Int64, reason: String) throws { try database.run(Self.requeueSQL, [.text(reason), .integer(id)]) }

    /// Writes why a call failed (with its outcome, applied by the event recorder).
    func setError(_ id: Int64, _ message: String) throws {
        try database.run("UPDATE calls SET error_message = ? WHERE call_id = ?", [.text(message), .integer(id)])
    }

    /// The campaign's calls the provider accepted whose outcome is not in: polled until it is.
    func inFlight(campaign: String) throws -> [CallRecord] {
        try database.query(Self.inFlightSQL, [.text(campaign)], Self.record)
    }

    /// The provider took the call.
    func markPlaced(_ id: Int64, providerCallID: String) throws { try database.run(Self.placedSQL, [.text(providerCallID), .integer(id)]) }

    /// The request may have been placed and no answer says so: never requested again.
    func markUnknown(_ id: Int64, reason: String) throws { try database.run(Self.unknownSQL, [.text(reason), .integer(id)]) }

    /// Applies an ended call's report; false when the call had already ended (the same event again).
    func apply(_ report: CallReport, to id: Int64, providerCallID: String?, raw: String) throws -> Bool {
        try database.run(
            Self.reportSQL,
            [
                .text(report.status.rawValue), .text(report.outcome.rawValue), .text(report.disconnectionReason), .optional(report.startedAt),
                .integer(report.endedAt), .integer(report.durationMs), .optional(report.transcript), .optional(report.summary),
                .optional(report.sentiment?.rawValue), .integer(report.callSuccessful ? 1 : 0), .integer(report.inVoicemail ? 1 : 0),
                .integer(report.userSpoke ? 1 : 0), .optional(report.customAnalysis), .integer(report.costCents), .optional(providerCallID), .text(raw),
                .optional(report.extras.transcriptJSON), .optional(report.extras.recordingURL),
                .optional(report.extras.recordingMultichannelURL), .optional(report.extras.publicLogURL), .optional(report.extras.collectedVariables),
                .optional(report.extras.transferTo), .optional(report.extras.latencyJSON), .integer(id),
            ])
        return database.changes > 0
    }

    /// After a stop: calls whose request may have left become `unknown`
    /// (never redialled); returns how many. Calls still `queued` sent nothing
    /// and are read with `queued(campaign:)`.
    func recover(campaign: String) throws -> Int {
        try database.run(Self.recoverSQL, [.text(campaign)])
        return database.changes
    }

    /// The campaign's calls whose request has not left, oldest first.
    func queued(campaign: String) throws -> [CallRecord] {
        try database.query(Self.queuedSQL, [.text(campaign)], Self.record)
    }

    func record(_ id: Int64) throws -> CallRecord? {
        try database.query(Self.byIDSQL, [.integer(id)], Self.record).first
    }

    /// Outdial's id of a call known by the provider's id.
    func callID(provider: ProviderKind, providerCallID: String) throws -> Int64? {
        try database.scalar(Self.byProviderSQL, [.text(provider.rawValue), .text(providerCallID)])
    }

    /// Each of the campaign's calls: its lead and dial time (UTC seconds), oldest first.
    func history(campaign: String) throws -> [(leadID: Int64, dialAt: Int64)] {
        try database.query(Self.historySQL, [.text(campaign)]) { ($0.int64(0), $0.int64(1) / 1000) }
    }

    /// When the campaign's calls ending after `ms` end (UTC ms): the lines they hold.
    func ends(campaign: String, after ms: Int64) throws -> [Int64] {
        try database.query(Self.endsAfterSQL, [.text(campaign), .integer(ms)]) { $0.int64(0) }
    }

    /// When the campaign's last call was queued (UTC ms).
    func lastQueuedAt(campaign: String) throws -> Int64? {
        try database.scalar("SELECT max(queued_at) FROM calls WHERE campaign_id = \(Schema.campaignID())", [.text(campaign)])
    }

    private static func record(_ s: Statement) -> CallRecord {
        let intent = CallIntent(
            provider: ProviderKind(rawValue: s.string(1) ?? "") ?? .simulated, connection: s.string(2) ?? "", agent: s.string(3), leadID: s.int64(4),
            campaign: s.string(5) ?? "", workflowRunID: s.optionalInt64(6), attempt: Int(s.int64(7)), from: s.string(8) ?? "", to: s.string(9) ?? "",
            dialAt: s.int64(10) / 1000, leadTimezone: s.string(11) ?? "", tier: s.string(12).flatMap(NumberSelector.Tier.init(rawValue:)))
        var report: CallReport?
        if let outcome = s.string(16).flatMap(CallOutcome.init(rawValue:)) {
            report = CallReport(
                status: CallStatus(rawValue: s.string(13) ?? "") ?? .completed, outcome: outcome, disconnectionReason: s.string(17) ?? "",
                startedAt: s.optionalInt64(18), endedAt: s.int64(19), durationMs: s.int64(20), sentiment: s.string(21).flatMap(Sentiment.init(rawValue:)),
                userSpoke: s.int64(22) != 0, inVoicemail: s.int64(23) != 0, callSuccessful: s.int64(24) != 0, summary: s.string(25),
                transcript: s.string(26), customAnalysis: s.string(27), costCents: s.int64(28))
        }
        var withVariables = intent
        if Int(s.columnCount) > 29, let text = s.string(29), text != "{}", case .object(let pairs)? = try? JSONParser.parse(text) {
            for (key, value) in pairs { withVariables.variables[key] = value.text ?? "" }
        }
        return CallRecord(
            id: s.int64(0), intent: withVariables, status: CallStatus(rawValue: s.string(13) ?? "") ?? .unknown, providerCallID: s.string(14), report: report,
            errorMessage: s.string(15))
    }
}
