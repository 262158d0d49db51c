/// Retell's API (docs.retellai.com/api-references): `POST /v2/create-phone-call`
/// and `GET /v2/get-call/{call_id}`, with `Authorization: Bearer <key>`.
struct RetellAPI: ProviderAPI {
    let base: String
    let key: String
    let agent: String?
    /// Polls of an ended call waiting for `call_analysis` before the call is recorded without it.
    static let analysisPolls = 12

    func create(_ call: CallRequest) -> HTTPRequest {
        var body: [(String, JSONValue)] = [("from_number", .string(call.from)), ("to_number", .string(call.to))]
        if let agent = call.agent ?? agent { body.append(("override_agent_id", .string(agent))) }
        // Retell takes only string values here.
        body.append(("retell_llm_dynamic_variables", .object(call.variables.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        body.append(("metadata", CallRequest.metadata(call)))
        return HTTPRequest(method: "POST", url: base + "/v2/create-phone-call", headers: Self.headers(key), body: Array(JSONValue.object(body).rendered.utf8))
    }

    static func headers(_ key: String) -> [HTTPRequest.Header] {
        [.init("Authorization", "Bearer " + key), .init("Content-Type", "application/json"), .init("Accept", "application/json")]
    }

    func created(_ body: JSONValue) -> Result<String, CreateRefusal> {
        guard let id = body["call_id"]?.text, !id.isEmpty else { return .failure(.malformed("the answer has no call_id")) }
        return .success(id)
    }

    func poll(_ call: PolledCall) -> HTTPRequest {
        HTTPRequest(method: "GET", url: base + "/v2/get-call/" + CallRequest.pathSegment(call.providerCallID), headers: Self.headers(key))
    }

    func polled(_ body: JSONValue, raw: [UInt8], call: PolledCall, now ms: Int64) -> PollResult {
        let status = body["call_status"]?.text ?? ""
        guard status == "ended" || status == "error" || status == "not_connected" else { return .ongoing }
        let reason = body["disconnection_reason"]?.text ?? (status == "error" ? "error_unknown" : "")
        if ProviderOutcomes.retellConcurrency.contains(reason) { return .throttled(reason: "Retell ended the call: \(reason)") }
        let analysis = body["call_analysis"]
        // Calls that were never connected get no analysis worth waiting for.
        if analysis == nil || analysis == .null, status == "ended", body["start_timestamp"]?.number != nil, call.endedPolls < Self.analysisPolls {
            return .awaitingAnalysis
        }
        return .ended(
            CallEvent(
                call: .callID(call.request.callID), providerCallID: call.providerCallID, report: Self.report(body, now: ms),
                raw: String(decoding: raw, as: UTF8.self)))
    }

    /// The call record a Retell call object gives (an ended call: get-call, or
    /// the `call` of a `call_ended` / `call_analyzed` webhook).
    static func report(_ body: JSONValue, now ms: Int64) -> CallReport {
        let status = body["call_status"]?.text ?? ""
        let reason = body["disconnection_reason"]?.text ?? (status == "error" ? "error_unknown" : "")
        let analysis = body["call_analysis"]
        let outcome = reason.isEmpty ? CallOutcome.failed : ProviderOutcomes.retell(reason)
        let end = body["end_timestamp"]?.number.map { Int64($0) } ?? ms
        let start = body["start_timestamp"]?.number.map { Int64($0) }
        var report = CallReport(
            status: ProviderOutcomes.status(for: outcome), outcome: outcome, disconnectionReason: reason.isEmpty ? "call_status_\(status)" : reason,
            startedAt: start, endedAt: end, durationMs: body["duration_ms"]?.number.map { Int64($0) } ?? start.map { max(0, end - $0) } ?? 0)
        report.transcript = body["transcript"]?.text
        if let turns = body["transcript_object"], case .array(let items) = turns {
            report.extras.transcriptJSON = turns.rendered
            report.userSpoke = items.contains { $0["role"]?.text == "user" && !($0["content"]?.text ?? "").isEmpty }
        }
        report.extras.recordingURL = body["recording_url"]?.text
        report.extras.recordingMultichannelURL = body["recording_multi_channel_url"]?.text
        report.extras.publicLogURL = body["public_log_url"]?.text
        report.extras.transferTo = body["transfer_destination"]?.text
        if let latency = body["latency"], latency != .null { report.extras.latencyJSON = latency.rendered }
        if let collected = body["collected_dynamic_variables"], collected != .null { report.extras.collectedVariables = collected.rendered }
        if let analysis, analysis != .null {
            report.summary = analysis["call_summary"]?.text
            report.sentiment = analysis["user_sentiment"]?.text.flatMap { Sentiment(rawValue: $0.lowercased()) }
            report.callSuccessful = analysis["call_successful"]?.bool ?? false
            report.inVoicemail = analysis["in_voicemail"]?.bool ?? (outcome == .voicemail)
            if let custom = analysis["custom_analysis_data"], custom != .null { report.customAnalysis = custom.rendered }
        } else {
            report.inVoicemail = outcome == .voicemail
        }
        // Retell's combined_cost is in cents.
        if let cost = body[path: "call_cost.combined_cost"]?.number { report.costCents = Int64(cost.rounded()) }
        return report
    }
}

extension CallRequest {
    /// What outdial sends along to find the call again: its id, campaign and lead.
    static func metadata(_ call: CallRequest) -> JSONValue {
        JSONObject(["outdial_call_id": .string(String(call.callID)), "campaign": .string(call.campaign), "lead_id": .string(String(call.leadID))])
    }

    /// An id as one URL path segment (percent-encoding all but unreserved characters).
    static func pathSegment(_ id: String) -> String {
        var out = ""
        for byte in id.utf8 {
            if (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 46 || byte == 95 || byte == 126 {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return out
    }
}
