/// The CRM side of workflow steps: tags, notes, fields, opportunities,
/// tasks, assignment, and messages and notifications for the outbox.
struct ActionWriter {
    let database: Database
    let campaign: String

    static let tagsSQL = "UPDATE leads SET tags = ?, updated_at = ? WHERE id = ?"
    static let noteSQL = "INSERT INTO notes (lead_id, call_id, body, created_at) VALUES (?, ?, ?, ?)"
    static let fieldSQL = "UPDATE leads SET fields = json_set(fields, '$.' || json_quote(?1), ?2), updated_at = ?3 WHERE id = ?4"
    static let opportunitySQL = """
        INSERT INTO opportunities (lead_id, pipeline, stage, name, value_cents, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
        ON CONFLICT(lead_id, pipeline) DO UPDATE SET stage = ?3, name = coalesce(?4, name), value_cents = coalesce(?5, value_cents), updated_at = ?6
        """
    static let taskSQL = "INSERT INTO tasks (lead_id, title, due_at, assignee, created_at) VALUES (?, ?, ?, ?, ?)"
    static let outboxSQL = "INSERT INTO outbox (kind, lead_id, channel, destination, body, created_at) VALUES (?, ?, ?, ?, ?, ?)"
    static let ownerSQL = "UPDATE leads SET owner = ?, updated_at = ? WHERE id = ?"

    /// `add_tag` / `remove_tag` applied to tags: sorted, without repeats.
    static func tags(_ step: Step, applyingTo tags: [String]) -> [String] {
        var set = Set(tags)
        switch step {
        case .addTag(let tag): guard set.insert(tag).inserted else { return tags }
        case .removeTag(let tag): guard set.remove(tag) != nil else { return tags }
        default: return tags
        }
        return set.sorted()
    }

    /// Writes a lead's tags (the runner does once a run stops moving).
    func write(tags: [String], of leadID: Int64, at clock: Int64) throws {
        try database.run(Self.tagsSQL, [.text(JSONValue.array(tags.map(JSONValue.string)).rendered), .integer(clock * 1000), .integer(leadID)])
    }

    func perform(_ step: Step, subject: RunSubject, callID: Int64?, at clock: Int64, dnc: DoNotCallList) throws {
        let ms = clock * 1000
        let lead = subject.lead
        let render = { (t: Template) in t.render { subject.text($0) } }
        switch step {
        case .addTag, .removeTag: break  // see `tags(_:applyingTo:)`
        case .addNote(let body):
            // A note whose template came out empty (a call with no summary) is not worth a row.
            let text = render(body)
            guard !text.trimmingSpaces().isEmpty else { return }
            try database.run(Self.noteSQL, [.integer(lead.id), .optional(callID), .text(text), .integer(ms)])
        case .updateField(let name, let value): try database.run(Self.fieldSQL, [.text(name), .text(render(value)), .integer(ms), .integer(lead.id)])
        case .createOpportunity(let pipeline, let stage, let name, let cents):
            try database.run(
                Self.opportunitySQL, [.integer(lead.id), .text(pipeline), .text(stage), .optional(name.map(render)), .optional(cents), .integer(ms)])
        case .moveOpportunity(let pipeline, let stage):
            try database.run(Self.opportunitySQL, [.integer(lead.id), .text(pipeline), .text(stage), .null, .null, .integer(ms)])
        case .createTask(let title, let due, let assignee):
            try database.run(
                Self.taskSQL, [.integer(lead.id), .text(render(title)), .optional(due.map { (clock + $0) * 1000 }), .optional(assignee), .integer(ms)])
        case .assign(let users):
            guard !users.isEmpty else { return }
            let key = "assign:" + users.joined(separator: ",")
            let state = RunStore(database: database, campaign: campaign)
            let current = Int(try state.state(key) ?? "0") ?? 0
            try database.run(Self.ownerSQL, [.text(users[current % users.count]), .integer(ms), .integer(lead.id)])
            try state.setState(key, String(current + 1))
        case .notify(let team, let webhook, let message):
            let body = JSONObject([
                "lead_id": .int(lead.id), "phone": .string(lead.phone), "call_id": callID.map(JSONValue.int) ?? .null,
                "message": .optional(message.map(render)),
            ]).rendered
            try database.run(
                Self.outboxSQL,
                [.text(webhook == nil ? "notify" : "webhook"), .integer(lead.id), .optional(team), .optional(webhook), .text(body), .integer(ms)])
        case .sendSMS(let text):
            // Never messaged when on the do-not-call list (SPEC §2.3).
            guard !lead.dnc, let number = PhoneNumber(e164: lead.phone), !dnc.contains(number) else { return }
            try database.run(Self.outboxSQL, [.text("sms"), .integer(lead.id), .text("sms"), .text(lead.phone), .text(render(text)), .integer(ms)])
        case .sendAIMessage(let settings):
            // The reply is worked out and sent by the outbox sender, outside any transaction.
            guard !lead.dnc, let destination = subject.message["from"] else { return }
            let body = JSONObject(["responder": .string(settings.responder), "in_reply_to": .optional(subject.message["text"])]).rendered
            try database.run(
                """
                INSERT INTO outbox (kind, lead_id, channel, destination, body, created_at, connection, in_reply_to)
                VALUES ('message', ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(lead.id), .optional(subject.message["channel"]), .text(destination), .text(body), .integer(ms), .optional(settings.via),
                    .optional(subject.message["id"].flatMap { Int64($0) }),
                ])
        default:
            break
        }
    }
}
