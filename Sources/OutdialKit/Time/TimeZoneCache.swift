import Foundation
import Synchronization

/// Foundation time zones by IANA id, created once and shared: building a
/// `TimeZone` parses tzdata, which is too slow for once per lead.
public final class TimeZoneCache: Sendable {
    /// The process-wide cache.
    public static let shared = TimeZoneCache()

    private let zones = Mutex<[String: TimeZone?]>([:])

    /// The zone for an IANA id (`America/Chicago`), or nil when the system does not know it.
    public func zone(named name: String) -> TimeZone? {
        zones.withLock { cache in
            if let cached = cache[name] { return cached }
            let zone = TimeZone(identifier: name)
            cache[name] = zone
            return zone
        }
    }
}
