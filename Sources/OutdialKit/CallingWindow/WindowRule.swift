/// One layer of a calling window: weekly hours, days it is closed, and the
/// frequency cap it imposes. The campaign's own window, the US federal window,
/// each state's rule and Canada's are all `WindowRule`s; a lead may be called
/// only when every rule that applies to it is open in every one of its zones.
public struct WindowRule: Sendable, Identifiable {
    /// `campaign`, `us-federal`, `us-FL`, `ca`.
    public var id: String
    public var hours: WeeklyHours
    /// Holiday sets on whose days the rule is closed.
    public var closedOn: [HolidaySet]
    /// Extra closed dates (day numbers), from a campaign's `holidays`.
    public var closedDates: Set<Int64>
    /// At most this many calls to one person in any rolling 24 hours.
    public var maxCallsPer24h: Int?
    /// Where the rule comes from (a statute, a regulator's order, vendor tables).
    public var source: String
    /// How sure the source is (`statute (2021)`, `vendor tables`, `sources conflict`).
    public var confidence: String
    /// The state or province it applies to, or the country for a national layer.
    public var state: String?
    public var country: String?

    public init(
        id: String, hours: WeeklyHours, closedOn: [HolidaySet] = [], closedDates: Set<Int64> = [], maxCallsPer24h: Int? = nil,
        source: String = "", confidence: String = "", state: String? = nil, country: String? = nil
    ) {
        self.id = id
        self.hours = hours
        self.closedOn = closedOn
        self.closedDates = closedDates
        self.maxCallsPer24h = maxCallsPer24h
        self.source = source
        self.confidence = confidence
        self.state = state
        self.country = country
    }

    /// The hours the rule allows on a local day (nil when closed all day).
    public func hours(onDay day: Int64) -> MinuteRange? {
        if closedDates.contains(day) { return nil }
        for set in closedOn where set.holiday(on: day) != nil { return nil }
        return hours.days[CivilDate.weekday(day)]
    }

    /// Why the rule is closed on a day, for messages (`holiday:us-federal`).
    public func closure(onDay day: Int64) -> String? {
        if closedDates.contains(day) { return "holiday:\(CivilDate.isoDate(day))" }
        for set in closedOn where set.holiday(on: day) != nil { return "holiday:\(set.id)" }
        return nil
    }
}

extension CivilDate {
    /// `2026-11-26`.
    public static func isoDate(_ day: Int64) -> String {
        let (y, m, d) = fromDays(day)
        return "\(y)-" + (m < 10 ? "0" : "") + "\(m)-" + (d < 10 ? "0" : "") + "\(d)"
    }

    /// Parses `2026-12-24`.
    public static func parseISODate(_ text: String) -> Int64? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...daysInMonth(year: y, month: m)).contains(d)
        else { return nil }
        return days(year: y, month: m, day: d)
    }
}
