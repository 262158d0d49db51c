/// Provider events that arrive on their own (a file, a webhook), recorded in
/// the caller's transaction. Each provider event is kept once, by
/// (provider, provider call id, event kind); the call's outcome is applied
/// once, when its record is complete, and only then do its post-call
/// workflows start (as waiting runs the runner picks up).
extension EventRecorder {
    public enum Recorded: Sendable, Equatable {
        case new
        case duplicate
        /// Kept, for a call outdial does not know (yet): linked when a run learns its id.
        case unknownCall
        case rejected(String)
    }

    static let providerEventSQL = """
        INSERT INTO events (kind, dedupe_key, call_id, lead_id, payload, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(dedupe_key) DO NOTHING
        """

    static func dedupeKey(_ provider: ProviderKind, _ providerCallID: String, _ kind: String) -> String {
        "\(provider.rawValue):\(providerCallID):\(kind)"
    }

    func record(_ update: EventDecoder.CallUpdate, receivedAt ms: Int64) throws -> Recorded {
        var record: CallRecord?
        if let id = update.callID, let found = try calls.record(id), found.intent.provider == update.provider,
            found.providerCallID == nil || found.providerCallID == update.providerCallID
        {
            record = found
        }
        if record == nil, let id = try calls.callID(provider: update.provider, providerCallID: update.providerCallID) { record = try calls.record(id) }
        if let record, record.intent.campaign != campaign.name {
            return .rejected("call \(record.id) belongs to campaign '\(record.intent.campaign)', not '\(campaign.name)'")
        }
        try database.run(
            Self.providerEventSQL,
            [
                .text("\(update.provider.rawValue).\(update.kind)"), .text(Self.dedupeKey(update.provider, update.providerCallID, update.kind)),
                .optional(record?.id), .optional(record?.intent.leadID), .text(update.raw), .integer(update.report.endedAt), .integer(ms),
            ])
        guard database.changes > 0 else { return .duplicate }
        guard let record else { return .unknownCall }
        if record.providerCallID == nil {
            try database.run(
                "UPDATE calls SET provider_call_id = ? WHERE call_id = ? AND provider_call_id IS NULL", [.text(update.providerCallID), .integer(record.id)])
        }
        if update.complete { try complete(record, update, receivedAt: ms) }
        return .new
    }

    /// Applies a complete report to its call and starts its post-call workflows.
    private func complete(_ record: CallRecord, _ update: EventDecoder.CallUpdate, receivedAt ms: Int64) throws {
        let event = CallEvent(call: .callID(record.id), providerCallID: update.providerCallID, report: update.report, raw: update.raw)
        guard let applied = try apply(event, intent: record.intent, receivedAt: ms) else { return }
        let runs = RunStore(database: database, campaign: campaign.name)
        for number in applied.workflows {
            try runs.insertWaiting(
                workflow: campaign.workflows[number].name, leadID: applied.intent.leadID, eventID: applied.eventID, context: ["call_id": applied.callID],
                wakeMs: max(ms, applied.report.endedAt))
        }
    }

    /// Calls whose end was reported without their analysis (Retell
    /// `call_ended`, a Vapi `status-update`) before `cutoff` (ms), and nothing
    /// since: their record is applied as it is. Returns how many.
    func settlePending(endedBefore cutoff: Int64, receivedAt ms: Int64) throws -> Int {
        let rows = try database.query(
            """
            SELECT e.payload FROM events e JOIN calls c ON c.call_id = e.call_id
            WHERE (e.kind = 'retell.call_ended' OR e.kind = 'vapi.status-update') AND c.outcome IS NULL AND c.campaign_id = \(Schema.campaignID()) AND e.occurred_at < ?
            ORDER BY e.id
            """, [.text(campaign.name), .integer(cutoff)]
        ) { $0.string(0) ?? "" }
        var settled = 0
        for payload in rows {
            guard case .call(var update) = EventDecoder.decode(text: payload, receivedAt: ms) else { continue }
            guard let id = try calls.callID(provider: update.provider, providerCallID: update.providerCallID), let record = try calls.record(id),
                record.report == nil
            else { continue }
            update.complete = true
            try complete(record, update, receivedAt: ms)
            settled += 1
        }
        return settled
    }

    /// A run just learnt a call's provider id: events kept for it before
    /// are linked to it, and the outcome of a complete one is returned (for the
    /// runner to record, with the lead and call in hand).
    func link(callID: Int64, provider: ProviderKind, providerCallID: String, leadID: Int64, receivedAt ms: Int64) throws -> CallEvent? {
        let low = "\(provider.rawValue):\(providerCallID):"
        let high = "\(provider.rawValue):\(providerCallID);"
        try database.run(
            "UPDATE events SET call_id = ?, lead_id = ? WHERE dedupe_key >= ? AND dedupe_key < ? AND call_id IS NULL",
            [.integer(callID), .integer(leadID), .text(low), .text(high)])
        guard database.changes > 0 else { return nil }
        let payloads = try database.query(
            "SELECT payload FROM events WHERE dedupe_key >= ? AND dedupe_key < ? ORDER BY id", [.text(low), .text(high)]
        ) { $0.string(0) ?? "" }
        for payload in payloads {
            if case .call(let update) = EventDecoder.decode(text: payload, receivedAt: ms), update.complete {
                return CallEvent(call: .callID(callID), providerCallID: providerCallID, report: update.report, raw: update.raw)
            }
        }
        return nil
    }
}
