/// A span of local minutes in a day, `start` inclusive, `end` exclusive
/// (`09:00-20:00` is 540..<1200; `end` may be 1440, midnight).
public struct MinuteRange: Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public var isEmpty: Bool { end <= start }

    /// The part of both ranges.
    public func intersection(_ other: MinuteRange) -> MinuteRange {
        MinuteRange(start: max(start, other.start), end: min(end, other.end))
    }

    public func contains(_ minute: Int) -> Bool { minute >= start && minute < end }

    /// `09:00-20:00`.
    public var description: String { Self.clock(start) + "-" + Self.clock(end) }

    static func clock(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    /// Parses `09:00-20:00`, `9-20`, `13:30-21:00`; `24:00` is the end of the day.
    public init(parsing text: String) throws(WindowSpecError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw WindowSpecError("'\(text)' is not a span of hours like 09:00-20:00") }
        let start = try Self.minutes(String(parts[0]), in: text)
        let end = try Self.minutes(String(parts[1]), in: text)
        guard end > start else { throw WindowSpecError("'\(text)' ends before it starts (the end is exclusive; windows do not cross midnight)") }
        self.init(start: start, end: end)
    }

    private static func minutes(_ part: String, in text: String) throws(WindowSpecError) -> Int {
        let trimmed = part.trimmingSpaces()
        let pieces = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), let h = Int(pieces[0]), pieces.count == 1 || pieces[1].count == 2, let m = pieces.count == 2 ? Int(pieces[1]) : 0
        else { throw WindowSpecError("'\(trimmed)' in '\(text)' is not a time like 09:00") }
        guard (0...24).contains(h), (0...59).contains(m), h * 60 + m <= 1440 else {
            throw WindowSpecError("'\(trimmed)' in '\(text)' is not a time of day (hours run 00–24)")
        }
        return h * 60 + m
    }
}

/// Opening hours for each day of the week (index 0 = Sunday); nil closes the day.
public struct WeeklyHours: Hashable, Sendable {
    public var days: [MinuteRange?]

    public init(days: [MinuteRange?]) {
        precondition(days.count == 7)
        self.days = days
    }

    /// The same hours every day.
    public static func every(_ range: MinuteRange) -> WeeklyHours { WeeklyHours(days: Array(repeating: range, count: 7)) }

    /// Day names as written in rules and campaign files.
    public static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// `mon`, `mon-fri`, `sat-sun`, `sun`: the weekday indices a key names.
    public static func days(_ key: String) throws(WindowSpecError) -> [Int] {
        let lower = key.lowercased().trimmingSpaces()
        let parts = lower.split(separator: "-").map(String.init)
        let known = dayNames.joined(separator: ", ")
        guard (1...2).contains(parts.count), let a = dayNames.firstIndex(of: String(parts[0].prefix(3))) else {
            throw WindowSpecError("'\(key)' is not a day or a span of days (\(known))")
        }
        guard parts.count == 2 else { return [a] }
        guard let b = dayNames.firstIndex(of: String(parts[1].prefix(3))) else { throw WindowSpecError("'\(key)' is not a span of days (\(known))") }
        // mon-sun runs through the week's end; fri-mon wraps round.
        var result: [Int] = []
        var d = a
        while true {
            result.append(d)
            if d == b { break }
            d = (d + 1) % 7
        }
        return result
    }
}

/// A calling-window or rules specification that cannot be used.
public struct WindowSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
