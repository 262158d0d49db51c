import Foundation

/// The compliance layers outdial applies on top of a campaign's window
/// (SPEC §4.2, §4.3): the US federal window, the state table and Canada's
/// national hours, with the holiday sets they refer to. Shipped as data with
/// a source and a confidence per row, replaceable by a user file of the same
/// shape. Operational defaults, not legal advice.
public struct ComplianceRules: Sendable {
    public var rules: [WindowRule]
    public var holidaySets: [String: HolidaySet]
    /// Where the rules were loaded from (`built-in` or a path).
    public var origin: String

    /// The rules bundled with outdial.
    public static let bundled: ComplianceRules = {
        do {
            return try ComplianceRules(json: Data(defaultRulesJSON.utf8), origin: "built-in")
        } catch {
            preconditionFailure("the bundled compliance rules do not load: \(error)")
        }
    }()

    /// Loads a rules file.
    public static func load(path: String) throws -> ComplianceRules {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputFileError(path: path, reason: "cannot read the file")
        }
        do {
            return try ComplianceRules(json: data, origin: path)
        } catch let error as WindowSpecError {
            throw WindowSpecError("\(path): \(error.message)")
        }
    }

    /// The national rule for a country (`us-federal`, `ca`).
    public func national(_ country: String) -> WindowRule? { rules.first { $0.country == country && $0.state == nil } }

    /// The rule for a state or province, if the table has one.
    public func state(_ code: String) -> WindowRule? { rules.first { $0.state == code } }

    /// A rule by id.
    public func rule(_ id: String) -> WindowRule? { rules.first { $0.id == id } }

    init(json: Data, origin: String) throws {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw WindowSpecError("the rules file is not a JSON object")
        }
        var sets: [String: HolidaySet] = [:]
        for (id, value) in (root["holiday_sets"] as? [String: Any]) ?? [:] {
            guard let object = value as? [String: Any], let list = object["holidays"] as? [[String: Any]] else {
                throw WindowSpecError("holiday set '\(id)' needs a 'holidays' list")
            }
            sets[id] = HolidaySet(id: id, holidays: try list.map { try Self.holiday($0, in: id) })
        }
        guard let list = root["rules"] as? [[String: Any]] else { throw WindowSpecError("the rules file needs a 'rules' list") }
        var rules: [WindowRule] = []
        for entry in list {
            guard let id = entry["id"] as? String else { throw WindowSpecError("every rule needs an 'id'") }
            guard let hours = entry["hours"] as? [String: String] else { throw WindowSpecError("rule '\(id)' needs 'hours'") }
            var days = [MinuteRange?](repeating: nil, count: 7)
            for (key, span) in hours {
                let range = span.lowercased() == "none" ? nil : try MinuteRange(parsing: span)
                for day in try WeeklyHours.days(key) { days[day] = range }
            }
            var closed: [HolidaySet] = []
            for name in (entry["closed_on"] as? [String]) ?? [] {
                guard let set = sets[name] else { throw WindowSpecError("rule '\(id)' is closed on '\(name)', which is not a holiday set of the file") }
                closed.append(set)
            }
            let cap = entry["max_calls_per_24h"] as? Int
            if let cap, !(1...1000).contains(cap) { throw WindowSpecError("rule '\(id)': 'max_calls_per_24h' must be from 1 to 1000") }
            rules.append(
                WindowRule(
                    id: id, hours: WeeklyHours(days: days), closedOn: closed, maxCallsPer24h: cap,
                    source: entry["source"] as? String ?? "", confidence: entry["confidence"] as? String ?? "",
                    state: entry["state"] as? String, country: entry["country"] as? String))
        }
        self.rules = rules
        self.holidaySets = sets
        self.origin = origin
    }

    private static func holiday(_ entry: [String: Any], in set: String) throws -> Holiday {
        let name = entry["name"] as? String ?? "holiday"
        if let offset = entry["easter"] as? Int {
            guard (-366...366).contains(offset) else { throw WindowSpecError("holiday '\(name)' of '\(set)': 'easter' is an offset in days from -366 to 366") }
            return Holiday(name: name, date: .easter(offset: offset))
        }
        guard let month = entry["month"] as? Int, (1...12).contains(month) else {
            throw WindowSpecError("holiday '\(name)' of '\(set)' needs a month (1–12) or an 'easter' offset")
        }
        if let day = entry["day"] as? Int {
            guard (1...CivilDate.daysInMonth(year: 2024, month: month)).contains(day) else {
                throw WindowSpecError("holiday '\(name)' of '\(set)': month \(month) has no day \(day)")
            }
            return Holiday(name: name, date: .fixed(month: month, day: day, observed: entry["observed"] as? Bool ?? false))
        }
        guard let weekdayName = entry["weekday"] as? String, let weekday = WeeklyHours.dayNames.firstIndex(of: weekdayName.lowercased().prefix(3).description),
            let n = entry["nth"] as? Int, n == -1 || (1...5).contains(n)
        else { throw WindowSpecError("holiday '\(name)' of '\(set)' needs a 'day', or a 'weekday' with 'nth' (1–5, or -1 for the last)") }
        return Holiday(name: name, date: .nthWeekday(month: month, weekday: weekday, n: n))
    }
}
