/// Where a call is in its life (the `calls.status` column).
///
/// `queued` → `dialing` → `in_progress` → `completed` | `failed`; `unknown`
/// when a request may have reached the provider and no answer came back.
public enum CallStatus: String, Sendable, CaseIterable {
    /// The intent is committed; no request has left. Safe to send (again) after a crash.
    case queued
    /// The request is being sent: it may have reached the provider. Never sent again.
    case dialing
    /// The provider accepted the call (its id is known); the outcome is awaited.
    case inProgress = "in_progress"
    case completed
    case failed
    /// A request that may have been placed and whose fate is not known: never redialled.
    case unknown

    /// The call is over (or given up on): its outcome is final.
    public var isFinal: Bool { self == .completed || self == .failed || self == .unknown }
}

/// What a call came to (the `calls.outcome` column).
public enum CallOutcome: String, Sendable, CaseIterable, Comparable {
    case answered, voicemail, busy, failed, declined
    case noAnswer = "no_answer"
    case invalidNumber = "invalid_number"
    case spamBlocked = "spam_blocked"

    public static func < (a: CallOutcome, b: CallOutcome) -> Bool { a.rawValue < b.rawValue }
}

/// How the person sounded (the `calls.sentiment` column).
public enum Sentiment: String, Sendable, CaseIterable {
    case positive, neutral, negative, unknown
}

/// What a provider reports at the end of a call: the fields of the call
/// record it fills (docs/schema.md, `calls`).
public struct CallReport: Sendable, Equatable {
    public var status: CallStatus
    public var outcome: CallOutcome
    public var disconnectionReason: String
    /// UTC milliseconds; nil when the provider did not say.
    public var startedAt: Int64?
    public var endedAt: Int64
    public var durationMs: Int64
    public var sentiment: Sentiment?
    public var userSpoke: Bool
    public var inVoicemail: Bool
    public var callSuccessful: Bool
    public var summary: String?
    public var transcript: String?
    /// JSON text.
    public var customAnalysis: String?
    public var costCents: Int64
    /// What a real provider adds (nil from the simulator): the turns as JSON,
    /// recording and log URLs, variables the agent collected, where the call
    /// was transferred, and latency figures (JSON).
    public var extras = Extras()

    public struct Extras: Sendable, Equatable {
        public var transcriptJSON: String?
        public var recordingURL: String?
        public var recordingMultichannelURL: String?
        public var publicLogURL: String?
        public var collectedVariables: String?
        public var transferTo: String?
        public var latencyJSON: String?
        public init() {}
    }

    public init(
        status: CallStatus, outcome: CallOutcome, disconnectionReason: String, startedAt: Int64? = nil, endedAt: Int64, durationMs: Int64 = 0,
        sentiment: Sentiment? = nil, userSpoke: Bool = false, inVoicemail: Bool = false, callSuccessful: Bool = false, summary: String? = nil,
        transcript: String? = nil, customAnalysis: String? = nil, costCents: Int64 = 0
    ) {
        self.status = status
        self.outcome = outcome
        self.disconnectionReason = disconnectionReason
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.durationMs = durationMs
        self.sentiment = sentiment
        self.userSpoke = userSpoke
        self.inVoicemail = inVoicemail
        self.callSuccessful = callSuccessful
        self.summary = summary
        self.transcript = transcript
        self.customAnalysis = customAnalysis
        self.costCents = costCents
    }
}

/// One call as the runner writes its intent: who is called, from which
/// number, through which connection, for which run.
public struct CallIntent: Sendable, Equatable {
    public var provider: ProviderKind
    public var connection: String
    public var agent: String?
    public var leadID: Int64
    public var campaign: String
    public var workflowRunID: Int64?
    public var attempt: Int
    public var from: String
    public var to: String
    /// UTC seconds: when the call is dialled.
    public var dialAt: Int64
    /// The zones the lead was gated in, space-separated.
    public var leadTimezone: String
    public var tier: NumberSelector.Tier?
    /// What the agent's prompt is given (`calls.dynamic_variables`): written
    /// for connections with outside effects, empty for the simulator.
    public var variables: [String: String] = [:]
}

/// A row of `calls` (docs/schema.md), as `CallStore` reads it.
public struct CallRecord: Sendable, Equatable {
    public var id: Int64
    public var intent: CallIntent
    public var status: CallStatus
    public var providerCallID: String?
    public var report: CallReport?
    public var errorMessage: String?
}
