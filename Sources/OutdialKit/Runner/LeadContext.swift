import Foundation

/// The values templates and conditions read: the lead, and the call or
/// message a run reacts to.
struct RunSubject {
    var lead: LeadRecord
    var call: [String: ConditionValue] = [:]
    var callCustom: [String: ConditionValue] = [:]
    var message: [String: String] = [:]

    func value(_ path: String) -> ConditionValue? {
        let parts = path.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count >= 2 else { return nil }
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
            if parts[1] == "custom", parts.count == 3 { return callCustom[parts[2]] }
            return call[parts[1]]
        case "message":
            return message[parts[1]].map(ConditionValue.text)
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

    /// Sets `call.NAME` from the column's text (nil for NULL): booleans from 0/1,
    /// `custom_analysis` spread into `call.custom.*`.
    mutating func setCall(_ name: String, _ text: String?) {
        guard let text else { return }
        switch name {
        case "call_successful", "in_voicemail", "user_spoke": call[name] = .bool(text != "0")
        case "custom_analysis":
            if case .object(let pairs) = LeadRecord.parse(text) {
                for (k, v) in pairs { callCustom[k] = ConditionValue(json: v) }
            }
        default: call[name] = ConditionValue(scalar: text)
        }
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
