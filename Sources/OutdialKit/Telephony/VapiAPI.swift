/// Vapi's API (docs.vapi.ai/api-reference): `POST /call` and `GET /call/{id}`,
/// with `Authorization: Bearer <private key>`. The caller ID is Vapi's
/// phone-number id for it (`provider_number_id` in the numbers CSV).
struct VapiAPI: ProviderAPI {
    let base: String
    let key: String
    let agent: String?

    func create(_ call: CallRequest) -> HTTPRequest {
        var body: [(String, JSONValue)] = []
        if let agent = call.agent ?? agent { body.append(("assistantId", .string(agent))) }
        if let id = call.fromNumberID { body.append(("phoneNumberId", .string(id))) }
        var customer: [(String, JSONValue)] = [("number", .string(call.to))]
        if let name = call.leadName { customer.append(("name", .string(name))) }
        body.append(("customer", .object(customer)))
        body.append(
            (
                "assistantOverrides",
                .object([
                    ("variableValues", .object(call.variables.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                    ("metadata", CallRequest.metadata(call)),
                ])
            ))
        body.append(("metadata", CallRequest.metadata(call)))
        return HTTPRequest(method: "POST", url: base + "/call", headers: RetellAPI.headers(key), body: Array(JSONValue.object(body).rendered.utf8))
    }

    func created(_ body: JSONValue) -> Result<String, CreateRefusal> {
        if body[path: "subscriptionLimits.concurrencyBlocked"]?.bool == true {
            return .failure(.concurrency("Vapi's concurrency limit is reached (subscriptionLimits.concurrencyBlocked)"))
        }
        guard let id = body["id"]?.text, !id.isEmpty else { return .failure(.malformed("the answer has no id")) }
        return .success(id)
    }

    func poll(_ call: PolledCall) -> HTTPRequest {
        HTTPRequest(method: "GET", url: base + "/call/" + CallRequest.pathSegment(call.providerCallID), headers: RetellAPI.headers(key))
    }

    static func milliseconds(_ value: JSONValue?) -> Int64? {
        guard let text = value?.text else { return nil }
        if let number = Int64(text) { return number }
        return (try? Instant(iso8601: text))?.milliseconds
    }

    func polled(_ body: JSONValue, raw: [UInt8], call: PolledCall, now ms: Int64) -> PollResult {
        guard body["status"]?.text == "ended" else { return .ongoing }
        let reason = body["endedReason"]?.text ?? ""
        if reason == ProviderOutcomes.vapiConcurrency { return .throttled(reason: "Vapi ended the call: \(reason)") }
        return .ended(
            CallEvent(
                call: .callID(call.request.callID), providerCallID: call.providerCallID, report: Self.report(body, now: ms),
                raw: String(decoding: raw, as: UTF8.self)))
    }

    /// The call record an ended Vapi call gives (get-call, or an
    /// `end-of-call-report` message, whose fields sit beside its `call`).
    static func report(_ body: JSONValue, now ms: Int64) -> CallReport {
        let reason = body["endedReason"]?.text ?? ""
        let outcome = reason.isEmpty ? CallOutcome.failed : ProviderOutcomes.vapi(reason)
        let start = Self.milliseconds(body["startedAt"])
        let end = Self.milliseconds(body["endedAt"]) ?? ms
        var report = CallReport(
            status: ProviderOutcomes.status(for: outcome), outcome: outcome, disconnectionReason: reason.isEmpty ? "ended" : reason, startedAt: start,
            endedAt: end, durationMs: start.map { max(0, end - $0) } ?? 0)
        let artifact = body["artifact"]
        report.transcript = artifact?["transcript"]?.text ?? body["transcript"]?.text
        if let messages = artifact?["messages"], case .array(let items) = messages {
            report.extras.transcriptJSON = messages.rendered
            report.userSpoke = items.contains { $0["role"]?.text == "user" && !($0["message"]?.text ?? "").isEmpty }
        }
        report.extras.recordingURL = artifact?["recordingUrl"]?.text ?? body["recordingUrl"]?.text
        report.extras.recordingMultichannelURL = artifact?["stereoRecordingUrl"]?.text
        report.extras.publicLogURL = artifact?["logUrl"]?.text
        if let variables = artifact?["variableValues"], variables != .null { report.extras.collectedVariables = variables.rendered }
        if let destination = body["destination"]?["number"]?.text { report.extras.transferTo = destination }
        let analysis = body["analysis"]
        report.summary = analysis?["summary"]?.text ?? body["summary"]?.text
        if let structured = analysis?["structuredData"], structured != .null { report.customAnalysis = structured.rendered }
        report.callSuccessful = analysis?["successEvaluation"]?.bool ?? false
        report.inVoicemail = outcome == .voicemail
        // Vapi's cost is in dollars.
        if let cost = body["cost"]?.number { report.costCents = Int64((cost * 100).rounded()) }
        return report
    }
}
