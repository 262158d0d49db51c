/// When a lead may be called: the open intervals (UTC seconds, end
/// exclusive) of a set of rules across a set of zones over a horizon.
///
/// Computed once per distinct (zones, rules) pair and then queried by binary
/// search, so gating a million leads costs as many calendar computations as
/// there are distinct pairs, not leads.
public struct WindowSchedule: Sendable {
    /// Sorted, disjoint open intervals.
    public let intervals: [Range<Int64>]
    /// The span the intervals were computed for.
    public let horizon: Range<Int64>

    /// How far ahead `next_open` is searched (SPEC §3.1).
    public static let lookahead: Int64 = 14 * 86_400

    /// How long after its start a schedule answers (with the full lookahead
    /// after each instant): a run that spans months builds each subject's
    /// schedule once a week, not once a day.
    public static let reuse: Int64 = 7 * 86_400

    /// The schedule for `zones` under `rules` from `start` for `reuse` and the lookahead, and a day more each side.
    public init(zones: [ZoneClock], rules: [WindowRule], from start: Int64) {
        let horizon = (start - 86_400)..<(start + Self.reuse + Self.lookahead + 86_400)
        var result: [Range<Int64>]?
        for clock in zones {
            let own = Self.intervals(clock: clock, rules: rules, horizon: horizon)
            result = result.map { Self.intersect($0, own) } ?? own
        }
        self.intervals = result ?? []
        self.horizon = horizon
    }

    /// The open intervals in one zone.
    static func intervals(clock: ZoneClock, rules: [WindowRule], horizon: Range<Int64>) -> [Range<Int64>] {
        let firstDay = floorDiv(clock.local(at: horizon.lowerBound), 86_400) - 1
        let lastDay = floorDiv(clock.local(at: horizon.upperBound), 86_400) + 1
        var out: [Range<Int64>] = []
        var day = firstDay
        while day <= lastDay {
            defer { day += 1 }
            var range = MinuteRange(start: 0, end: 1440)
            for rule in rules {
                guard let hours = rule.hours(onDay: day) else {
                    range = MinuteRange(start: 0, end: 0)
                    break
                }
                range = range.intersection(hours)
            }
            guard !range.isEmpty else { continue }
            let start = clock.utc(forLocal: day * 86_400 + Int64(range.start) * 60)
            let end = clock.utc(forLocal: day * 86_400 + Int64(range.end) * 60)
            guard end > start else { continue }
            if let last = out.last, last.upperBound >= start {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, end)
            } else {
                out.append(start..<end)
            }
        }
        return out
    }

    /// The instants open in both lists.
    static func intersect(_ a: [Range<Int64>], _ b: [Range<Int64>]) -> [Range<Int64>] {
        var out: [Range<Int64>] = []
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            let lo = max(a[i].lowerBound, b[j].lowerBound)
            let hi = min(a[i].upperBound, b[j].upperBound)
            if lo < hi { out.append(lo..<hi) }
            if a[i].upperBound < b[j].upperBound { i += 1 } else { j += 1 }
        }
        return out
    }

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Whether `at` lies in the horizon this schedule can answer for.
    public func covers(_ at: Int64) -> Bool { at >= horizon.lowerBound + 86_400 && at + Self.lookahead < horizon.upperBound - 86_400 }

    /// Open now? Until when? When next?
    public func answer(at: Int64) -> WindowAnswer {
        // The first interval that ends after `at`.
        var lo = 0
        var hi = intervals.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if intervals[mid].upperBound <= at { lo = mid + 1 } else { hi = mid }
        }
        guard lo < intervals.count else { return WindowAnswer(open: false, closesAt: nil, nextOpen: nil) }
        let interval = intervals[lo]
        if interval.lowerBound <= at {
            return WindowAnswer(open: true, closesAt: interval.upperBound, nextOpen: at)
        }
        let next = interval.lowerBound <= at + Self.lookahead ? interval.lowerBound : nil
        return WindowAnswer(open: false, closesAt: nil, nextOpen: next)
    }
}

/// The answer for one instant: UTC seconds.
public struct WindowAnswer: Equatable, Sendable {
    public var open: Bool
    /// When open: the instant it closes.
    public var closesAt: Int64?
    /// The earliest instant at or after the asked one when it is open (equal
    /// to it when open); nil when it does not open within 14 days.
    public var nextOpen: Int64?
}
