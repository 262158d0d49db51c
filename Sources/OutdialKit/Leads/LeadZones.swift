/// Where a lead's candidate zones came from (SPEC §4.1).
public enum ZoneSource: String, Sendable {
    /// The lead's own timezone column, trusted alone.
    case timezone
    /// The phone number's prefix (area code and exchange).
    case prefix
    /// The lead's address: state column or ZIP.
    case address
}

/// Resolves a lead's candidate zones and state from its phone and address,
/// remembering each distinct answer so a million leads cost a few thousand
/// resolutions.
public final class LeadZoneResolver {
    /// The answer for one lead.
    public struct Resolution: Sendable {
        /// Sorted IANA ids, space-separated (the `zones` column).
        public var zonesText: String
        /// `{"America/Chicago":["prefix"]}` (the `zone_sources` column).
        public var sourcesJSON: String
        /// The zones as ids.
        public var zones: [String]
    }

    private struct Key: Hashable {
        var phoneZones: [Int16]
        var addressState: String?
    }

    private let plan: NumberingPlan
    private var cache: [Key: Resolution] = [:]

    public init(plan: NumberingPlan = .shared) { self.plan = plan }

    /// Zones for a lead with no explicit timezone: the union of its phone's
    /// prefix zones and its address state's zones.
    public func resolve(phoneZones: [Int16], addressState: String?) -> Resolution {
        let key = Key(phoneZones: phoneZones, addressState: addressState)
        if let hit = cache[key] { return hit }
        var sources: [String: [ZoneSource]] = [:]
        for z in phoneZones { sources[plan.zoneNames[Int(z)], default: []].append(.prefix) }
        if let state = addressState, let region = plan.region(state) {
            for z in region.zones { sources[plan.zoneNames[Int(z)], default: []].append(.address) }
        }
        let resolution = Self.make(sources)
        cache[key] = resolution
        return resolution
    }

    /// Zones for a lead whose timezone column names them.
    public func explicit(_ zones: [String]) -> Resolution {
        Self.make(Dictionary(uniqueKeysWithValues: zones.map { ($0, [ZoneSource.timezone]) }))
    }

    private static func make(_ sources: [String: [ZoneSource]]) -> Resolution {
        let names = sources.keys.sorted()
        let json = JSONValue.object(names.map { ($0, .array(sources[$0]!.map { .string($0.rawValue) })) })
        return Resolution(zonesText: names.joined(separator: " "), sourcesJSON: json.rendered, zones: names)
    }

    /// US time-zone abbreviations and the zones each may mean. MST covers
    /// Arizona (no daylight time) as well as Denver, and HST the Aleutians as
    /// well as Hawaii: a lead is gated on every zone its label could mean.
    static let abbreviations: [String: [String]] = [
        "EST": ["America/New_York"], "EDT": ["America/New_York"], "ET": ["America/New_York"],
        "CST": ["America/Chicago"], "CDT": ["America/Chicago"], "CT": ["America/Chicago"],
        "MST": ["America/Denver", "America/Phoenix"], "MDT": ["America/Denver"], "MT": ["America/Denver", "America/Phoenix"],
        "PST": ["America/Los_Angeles"], "PDT": ["America/Los_Angeles"], "PT": ["America/Los_Angeles"],
        "AKST": ["America/Anchorage"], "AKDT": ["America/Anchorage"],
        "HST": ["Pacific/Honolulu", "America/Adak"], "HDT": ["America/Adak"], "HAST": ["Pacific/Honolulu", "America/Adak"],
    ]

    /// The zones a timezone cell names: an IANA id or a US abbreviation.
    public static func zones(forTimezone text: String) -> [String]? {
        let trimmed = text.trimmingSpaces()
        if let zones = abbreviations[trimmed.uppercased()] { return zones }
        guard trimmed.contains("/") || trimmed == "UTC", let zone = TimeZoneCache.shared.zone(named: trimmed) else { return nil }
        return [zone.identifier]
    }
}
