import Foundation

/// A lead as stored.
public struct LeadRecord: Sendable {
    public var id: Int64
    public var externalID: String?
    public var phone: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var state: String?
    public var stateSource: String?
    public var zip: String?
    public var country: String?
    public var timezone: String?
    public var zones: [String]
    /// The `zone_sources` JSON text.
    public var zoneSources: String
    public var status: String
    public var dnc: Bool
    /// The `fields` JSON text.
    public var fields: String
    public var tags: [String]
    public var sourceLine: Int64?
    public var createdAt: Instant
    public var updatedAt: Instant
    /// The CSV column the phone came from when it was not the phone column
    /// (a second phone such as `Mobile Phone`); nil for the phone column.
    public var phoneSource: String? = nil

    /// The object of `leads show --json` and `export leads` (SPEC §3.1).
    public var json: JSONValue {
        JSONObject([
            "id": .int(id), "external_id": .optional(externalID), "phone": phone.isEmpty ? .null : .string(phone), "phone_source": .optional(phoneSource),
            "first_name": .optional(firstName), "last_name": .optional(lastName), "email": .optional(email),
            "zones": .array(zones.map(JSONValue.string)), "zone_sources": Self.parse(zoneSources),
            "state": .optional(state), "state_source": .optional(stateSource), "zip": .optional(zip), "zone_conflict": .bool(zoneConflict),
            "country": .optional(country),
            "timezone": .optional(timezone), "status": .string(status), "dnc": .bool(dnc),
            "tags": .array(tags.map(JSONValue.string)), "fields": Self.parse(fields),
            "source_line": sourceLine.map(JSONValue.int) ?? .null,
            "created_at": .string(createdAt.iso8601), "updated_at": .string(updatedAt.iso8601),
        ])
    }

    /// How to reach the lead, for lists: its phone, else its email, else a
    /// channel handle (`instagram: sunny.fan`) of a contact who wrote first.
    public var contact: String {
        if !phone.isEmpty { return phone }
        if let email { return email }
        if case .object(let pairs) = Self.parse(fields),
            let (channel, handle) = pairs.first(where: { MessageFilter.channels.contains($0.0) && $0.1.text != nil })
        {
            return "\(channel): \(handle.text ?? "")"
        }
        return "-"
    }

    /// JSON text stored by outdial, as a value (null if it is somehow not JSON).
    static func parse(_ text: String) -> JSONValue {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else { return .null }
        return JSONValue(foundation: object)
    }
}

extension JSONValue {
    /// Converts what `JSONSerialization` returns, keeping object keys sorted.
    public init(foundation object: Any) {
        switch object {
        case let dictionary as [String: Any]:
            self = .object(dictionary.keys.sorted().map { ($0, JSONValue(foundation: dictionary[$0]!)) })
        case let array as [Any]:
            self = .array(array.map(JSONValue.init(foundation:)))
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" {  // how Foundation marks a JSON true/false
                self = .bool(number.boolValue)
            } else if number.doubleValue == Double(number.int64Value) {
                self = .int(number.int64Value)
            } else {
                self = .double(number.doubleValue)
            }
        default:
            self = .null
        }
    }
}

extension LeadRecord {
    /// Whether the timezone column names a zone that agrees (same clock) with
    /// none of the zones the phone and the address give, while they give some.
    public var zoneConflict: Bool {
        guard case .object(let pairs) = Self.parse(zoneSources) else { return false }
        var explicit: [String] = []
        var implied: [String] = []
        for (zone, from) in pairs {
            guard case .array(let items) = from else { continue }
            let names = items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            if names.contains(ZoneSource.timezone.rawValue) { explicit.append(zone) }
            if names.contains(where: { $0 != ZoneSource.timezone.rawValue }) { implied.append(zone) }
        }
        return LeadZoneResolver.conflict(explicit: explicit, implied: implied)
    }
}
