/// Why a time or duration could not be read, in words for the user.
public struct TimeParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reason, as a sentence fragment (`hours run 00–23`).
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension Instant {
    /// Parses ISO 8601 with an offset or `Z`: `2026-11-25T14:00:00Z`,
    /// `2026-11-25T09:00-05:00`, `2026-11-25T14:00:00.250+01:00`.
    ///
    /// A time without an offset is refused: outdial never guesses a zone.
    public init(iso8601 text: String) throws(TimeParseError) {
        let b = Array(text.utf8)
        var i = 0
        func number(_ count: Int, _ what: String) throws(TimeParseError) -> Int {
            guard i + count <= b.count else { throw TimeParseError("expected \(what) at position \(i + 1)") }
            var v = 0
            for k in i..<(i + count) {
                let c = b[k]
                guard c >= 48 && c <= 57 else { throw TimeParseError("expected \(what) at position \(k + 1)") }
                v = v * 10 + Int(c - 48)
            }
            i += count
            return v
        }
        func expect(_ c: UInt8, _ what: String) throws(TimeParseError) {
            guard i < b.count, b[i] == c else { throw TimeParseError("expected \(what) at position \(i + 1)") }
            i += 1
        }
        let format = "use ISO 8601 with an offset, like 2026-11-25T14:00:00Z"
        guard b.count >= 16 else { throw TimeParseError(format) }
        let year = try number(4, "a four-digit year")
        try expect(45, "'-'")
        let month = try number(2, "a two-digit month")
        try expect(45, "'-'")
        let day = try number(2, "a two-digit day")
        guard i < b.count, b[i] == 84 || b[i] == 116 || b[i] == 32 else { throw TimeParseError("expected 'T' after the date (\(format))") }
        i += 1
        let hour = try number(2, "two-digit hours")
        try expect(58, "':'")
        let minute = try number(2, "two-digit minutes")
        var second = 0
        var millis = 0
        if i < b.count, b[i] == 58 {
            i += 1
            second = try number(2, "two-digit seconds")
            if i < b.count, b[i] == 46 || b[i] == 44 {
                i += 1
                var digits = 0
                while i < b.count, b[i] >= 48 && b[i] <= 57 {
                    if digits < 3 { millis = millis * 10 + Int(b[i] - 48) }
                    digits += 1
                    i += 1
                }
                guard digits > 0 else { throw TimeParseError("expected fractional seconds at position \(i + 1)") }
                // Any number of digits is read; the instant keeps milliseconds.
                if digits < 3 { for _ in digits..<3 { millis *= 10 } }
            }
        }
        guard (1...12).contains(month) else { throw TimeParseError("months run 01–12") }
        guard (1...CivilDate.daysInMonth(year: year, month: month)).contains(day) else {
            throw TimeParseError("\(year)-\(month < 10 ? "0" : "")\(month) has no day \(day)")
        }
        guard hour <= 23 else { throw TimeParseError("hours run 00–23") }
        guard minute <= 59 else { throw TimeParseError("minutes run 00–59") }
        guard second <= 59 else { throw TimeParseError("seconds run 00–59") }
        guard i < b.count else { throw TimeParseError("the time needs an offset or 'Z' (outdial never guesses a zone)") }
        var offsetSeconds = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            let sign = b[i] == 45 ? -1 : 1
            i += 1
            let oh = try number(2, "offset hours")
            if i < b.count, b[i] == 58 { i += 1 }
            let om = try number(2, "offset minutes")
            guard oh <= 18, om <= 59 else { throw TimeParseError("the offset must be within ±18:00") }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            throw TimeParseError("expected an offset or 'Z' at position \(i + 1)")
        }
        guard i == b.count else { throw TimeParseError("unexpected text after the offset at position \(i + 1)") }
        let days = CivilDate.days(year: year, month: month, day: day)
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        self.init(milliseconds: secs * 1000 + Int64(millis))
    }
}

/// A length of time written the way operators write it: `90s`, `10m`, `4h`, `2d`, `1h30m`.
public struct TimeSpan: Hashable, Sendable, CustomStringConvertible {
    /// The length in whole seconds.
    public var seconds: Int64
    public init(seconds: Int64) { self.seconds = seconds }

    /// The longest duration a campaign may write: ten years.
    public static let longest = TimeSpan(seconds: 3650 * 86_400)

    /// Parses `90s`, `10m`, `4h`, `2d`, `1w`, or a combination such as `1h30m`.
    public init(parsing text: String) throws(TimeParseError) {
        let b = Array(text.utf8)
        guard !b.isEmpty else { throw TimeParseError("a duration cannot be empty") }
        var total: Int64 = 0
        var i = 0
        while i < b.count {
            var value: Int64 = 0
            let start = i
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                value = value &* 10 &+ Int64(b[i] - 48)
                i += 1
                guard value < 1_000_000_000 else { throw TimeParseError("the duration is too long") }
            }
            guard i > start else { throw TimeParseError("expected a number followed by s, m, h, d or w, like 90s, 10m or 4h") }
            guard i < b.count else { throw TimeParseError("'\(value)' needs a unit: s, m, h, d or w (like \(value)m)") }
            let unit: Int64
            switch b[i] {
            case 115: unit = 1
            case 109: unit = 60
            case 104: unit = 3600
            case 100: unit = 86_400
            case 119: unit = 604_800
            default: throw TimeParseError("unknown unit '\(String(decoding: [b[i]], as: UTF8.self))'; use s, m, h, d or w")
            }
            i += 1
            total += value * unit
            guard total <= Self.longest.seconds else { throw TimeParseError("a duration can be at most 10 years (3650d)") }
        }
        self.init(seconds: total)
    }

    /// The shortest form that reads back to the same length (`1h30m`).
    public var description: String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var text = ""
        for (unit, name) in [(Int64(86_400), "d"), (3600, "h"), (60, "m"), (1, "s")] where rest >= unit {
            text += "\(rest / unit)\(name)"
            rest %= unit
        }
        return text
    }
}

extension Instant {
    /// An instant as the command line takes it: ISO 8601 with an offset, or a
    /// bare date (`2026-12-03`), which means that day's midnight UTC.
    public init(commandLine text: String) throws(TimeParseError) {
        let b = Array(text.utf8)
        if b.count == 10, b[4] == 45, b[7] == 45 {
            do {
                self = try Instant(iso8601: text + "T00:00:00Z")
                return
            } catch {
                throw TimeParseError("expected a date like 2026-12-03 (midnight UTC) or an instant like 2026-12-03T14:00:00Z")
            }
        }
        do { self = try Instant(iso8601: text) } catch {
            // A value that is not an instant at all hears about dates too; a wrong field of an instant hears what is wrong.
            guard error.reason.hasPrefix("use ISO 8601") else { throw error }
            throw TimeParseError(error.reason + " (or a date alone, like 2026-12-03, for its midnight UTC)")
        }
    }
}
