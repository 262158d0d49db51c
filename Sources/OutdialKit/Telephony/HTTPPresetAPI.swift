/// The generic HTTP connection (`provider: http`): the campaign's own
/// request templates, and its own rule for reading a call's status.
struct HTTPPresetAPI: ProviderAPI {
    let preset: Campaign.HTTPPreset
    /// Only the variables the templates name, read once.
    let environment: [String: String]

    init(preset: Campaign.HTTPPreset, environment: [String: String]) {
        self.preset = preset
        var named: [String: String] = [:]
        for name in preset.environmentVariables { named[name] = environment[name] }
        self.environment = named
    }

    func values(_ call: CallRequest, providerCallID: String?) -> (String, String) -> String? {
        { namespace, name in
            switch namespace {
            case "env": return environment[name]
            case "var": return call.variables[name]
            case "call":
                switch name {
                case "id": return String(call.callID)
                case "from": return call.from
                case "to": return call.to
                case "attempt": return String(call.attempt)
                case "agent": return call.agent
                case "campaign": return call.campaign
                case "lead_id": return String(call.leadID)
                default: return providerCallID
                }
            default:
                switch name {
                case "id": return String(call.leadID)
                case "phone": return call.to
                case "name": return call.leadName
                default: return call.variables[name.hasPrefix("fields.") ? String(name.dropFirst(7)) : name]
                }
            }
        }
    }

    /// A request from templates: headers and URL filled, a JSON body (with its content type unless a header names one).
    static func request(
        method: String, url: RequestTemplate, headers: [(name: String, value: RequestTemplate)], body: RequestTemplate.Body?,
        _ values: (String, String) -> String?
    ) -> HTTPRequest {
        var built = headers.map { HTTPRequest.Header($0.name, $0.value.render(values)) }
        if body != nil, !built.contains(where: { $0.name.lowercased() == "content-type" }) { built.append(.init("Content-Type", "application/json")) }
        return HTTPRequest(method: method, url: url.render(values), headers: built, body: body.map { Array($0.render(values).rendered.utf8) })
    }

    func create(_ call: CallRequest) -> HTTPRequest {
        Self.request(method: preset.method, url: preset.url, headers: preset.headers, body: preset.body, values(call, providerCallID: nil))
    }

    func created(_ body: JSONValue) -> Result<String, CreateRefusal> {
        guard let id = body[path: preset.callIDPath]?.text, !id.isEmpty else { return .failure(.malformed("the answer has nothing at '\(preset.callIDPath)'")) }
        return .success(id)
    }

    func poll(_ call: PolledCall) -> HTTPRequest {
        Self.request(
            method: preset.status.method, url: preset.status.url, headers: preset.status.headers, body: nil,
            values(call.request, providerCallID: call.providerCallID))
    }

    func polled(_ body: JSONValue, raw: [UInt8], call: PolledCall, now ms: Int64) -> PollResult {
        let status = preset.status
        guard let state = body[path: status.endedField]?.text, status.endedValues.contains(state) else { return .ongoing }
        let code = body[path: status.outcomeField]?.text ?? state
        let outcome = status.outcomes[code] ?? CallOutcome(rawValue: code) ?? .failed
        var report = CallReport(status: ProviderOutcomes.status(for: outcome), outcome: outcome, disconnectionReason: code, endedAt: ms)
        report.inVoicemail = outcome == .voicemail
        report.userSpoke = outcome == .answered
        for (column, path) in status.fields {
            guard let value = body[path: path], value != .null else { continue }
            switch column {
            case "transcript": report.transcript = value.text ?? value.rendered
            case "summary": report.summary = value.text
            case "recording_url": report.extras.recordingURL = value.text
            case "public_log_url": report.extras.publicLogURL = value.text
            case "duration_ms": report.durationMs = value.number.map { Int64($0) } ?? 0
            case "sentiment": report.sentiment = value.text.flatMap { Sentiment(rawValue: $0.lowercased()) }
            default: report.costCents = value.number.map { Int64($0.rounded()) } ?? 0
            }
        }
        if report.durationMs > 0 { report.startedAt = ms - report.durationMs }
        return .ended(
            CallEvent(call: .callID(call.request.callID), providerCallID: call.providerCallID, report: report, raw: String(decoding: raw, as: UTF8.self)))
    }
}
