import Foundation

/// The values templates and conditions read: the lead, and the call or
/// message a run reacts to.
struct RunSubject {
    var lead: LeadRecord
    /// The call's columns as text (nil for NULL), in `callColumns` order; read
    /// into values only when a template or condition asks.
    var call: [String?] = []
    var message: [String: String] = [:]

    func value(_ path: String) -> ConditionValue? {
        // `root.name` or `root.name.key`, split without building an array of strings each time.
        guard let firstDot = path.firstIndex(of: ".") else { return nil }
        let rest = path[path.index(after: firstDot)...]
        let secondDot = rest.firstIndex(of: ".")
        let parts: [Substring] =
            secondDot.map { [path[..<firstDot], rest[..<$0], rest[rest.index(after: $0)...]] } ?? [path[..<firstDot], rest]
        switch parts[0] {
        case "lead":
            if parts[1] == "fields", parts.count == 3 {
                guard case .object(let pairs) = LeadRecord.parse(lead.fields), let v = pairs.first(where: { $0.0 == parts[2] })?.1 else { return nil }
                return ConditionValue(json: v)
            }
            switch parts[1] {
            case "id": return .number(Double(lead.id))
            case "phone": return .text(lead.phone)
            case "first_name": return lead.firstName.map(ConditionValue.text)
            case "last_name": return lead.lastName.map(ConditionValue.text)
            case "name": return .text([lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " "))
            case "email": return lead.email.map(ConditionValue.text)
            case "state": return lead.state.map(ConditionValue.text)
            case "zip": return lead.zip.map(ConditionValue.text)
            case "country": return lead.country.map(ConditionValue.text)
            case "timezone": return lead.timezone.map(ConditionValue.text)
            case "status": return .text(lead.status)
            case "tags": return .list(lead.tags.map(ConditionValue.text))
            default: return nil
            }
        case "call":
            if parts[1] == "custom", parts.count == 3 {
                guard case .object(let pairs) = LeadRecord.parse(callText("custom_analysis") ?? "{}") else { return nil }
                return pairs.first(where: { $0.0 == parts[2] }).map { ConditionValue(json: $0.1) }
            }
            guard parts[1] != "custom_analysis", let text = callText(String(parts[1])) else { return nil }
            switch parts[1] {
            case "call_successful", "in_voicemail", "user_spoke": return .bool(text != "0")
            default: return ConditionValue(scalar: text)
            }
        case "message":
            return message[String(parts[1])].map(ConditionValue.text)
        default:
            return nil
        }
    }

    func text(_ path: String) -> String? { value(path).map(\.text) }

    /// The columns of a call row `call.*` reads, in the order loaders give them.
    static let callColumns = [
        "call_id", "provider", "connection", "agent_id", "attempt", "direction", "from_number", "to_number", "status", "outcome", "disconnection_reason",
        "duration_ms", "transcript", "summary", "sentiment", "call_successful", "in_voicemail", "user_spoke", "custom_analysis", "cost_cents",
        "selection_tier", "queued_at", "started_at", "ended_at",
    ]

    private static let callIndex = Dictionary(uniqueKeysWithValues: callColumns.enumerated().map { ($1, $0) })

    /// A call column's text; booleans are 0/1, `custom_analysis` JSON (read as `call.custom.*`).
    func callText(_ name: String) -> String? {
        guard let index = Self.callIndex[name], index < call.count else { return nil }
        return call[index]
    }
}

extension ConditionValue {
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .number(Double(i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .text(s)
        case .array(let items): self = .list(items.map(ConditionValue.init(json:)))
        case .object: self = .text(json.rendered)
        }
    }
}

extension RunSubject {
    /// The lead and a call as its row says once `report` is applied (the values `call.*` reads).
    init(lead: LeadRecord, callID: Int64, intent: CallIntent, report: CallReport?, status: CallStatus) {
        self.init(lead: lead)
        call = [
            String(callID), intent.provider.rawValue, intent.connection, intent.agent, String(intent.attempt), "outbound", intent.from, intent.to,
            status.rawValue, report?.outcome.rawValue, report?.disconnectionReason, report.map { String($0.durationMs) }, report?.transcript,
            report?.summary, report?.sentiment?.rawValue, report.map { $0.callSuccessful ? "1" : "0" }, report.map { $0.inVoicemail ? "1" : "0" },
            report.map { $0.userSpoke ? "1" : "0" }, report?.customAnalysis, report.map { String($0.costCents) }, intent.tier?.rawValue,
            String(intent.dialAt * 1000), report?.startedAt.map(String.init), report.map { String($0.endedAt) },
        ]
    }
}

extension RunSubject {
    /// The call's id, when the subject has a call.
    var callID: Int64? { call.first.flatMap { $0 }.flatMap { Int64($0) } }
}
