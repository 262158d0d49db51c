import Foundation
import Synchronization

/// A seeded stand-in for a voice provider: realistic enough to exercise
/// everything downstream (answer rates that vary by the lead's local hour,
/// voicemail, busy, no answer, failures, sentiment, short transcripts,
/// custom analysis, now and then a call blocked as spam). The same seed,
/// lead and attempt give the same call.
public final class SimulatedConnection: Connection {
    public let name: String
    public let seed: UInt64
    public var provider: ProviderKind { .simulated }
    public var hasOutsideEffects: Bool { false }
    /// Zone clocks by name, and raw payloads by outcome (the same few bytes
    /// for every call with one outcome), made once.
    private struct Caches {
        var clocks: [String: ZoneClock?] = [:]
        var rawByOutcome: [CallOutcome: String] = [:]
    }
    private let caches = Mutex(Caches())

    public init(name: String = "simulated", seed: UInt64) {
        self.name = name
        self.seed = seed
    }

    /// Accepted at once, with the call's end already known (a function of the call alone).
    public func place(_ request: CallRequest) async -> Placement { answer(request) }

    public func placeImmediately(_ request: CallRequest) -> Placement? { answer(request) }

    private func answer(_ request: CallRequest) -> Placement {
        .accepted(providerCallID: "sim-\(request.callID)", events: [event(for: request)])
    }

    /// The simulated call for a request, as the event a provider would send at its end.
    public func event(for request: CallRequest) -> CallEvent {
        var localHour = 12
        if let zone = request.leadTimeZone {
            let clock: ZoneClock? = caches.withLock { caches in
                if let known = caches.clocks[zone] { return known }
                let made = ZoneClock(named: zone)
                caches.clocks[zone] = made
                return made
            }
            if let clock { localHour = Int((clock.local(at: request.dialAt) % 86_400 + 86_400) % 86_400 / 3600) }
        }
        var report = call(leadID: request.leadID, attempt: request.attempt, localHour: localHour, firstName: request.variables["first_name"])
        let ring: Int64 = report.outcome == .failed || report.outcome == .spamBlocked ? 1000 : 8000
        report.startedAt = request.dialAt * 1000 + ring
        report.endedAt = request.dialAt * 1000 + ring + report.durationMs
        return CallEvent(call: .callID(request.callID), providerCallID: "sim-\(request.callID)", report: report, raw: raw(report.outcome))
    }

    private func raw(_ outcome: CallOutcome) -> String {
        caches.withLock { caches in
            if let known = caches.rawByOutcome[outcome] { return known }
            let raw = JSONObject(["simulated": .bool(true), "seed": .int(Int64(seed)), "outcome": .string(outcome.rawValue)]).rendered
            caches.rawByOutcome[outcome] = raw
            return raw
        }
    }

    /// The call to a lead, attempt `attempt`, dialled at `localHour` in the lead's zone
    /// (times are filled in by `event(for:)`).
    func call(leadID: Int64, attempt: Int, localHour: Int, firstName: String?) -> CallReport {
        var random = SplitMix64(seed: seed &* 0x9E37_79B9 &+ UInt64(bitPattern: leadID) &* 31 &+ UInt64(attempt))
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        // People answer more late morning and early evening.
        let hourBoost: Double = (10...11).contains(localHour) || (17...18).contains(localHour) ? 0.12 : (localHour < 9 || localHour >= 20 ? -0.1 : 0)
        let r = uniform()
        let name = firstName ?? "there"
        if r < 0.004 {
            return CallReport(
                status: .failed, outcome: .spamBlocked, disconnectionReason: "dial_blocked_as_spam", endedAt: 0, durationMs: 0, sentiment: nil,
                userSpoke: false,
                inVoicemail: false, callSuccessful: false, summary: nil, transcript: nil, customAnalysis: nil, costCents: 0)
        }
        if r < 0.02 {
            return CallReport(
                status: .failed, outcome: .failed, disconnectionReason: "dial_failed", endedAt: 0, durationMs: 0, sentiment: nil, userSpoke: false,
                inVoicemail: false,
                callSuccessful: false, summary: nil, transcript: nil, customAnalysis: nil, costCents: 0)
        }
        let answered = r < 0.02 + 0.33 + hourBoost
        if answered {
            let s = uniform()
            let sentiment: Sentiment = s < 0.3 ? .positive : (s < 0.8 ? .neutral : .negative)
            let interested = sentiment == .positive || (sentiment == .neutral && uniform() < 0.3)
            let duration = Int64(30_000 + uniform() * 270_000)
            let summary =
                interested
                ? "\(name) is interested and asked for a quote."
                : (sentiment == .negative ? "\(name) was not interested." : "\(name) listened and will think about it.")
            let transcript =
                "Agent: Hi \(name), this is Sam calling about solar for your home.\nUser: " + (interested ? "Sure, tell me more." : "Not right now, thanks.")
            let custom = JSONObject(["interested": .bool(interested), "callback_requested": .bool(uniform() < 0.15)]).rendered
            return CallReport(
                status: .completed, outcome: .answered, disconnectionReason: interested ? "agent_hangup" : "user_hangup", endedAt: 0, durationMs: duration,
                sentiment: sentiment, userSpoke: true, inVoicemail: false, callSuccessful: interested, summary: summary, transcript: transcript,
                customAnalysis: custom, costCents: 2 + duration / 6000)
        }
        let v = uniform()
        if v < 0.5 {
            let duration = Int64(20_000 + uniform() * 20_000)
            return CallReport(
                status: .completed, outcome: .voicemail, disconnectionReason: "voicemail_reached", endedAt: 0, durationMs: duration, sentiment: .unknown,
                userSpoke: false, inVoicemail: true, callSuccessful: false, summary: "Left a voicemail for \(name).",
                transcript: "Agent: Hi \(name), sorry I missed you — I'll try again later.", customAnalysis: nil, costCents: 1 + duration / 6000)
        }
        if v < 0.65 {
            return CallReport(
                status: .completed, outcome: .busy, disconnectionReason: "dial_busy", endedAt: 0, durationMs: 0, sentiment: nil, userSpoke: false,
                inVoicemail: false,
                callSuccessful: false, summary: nil, transcript: nil, customAnalysis: nil, costCents: 0)
        }
        return CallReport(
            status: .completed, outcome: .noAnswer, disconnectionReason: "dial_no_answer", endedAt: 0, durationMs: Int64(25_000 + uniform() * 10_000),
            sentiment: nil,
            userSpoke: false, inVoicemail: false, callSuccessful: false, summary: nil, transcript: nil, customAnalysis: nil, costCents: 0)
    }
}
