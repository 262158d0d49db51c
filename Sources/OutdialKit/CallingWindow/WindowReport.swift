/// `outdial window`: the answer for one number, in UTC and in the lead's zones.
public struct WindowReport: Sendable {
    public var phone: String
    public var subject: WindowSubject
    public var at: Instant
    public var answer: WindowAnswer
    public var rules: [WindowRule]

    /// Where a number, address and timezone put a person, and which zones gate it.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case state(String)
        case zip(String)
        case timezone(String)

        public var description: String {
            switch self {
            case .state(let s): return "'\(s)' is not a US state or Canadian province"
            case .zip(let z): return "'\(z)' is not a US ZIP code or Canadian postal code outdial knows"
            case .timezone(let t):
                return "'\(t)' is not an IANA time zone (America/Chicago), an abbreviation (CST) or a zone name (Central, Central Standard Time)"
            }
        }
    }

    /// Builds the subject as an import would (SPEC §4.1) and answers for it.
    public static func make(
        number: PhoneNumber, state: String?, zip: String?, timezone: String?, at: Instant, gate: WindowGate, defaultTimezone: String? = nil,
        plan: NumberingPlan = .shared
    ) throws(Problem) -> WindowReport {
        var address = LeadAddress()
        var addressState: String?
        if let state {
            guard let code = plan.regionCode(state) else { throw .state(state) }
            addressState = code
            address.region = plan.regionIndex(code: code)
        }
        if let zip {
            // A known ZIP gives its own zone (and its state when none is given).
            if let place = plan.place(forZIP: zip) {
                address.zip = place
                if addressState == nil, let region = place.region {
                    addressState = plan.region(index: region).code
                    address.region = region
                }
            } else if addressState == nil {
                guard let code = plan.state(forZIP: zip) ?? plan.province(forPostalCode: zip) else { throw .zip(zip) }
                addressState = code
                address.region = plan.regionIndex(code: code)
            }
        }
        let location = plan.locate(number)
        let resolver = LeadZoneResolver(plan: plan)
        let id: Int64?
        if let timezone {
            // The explicit zone is gated beside the phone's and the address's, never instead.
            guard let named = LeadZoneResolver.zones(forTimezone: timezone) else { throw .timezone(timezone) }
            id = resolver.explicit(named.sorted(), phoneZoneSet: location.zoneSet, address: address)
        } else {
            id = resolver.resolve(phoneZoneSet: location.zoneSet, address: address)
        }
        var zones = id.flatMap { resolver.row($0) }.map { $0.zones.split(separator: " ").map(String.init) } ?? []
        // The campaign's defaults.timezone stands in only when nothing else is known.
        if zones.isEmpty, let defaultTimezone { zones = [defaultTimezone] }
        let subject = WindowSubject(zones: zones, addressState: addressState, phoneState: location.state, phoneCountry: location.country)
        let rules = gate.policy.rules(for: subject)
        return WindowReport(phone: number.e164, subject: subject, at: at, answer: gate.answer(zones: zones, rules: rules, at: at), rules: rules)
    }

    /// The state reported: the address state, else the phone's.
    public var state: String? { subject.addressState ?? subject.phoneState }

    /// SPEC §3.1.
    public var json: JSONValue {
        JSONObject([
            "phone": .string(phone),
            "zones": .array(subject.zones.map(JSONValue.string)),
            "state": .optional(state),
            "at": .string(at.iso8601),
            "open": .bool(answer.open),
            "closes_at": answer.closesAt.map { .string(Instant(seconds: $0).iso8601) } ?? .null,
            "next_open": answer.nextOpen.map { .string(Instant(seconds: $0).iso8601) } ?? .null,
            "rules": .array(CallingWindowPolicy.ids(of: rules).map(JSONValue.string)),
        ])
    }

    /// Human output: open or closed, the zones' local times, the rules, and
    /// when it closes or opens next, locally and in UTC.
    public func text(styled: (String, Output.Style) -> String = { s, _ in s }) -> String {
        var lines: [String] = []
        if subject.zones.isEmpty {
            lines.append("\(phone): no time zone is known for this number or address, so it is never called (no-timezone).")
            lines.append("Give --state, --zip or --timezone, or set defaults.timezone in the campaign.")
            return lines.joined(separator: "\n") + "\n"
        }
        let verdict = answer.open ? styled("OPEN", .green) : styled("CLOSED", .red)
        lines.append("\(phone) is \(verdict) at \(at.iso8601).")
        let seconds = at.seconds
        lines.append("Zones:   " + subject.zones.map { "\($0) (\(Self.local(seconds, in: $0)))" }.joined(separator: ", "))
        let ruleText = rules.map { $0.id + " (" + Self.hoursSummary($0) + ")" }
        lines.append("Rules:   " + (ruleText.isEmpty ? "none apply" : ruleText.joined(separator: "; ")))
        if let state { lines.append("State:   \(state)" + (subject.addressState == nil ? " (from the area code)" : "")) }
        if answer.open, let closes = answer.closesAt {
            lines.append(
                "Closes:  \(Instant(seconds: closes).iso8601) — "
                    + subject.zones.map { Self.local(closes, in: $0) + " " + Self.short($0) }.joined(separator: ", "))
        } else if let next = answer.nextOpen {
            lines.append(
                "Opens:   \(Instant(seconds: next).iso8601) — " + subject.zones.map { Self.local(next, in: $0) + " " + Self.short($0) }.joined(separator: ", "))
        } else {
            lines.append("Opens:   not within 14 days")
        }
        if rules.contains(where: { $0.state != nil }) {
            lines.append("Note:    state rules are operational defaults, not legal advice; see docs/compliance.md for each rule's source.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `Wed 08:30` in a zone.
    static func local(_ utc: Int64, in zone: String) -> String {
        guard let clock = ZoneClock(named: zone) else { return "?" }
        let local = clock.local(at: utc)
        let day = WindowSchedule.floorDiv(local, 86_400)
        let minute = Int((local - day * 86_400) / 60)
        let name = WeeklyHours.dayNames[CivilDate.weekday(day)].capitalized
        return "\(name) \(CivilDate.isoDate(day)) \(MinuteRange.clock(minute))"
    }

    static func short(_ zone: String) -> String { String(zone.split(separator: "/").last ?? Substring(zone)).replacingUnderscores() }

    static func hoursSummary(_ rule: WindowRule) -> String {
        var groups: [(String, String)] = []
        for (i, range) in rule.hours.days.enumerated() {
            let text = range?.description ?? "closed"
            if let last = groups.last, last.1 == text {
                groups[groups.count - 1].0 = String(last.0.prefix(3)) + "-" + WeeklyHours.dayNames[i]
            } else {
                groups.append((WeeklyHours.dayNames[i], text))
            }
        }
        var summary = groups.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        if groups.count == 1 { summary = groups[0].1 + " daily" }
        for set in rule.closedOn { summary += ", closed on \(set.id) holidays" }
        if let cap = rule.maxCallsPer24h { summary += ", max \(cap) calls/24 h" }
        return summary
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
