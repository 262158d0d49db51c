#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An instant in time as integer milliseconds since the Unix epoch, UTC.
///
/// Instants are stored and compared as integers everywhere (SPEC §9); only
/// parsing and printing touch calendar fields.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// Creates an instant from milliseconds since the epoch.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Creates an instant from whole seconds since the epoch.
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    /// Whole seconds since the epoch, rounded towards negative infinity.
    public var seconds: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }

    /// The current wall-clock instant.
    public static var now: Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// This instant moved by a number of seconds.
    public func adding(seconds: Int64) -> Instant { Instant(milliseconds: milliseconds + seconds * 1000) }

    /// ISO 8601 in UTC with `Z`; milliseconds are printed only when present.
    public var description: String { iso8601 }

    /// ISO 8601 in UTC with `Z`, e.g. `2026-11-25T14:00:00Z`.
    public var iso8601: String {
        let secs = seconds
        let ms = Int(milliseconds - secs * 1000)
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let secOfDay = Int(secs - days * 86_400)
        let (y, m, d) = CivilDate.fromDays(days)
        if (0...9999).contains(y), ms >= 0 {
            // Written into the string's own storage: `plan` and the exports print millions.
            return String(unsafeUninitializedCapacity: 24) { out in
                var at = 0
                func put(_ value: Int, _ width: Int) {
                    var v = value
                    for i in stride(from: width - 1, through: 0, by: -1) {
                        out[at + i] = UInt8(48 + v % 10)
                        v /= 10
                    }
                    at += width
                }
                func mark(_ byte: UInt8) {
                    out[at] = byte
                    at += 1
                }
                put(y, 4); mark(45); put(m, 2); mark(45); put(d, 2); mark(84)
                put(secOfDay / 3600, 2); mark(58); put(secOfDay / 60 % 60, 2); mark(58); put(secOfDay % 60, 2)
                if ms != 0 { mark(46); put(ms, 3) }
                mark(90)
                return at
            }
        }
        var text = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        text += pad(secOfDay / 3600, 2) + ":" + pad(secOfDay / 60 % 60, 2) + ":" + pad(secOfDay % 60, 2)
        if ms != 0 { text += "." + pad(ms, 3) }
        return text + "Z"
    }

    /// ISO 8601 in UTC with milliseconds always written, `2026-11-25T14:00:00.000Z`:
    /// one width for every value of a column (exports).
    public var iso8601Milliseconds: String { Self.text(local: milliseconds) + "Z" }

    /// ISO 8601 in a zone's local time with its offset and milliseconds, `2026-11-25T09:00:00.000-05:00`.
    public func iso8601(in clock: ZoneClock) -> String {
        let offset = clock.offset(at: seconds)
        let minutes = Int(abs(offset) / 60)
        return Self.text(local: milliseconds + offset * 1000) + (offset < 0 ? "-" : "+") + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
    }

    /// `YYYY-MM-DDTHH:MM:SS.sss` of a millisecond count.
    private static func text(local ms: Int64) -> String {
        let value = Instant(milliseconds: ms)
        let secs = value.seconds
        let fraction = Int(ms - secs * 1000)
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let secOfDay = Int(secs - days * 86_400)
        let (y, m, d) = CivilDate.fromDays(days)
        var text = value.pad(y, 4) + "-" + value.pad(m, 2) + "-" + value.pad(d, 2) + "T"
        text += value.pad(secOfDay / 3600, 2) + ":" + value.pad(secOfDay / 60 % 60, 2) + ":" + value.pad(secOfDay % 60, 2)
        return text + "." + value.pad(fraction, 3)
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01).
///
/// Howard Hinnant's `days_from_civil` / `civil_from_days`: exact, branch-light,
/// and free of `Calendar` so hot paths can use it.
public enum CivilDate {
    /// Day number of a civil date.
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Civil date of a day number.
    public static func fromDays(_ z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    /// Days in a month of a year.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Weekday of a day number: 0 = Sunday … 6 = Saturday.
    public static func weekday(_ days: Int64) -> Int {
        let w = (days + 4) % 7
        return Int(w >= 0 ? w : w + 7)
    }
}
