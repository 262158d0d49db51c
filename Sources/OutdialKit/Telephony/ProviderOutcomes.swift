/// What each provider's end-of-call code means as an outdial outcome
/// (docs/connections.md, "Outcomes"). The code itself is kept verbatim in
/// `calls.disconnection_reason`; a code not listed here is `failed`.
public enum ProviderOutcomes {
    /// Retell's `disconnection_reason` values (docs.retellai.com, "Disconnection reason").
    public static let retell: [String: CallOutcome] = [
        // The person was on the line.
        "user_hangup": .answered, "agent_hangup": .answered, "call_transfer": .answered, "transfer_bridged": .answered,
        "transfer_cancelled": .answered, "inactivity": .answered, "max_duration_reached": .answered, "call_take_over": .answered,
        // A machine answered.
        "voicemail_reached": .voicemail, "ivr_reached": .voicemail,
        // Dialling.
        "dial_busy": .busy, "dial_no_answer": .noAnswer, "dial_failed": .failed, "invalid_destination": .invalidNumber,
        "marked_as_spam": .spamBlocked, "user_declined": .declined, "telephony_provider_permission_denied": .failed,
        "telephony_provider_unavailable": .failed, "sip_routing_error": .failed,
        // Capacity, account and errors.
        "concurrency_limit_reached": .failed, "no_concurrency_fallback": .failed, "no_valid_payment": .failed, "scam_detected": .failed,
        "error_llm_websocket_open": .failed, "error_llm_websocket_lost_connection": .failed, "error_llm_websocket_runtime": .failed,
        "error_llm_websocket_corrupt_payload": .failed, "error_no_audio_received": .failed, "error_asr": .failed, "error_retell": .failed,
        "error_unknown": .failed, "error_user_not_joined": .failed, "registered_call_timeout": .failed, "manual_stopped": .failed,
    ]

    /// Retell codes that say the account had no free line: the call reached no one and may be dialled again.
    public static let retellConcurrency: Set<String> = ["concurrency_limit_reached", "no_concurrency_fallback"]

    public static func retell(_ code: String) -> CallOutcome { retell[code] ?? .failed }

    /// Vapi's `endedReason` values that are not errors (docs.vapi.ai, "Call ended reasons"); every
    /// other value (`pipeline-error-…`, `call.…error-…` and the rest) is `failed`.
    public static let vapi: [String: CallOutcome] = [
        "assistant-ended-call": .answered, "assistant-said-end-call-phrase": .answered, "assistant-ended-call-with-hangup-task": .answered,
        "assistant-ended-call-after-message-spoken": .answered, "assistant-forwarded-call": .answered, "customer-ended-call": .answered,
        "customer-ended-call-before-warm-transfer": .answered, "customer-ended-call-after-warm-transfer-attempt": .answered,
        "customer-ended-call-during-transfer": .answered, "exceeded-max-duration": .answered, "silence-timed-out": .answered,
        "call.in-progress.twilio-completed-call": .answered, "call.in-progress.sip-completed-call": .answered, "vonage-completed": .answered,
        "call.forwarding.operator-busy": .answered, "call.ending.hook-executed-say": .answered, "call.ending.hook-executed-transfer": .answered,
        "customer-busy": .busy,
        "customer-did-not-answer": .noAnswer, "call.ringing.hook-executed-say": .noAnswer, "call.ringing.hook-executed-transfer": .noAnswer,
        "call.ringing.sip-inbound-caller-hungup-before-call-connect": .noAnswer,
        "voicemail": .voicemail,
        "twilio-reported-customer-misdialed": .invalidNumber,
        "vonage-rejected": .declined,
    ]

    /// Vapi's code for a call refused because the account's lines were all in use.
    public static let vapiConcurrency = "call.start.error-subscription-concurrency-limit-reached"

    public static func vapi(_ code: String) -> CallOutcome { vapi[code] ?? .failed }

    /// `calls.status` for an ended call: failed when it never became a call.
    static func status(for outcome: CallOutcome) -> CallStatus {
        outcome == .failed || outcome == .invalidNumber || outcome == .spamBlocked ? .failed : .completed
    }
}
