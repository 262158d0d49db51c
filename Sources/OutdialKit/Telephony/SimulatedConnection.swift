/// What a call came to: the fields of the call record (SPEC §7) a provider reports.
public struct CallOutcome: Sendable, Equatable {
    public var outcome: String
    public var status: String
    public var disconnectionReason: String
    public var durationMs: Int64
    public var sentiment: String?
    public var userSpoke: Bool
    public var inVoicemail: Bool
    public var callSuccessful: Bool
    public var summary: String?
    public var transcript: String?
    /// JSON text.
    public var customAnalysis: String?
    public var costCents: Int64
}

/// A seeded stand-in for a voice provider: realistic enough to exercise
/// everything downstream (answer rates that vary by the lead's local hour,
/// voicemail, busy, no answer, failures, sentiment, short transcripts,
/// custom analysis, now and then a call blocked as spam). The same seed,
/// lead and attempt give the same call.
public struct SimulatedConnection: Sendable {
    public var seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// The call to a lead, attempt `attempt`, dialled at `localHour` in the lead's zone.
    public func call(leadID: Int64, attempt: Int, localHour: Int, firstName: String?) -> CallOutcome {
        var random = SplitMix64(seed: seed &* 0x9E37_79B9 &+ UInt64(bitPattern: leadID) &* 31 &+ UInt64(attempt))
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        // People answer more late morning and early evening.
        let hourBoost: Double = (10...11).contains(localHour) || (17...18).contains(localHour) ? 0.12 : (localHour < 9 || localHour >= 20 ? -0.1 : 0)
        let r = uniform()
        let name = firstName ?? "there"
        if r < 0.004 {
            return CallOutcome(
                outcome: "spam_blocked", status: "failed", disconnectionReason: "dial_blocked_as_spam", durationMs: 0, sentiment: nil, userSpoke: false,
                inVoicemail: false, callSuccessful: false, summary: nil, transcript: nil, customAnalysis: nil, costCents: 0)
        }
        if r < 0.02 {
            return CallOutcome(
                outcome: "failed", status: "failed", disconnectionReason: "dial_failed", durationMs: 0, sentiment: nil, userSpoke: false, inVoicemail: false,
                callSuccessful: false, summary: nil, transcript: nil, customAnalysis: nil, costCents: 0)
        }
        let answered = r < 0.02 + 0.33 + hourBoost
        if answered {
            let s = uniform()
            let sentiment = s < 0.3 ? "positive" : (s < 0.8 ? "neutral" : "negative")
            let interested = sentiment == "positive" || (sentiment == "neutral" && uniform() < 0.3)
            let duration = Int64(30_000 + uniform() * 270_000)
            let summary =
                interested
                ? "\(name) is interested and asked for a quote."
                : (sentiment == "negative" ? "\(name) was not interested." : "\(name) listened and will think about it.")
            let transcript =
                "Agent: Hi \(name), this is Sam calling about solar for your home.\nUser: " + (interested ? "Sure, tell me more." : "Not right now, thanks.")
            let custom = JSONObject(["interested": .bool(interested), "callback_requested": .bool(uniform() < 0.15)]).rendered
            return CallOutcome(
                outcome: "answered", status: "completed", disconnectionReason: interested ? "agent_hangup" : "user_hangup", durationMs: duration,
                sentiment: sentiment, userSpoke: true, inVoicemail: false, callSuccessful: interested, summary: summary, transcript: transcript,
                customAnalysis: custom, costCents: 2 + duration / 6000)
        }
        let v = uniform()
        if v < 0.5 {
            let duration = Int64(20_000 + uniform() * 20_000)
            return CallOutcome(
                outcome: "voicemail", status: "completed", disconnectionReason: "voicemail_reached", durationMs: duration, sentiment: "unknown",
                userSpoke: false, inVoicemail: true, callSuccessful: false, summary: "Left a voicemail for \(name).",
                transcript: "Agent: Hi \(name), sorry I missed you — I'll try again later.", customAnalysis: nil, costCents: 1 + duration / 6000)
        }
        if v < 0.65 {
            return CallOutcome(
                outcome: "busy", status: "completed", disconnectionReason: "dial_busy", durationMs: 0, sentiment: nil, userSpoke: false, inVoicemail: false,
                callSuccessful: false, summary: nil, transcript: nil, customAnalysis: nil, costCents: 0)
        }
        return CallOutcome(
            outcome: "no_answer", status: "completed", disconnectionReason: "dial_no_answer", durationMs: Int64(25_000 + uniform() * 10_000), sentiment: nil,
            userSpoke: false, inVoicemail: false, callSuccessful: false, summary: nil, transcript: nil, customAnalysis: nil, costCents: 0)
    }

    /// When a simulated call started (after ringing) and ended, from its dial time (UTC seconds) to UTC milliseconds.
    public static func times(of outcome: CallOutcome, dialledAt dialAt: Int64) -> (started: Int64, ended: Int64) {
        let ringMs: Int64 = outcome.outcome == "failed" || outcome.outcome == "spam_blocked" ? 1000 : 8000
        let started = dialAt * 1000 + ringMs
        return (started, started + outcome.durationMs)
    }
}
