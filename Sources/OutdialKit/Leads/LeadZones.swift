import Foundation

/// Where a lead's candidate zones came from (SPEC §4.1).
public enum ZoneSource: String, Sendable {
    /// The lead's own timezone column: added to the others, never replacing them
    /// (a CRM default such as `UTC` can only narrow the window).
    case timezone
    /// The phone number's prefix (area code and exchange).
    case prefix
    /// The lead's address: state column or ZIP.
    case address
}

/// The address side of a lead's zones: its state or province (the state
/// column, else the ZIP's or postal code's) and a US ZIP the data knows.
public struct LeadAddress: Sendable, Equatable {
    /// Index of `NumberingPlan.region(index:)`.
    public var region: Int16?
    public var zip: ZIPPlace?

    public init(region: Int16? = nil, zip: ZIPPlace? = nil) {
        self.region = region
        self.zip = zip
    }

    /// The address's zones: a known ZIP's own zone, which replaces its state's
    /// zones; a state column that disagrees with the ZIP adds the state's zones.
    func zones(in plan: NumberingPlan) -> [Int16] {
        guard let zip else { return region.map { plan.regionZones(index: $0) } ?? [] }
        guard let region, region != zip.region else { return [zip.zone] }
        return Array(Set(plan.regionZones(index: region) + [zip.zone]))
    }

    /// A key of what decides the zones (region and ZIP zone, 12 bits each).
    var key: Int64 {
        let region = Int64(region.map { Int($0) + 1 } ?? 0)
        let zone = Int64(zip.map { Int($0.zone) + 1 } ?? 0)
        let zipRegion = Int64(zip?.region.map { Int($0) + 1 } ?? 0)
        return region << 12 | zone | (region != zipRegion ? 1 << 23 : 0)
    }
}

/// A distinct set of candidate zones with their sources: one row of `zone_sets`.
public struct ZoneSetRow: Sendable, Equatable {
    public var id: Int64
    /// Sorted IANA ids, space-separated.
    public var zones: String
    /// `{"America/Chicago":["prefix"]}`.
    public var sources: String
}

/// Resolves a lead's candidate zones from its phone and address to a
/// `zone_sets` id, remembering each distinct answer: a million leads cost a
/// few hundred resolutions.
public final class LeadZoneResolver {
    private let plan: NumberingPlan
    private var byPhoneAndAddress: [Int64: Int64] = [:]
    private var byText: [String: Int64] = [:]
    private var byExplicit: [String: (id: Int64, conflict: Bool)] = [:]
    private var nextID: Int64
    private var rows: [Int64: ZoneSetRow] = [:]
    /// Zone sets made since the last `takeNew()`, for the writer to insert.
    private var fresh: [ZoneSetRow] = []

    /// Starts from the zone sets already stored.
    public init(plan: NumberingPlan = .shared, existing: [ZoneSetRow] = []) {
        self.plan = plan
        for row in existing {
            byText[row.zones + "\t" + row.sources] = row.id
            rows[row.id] = row
        }
        nextID = (existing.map(\.id).max() ?? 0) + 1
    }

    /// The zone set of a lead with no explicit timezone: its phone's prefix
    /// zones together with its address's. Nil when neither is known.
    public func resolve(phoneZoneSet: Int32, address: LeadAddress = LeadAddress()) -> Int64? {
        let key = Int64(phoneZoneSet) << 24 | address.key
        if let id = byPhoneAndAddress[key] { return id == 0 ? nil : id }
        var sources: [String: [ZoneSource]] = [:]
        add(phoneZoneSet: phoneZoneSet, address: address, to: &sources)
        let id = sources.isEmpty ? 0 : intern(sources)
        byPhoneAndAddress[key] = id
        return id == 0 ? nil : id
    }

    /// The zone set of a lead whose timezone column names zones: those
    /// zones together with its phone's and its address's. A lead is gated in
    /// every zone any source gives it, so a wrong column only narrows the window.
    public func explicit(_ zones: [String], phoneZoneSet: Int32, address: LeadAddress = LeadAddress()) -> Int64 {
        explicitWithConflict(zones, phoneZoneSet: phoneZoneSet, address: address).id
    }

    /// `explicit`, and whether the named zones agree with neither the phone
    /// nor the address (no zone of the same clock among theirs) while those
    /// place the lead: a `zone_conflicts` count at import. Both are worked out
    /// once per distinct (zones, phone zones, address).
    public func explicitWithConflict(_ zones: [String], phoneZoneSet: Int32, address: LeadAddress) -> (id: Int64, conflict: Bool) {
        let key = zones.joined(separator: " ") + "\t\(phoneZoneSet)\t\(address.key)"
        if let known = byExplicit[key] { return known }
        var implied: [String: [ZoneSource]] = [:]
        add(phoneZoneSet: phoneZoneSet, address: address, to: &implied)
        let conflict = Self.conflict(explicit: zones, implied: Array(implied.keys))
        var sources = implied
        for zone in zones { sources[zone, default: []].insert(.timezone, at: 0) }
        let result = (id: intern(sources), conflict: conflict)
        byExplicit[key] = result
        return result
    }

    /// Whether no explicit zone has the clock of an implied one, when some are implied.
    static func conflict(explicit: [String], implied: [String]) -> Bool {
        guard !explicit.isEmpty, !implied.isEmpty else { return false }
        let clocks = implied.compactMap { TimeZoneCache.shared.zone(named: $0) }
        return !explicit.contains { name in
            guard let zone = TimeZoneCache.shared.zone(named: name) else { return false }
            return clocks.contains { sameClock($0, zone) }
        }
    }

    /// Two zones keep the same clock over the next two years (offsets compared weekly).
    static func sameClock(_ a: TimeZone, _ b: TimeZone) -> Bool {
        if a.identifier == b.identifier { return true }
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        for week in 0..<104 {
            let t = start.addingTimeInterval(Double(week) * 7 * 86_400)
            if a.secondsFromGMT(for: t) != b.secondsFromGMT(for: t) { return false }
        }
        return true
    }

    private func add(phoneZoneSet: Int32, address: LeadAddress, to sources: inout [String: [ZoneSource]]) {
        for z in plan.zoneSets[Int(phoneZoneSet)] { sources[plan.zoneNames[Int(z)], default: []].append(.prefix) }
        for z in address.zones(in: plan) { sources[plan.zoneNames[Int(z)], default: []].append(.address) }
    }

    /// A zone set by id.
    public func row(_ id: Int64) -> ZoneSetRow? { rows[id] }

    /// The zone sets made since the last call.
    func takeNew() -> [ZoneSetRow] {
        defer { fresh.removeAll() }
        return fresh
    }

    private func intern(_ sources: [String: [ZoneSource]]) -> Int64 {
        let names = sources.keys.sorted()
        let zones = names.joined(separator: " ")
        let json = JSONValue.object(names.map { ($0, .array(sources[$0]!.map { .string($0.rawValue) })) }).rendered
        if let id = byText[zones + "\t" + json] { return id }
        let id = nextID
        nextID += 1
        byText[zones + "\t" + json] = id
        let row = ZoneSetRow(id: id, zones: zones, sources: json)
        fresh.append(row)
        rows[id] = row
        return id
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

    /// The names people and CRMs write for North American zones — `Eastern`,
    /// `Central Time`, Windows names (`Central Standard Time`, `US Mountain
    /// Standard Time`), POSIX ones (`EST5EDT`) — keyed as `key(_:)` folds them.
    static let names: [String: [String]] = [
        "EASTERN": ["America/New_York"], "CENTRAL": ["America/Chicago"], "MOUNTAIN": ["America/Denver", "America/Phoenix"],
        "US MOUNTAIN": ["America/Phoenix"], "ARIZONA": ["America/Phoenix"], "PACIFIC": ["America/Los_Angeles"],
        "ALASKA": ["America/Anchorage"], "ALASKAN": ["America/Anchorage"], "HAWAII": ["Pacific/Honolulu", "America/Adak"],
        "HAWAIIAN": ["Pacific/Honolulu"], "ALEUTIAN": ["America/Adak"], "ATLANTIC": ["America/Halifax"], "NEWFOUNDLAND": ["America/St_Johns"],
        "EST5EDT": ["America/New_York"], "CST6CDT": ["America/Chicago"], "MST7MDT": ["America/Denver"], "PST8PDT": ["America/Los_Angeles"],
        "AST": ["America/Halifax", "America/Puerto_Rico"], "ADT": ["America/Halifax"], "NST": ["America/St_Johns"], "NDT": ["America/St_Johns"],
    ]

    /// A written zone name folded: upper case, `_` as space, single spaces,
    /// without a trailing `STANDARD TIME`, `DAYLIGHT TIME`, `TIME` or `STANDARD`.
    static func key(_ text: String) -> String {
        var key = text.uppercased().replacingOccurrences(of: "_", with: " ").split(separator: " ").joined(separator: " ")
        for suffix in [" STANDARD TIME", " DAYLIGHT TIME", " TIME", " STANDARD"] where key.hasSuffix(suffix) {
            key.removeLast(suffix.count)
            break
        }
        return key
    }

    /// IANA ids by their upper-case spelling, for ids written in any case.
    nonisolated(unsafe) private static let identifiers: [String: String] = Dictionary(
        TimeZone.knownTimeZoneIdentifiers.map { ($0.uppercased(), $0) }, uniquingKeysWith: { a, _ in a })

    /// The zones a timezone cell names: an IANA id in any case, a US or
    /// Canadian abbreviation, or a written name (see `names`). Nil when not understood.
    public static func zones(forTimezone text: String) -> [String]? {
        let trimmed = text.trimmingSpaces()
        if let zones = abbreviations[trimmed.uppercased()] { return zones }
        if let zones = names[key(trimmed)] { return zones }
        let id = trimmed.uppercased() == "UTC" ? "UTC" : identifiers[trimmed.uppercased()] ?? trimmed
        guard id.contains("/") || id == "UTC", let zone = TimeZoneCache.shared.zone(named: id) else { return nil }
        return [id.uppercased() == "UTC" ? "UTC" : zone.identifier]  // Foundation names UTC "GMT"; the column said UTC
    }
}

/// The `zone_sets` table.
enum ZoneSetStore {
    static let insertSQL = "INSERT INTO zone_sets (id, zones, sources) VALUES (?, ?, ?)"
    static let allSQL = "SELECT id, zones, sources FROM zone_sets"
    static let zonesSQL = "SELECT id, zones FROM zone_sets"

    /// Zone set id → its IANA zones.
    static func zones(_ database: Database) throws -> [Int64: [String]] {
        var result: [Int64: [String]] = [:]
        for (id, zones) in try database.query(zonesSQL, [], { ($0.int64(0), $0.string(1) ?? "") }) {
            result[id] = zones.split(separator: " ").map(String.init)
        }
        return result
    }

    static func all(_ database: Database) throws -> [ZoneSetRow] {
        try database.query(allSQL) { ZoneSetRow(id: $0.int64(0), zones: $0.string(1) ?? "", sources: $0.string(2) ?? "{}") }
    }

    static func insert(_ rows: [ZoneSetRow], into database: Database) throws {
        for row in rows { try database.run(insertSQL, [.integer(row.id), .text(row.zones), .text(row.sources)]) }
    }
}

/// The address state of stored leads as a region index, worked out once per
/// distinct state: a lead's `state` is its address only when `state_source`
/// is not `phone`.
struct AddressRegions {
    let plan: NumberingPlan
    private var cache: [String: Int16] = [:]

    init(plan: NumberingPlan) { self.plan = plan }

    /// The region index, or -1 when the lead has no address state.
    mutating func index(state: String?, source: String?) -> Int16 {
        guard let state, let source, source != "phone" else { return -1 }
        if let cached = cache[state] { return cached }
        let index = plan.regionIndex(code: state) ?? -1
        cache[state] = index
        return index
    }
}
