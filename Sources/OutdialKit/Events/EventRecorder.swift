/// The one way events come in. Applies a provider's outcome to its call,
/// writes the `call_completed` event and starts the workflows it triggers —
/// in the caller's transaction, or in one of its own (`record`). The same
/// event twice changes nothing: a call's outcome is applied once, and the
/// event's key is unique.
public struct EventRecorder {
    let database: Database
    let campaign: Campaign
    let dispatcher: TriggerDispatcher
    var calls: CallStore { CallStore(database: database) }

    /// Registers the campaign in `campaigns` when it is not yet (the runs and
    /// state the events write refer to it by id).
    public init(database: Database, campaign: Campaign, at ms: Int64 = Instant.now.milliseconds) throws {
        self.database = database
        self.campaign = campaign
        dispatcher = TriggerDispatcher(workflows: campaign.workflows)
        try RunStore(database: database, campaign: campaign.name).register(file: campaign.file, at: ms)
    }

    static let eventSQL = """
        INSERT INTO events (kind, dedupe_key, call_id, lead_id, payload, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(dedupe_key) DO NOTHING
        """

    /// A call whose outcome was applied, with the event written for it.
    struct Applied {
        var callID: Int64
        var intent: CallIntent
        var report: CallReport
        var eventID: Int64
        /// The `call_completed` workflows it starts, by number.
        var workflows: [Int]
    }

    /// Applies `event` inside the caller's transaction; nil when it changed
    /// nothing (an event seen before, or for a call outdial does not know).
    /// `intent` is the call as the caller holds it (saves reading it back).
    func apply(_ event: CallEvent, intent known: CallIntent? = nil, receivedAt ms: Int64) throws -> Applied? {
        let id: Int64
        switch event.call {
        case .callID(let callID): id = callID
        case .provider(let provider, let providerID):
            guard let found = try calls.callID(provider: provider, providerCallID: providerID) else { return nil }
            id = found
        }
        guard try calls.apply(event.report, to: id, providerCallID: event.providerCallID, raw: event.raw) else { return nil }
        let intent: CallIntent
        if let known {
            intent = known
        } else {
            guard let record = try calls.record(id) else { return nil }
            intent = record.intent
        }
        try database.run(
            Self.eventSQL,
            [
                .text(Trigger.callCompleted(outcomes: [], sentiments: [], connections: []).name), .text("call_completed:\(id)"), .integer(id),
                .integer(intent.leadID), .text(event.raw), .integer(event.report.endedAt), .integer(ms),
            ])
        guard database.changes > 0 else { return nil }
        let eventID = database.lastInsertRowID
        return Applied(
            callID: id, intent: intent, report: event.report, eventID: eventID,
            workflows: dispatcher.workflows(forCallWith: event.report, connection: intent.connection))
    }

    /// Applies `event` in a transaction of its own, writing the runs it
    /// starts as waiting (due now) for the runner to pick up. True when it
    /// changed something.
    @discardableResult
    func record(_ event: CallEvent, receivedAt ms: Int64) throws -> Bool {
        try database.transaction {
            guard let applied = try apply(event, receivedAt: ms) else { return false }
            let runs = RunStore(database: database, campaign: campaign.name)
            for number in applied.workflows {
                try runs.insertWaiting(
                    workflow: campaign.workflows[number].name, leadID: applied.intent.leadID, eventID: applied.eventID,
                    context: ["call_id": applied.callID], wakeMs: max(ms, applied.report.endedAt))
            }
            return true
        }
    }

    /// Records a lead's request for a person once (by lead, time and reason)
    /// and starts the `handoff_requested` workflows as waiting runs.
    func record(_ handoff: EventDecoder.Handoff, receivedAt ms: Int64) throws -> Recorded {
        try database.transaction {
            guard let leadID = try database.scalar("SELECT id FROM leads WHERE phone = ?", [.text(handoff.from)]) else { return .unknownCall }
            let payload = JSONObject(["from": .string(handoff.from), "reason": .string(handoff.reason)]).rendered
            try database.run(
                Self.eventSQL,
                [
                    .text("handoff_requested"), .text("handoff_requested:\(leadID):\(handoff.at):\(handoff.reason)"), .null, .integer(leadID), .text(payload),
                    .integer(handoff.at), .integer(ms),
                ])
            guard database.changes > 0 else { return .duplicate }
            let eventID = database.lastInsertRowID
            if let audience = campaign.audience, !(try audience.contains(leadID: leadID, in: database)) { return .new }
            let runs = RunStore(database: database, campaign: campaign.name)
            for number in campaign.workflows.indices where campaign.workflows[number].trigger == .handoffRequested {
                try runs.insertWaiting(workflow: campaign.workflows[number].name, leadID: leadID, eventID: eventID, context: [:], wakeMs: ms)
            }
            return .new
        }
    }
}
