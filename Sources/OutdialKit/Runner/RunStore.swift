/// Where a workflow run is (the `workflow_runs.status` column).
public enum RunStatus: String, Sendable, CaseIterable {
    case waiting, running, done, stopped, failed
}

/// All SQL on `workflow_runs` (and the `lead_added` events enrolment writes).
struct RunStore {
    let database: Database
    let campaign: String

    static let enrolEventsSQL = """
        INSERT INTO events (kind, dedupe_key, lead_id, payload, occurred_at, received_at)
        SELECT 'lead_added', 'lead_added:' || \(Schema.campaignID("?1")) || ':' || id, id, '{}', ?2, ?2 FROM leads WHERE true
        ON CONFLICT(dedupe_key) DO NOTHING
        """
    static let enrolRunsSQL = """
        INSERT INTO workflow_runs (campaign_id, workflow, lead_id, event_id, status, position, wake_at, context, created_at, updated_at)
        SELECT k.id, ?2, e.lead_id, e.id, 'waiting', '[0]', ?3, '{}', ?3, ?3 FROM campaigns k JOIN events e
            ON e.dedupe_key >= 'lead_added:' || k.id || ':' AND e.dedupe_key < 'lead_added:' || k.id || ';'
        WHERE k.name = ?1 AND e.kind = 'lead_added'
        ORDER BY e.id
        ON CONFLICT(campaign_id, workflow, lead_id, event_id) DO NOTHING
        """
    static let newRunsSQL = """
        SELECT id, workflow, lead_id, position, context, wake_at, error FROM workflow_runs
        WHERE id > ?1 AND id <= ?3 AND +campaign_id = \(Schema.campaignID("?2")) AND +status = 'waiting' ORDER BY id
        """
    static let saveWakeSQL = "UPDATE workflow_runs SET wake_at = ?, error = ? WHERE id = ? AND status = 'waiting'"
    static let waitingSQL = "SELECT count(*) FROM workflow_runs WHERE campaign_id = \(Schema.campaignID()) AND status = 'waiting'"
    static let insertSQL = """
        INSERT INTO workflow_runs (campaign_id, workflow, lead_id, event_id, status, position, wake_at, context, error, created_at, updated_at)
        VALUES (\(Schema.campaignID("?1")), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
        """
    static let updateSQL = "UPDATE workflow_runs SET status = ?, position = ?, wake_at = ?, context = ?, error = ?, updated_at = ? WHERE id = ?"

    static let audienceEventsSQL = """
        INSERT INTO events (kind, dedupe_key, lead_id, payload, occurred_at, received_at)
        SELECT 'lead_added', 'lead_added:' || \(Schema.campaignID("?1")) || ':' || id, id, '{}', ?2, ?2 FROM leads WHERE id IN (SELECT id FROM temp.audience)
        ON CONFLICT(dedupe_key) DO NOTHING
        """

    /// Gives the campaign its `campaigns` row, once: every row about it (calls,
    /// runs, state, enrolment events) refers to that row's id, never copies
    /// the name. Done by each writer before it writes (`run`, `ingest`,
    /// `serve`, the outbox sender).
    func register(file: String?, at ms: Int64) throws {
        try database.run("INSERT OR IGNORE INTO campaigns (name, file, created_at) VALUES (?, ?, ?)", [.text(campaign), .optional(file), .integer(ms)])
    }

    /// Registers the campaign, writes a `lead_added` event once for each lead
    /// of the audience (every lead when there is none) and a run of every
    /// `lead_added` workflow for it; returns the runs written.
    func enrol(workflows: [String], file: String, audience: [Int64]?, at ms: Int64) throws -> Int {
        try register(file: file, at: ms)
        if let audience {
            try database.execute("CREATE TEMP TABLE IF NOT EXISTS audience (id INTEGER PRIMARY KEY)")
            try database.execute("DELETE FROM temp.audience")
            let insert = try database.prepare("INSERT INTO temp.audience (id) VALUES (?)")
            defer { insert.reset() }
            for id in audience {
                insert.rewind()
                try insert.bind([.integer(id)])
                try insert.step()
            }
            try database.run(Self.audienceEventsSQL, [.text(campaign), .integer(ms)])
        } else {
            try database.run(Self.enrolEventsSQL, [.text(campaign), .integer(ms)])
        }
        var enrolled = 0
        for workflow in workflows {
            try database.run(Self.enrolRunsSQL, [.text(campaign), .text(workflow), .integer(ms)])
            enrolled += database.changes
        }
        return enrolled
    }

    /// Runs an earlier version stopped for want of a caller ID wait again,
    /// due now: importing or enabling numbers is what they waited for.
    func reviveStoppedForNumbers(at ms: Int64) throws {
        try database.run(
            "UPDATE workflow_runs SET status = 'waiting', wake_at = ?2, error = NULL, updated_at = ?2 WHERE campaign_id = \(Schema.campaignID("?1")) AND status = 'stopped' AND error LIKE ?3",
            [.text(campaign), .integer(ms), .text(WaitReason.pool.rawValue + ":%")])
    }

    /// The campaign's waiting runs with ids above `id`, in id order, each
    /// with why it waits at its `place_call` when its row says (`error`).
    func waiting(
        after id: Int64, through last: Int64,
        _ each: (_ id: Int64, _ workflow: String, _ leadID: Int64, _ state: RunState, _ wakeMs: Int64, _ reason: WaitReason?) throws -> Void
    ) throws {
        let rows = try database.prepare(Self.newRunsSQL)
        defer { rows.reset() }
        try rows.bind([.integer(id), .text(campaign), .integer(last)])
        while try rows.step() {
            let state = RunState(position: RunState.path(rows.string(3) ?? "[0]"), context: RunState.context(rows.string(4) ?? "{}"))
            try each(rows.int64(0), rows.string(1) ?? "", rows.int64(2), state, rows.int64(5), rows.string(6).flatMap(WaitReason.init(rawValue:)))
        }
    }

    /// A value the runner keeps for the campaign between runs (`campaign_state`):
    /// `clock`, the virtual clock as the last batch left it; `pacing`, the pacer's position.
    func state(_ key: String) throws -> String? {
        try database.text(
            "SELECT value FROM campaign_state WHERE campaign_id = \(Schema.campaignID()) AND key = ?", [.text(campaign), .text(key)])
    }

    func setState(_ key: String, _ value: String) throws {
        try database.run(
            """
            INSERT INTO campaign_state (campaign_id, key, value) VALUES (\(Schema.campaignID("?1")), ?2, ?3)
            ON CONFLICT(campaign_id, key) DO UPDATE SET value = ?3
            """,
            [.text(campaign), .text(key), .text(value)])
    }

    func removeState(_ key: String) throws {
        try database.run(
            "DELETE FROM campaign_state WHERE campaign_id = \(Schema.campaignID()) AND key = ?", [.text(campaign), .text(key)])
    }

    func waitingCount() throws -> Int { Int(try database.scalar(Self.waitingSQL, [.text(campaign)]) ?? 0) }

    func highestID() throws -> Int64 { try database.scalar("SELECT max(id) FROM workflow_runs") ?? 0 }

    /// Writes a new run; returns its id.
    func insert(
        workflow: String, leadID: Int64, eventID: Int64?, status: RunStatus, state: RunState, wakeMs: Int64?, error: String?, at ms: Int64
    ) throws -> Int64 {
        try database.run(
            Self.insertSQL,
            [
                .text(campaign), .text(workflow), .integer(leadID), .optional(eventID), .text(status.rawValue), .text(state.positionJSON),
                .optional(wakeMs), .text(state.contextJSON), .optional(error), .integer(ms),
            ])
        return database.lastInsertRowID
    }

    /// A new run at its first step, due at `wakeMs`.
    func insertWaiting(workflow: String, leadID: Int64, eventID: Int64?, context: [String: Int64], wakeMs: Int64) throws {
        _ = try insert(
            workflow: workflow, leadID: leadID, eventID: eventID, status: .waiting, state: RunState(position: [0], context: context), wakeMs: wakeMs,
            error: nil, at: wakeMs)
    }

    func update(_ id: Int64, status: RunStatus, state: RunState, wakeMs: Int64?, error: String?, at ms: Int64) throws {
        try database.run(
            Self.updateSQL,
            [.text(status.rawValue), .text(state.positionJSON), .optional(wakeMs), .text(state.contextJSON), .optional(error), .integer(ms), .integer(id)])
    }

    /// Writes back wake-ups that were kept in memory, each with why it waits
    /// (kept in `error`, which a waiting run otherwise leaves empty).
    func saveWakes(_ wakes: [(id: Int64, wakeMs: Int64, reason: WaitReason?)]) throws {
        guard !wakes.isEmpty else { return }
        try database.transaction {
            for (id, wakeMs, reason) in wakes.sorted(by: { $0.id < $1.id }) {
                try database.run(Self.saveWakeSQL, [.integer(wakeMs), .optional(reason?.rawValue), .integer(id)])
            }
        }
    }
}
