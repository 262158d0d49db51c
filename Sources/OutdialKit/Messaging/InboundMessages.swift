import Foundation

extension EventRecorder {
    /// Records an inbound message once (by its channel and the provider's
    /// message id): the sender is matched to a lead (by phone, email or channel
    /// handle) or becomes one (`source: inbound`), the message joins the lead's
    /// conversation, and — in the same transaction — an opt-out takes effect
    /// (DNC, one confirmation, the lead's waiting runs stopped), or the
    /// `message_received` workflows whose filter admits it start as waiting runs.
    @discardableResult
    func record(_ message: InboundEvent, receivedAt ms: Int64) throws -> Recorded {
        try database.transaction {
            let key = "\(message.channel):\(message.providerMessageID)"
            if try database.scalar("SELECT 1 FROM messages WHERE external_id = ?", [.text(key)]) != nil { return .duplicate }
            guard let (leadID, tags) = try contact(for: message, at: ms) else {
                try database.run(
                    "INSERT INTO messages (lead_id, direction, channel, from_addr, to_addr, body, external_id, sent_at, status) VALUES (NULL, 'inbound', ?, ?, ?, ?, ?, ?, 'received')",
                    [.text(message.channel), .text(message.from), .text(message.to), .text(message.text), .text(key), .integer(message.occurredAt)])
                return .unknownCall
            }
            let verdict = campaign.messaging.optOut.verdict(message.text)
            var optOutWord: String?
            if case .optOut(let word) = verdict { optOutWord = word }
            try database.run(
                """
                INSERT INTO messages (lead_id, direction, channel, from_addr, to_addr, body, external_id, sent_at, status, opt_out)
                VALUES (?, 'inbound', ?, ?, ?, ?, ?, ?, 'received', ?)
                """,
                [
                    .integer(leadID), .text(message.channel), .text(message.from), .text(message.to), .text(message.text), .text(key),
                    .integer(message.occurredAt), .optional(optOutWord),
                ])
            let messageID = database.lastInsertRowID
            let payload = JSONObject([
                "channel": .string(message.channel), "from": .string(message.from), "to": .string(message.to), "text": .string(message.text),
                "provider_message_id": .string(message.providerMessageID), "message_id": .int(messageID),
            ]).rendered
            try database.run(
                Self.eventSQL,
                [
                    .text("message_received"), .text("message_received:\(key)"), .null, .integer(leadID), .text(payload), .integer(message.occurredAt),
                    .integer(ms),
                ])
            let eventID = database.lastInsertRowID
            switch verdict {
            case .optOut(let word):
                try optOut(leadID: leadID, message: message, messageID: messageID, word: word, at: ms)
            case .resubscribe:
                try resubscribe(leadID: leadID, from: message.from, at: ms)
            case .none:
                let dnc = try database.scalar("SELECT dnc FROM leads WHERE id = ?", [.integer(leadID)]) == 1
                guard !dnc else { break }  // no AI reply or workflow reaches a number on the list
                // Another client's lead: the message is kept, this campaign's workflows do not answer it.
                if let audience = campaign.audience, !(try audience.contains(leadID: leadID, in: database)) { break }
                let runs = RunStore(database: database, campaign: campaign.name)
                for number in dispatcher.workflows(forMessageOn: message.channel, tags: tags) {
                    try runs.insertWaiting(
                        workflow: campaign.workflows[number].name, leadID: leadID, eventID: eventID, context: ["message_id": messageID], wakeMs: ms)
                }
            }
            return .new
        }
    }

    /// The lead who sent a message, and its tags: by E.164 phone, by email, or
    /// by a lead field named after the channel (`instagram`, `tiktok` …) holding
    /// the handle. A sender nobody has becomes a new lead (`source: inbound`):
    /// with its phone, or — without one — with its email or its handle in the
    /// channel's field, so its next message finds it. Nil only for an empty sender.
    func contact(for message: InboundEvent, at ms: Int64) throws -> (Int64, [String])? {
        /// The first lead a condition matches, with its tags.
        func lead(where condition: String, _ values: [SQLValue]) throws -> (Int64, [String])? {
            try database.query("SELECT id, tags FROM leads WHERE \(condition) ORDER BY id LIMIT 1", values) {
                ($0.int64(0), LeadStore.strings(fromJSON: $0.string(1) ?? "[]"))
            }.first
        }
        let from = message.from.trimmingCharacters(in: .whitespaces)
        guard !from.isEmpty else { return nil }
        if from.contains("@") {
            return try lead(where: "lower(email) = lower(?)", [.text(from)]) ?? (try newContact(email: from, at: ms), [])
        }
        if let number = try? PhoneNormalizer(region: campaign.defaults.region)?.normalize(from).number {
            return try lead(where: "phone = ?", [.text(number.e164)]) ?? (try newContact(number, at: ms), [])
        }
        let field = "$." + JSONValue.string(message.channel).rendered
        return try lead(where: "json_extract(fields, ?) = ?", [.text(field), .text(from)])
            ?? (try newContact(handle: from, channel: message.channel, at: ms), [])
    }

    /// A lead for an email or a channel handle that wrote first: no phone, no
    /// zones (it is never called until a phone is added), in the campaign's list.
    private func newContact(email: String? = nil, handle: String? = nil, channel: String = "", at ms: Int64) throws -> Int64 {
        let fields = handle.map { JSONValue.object([(channel, .string($0))]).rendered } ?? "{}"
        try database.run(
            "INSERT INTO leads (phone, email, fields, status, dnc, source, created_at, updated_at) VALUES (NULL, ?, ?, 'new', 0, 'inbound', ?, ?)",
            [.optional(email), .text(fields), .integer(ms), .integer(ms)])
        let leadID = database.lastInsertRowID
        try joinCampaignList(leadID, at: ms)
        return leadID
    }

    /// A new contact joins the campaign's list, so an audience of lists answers it as it answers its own leads.
    private func joinCampaignList(_ leadID: Int64, at ms: Int64) throws {
        guard let list = campaign.leads?.list ?? campaign.audience?.lists.first else { return }
        let id = try LeadLists(database: database).create(list, at: Instant(milliseconds: ms))
        try database.run("INSERT OR IGNORE INTO list_members (list_id, lead_id, added_at) VALUES (?, ?, ?)", [.integer(id), .integer(leadID), .integer(ms)])
    }

    /// A lead for a phone number that wrote first, placed in its area code's zones.
    private func newContact(_ number: PhoneNumber, at ms: Int64) throws -> Int64 {
        let plan = NumberingPlan.shared
        let location = plan.locate(number)
        let resolver = LeadZoneResolver(plan: plan, existing: try ZoneSetStore.all(database))
        let zoneSet = resolver.resolve(phoneZoneSet: location.zoneSet)
        try ZoneSetStore.insert(resolver.takeNew(), into: database)
        let onList = try DoNotCallStore(database: database).contains(number)
        try database.run(
            """
            INSERT INTO leads (phone, state, country, zone_set_id, state_source, status, dnc, source, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, 'new', ?, 'inbound', ?, ?)
            """,
            [
                .text(number.e164), .optional(location.state), .optional(location.country), .optional(zoneSet),
                .optional(location.state == nil ? nil : "phone"),
                .integer(onList ? 1 : 0), .integer(ms), .integer(ms),
            ])
        let leadID = database.lastInsertRowID
        // The events are this campaign's (`--campaign`): a new contact joins its list.
        try joinCampaignList(leadID, at: ms)
        return leadID
    }

    /// The sender revoked consent: on the DNC list from this message's time,
    /// every waiting run of the lead stopped, and one confirmation queued (only
    /// for the first opt-out: a second STOP gets no second confirmation).
    private func optOut(leadID: Int64, message: InboundEvent, messageID: Int64, word: String, at ms: Int64) throws {
        let (phone, wasOnList) =
            try database.query("SELECT phone, dnc FROM leads WHERE id = ?", [.integer(leadID)]) { ($0.string(0), $0.int64(1) == 1) }.first ?? (nil, false)
        // A contact without a phone (email, a handle) has no number for the list: its lead is marked, once.
        var added = phone == nil && !wasOnList ? 1 : 0
        if let phone, let number = PhoneNumber(e164: phone) {
            added = try DoNotCallStore(database: database).add(
                [.number(number)], source: "opt-out: '\(word)' by \(message.channel) message \(messageID)", at: Instant(milliseconds: message.occurredAt))
        }
        try database.run("UPDATE leads SET dnc = 1, updated_at = ? WHERE id = ?", [.integer(ms), .integer(leadID)])
        try database.run(
            "UPDATE workflow_runs SET status = 'stopped', error = ?, updated_at = ? WHERE lead_id = ? AND status = 'waiting'",
            [.text("opted-out: the lead replied '\(word)'"), .integer(ms), .integer(leadID)])
        guard added > 0 else { return }  // a second opt-out gets no second confirmation
        try database.run(
            """
            INSERT INTO outbox (kind, lead_id, channel, destination, body, created_at, purpose, in_reply_to)
            VALUES ('sms', ?, ?, ?, ?, ?, 'opt_out_confirmation', ?)
            """,
            [
                .integer(leadID), .text(message.channel), .text(message.from), .text(campaign.messaging.optOut.confirmation), .integer(ms),
                .integer(messageID),
            ])
    }

    /// START / UNSTOP (when the campaign allows it): the number's opt-out entry goes.
    private func resubscribe(leadID: Int64, from: String, at ms: Int64) throws {
        let phone = try database.text("SELECT phone FROM leads WHERE id = ?", [.integer(leadID)]) ?? from
        try database.run("DELETE FROM dnc WHERE pattern = ? AND source LIKE 'opt-out%'", [.text(phone)])
        guard database.changes > 0, try database.scalar("SELECT count(*) FROM dnc WHERE pattern = ?", [.text(phone)]) == 0 else { return }
        try database.run("UPDATE leads SET dnc = 0, updated_at = ? WHERE id = ?", [.integer(ms), .integer(leadID)])
    }
}
