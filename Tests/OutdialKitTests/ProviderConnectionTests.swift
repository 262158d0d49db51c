import Foundation
import Synchronization
import TestSupport
import Testing

@testable import OutdialKit

/// Each provider's requests and answers, against stub providers this test
/// starts on 127.0.0.1.
@Suite struct ProviderConnectionTests {
    static let key = "sk-test-0123456789abcdef"

    static func spec(_ provider: ProviderKind, base: String, timeout: Int64 = 5, extra: (inout Campaign.ConnectionSpec) -> Void = { _ in })
        -> Campaign.ConnectionSpec
    {
        var spec = Campaign.ConnectionSpec(provider: provider)
        spec.baseURL = base
        spec.apiKeyEnv = "TEST_PROVIDER_KEY"
        spec.agent = "agent_default"
        spec.timeout = timeout
        spec.connectTimeout = 2
        extra(&spec)
        return spec
    }

    static func connection(_ spec: Campaign.ConnectionSpec, env: [String: String] = ["TEST_PROVIDER_KEY": key]) throws -> ProviderConnection {
        try ProviderConnection.make(name: "main", spec: spec, environment: env)
    }

    static func request(agent: String? = nil) -> CallRequest {
        var request = CallRequest(
            callID: 42, leadID: 7, attempt: 1, from: "+12125550001", to: "+13125550142", agent: agent,
            variables: ["first_name": "Ana", "lead_id": "7", "policy_count": "3", "vip": "true"], dialAt: 1_795_438_800, leadTimeZone: "America/Chicago")
        request.campaign = "spring"
        request.leadName = "Ana Diaz"
        request.fromNumberID = "pn_123"
        return request
    }

    static func json(_ request: StubRequest) throws -> JSONValue { try JSONParser.parse(request.body) }

    @Test func retellCreateCallHasTheDocumentedShapeWithStringVariables() async throws {
        let stub = try await StubServer.start { _ in .json(#"{"call_id":"call_abc","call_status":"registered"}"#, status: 201) }
        let connection = try Self.connection(Self.spec(.retell, base: stub.baseURL))
        let placement = await connection.place(Self.request(agent: "agent_step"))
        await connection.shutdown()
        await stub.stop()
        #expect(placement == .accepted(providerCallID: "call_abc", events: []))
        let sent = try #require(stub.requests.first)
        #expect(stub.requests.count == 1)
        #expect(sent.method == "POST")
        #expect(sent.uri == "/v2/create-phone-call")
        #expect(sent.header("Authorization") == "Bearer \(Self.key)")
        #expect(sent.header("Content-Type") == "application/json")
        let body = try Self.json(sent)
        #expect(body["from_number"] == .string("+12125550001"))
        #expect(body["to_number"] == .string("+13125550142"))
        #expect(body["override_agent_id"] == .string("agent_step"))
        guard case .object(let variables)? = body["retell_llm_dynamic_variables"] else { Issue.record("no dynamic variables"); return }
        #expect(variables.count == 4)
        for (name, value) in variables {
            guard case .string = value else {
                Issue.record("\(name) is not a string")
                continue
            }
        }
        #expect(body[path: "retell_llm_dynamic_variables.policy_count"] == .string("3"))
        #expect(body[path: "metadata.outdial_call_id"] == .string("42"))
        #expect(body[path: "metadata.campaign"] == .string("spring"))
    }

    @Test func vapiCreateCallNamesTheAssistantTheCallerIDsNumberIdAndTheCustomer() async throws {
        let stub = try await StubServer.start { _ in .json(#"{"id":"vapi-1","status":"queued"}"#, status: 201) }
        let connection = try Self.connection(Self.spec(.vapi, base: stub.baseURL))
        let placement = await connection.place(Self.request())
        await connection.shutdown()
        await stub.stop()
        #expect(placement == .accepted(providerCallID: "vapi-1", events: []))
        let sent = try #require(stub.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.uri == "/call")
        #expect(sent.header("Authorization") == "Bearer \(Self.key)")
        let body = try Self.json(sent)
        #expect(body["assistantId"] == .string("agent_default"))
        #expect(body["phoneNumberId"] == .string("pn_123"))
        #expect(body[path: "customer.number"] == .string("+13125550142"))
        #expect(body[path: "customer.name"] == .string("Ana Diaz"))
        #expect(body[path: "assistantOverrides.variableValues.first_name"] == .string("Ana"))
    }

    @Test func theHTTPFormFillsItsTemplatesAndReadsTheCallIDWhereItIsTold() async throws {
        let stub = try await StubServer.start { request in
            request.uri.hasPrefix("/calls/") ? .json(#"{"state":"done","result":"machine","notes":"left a message"}"#) : .json(#"{"data":{"id":"d-9"}}"#)
        }
        let file = try TemporaryDirectory()
        let campaign = try Campaign.load(
            path: try file.write(
                "c.yml",
                """
                version: 1
                name: t
                calling_window: { days: [mon], hours: "09:00-17:00", compliance: [us] }
                connections:
                  crm:
                    provider: http
                    url: "\(stub.baseURL)/calls?source=outdial"
                    method: POST
                    headers: { X-Token: "{{env.DIALER_TOKEN}}" }
                    body: { to: "{{lead.phone}}", from: "{{call.from}}", ref: "{{call.id}}", name: "{{lead.first_name}}", retries: 0, tags: [a, "{{var.vip}}"] }
                    call_id_path: data.id
                    status:
                      url: "\(stub.baseURL)/calls/{{call.provider_call_id}}"
                      ended_when: { field: state, in: [done, failed] }
                      outcome: { field: result, map: { machine: voicemail, human: answered } }
                      fields: { summary: notes }
                workflows: []
                """))
        let spec = try #require(campaign.connections["crm"])
        #expect(spec.environmentVariables == ["DIALER_TOKEN"])
        let connection = try ProviderConnection.make(name: "crm", spec: spec, environment: ["DIALER_TOKEN": "tok-1"])
        let placement = await connection.place(Self.request())
        #expect(placement == .accepted(providerCallID: "d-9", events: []))
        let polled = await connection.poll(PolledCall(providerCallID: "d-9", request: Self.request()))
        await connection.shutdown()
        await stub.stop()
        let sent = stub.requests[0]
        #expect(sent.uri == "/calls?source=outdial")
        #expect(sent.header("X-Token") == "tok-1")
        #expect(
            try Self.json(sent)
                == JSONParser.parse(#"{"to":"+13125550142","from":"+12125550001","ref":"42","name":"Ana","retries":0,"tags":["a","true"]}"#))
        #expect(stub.requests[1].method == "GET")
        #expect(stub.requests[1].uri == "/calls/d-9")
        guard case .ended(let event) = polled else {
            Issue.record("not ended: \(polled)")
            return
        }
        #expect(event.report.outcome == .voicemail)
        #expect(event.report.disconnectionReason == "machine")
        #expect(event.report.summary == "left a message")
    }

    @Test func statusCodesAreToldApartAsAtMostOnceNeeds() async throws {
        let answers: [String: StubResponse] = [
            "/429": .respond(status: 429, headers: [("Retry-After", "7")], body: #"{"message":"slow down"}"#),
            "/503": .respond(status: 503, body: "busy"),
            "/401": .respond(status: 401, body: #"{"error_message":"Invalid API key"}"#),
            "/422": .respond(status: 422, body: #"{"message":"to_number is not a valid E.164 number"}"#),
            "/500": .respond(status: 500, body: "oops"),
            "/402": .respond(status: 402, body: #"{"message":"concurrency_limit_reached"}"#),
        ]
        let stub = try await StubServer.start { request in
            let prefix = "/" + (request.uri.split(separator: "/").first.map(String.init) ?? "")
            return answers[prefix] ?? .json("{}")
        }
        func place(_ path: String) async throws -> Placement {
            let connection = try Self.connection(Self.spec(.retell, base: stub.baseURL + path))
            let placement = await connection.place(Self.request())
            await connection.shutdown()
            return placement
        }
        #expect(try await place("/429") == .throttled(reason: #"HTTP 429: slow down"#, retryAfter: 7))
        #expect(try await place("/503") == .throttled(reason: "HTTP 503: busy", retryAfter: nil))
        #expect(try await place("/401") == .unauthorized(reason: "HTTP 401: Invalid API key"))
        #expect(try await place("/422") == .rejected(reason: "HTTP 422: to_number is not a valid E.164 number"))
        #expect(try await place("/500") == .ambiguous(reason: "HTTP 500: oops"))
        #expect(try await place("/402") == .throttled(reason: "HTTP 402: concurrency_limit_reached", retryAfter: nil))
        #expect(try await place("/ok") == .ambiguous(reason: "HTTP 200, but the answer has no call_id"))
        await stub.stop()
    }

    @Test func aRefusedConnectionIsNotSentAndATimeoutAfterSendingIsAmbiguous() async throws {
        // A port nothing listens on: the stub is stopped before the request.
        let closed = try await StubServer.start { _ in .json("{}") }
        let port = closed.port
        await closed.stop()
        let refused = try Self.connection(Self.spec(.retell, base: "http://127.0.0.1:\(port)"))
        let first = await refused.place(Self.request())
        await refused.shutdown()
        guard case .refused = first else {
            Issue.record("expected refused, got \(first)")
            return
        }
        let hanging = try await StubServer.start { _ in .hang }
        let slow = try Self.connection(Self.spec(.retell, base: hanging.baseURL, timeout: 1))
        let second = await slow.place(Self.request())
        await slow.shutdown()
        await hanging.stop()
        #expect(second == .ambiguous(reason: "no answer within 1s"))
        #expect(hanging.requests.count == 1)
    }

    @Test func aMissingKeyVariableIsAnErrorThatNamesItAndNeverTheKey() throws {
        let spec = Self.spec(.retell, base: "http://127.0.0.1:1")
        #expect(throws: ConnectionError.missingKey(connection: "main", variable: "TEST_PROVIDER_KEY")) { try Self.connection(spec, env: [:]) }
        let message = ConnectionError.unauthorized(connection: "main", reason: "HTTP 401").description
        #expect(message.contains("api_key_env"))
        #expect(!message.contains(Self.key))
    }

    @Test func aRetellCallIsReadBackOnceItsAnalysisIsIn() throws {
        let api = RetellAPI(base: "http://x", key: "k", agent: nil)
        let call = PolledCall(providerCallID: "call_abc", request: Self.request())
        #expect(api.polled(try JSONParser.parse(#"{"call_status":"ongoing"}"#), raw: [], call: call, now: 0) == .ongoing)
        let ended = #"{"call_status":"ended","start_timestamp":1795438810000,"end_timestamp":1795438870000,"disconnection_reason":"user_hangup"}"#
        #expect(api.polled(try JSONParser.parse(ended), raw: [], call: call, now: 0) == .awaitingAnalysis)
        let raw = """
            {"call_id":"call_abc","call_status":"ended","start_timestamp":1795438810000,"end_timestamp":1795438870000,"duration_ms":60000,
            "disconnection_reason":"user_hangup","transcript":"Agent: Hi\\nUser: Hello","transcript_object":[{"role":"agent","content":"Hi"},{"role":"user","content":"Hello"}],
            "recording_url":"https://r/1.wav","public_log_url":"https://r/1.log","call_cost":{"combined_cost":12.4},
            "call_analysis":{"call_summary":"Ana wants a quote.","user_sentiment":"Positive","call_successful":true,"in_voicemail":false,"custom_analysis_data":{"interested":true}}}
            """
        guard case .ended(let event) = api.polled(try JSONParser.parse(raw), raw: Array(raw.utf8), call: call, now: 0) else {
            Issue.record("not ended")
            return
        }
        let report = event.report
        #expect(report.outcome == .answered)
        #expect(report.status == .completed)
        #expect(report.startedAt == 1_795_438_810_000)
        #expect(report.endedAt == 1_795_438_870_000)
        #expect(report.durationMs == 60_000)
        #expect(report.sentiment == .positive)
        #expect(report.callSuccessful)
        #expect(report.userSpoke)
        #expect(report.summary == "Ana wants a quote.")
        #expect(report.customAnalysis == #"{"interested":true}"#)
        #expect(report.costCents == 12)
        #expect(report.extras.recordingURL == "https://r/1.wav")
        #expect(report.extras.publicLogURL == "https://r/1.log")
        #expect(event.raw == raw)
        #expect(event.call == .callID(42))
        // A call never connected has no analysis to wait for.
        let busy = #"{"call_status":"ended","disconnection_reason":"dial_busy","end_timestamp":1795438830000}"#
        guard case .ended(let b) = api.polled(try JSONParser.parse(busy), raw: Array(busy.utf8), call: call, now: 0) else {
            Issue.record("busy not ended")
            return
        }
        #expect(b.report.outcome == .busy)
        #expect(
            api.polled(try JSONParser.parse(#"{"call_status":"ended","disconnection_reason":"concurrency_limit_reached"}"#), raw: [], call: call, now: 0)
                == .throttled(reason: "Retell ended the call: concurrency_limit_reached"))
    }

    /// The 34 `disconnection_reason` values of Retell's API reference, each with its outcome.
    @Test func everyRetellDisconnectionReasonMapsToAnOutcome() {
        let expected: [String: CallOutcome] = [
            "user_hangup": .answered, "agent_hangup": .answered, "call_transfer": .answered, "voicemail_reached": .voicemail, "ivr_reached": .voicemail,
            "inactivity": .answered, "max_duration_reached": .answered, "concurrency_limit_reached": .failed, "no_concurrency_fallback": .failed,
            "no_valid_payment": .failed, "scam_detected": .failed, "dial_busy": .busy, "dial_failed": .failed, "dial_no_answer": .noAnswer,
            "invalid_destination": .invalidNumber, "telephony_provider_permission_denied": .failed, "telephony_provider_unavailable": .failed,
            "sip_routing_error": .failed, "marked_as_spam": .spamBlocked, "user_declined": .declined, "error_llm_websocket_open": .failed,
            "error_llm_websocket_lost_connection": .failed, "error_llm_websocket_runtime": .failed, "error_llm_websocket_corrupt_payload": .failed,
            "error_no_audio_received": .failed, "error_asr": .failed, "error_retell": .failed, "error_unknown": .failed, "error_user_not_joined": .failed,
            "registered_call_timeout": .failed, "transfer_bridged": .answered, "transfer_cancelled": .answered, "manual_stopped": .failed,
            "call_take_over": .answered,
        ]
        #expect(expected.count == 34)
        #expect(Set(ProviderOutcomes.retell.keys) == Set(expected.keys))
        for (code, outcome) in expected { #expect(ProviderOutcomes.retell(code) == outcome, "\(code)") }
        #expect(ProviderOutcomes.retell("something_new") == .failed)
    }

    /// Every `endedReason` of Vapi's list (Tests/OutdialKitTests/Fixtures/vapi-ended-reasons.txt, 571 values).
    @Test func everyVapiEndedReasonMapsToAnOutcome() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/vapi-ended-reasons.txt")
        let reasons = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(reasons.count == 571)
        // Every value outdial names is one of Vapi's.
        #expect(Set(ProviderOutcomes.vapi.keys).isSubset(of: Set(reasons)))
        #expect(ProviderOutcomes.vapi("customer-busy") == .busy)
        #expect(ProviderOutcomes.vapi("customer-did-not-answer") == .noAnswer)
        #expect(ProviderOutcomes.vapi("voicemail") == .voicemail)
        #expect(ProviderOutcomes.vapi("customer-ended-call") == .answered)
        #expect(ProviderOutcomes.vapi("twilio-reported-customer-misdialed") == .invalidNumber)
        #expect(ProviderOutcomes.vapi("pipeline-error-openai-voice-failed") == .failed)
        #expect(reasons.contains(ProviderOutcomes.vapiConcurrency))
        // The errors (pipeline-error-…, call.….error-…) are failed, none answered.
        for reason in reasons where reason.contains("error") { #expect(ProviderOutcomes.vapi(reason) == .failed, "\(reason)") }
    }

    @Test func aVapiCallIsReadBackWithItsArtifactAndAnalysis() throws {
        let api = VapiAPI(base: "http://x", key: "k", agent: nil)
        let call = PolledCall(providerCallID: "v1", request: Self.request())
        #expect(api.polled(try JSONParser.parse(#"{"status":"in-progress"}"#), raw: [], call: call, now: 0) == .ongoing)
        let raw = """
            {"id":"v1","status":"ended","endedReason":"voicemail","startedAt":"2026-11-23T13:00:10.000Z","endedAt":"2026-11-23T13:00:40.500Z","cost":0.0712,
            "artifact":{"transcript":"AI: Hi","messages":[{"role":"bot","message":"Hi"}],"recordingUrl":"https://v/r.wav"},
            "analysis":{"summary":"Voicemail.","structuredData":{"interested":false},"successEvaluation":"false"}}
            """
        guard case .ended(let event) = api.polled(try JSONParser.parse(raw), raw: Array(raw.utf8), call: call, now: 0) else {
            Issue.record("not ended")
            return
        }
        #expect(event.report.outcome == .voicemail)
        #expect(event.report.inVoicemail)
        #expect(!event.report.userSpoke)
        #expect(event.report.durationMs == 30_500)
        #expect(event.report.costCents == 7)
        #expect(event.report.customAnalysis == #"{"interested":false}"#)
        #expect(event.report.extras.recordingURL == "https://v/r.wav")
        #expect(!event.report.callSuccessful)
        guard case .failure(.concurrency) = api.created(try JSONParser.parse(#"{"subscriptionLimits":{"concurrencyBlocked":true}}"#)) else {
            Issue.record("a blocked create is not a concurrency refusal")
            return
        }
    }
}
