/// How one holiday falls in a year.
public enum HolidayDate: Hashable, Sendable, Codable {
    /// A fixed date; `observed` moves a Saturday to Friday and a Sunday to Monday.
    case fixed(month: Int, day: Int, observed: Bool)
    /// The nth weekday of a month (n = -1 for the last).
    case nthWeekday(month: Int, weekday: Int, n: Int)
    /// Days after Easter Sunday (Good Friday is -2, Mardi Gras -47).
    case easter(offset: Int)

    /// The day number (days since 1970-01-01) it falls on in a year.
    func day(in year: Int) -> Int64 {
        switch self {
        case .fixed(let month, let day, let observed):
            let d = CivilDate.days(year: year, month: month, day: day)
            guard observed else { return d }
            switch CivilDate.weekday(d) {
            case 6: return d - 1
            case 0: return d + 1
            default: return d
            }
        case .nthWeekday(let month, let weekday, let n):
            if n > 0 {
                let first = CivilDate.days(year: year, month: month, day: 1)
                let shift = (weekday - CivilDate.weekday(first) + 7) % 7
                return first + Int64(shift + (n - 1) * 7)
            }
            let last = CivilDate.days(year: year, month: month, day: CivilDate.daysInMonth(year: year, month: month))
            return last - Int64((CivilDate.weekday(last) - weekday + 7) % 7)
        case .easter(let offset):
            return Self.easterSunday(year) + Int64(offset)
        }
    }

    /// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    static func easterSunday(_ year: Int) -> Int64 {
        let a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4
        let f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate.days(year: year, month: month, day: day)
    }
}

/// A named holiday.
public struct Holiday: Hashable, Sendable {
    public var name: String
    public var date: HolidayDate
}

/// A set of holidays (`us-federal`, `us-LA`) that can say whether a local day is one.
public struct HolidaySet: Sendable {
    public var id: String
    public var holidays: [Holiday]

    public init(id: String, holidays: [Holiday]) {
        self.id = id
        self.holidays = holidays
    }

    /// The holiday on a day number, if any. Observed dates can cross a year
    /// end (New Year's Day on a Saturday is observed on December 31st).
    public func holiday(on day: Int64) -> Holiday? {
        let year = CivilDate.fromDays(day).year
        for holiday in holidays {
            for y in (year - 1)...(year + 1) where holiday.date.day(in: y) == day { return holiday }
        }
        return nil
    }
}
