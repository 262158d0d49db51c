/// Simulated calls that earlier versions wrote into a campaign's own database
/// (today a simulation runs on a copy): counted by `outdial init`, removed by
/// `outdial calls purge --simulated` with what they caused.
public struct SimulatedCallPurge {
    let database: Database

    public init(database: Database) { self.database = database }

    /// What a purge removed (or would remove).
    public struct Summary: Sendable, Equatable {
        public var calls = 0
        public var events = 0
        public var runs = 0
        public var notes = 0
        /// Campaigns all of whose calls were simulated: removed whole (runs, enrolment, clock).
        public var campaigns: [String] = []
        /// Outbox messages not yet sent to leads the simulation called: kept (they
        /// carry no link to a call), and a live run would send them.
        public var pendingOutbox = 0

        public var json: JSONValue {
            JSONObject([
                "calls": .int(Int64(calls)), "events": .int(Int64(events)), "runs": .int(Int64(runs)), "notes": .int(Int64(notes)),
                "campaigns": .array(campaigns.map(JSONValue.string)), "pending_outbox": .int(Int64(pendingOutbox)),
            ])
        }
    }

    /// How many simulated calls the database holds.
    public func count() throws -> Int { Int(try database.scalar("SELECT count(*) FROM calls WHERE provider = 'simulated'") ?? 0) }

    /// Removes every simulated call, its events and notes and the workflow
    /// runs those events started, in one transaction; a campaign that only
    /// ever had simulated calls loses its runs, enrolment events and state
    /// too, so a real run enrols its leads afresh. Tags, tasks, opportunities
    /// and outbox rows the simulation's workflows wrote carry no link to a
    /// call and are kept.
    public func run() throws -> Summary {
        try database.transaction {
            var summary = Summary()
            let campaigns = try database.query(
                """
                SELECT k.id, k.name FROM calls c JOIN campaigns k ON k.id = c.campaign_id GROUP BY k.id
                HAVING count(*) = sum(c.provider = 'simulated') ORDER BY k.name
                """
            ) { ($0.int64(0), $0.string(1) ?? "") }
            summary.campaigns = campaigns.map(\.1)
            summary.pendingOutbox = Int(
                try database.scalar(
                    """
                    SELECT count(*) FROM outbox WHERE status = 'pending'
                    AND lead_id IN (SELECT lead_id FROM calls WHERE provider = 'simulated')
                    """) ?? 0)
            try database.execute("CREATE TEMP TABLE IF NOT EXISTS purge_calls (id INTEGER PRIMARY KEY)")
            try database.execute("DELETE FROM temp.purge_calls")
            try database.execute("INSERT INTO temp.purge_calls SELECT call_id FROM calls WHERE provider = 'simulated'")
            try database.execute("CREATE TEMP TABLE IF NOT EXISTS purge_events (id INTEGER PRIMARY KEY)")
            try database.execute("DELETE FROM temp.purge_events")
            try database.execute("INSERT INTO temp.purge_events SELECT id FROM events WHERE call_id IN (SELECT id FROM temp.purge_calls)")
            for (campaign, _) in campaigns {
                try database.run(
                    "INSERT OR IGNORE INTO temp.purge_events SELECT id FROM events WHERE kind = 'lead_added' AND dedupe_key >= ?1 AND dedupe_key < ?2",
                    [.text("lead_added:\(campaign):"), .text("lead_added:\(campaign);")])
            }
            var runs = 0
            for (campaign, _) in campaigns {
                try database.run(
                    "UPDATE calls SET workflow_run_id = NULL WHERE campaign_id = ? AND call_id NOT IN (SELECT id FROM temp.purge_calls)", [.integer(campaign)])
                try database.run("DELETE FROM workflow_runs WHERE campaign_id = ?", [.integer(campaign)])
                runs += database.changes
                try database.run("DELETE FROM campaign_state WHERE campaign_id = ?", [.integer(campaign)])
            }
            try database.execute("DELETE FROM workflow_runs WHERE event_id IN (SELECT id FROM temp.purge_events)")
            summary.runs = runs + database.changes
            try database.execute("DELETE FROM notes WHERE call_id IN (SELECT id FROM temp.purge_calls)")
            summary.notes = database.changes
            try database.execute("DELETE FROM events WHERE id IN (SELECT id FROM temp.purge_events)")
            summary.events = database.changes
            try database.execute("DELETE FROM calls WHERE call_id IN (SELECT id FROM temp.purge_calls)")
            summary.calls = database.changes
            return summary
        }
    }
}
