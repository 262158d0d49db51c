import Foundation

/// What one pass of the outbox sender did.
public struct OutboxTally: Sendable, Equatable {
    public var sent = 0
    public var failed = 0
    public var unknown = 0
    /// Put back for a later attempt (429, 5xx, not sent).
    public var retrying = 0
    public var handedOff = 0
    /// Left pending: no messaging connection can carry them.
    public var waiting = 0

    public init() {}
    public var total: Int { sent + failed + unknown + retrying + handedOff + waiting }

    /// A later pass after this one: what ended (sent, failed, unknown, handed off)
    /// adds up; what is still pending (retrying, waiting) is the later pass's, or a
    /// row put back five times would count five times.
    func adding(_ other: OutboxTally) -> OutboxTally {
        var sum = self
        sum.sent += other.sent
        sum.failed += other.failed
        sum.unknown += other.unknown
        sum.retrying = other.retrying
        sum.handedOff += other.handedOff
        sum.waiting = other.waiting
        return sum
    }
}

/// Sends the outbox: SMS and AI replies through the campaign's Twilio
/// connection, notifications to their webhooks. The same at-most-once rule as
/// calls: a row is committed `sending` before its request leaves; an answer
/// means `sent` (with the provider's id) or `failed` (with the reason); 429 and
/// 5xx put it back with a growing delay; a request that may have arrived
/// without an answer makes it `unknown`, never sent again. A number on the
/// do-not-call list gets nothing but the one confirmation of its opt-out.
public final class OutboxSender {
    let database: Database
    let campaign: Campaign
    let environment: [String: String]
    let transport: any HTTPTransport
    let ownsTransport: Bool
    /// Attempts before a row that keeps being throttled is `failed`.
    public static let maximumAttempts = 5
    /// Seconds a send may take before it counts as unanswered.
    public var timeout: Double = 20

    public init(database: Database, campaign: Campaign, environment: [String: String] = ProcessEnvironment.current, transport: (any HTTPTransport)? = nil) {
        self.database = database
        self.campaign = campaign
        self.environment = environment
        self.transport = transport ?? AsyncHTTPTransport(connectTimeout: 5)
        ownsTransport = transport == nil
    }

    public func shutdown() async { if ownsTransport { await transport.shutdown() } }

    /// Rows a stopped sender left `sending`: their request may have left, so they are `unknown`.
    public func recover() throws {
        try database.run(
            "UPDATE outbox SET status = 'unknown', error = 'outdial stopped while sending it; check the provider''s message log' WHERE status = 'sending'")
    }

    /// Runs `body`, then shuts the sender's HTTP client down, however `body` ends.
    public func whileOpen<T>(_ body: (OutboxSender) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await shutdown()
            return result
        } catch {
            await shutdown()
            throw error
        }
    }

    struct Row {
        var id: Int64
        var kind: String
        var leadID: Int64?
        var channel: String?
        var destination: String?
        var body: String
        var purpose: String?
        var connection: String?
        var attempts: Int
        var inReplyTo: Int64?
    }

    /// Sends every row due at `ms` (pending, and past its retry time).
    @discardableResult
    public func sendDue(at ms: Int64) async throws -> OutboxTally {
        var tally = OutboxTally()
        let rows = try database.query(
            """
            SELECT id, kind, lead_id, channel, destination, body, purpose, connection, attempts, in_reply_to FROM outbox
            WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id
            """, [.integer(ms)]
        ) {
            Row(
                id: $0.int64(0), kind: $0.string(1) ?? "", leadID: $0.optionalInt64(2), channel: $0.string(3), destination: $0.string(4),
                body: $0.string(5) ?? "", purpose: $0.string(6), connection: $0.string(7), attempts: Int($0.int64(8)), inReplyTo: $0.optionalInt64(9))
        }
        guard !rows.isEmpty else { return tally }
        let dnc = try DoNotCallStore(database: database).load()
        for var row in rows {
            // Nothing reaches a number on the list but the confirmation of its own opt-out.
            if row.kind != "notify", row.kind != "webhook", row.purpose != "opt_out_confirmation", try isBlocked(row, dnc) {
                try finish(row.id, status: "failed", error: "the number is on the do-not-call list", at: ms)
                tally.failed += 1
                continue
            }
            switch row.kind {
            case "notify":
                // A team notification without a webhook is delivered by the outbox itself (`outdial outbox list --kind notify`).
                try finish(row.id, status: "sent", error: nil, at: ms)
                tally.sent += 1
            case "webhook":
                try await deliver(row, request: webhook(row), at: ms, tally: &tally)
            case "message" where row.purpose != "ai_reply":
                // The reply is worked out once; a retry sends the same words.
                switch try await reply(row) {
                case .handoff(let reason):
                    try handOff(row, reason: reason, at: ms)
                    tally.handedOff += 1
                    continue
                case .reply(let text):
                    row.body = text
                    row.purpose = "ai_reply"
                    try database.run("UPDATE outbox SET body = ?, purpose = 'ai_reply' WHERE id = ?", [.text(text), .integer(row.id)])
                }
                fallthrough
            default:
                switch message(row) {
                case .success(let request): try await deliver(row, request: request, at: ms, tally: &tally)
                case .failure(let unsendable):
                    try database.run("UPDATE outbox SET error = ? WHERE id = ?", [.text(unsendable.reason), .integer(row.id)])
                    tally.waiting += 1
                }
            }
        }
        return tally
    }

    private func isBlocked(_ row: Row, _ dnc: DoNotCallList) throws -> Bool {
        if let lead = row.leadID, try database.scalar("SELECT dnc FROM leads WHERE id = ?", [.integer(lead)]) == 1 { return true }
        guard let destination = row.destination, let number = PhoneNumber(e164: destination.replacingOccurrences(of: "whatsapp:", with: "")) else {
            return false
        }
        return dnc.contains(number)
    }

    /// Commits `sending`, sends, and records what came back.
    private func deliver(_ row: Row, request: HTTPRequest, at ms: Int64, tally: inout OutboxTally) async throws {
        try database.run("UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'pending'", [.integer(row.id)])
        guard database.changes == 1 else { return }  // another sender took it
        let result = await transport.send(request, timeout: timeout)
        let attempts = row.attempts + 1
        switch result {
        case .mayHaveBeenSent(let reason):
            try finish(row.id, status: "unknown", error: "no answer after sending (\(reason)); check the provider's message log", at: ms)
            tally.unknown += 1
        case .notSent(let reason):
            try again(row.id, attempts: attempts, reason: reason, retryAfter: nil, at: ms, tally: &tally)
        case .response(let status, _, let body):
            let parsed = try? JSONParser.parse(body)
            if (200..<300).contains(status) {
                let idPath = row.kind == "webhook" ? nil : connectionSpec(row)?.messages?.messageIDPath
                let providerID = idPath.map { parsed?[path: $0]?.text } ?? parsed?["sid"]?.text ?? parsed?["id"]?.text
                try database.transaction {
                    try database.run(
                        "UPDATE outbox SET status = 'sent', sent_at = ?, provider_message_id = ?, error = NULL WHERE id = ?",
                        [.integer(ms), .optional(providerID), .integer(row.id)])
                    if row.kind == "sms" || row.kind == "message" { try keepOutbound(row, providerID: providerID, at: ms) }
                }
                tally.sent += 1
            } else if status == 429 || status >= 500 {
                let after = result.header("Retry-After").flatMap { Int64($0) }
                try again(row.id, attempts: attempts, reason: "HTTP \(status)", retryAfter: after, at: ms, tally: &tally)
            } else {
                let words = parsed?["message"]?.text ?? parsed?[path: "error.message"]?.text ?? "HTTP \(status)"
                try finish(row.id, status: "failed", error: "the provider refused it: \(words)", at: ms)
                tally.failed += 1
            }
        }
    }

    /// Back to `pending` after 30 s, 1, 2, 4 minutes (or the provider's Retry-After); `failed` after the last attempt.
    private func again(_ id: Int64, attempts: Int, reason: String, retryAfter: Int64?, at ms: Int64, tally: inout OutboxTally) throws {
        guard attempts < Self.maximumAttempts else {
            try finish(id, status: "failed", error: "not delivered after \(attempts) attempts (\(reason))", at: ms)
            tally.failed += 1
            return
        }
        let delay = max(retryAfter ?? 0, 30 << Int64(attempts - 1))
        try database.run(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, error = ? WHERE id = ?",
            [.integer(ms + delay * 1000), .text("attempt \(attempts) not delivered (\(reason)); next in \(delay) s"), .integer(id)])
        tally.retrying += 1
    }

    private func finish(_ id: Int64, status: String, error: String?, at ms: Int64) throws {
        try database.run(
            "UPDATE outbox SET status = ?, error = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
            [.text(status), .optional(error), .text(status), .integer(ms), .integer(id)])
    }

    /// The reply joins the lead's conversation.
    private func keepOutbound(_ row: Row, providerID: String?, at ms: Int64) throws {
        let channel = row.channel ?? "sms"
        let from = connectionSpec(row).flatMap { $0.twilio?.from ?? $0.twilio?.messagingServiceSID ?? $0.messages?.from } ?? ""
        try database.run(
            """
            INSERT INTO messages (lead_id, direction, channel, from_addr, to_addr, body, external_id, sent_at, status)
            VALUES (?, 'outbound', ?, ?, ?, ?, ?, ?, 'sent') ON CONFLICT(external_id) DO NOTHING
            """,
            [
                .optional(row.leadID), .text(channel), .text(from), .optional(row.destination), .text(row.body),
                .optional(providerID.map { "\(channel):\($0)" }), .integer(ms),
            ])
    }

    // MARK: - Replies

    private func reply(_ row: Row) async throws -> ResponderAnswer {
        let request = (try? JSONParser.parse(row.body)) ?? .null
        let name = request["responder"]?.text ?? "rules"
        guard let spec = campaign.responders[name] ?? (name == "rules" ? Campaign.ResponderSpec.builtIn : nil) else {
            return .handoff(reason: "the campaign has no responder '\(name)'")
        }
        let text = request["in_reply_to"]?.text ?? ""
        switch spec.kind {
        case .rules: return RulesResponder(spec).answer(text)
        case .openai:
            guard let variable = spec.apiKeyEnv, let key = environment[variable], !key.isEmpty else {
                return .handoff(reason: "responder '\(name)' has no key: \(spec.apiKeyEnv ?? "its api_key_env") is not set")
            }
            let turns = try conversation(row, limit: spec.history)
            return await OpenAIResponder(spec, key: key, transport: transport).answer(turns.isEmpty ? [.init(role: "user", text: text)] : turns)
        }
    }

    /// The lead's last messages on the row's channel, oldest first.
    private func conversation(_ row: Row, limit: Int) throws -> [OpenAIResponder.Turn] {
        guard let lead = row.leadID else { return [] }
        let turns = try database.query(
            "SELECT direction, body FROM messages WHERE lead_id = ? AND channel = ? ORDER BY sent_at DESC, id DESC LIMIT ?",
            [.integer(lead), .text(row.channel ?? "sms"), .integer(Int64(max(limit, 1)))]
        ) { OpenAIResponder.Turn(role: $0.string(0) == "inbound" ? "user" : "assistant", text: $0.string(1) ?? "") }
        return turns.reversed()
    }

    /// A responder asked for a person: the handoff workflows start, the row is `handed_off`.
    private func handOff(_ row: Row, reason: String, at ms: Int64) throws {
        try finish(row.id, status: "handed_off", error: reason, at: ms)
        guard let destination = row.destination else { return }
        _ = try EventRecorder(database: database, campaign: campaign).record(
            EventDecoder.Handoff(from: destination, reason: reason, at: ms), receivedAt: ms)
    }

    // MARK: - Requests

    func connectionSpec(_ row: Row) -> Campaign.ConnectionSpec? {
        if let name = row.connection { return campaign.connections[name] }
        return campaign.connections.keys.sorted().lazy.compactMap { self.campaign.connections[$0] }.first { $0.sendsMessages }
    }

    /// Why a row waits: no connection can carry it yet.
    struct Unsendable: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The request for an SMS or reply (Twilio's, or the http connection's
    /// own `messages:` form), or why none can carry it.
    func message(_ row: Row) -> Result<HTTPRequest, Unsendable> {
        let channel = row.channel ?? "sms"
        if let spec = connectionSpec(row), let form = spec.messages { return httpMessage(row, form) }
        guard let spec = connectionSpec(row), let twilio = spec.twilio else {
            return .failure(Unsendable("no messaging connection: add one with provider twilio, or http with messages: (docs/messaging.md)"))
        }
        guard channel == "sms" || channel == "whatsapp" else { return .failure(Unsendable("Twilio carries sms and whatsapp, not \(channel)")) }
        guard let sid = environment[twilio.accountSIDEnv], !sid.isEmpty, let token = environment[twilio.authTokenEnv], !token.isEmpty else {
            return .failure(Unsendable("\(twilio.accountSIDEnv) and \(twilio.authTokenEnv) must be set to send through Twilio"))
        }
        guard let to = row.destination else { return .failure(Unsendable("the row has no destination")) }
        let prefix = channel == "whatsapp" ? "whatsapp:" : ""
        var form: [(String, String)] = [("To", to.hasPrefix(prefix) ? to : prefix + to)]
        if let service = twilio.messagingServiceSID { form.append(("MessagingServiceSid", service)) } else { form.append(("From", prefix + twilio.from!)) }
        form.append(("Body", row.body))
        return .success(TwilioMessages.request(base: spec.base, accountSID: sid, authToken: token, form: form))
    }

    /// The http connection's `messages:` form filled for the row: any channel.
    func httpMessage(_ row: Row, _ form: Campaign.MessagePreset) -> Result<HTTPRequest, Unsendable> {
        guard let to = row.destination else { return .failure(Unsendable("the row has no destination")) }
        let unset = form.environmentVariables.filter { (environment[$0] ?? "").isEmpty }
        guard unset.isEmpty else { return .failure(Unsendable("\(unset.joined(separator: " and ")) must be set to send through the http connection")) }
        let lead = row.leadID.flatMap { try? LeadStore(database: database).find(id: $0) }
        let values: (String, String) -> String? = { namespace, name in
            switch namespace {
            case "env": return self.environment[name]
            case "message":
                switch name {
                case "id": return String(row.id)
                case "to": return to
                case "from": return form.from
                case "text": return row.body
                case "channel": return row.channel ?? "sms"
                case "kind": return row.kind
                default: return row.leadID.map(String.init)
                }
            default:
                // The lead's values as every template of a run reads them.
                return lead.flatMap { RunSubject(lead: $0).text("lead." + name) }
            }
        }
        return .success(HTTPPresetAPI.request(method: form.method, url: form.url, headers: form.headers, body: form.body, values))
    }

    func webhook(_ row: Row) -> HTTPRequest {
        HTTPRequest(method: "POST", url: row.destination ?? "", headers: [.init("Content-Type", "application/json")], body: Array(row.body.utf8))
    }
}

/// Twilio's Messages API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
/// form-encoded, HTTP basic auth with the account SID and auth token.
public enum TwilioMessages {
    public static func request(base: String, accountSID: String, authToken: String, form: [(String, String)]) -> HTTPRequest {
        let body = form.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
        let credentials = Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
        return HTTPRequest(
            method: "POST", url: base + "/2010-04-01/Accounts/" + encode(accountSID) + "/Messages.json",
            headers: [.init("Authorization", "Basic " + credentials), .init("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(body.utf8))
    }

    /// `application/x-www-form-urlencoded`: unreserved characters as they are, the rest %XX.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
