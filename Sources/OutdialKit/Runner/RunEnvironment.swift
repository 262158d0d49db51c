/// What a run's steps read, for the workflow interpreter: the runner's
/// window answers and the run's subject, read from the database only when a
/// step needs it (a run that only waits again never reads its lead).
struct RunEnvironment: WorkflowEnvironment {
    enum Missing: Error { case lead }

    unowned let runner: CampaignRunner
    let leadID: Int64
    let callID: Int64?
    /// The inbound message a `message_received` run answers.
    var messageID: Int64?
    let clock: Int64
    /// The subject once read (or given: a post-call run starts with its call in hand).
    var loaded: RunSubject?
    /// The tags as the lead's row has them: tags change in memory and are
    /// written once, when the run stops moving or before the lead is read again.
    private var writtenTags: [String]?

    init(runner: CampaignRunner, leadID: Int64, callID: Int64?, clock: Int64, subject: RunSubject?) {
        self.runner = runner
        self.leadID = leadID
        self.callID = callID
        self.clock = clock
        loaded = subject
        writtenTags = subject?.lead.tags
    }

    mutating func subject() throws -> RunSubject {
        if let loaded { return loaded }
        guard let lead = try runner.lead(leadID) else { throw Missing.lead }
        var subject = RunSubject(lead: lead)
        if let callID, let call = try runner.call(callID) {
            subject = RunSubject(lead: lead, callID: callID, intent: call.intent, report: call.report, status: call.status)
        }
        if let messageID { subject.message = try runner.message(messageID) }
        loaded = subject
        writtenTags = lead.tags
        return subject
    }

    mutating func window() throws -> WindowCheck {
        if loaded == nil, let known = runner.window(forKnownLead: leadID, at: clock) { return known }
        return runner.window(for: try subject().lead, at: clock)
    }

    mutating func setTags(_ tags: [String]) throws {
        _ = try subject()
        loaded!.lead.tags = tags
    }

    /// Writes the tags when they changed.
    mutating func writeTags(at clock: Int64) throws {
        guard let tags = loaded?.lead.tags, tags != writtenTags else { return }
        try runner.writeTags(tags, of: leadID, at: clock)
        writtenTags = tags
    }

    /// Reads the lead again after a step changed it (its fields, its owner).
    mutating func reloadLead() throws {
        guard loaded != nil else { return }
        guard let lead = try runner.lead(leadID) else { throw Missing.lead }
        loaded!.lead = lead
        writtenTags = lead.tags
    }
}

/// A call whose intent is written, on its way to its connection.
struct PendingDial {
    var callID: Int64
    var intent: CallIntent
    var lead: LeadRecord
    var connection: any Connection
    var localZone: String?
    /// The provider's id of the caller ID (Vapi's phone-number id).
    var fromNumberID: String?
    /// What the connection said (set at once by a connection that answers at once).
    var placement: Placement?
    var refusals = 0
    /// Times the provider had no line for it.
    var throttles = 0
    /// When a refused request is sent again (UTC seconds).
    var retryAt: Int64 = 0
    /// A live run sends it at this time (its dial time, later when throttled or its window closed meanwhile).
    var sendAt: Int64
    /// Dialled by a live run: its line is held until its outcome is in.
    var live = false

    init(callID: Int64, intent: CallIntent, lead: LeadRecord, connection: any Connection, localZone: String?, fromNumberID: String? = nil) {
        self.callID = callID
        self.intent = intent
        self.lead = lead
        self.connection = connection
        self.localZone = localZone
        self.fromNumberID = fromNumberID
        sendAt = intent.dialAt
    }

    /// How long a call whose end is not known yet is taken to hold its line in
    /// a simulation; a live run frees the line when the outcome comes in.
    static let assumedLength: Int64 = 15 * 60
    /// A live call's line is held until its outcome is in, or this long.
    static let longestLiveCall: Int64 = 2 * 3600

    /// The variables the agent's prompt is given: the lead's fields (its
    /// custom fields by their own names), then the step's `variables:`.
    static func variables(lead: LeadRecord, step: [String: String]) -> [String: String] {
        var variables: [String: String] = ["lead_id": String(lead.id), "phone": lead.phone]
        if case .object(let pairs)? = try? JSONParser.parse(lead.fields) {
            for (key, value) in pairs { if let text = value.text { variables[key] = text } }
        }
        for (key, value) in [
            ("first_name", lead.firstName), ("last_name", lead.lastName), ("email", lead.email), ("state", lead.state), ("zip", lead.zip),
            ("country", lead.country),
        ] {
            if let value { variables[key] = value }
        }
        for (key, value) in step { variables[key] = value }
        return variables
    }

    var request: CallRequest {
        var variables = intent.variables
        if variables.isEmpty {
            variables = ["lead_id": String(lead.id)]
            if let first = lead.firstName { variables["first_name"] = first }
        }
        var request = CallRequest(
            callID: callID, leadID: lead.id, attempt: intent.attempt, from: intent.from, to: intent.to, agent: intent.agent, variables: variables,
            dialAt: intent.dialAt, leadTimeZone: localZone)
        request.campaign = intent.campaign
        let name = [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " ")
        request.leadName = name.isEmpty ? nil : name
        request.fromNumberID = fromNumberID
        return request
    }

    /// Until when the call holds a line (UTC seconds).
    var heldUntil: Int64 {
        if case .accepted(_, let events)? = placement, let end = events.map(\.report.endedAt).max() { return (end + 999) / 1000 }
        return intent.dialAt + (live ? Self.longestLiveCall : Self.assumedLength)
    }
}

/// The connection settings the runner uses, and puts back when it returns.
enum StorePragmas {
    /// A run touches leads, calls and runs all over their tables: 16 MiB of page
    /// cache keeps them from being read back from the file for every batch, and
    /// checkpointing every 30,000 pages instead of 1,000 copies a page rewritten
    /// in several batches back to the main file once. Every id the runner
    /// writes into a reference (a lead, a call, an event) was read or written in
    /// the same transaction, so the runner's connection skips checking it again
    /// (docs/performance.md; the run tests run `PRAGMA foreign_key_check`).
    ///
    /// A simulation runs on its own copy of the database (`--into`): its
    /// commits are not synced to the disk. A killed simulation resumes as any
    /// run does (what it committed is in the log); only a power cut or a crash
    /// of the machine itself can lose or damage the copy, which the
    /// simulation then makes again.
    static func forRunner(_ database: Database, simulation: Bool) throws {
        try database.execute("PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 30000; PRAGMA foreign_keys = OFF")
        if simulation { try database.execute("PRAGMA synchronous = OFF") }
    }

    static func restore(_ database: Database) throws { try database.execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL") }
}
