/// Per-lead limits on how often it is called (SPEC §4.4): a campaign's
/// `max_attempts` and minimum gap, and the state caps of the rules that apply
/// (3 calls in any rolling 24 hours in Florida, Oklahoma and Maryland).
public struct FrequencyLimits: Sendable {
    public var maxAttempts: Int?
    /// Seconds that must pass between two attempts.
    public var minimumGap: Int64?

    public init(maxAttempts: Int? = nil, minimumGap: Int64? = nil) {
        self.maxAttempts = maxAttempts
        self.minimumGap = minimumGap
    }

    /// What the limits say about calling now.
    public enum Decision: Equatable, Sendable {
        case allowed
        /// Wait until this instant (UTC seconds).
        case wait(until: Int64, reason: String)
        /// Never again automatically.
        case exhausted(reason: String)
    }

    /// Checks the lead's earlier call instants (UTC seconds, any order)
    /// against the limits and the caps of `rules` at `at`.
    public func check(calls: [Int64], rules: [WindowRule], at: Int64) -> Decision {
        if let maxAttempts, calls.count >= maxAttempts {
            return .exhausted(reason: "max_attempts: \(calls.count) of \(maxAttempts) attempts made")
        }
        let sorted = calls.sorted()
        var until = at
        var reason = ""
        if let gap = minimumGap, let last = sorted.last, last + gap > until {
            until = last + gap
            reason = "minimum gap of \(TimeSpan(seconds: gap)) since the last attempt"
        }
        for rule in rules {
            guard let cap = rule.maxCallsPer24h, cap > 0 else { continue }
            // Calls in the 24 hours before the moment we would call.
            let recent = sorted.filter { $0 > until - 86_400 && $0 <= until }
            if recent.count >= cap {
                // The cap frees when the oldest of the last `cap` calls is 24 hours old.
                let freeAt = recent[recent.count - cap] + 86_400
                if freeAt > until {
                    until = freeAt
                    reason = "\(rule.id): at most \(cap) calls in 24 hours"
                }
            }
        }
        return until > at ? .wait(until: until, reason: reason) : .allowed
    }
}
