import Foundation

/// Local wall-clock time in one IANA zone, through Foundation's tz rules:
/// never a fixed offset.
public struct ZoneClock: Sendable {
    public let zone: TimeZone

    public init(_ zone: TimeZone) { self.zone = zone }

    /// The zone for an IANA id, from the shared cache.
    public init?(named name: String) {
        guard let zone = TimeZoneCache.shared.zone(named: name) else { return nil }
        self.zone = zone
    }

    /// Seconds east of UTC in effect at an instant (seconds since the epoch).
    @inline(__always)
    public func offset(at utc: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc))))
    }

    /// Local wall-clock seconds (seconds since 1970-01-01T00:00 local) at an instant.
    public func local(at utc: Int64) -> Int64 { utc + offset(at: utc) }

    /// The local day number (days since 1970-01-01 local) and hour (0–23) at an instant.
    public func localDayAndHour(at utc: Int64) -> (day: Int64, hour: Int) {
        let local = local(at: utc)
        let day = WindowSchedule.floorDiv(local, 86_400)
        return (day, Int((local - day * 86_400) / 3_600))
    }

    /// The instant a local wall-clock time happens (SPEC §4.2): a time that
    /// does not exist (spring forward) moves to the first instant after the
    /// gap; an ambiguous one (fall back) is its first occurrence.
    public func utc(forLocal local: Int64) -> Int64 {
        // Any instant for this local time lies within [local - 14h, local + 12h];
        // the offsets just outside that span are the candidates.
        let before = offset(at: local - 16 * 3600)
        let after = offset(at: local + 14 * 3600)
        let a = local - before
        let b = local - after
        let validA = offset(at: a) == before
        let validB = offset(at: b) == after
        switch (validA, validB) {
        case (true, true): return min(a, b)
        case (true, false): return a
        case (false, true): return b
        case (false, false):
            // In a gap: find the transition, the first instant on the new offset.
            var lo = min(a, b)
            var hi = max(a, b)
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2
                if offset(at: mid) == after { hi = mid } else { lo = mid }
            }
            return hi
        }
    }
}

/// Zone clocks by IANA id for a loop over many rows: one dictionary look-up a
/// row, the shared time-zone cache (and its lock) once per zone.
struct ZoneClocks {
    private var clocks: [String: ZoneClock?] = [:]

    mutating func clock(_ name: String) -> ZoneClock? {
        if let known = clocks[name] { return known }
        let clock = ZoneClock(named: name)
        clocks[name] = clock
        return clock
    }
}
