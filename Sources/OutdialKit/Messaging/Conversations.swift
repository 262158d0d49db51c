/// Reading the messaging side: a lead's conversations and the outbox.
public struct Conversations {
    let database: Database

    public init(database: Database) { self.database = database }

    public struct Message: Sendable, Equatable {
        public var id: Int64
        public var channel: String
        public var direction: String
        public var from: String
        public var to: String?
        public var text: String
        public var at: Instant
        public var status: String?
        public var optOut: String?

        public var json: JSONValue {
            .object([
                ("id", .int(id)), ("channel", .string(channel)), ("direction", .string(direction)), ("from", .string(from)), ("to", .optional(to)),
                ("text", .string(text)), ("at", .string(at.iso8601Milliseconds)), ("status", .optional(status)), ("opt_out", .optional(optOut)),
            ])
        }
    }

    /// The lead's messages on every channel, in order (by channel, then time).
    public func messages(lead: Int64) throws -> [Message] {
        try database.query(
            "SELECT id, channel, direction, from_addr, to_addr, body, sent_at, status, opt_out FROM messages WHERE lead_id = ? ORDER BY channel, sent_at, id",
            [.integer(lead)]
        ) {
            Message(
                id: $0.int64(0), channel: $0.string(1) ?? "", direction: $0.string(2) ?? "", from: $0.string(3) ?? "", to: $0.string(4),
                text: $0.string(5) ?? "", at: Instant(milliseconds: $0.int64(6)), status: $0.string(7), optOut: $0.string(8))
        }
    }

    /// The conversation as text: one block per channel, one line per message.
    public static func text(_ messages: [Message]) -> String {
        guard !messages.isEmpty else { return "No messages.\n" }
        var out = ""
        var channel = ""
        for m in messages {
            if m.channel != channel {
                channel = m.channel
                out += "\(channel):\n"
            }
            let arrow = m.direction == "inbound" ? "<-" : "->"
            out += "  \(m.at.iso8601) \(arrow) \(m.direction == "inbound" ? m.from : m.to ?? ""): \(m.text)"
            if let optOut = m.optOut { out += "  [opt-out: \(optOut)]" }
            out += "\n"
        }
        return out
    }

    public struct OutboxRow: Sendable, Equatable {
        public var id: Int64
        public var kind: String
        public var leadID: Int64?
        public var channel: String?
        public var destination: String?
        public var body: String
        public var status: String
        public var attempts: Int
        public var createdAt: Instant
        public var sentAt: Instant?
        public var providerMessageID: String?
        public var error: String?
        public var purpose: String?

        public var json: JSONValue {
            .object([
                ("id", .int(id)), ("kind", .string(kind)), ("lead_id", leadID.map(JSONValue.int) ?? .null), ("channel", .optional(channel)),
                ("destination", .optional(destination)), ("body", .string(body)), ("status", .string(status)), ("attempts", .int(Int64(attempts))),
                ("created_at", .string(createdAt.iso8601Milliseconds)), ("sent_at", sentAt.map { .string($0.iso8601Milliseconds) } ?? .null),
                ("provider_message_id", .optional(providerMessageID)), ("error", .optional(error)), ("purpose", .optional(purpose)),
            ])
        }
    }

    public static let outboxStatuses = ["pending", "sending", "sent", "failed", "unknown", "handed_off"]

    public func outbox(status: String?, kind: String?, limit: Int) throws -> [OutboxRow] {
        try database.query(
            """
            SELECT id, kind, lead_id, channel, destination, body, status, attempts, created_at, sent_at, provider_message_id, error, purpose FROM outbox
            WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR kind = ?2) ORDER BY id DESC LIMIT ?3
            """, [.optional(status), .optional(kind), .integer(Int64(limit))]
        ) {
            OutboxRow(
                id: $0.int64(0), kind: $0.string(1) ?? "", leadID: $0.optionalInt64(2), channel: $0.string(3), destination: $0.string(4),
                body: $0.string(5) ?? "", status: $0.string(6) ?? "", attempts: Int($0.int64(7)), createdAt: Instant(milliseconds: $0.int64(8)),
                sentAt: $0.optionalInt64(9).map { Instant(milliseconds: $0) }, providerMessageID: $0.string(10), error: $0.string(11), purpose: $0.string(12))
        }
    }
}
