import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Synchronization
import TestSupport
import Testing

@testable import OutdialKit

/// Signatures (with the providers' published test vectors) and the webhook
/// receiver, started by the test on 127.0.0.1.
@Suite struct WebhookServerTests {
    @Test func retellSignaturesVerifyAsRetellSigns() {
        let body = Array(#"{"event":"call_ended"}"#.utf8)
        let good = "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e"
        #expect(WebhookSignature.retell(body: body, header: good, key: "test-api-key", now: 1_700_000_060_000) == .valid)
        #expect(WebhookSignature.retell(body: body, header: good, key: "other-key", now: 1_700_000_060_000) == .invalid)
        #expect(WebhookSignature.retell(body: body + [32], header: good, key: "test-api-key", now: 1_700_000_060_000) == .invalid)
        #expect(WebhookSignature.retell(body: body, header: good, key: "test-api-key", now: 1_700_000_000_000 + 6 * 60_000) == .stale)
        #expect(WebhookSignature.retell(body: body, header: nil, key: "test-api-key", now: 0) == .missing)
        #expect(WebhookSignature.retell(body: body, header: "v=1,d=zz", key: "test-api-key", now: 0) == .invalid)
    }

    @Test func twilioSignaturesVerifyAsTwilioSigns() {
        let params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212")]
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        #expect(WebhookSignature.twilio(url: url, parameters: params, header: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", token: "12345") == .valid)
        #expect(WebhookSignature.twilio(url: url, parameters: params.reversed(), header: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", token: "12345") == .valid)
        #expect(WebhookSignature.twilio(url: url + "&x=1", parameters: params, header: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", token: "12345") == .invalid)
        #expect(WebhookSignature.twilio(url: url, parameters: params, header: nil, token: "12345") == .missing)
    }

    @Test func vapiAndOutdialSignatures() {
        let body = Array(#"{"message":{"type":"status-update"}}"#.utf8)
        #expect(WebhookSignature.vapiSecret(header: "s3cret", secret: "s3cret") == .valid)
        #expect(WebhookSignature.vapiSecret(header: "s3creT", secret: "s3cret") == .invalid)
        #expect(WebhookSignature.vapiSecret(header: nil, secret: "s3cret") == .missing)
        let t = "1700000000000"
        let mac = WebhookSignature.hexString(WebhookSignature.sign(body: body, timestamp: t, secret: "k"))
        #expect(WebhookSignature.vapiHMAC(body: body, signature: mac, timestamp: t, secret: "k", now: 1_700_000_001_000) == .valid)
        #expect(WebhookSignature.vapiHMAC(body: body, signature: "sha256=" + mac, timestamp: t, secret: "k", now: 1_700_000_001_000) == .valid)
        #expect(WebhookSignature.vapiHMAC(body: body, signature: mac, timestamp: t, secret: "k", now: 1_700_001_000_000) == .stale)
        #expect(WebhookSignature.vapiHMAC(body: body, signature: mac, timestamp: t, secret: "j", now: 1_700_000_001_000) == .invalid)
        let own = "t=1700000000,v1=" + WebhookSignature.hexString(WebhookSignature.sign(body: body, timestamp: "1700000000", secret: "k"))
        #expect(WebhookSignature.outdial(body: body, header: own, secret: "k", now: 1_700_000_010_000) == .valid)
        #expect(WebhookSignature.outdial(body: body, header: own, secret: "k", now: 1_700_001_000_000) == .stale)
        #expect(WebhookSignature.outdial(body: body + [1], header: own, secret: "k", now: 1_700_000_010_000) == .invalid)
    }

    /// A receiver on 127.0.0.1 over `db`, the port it bound, and the task running it.
    static func start(_ path: String, _ campaign: Campaign, _ settings: WebhookServer.Settings) async throws -> (
        port: Int, task: Task<Void, any Error>, server: WebhookServer
    ) {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = try WebhookServer(databasePath: path, campaign: campaign, settings: settings, logger: logger)
        let port = Mutex<Int?>(nil)
        let task = Task { try await server.run(signals: false) { bound in port.withLock { $0 = bound } } }
        for _ in 0..<500 {
            if let bound = port.withLock({ $0 }) { return (bound, task, server) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CancellationError()
    }

    static func post(_ port: Int, _ path: String, _ body: String, headers: [(String, String)] = []) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        // A guard against a receiver that never answers, not a timing assertion: generous, as `make test` runs
        // binaries that take both cores beside it.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), text)
    }

    static func retellHeader(_ body: String, key: String, at ms: Int64 = Instant.now.milliseconds) -> String {
        "v=\(ms),d=" + WebhookSignature.hexString(WebhookSignature.retellDigest(body: Array(body.utf8), v: String(ms), key: key))
    }

    @Test func theReceiverVerifiesRecordsOnceAndAnswersOnlyAfterTheCommit() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let campaign = try EventIngestTests.campaign(dir)
        let callID = try EventIngestTests.call(db, lead: 1, providerID: "call_w1")
        var settings = WebhookServer.Settings()
        settings.port = 0
        settings.retellKey = "retell-key"
        settings.twilioToken = "tw-token"
        settings.publicURL = "https://hooks.example.com"
        settings.bodyLimit = 4096
        let (port, task, _) = try await Self.start(dir.path("t.db"), campaign, settings)
        defer { task.cancel() }
        let analysed = EventIngestTests.retell("call_analyzed", id: "call_w1", analysis: true)
        // Unsigned, badly signed and stale: 401, nothing recorded.
        #expect(try await Self.post(port, "/webhooks/retell", analysed).0 == 401)
        #expect(try await Self.post(port, "/webhooks/retell", analysed, headers: [("x-retell-signature", Self.retellHeader(analysed, key: "wrong"))]).0 == 401)
        let stale = Self.retellHeader(analysed, key: "retell-key", at: Instant.now.milliseconds - 10 * 60_000)
        #expect(try await Self.post(port, "/webhooks/retell", analysed, headers: [("x-retell-signature", stale)]).0 == 401)
        #expect(try db.scalar("SELECT count(*) FROM events") == 0)
        // Signed: recorded (200 after the commit: the row is there), then a duplicate.
        let signed = [("x-retell-signature", Self.retellHeader(analysed, key: "retell-key"))]
        let first = try await Self.post(port, "/webhooks/retell", analysed, headers: signed)
        #expect(first.0 == 200 && first.1.contains(#""result":"new""#))
        #expect(try CampaignRunnerTests.strings(db, "SELECT outcome FROM calls WHERE call_id = \(callID)") == ["answered"])
        #expect(try await Self.post(port, "/webhooks/retell", analysed, headers: signed).1.contains("duplicate"))
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 1)
        // Malformed JSON 400, too large 413, an unknown kind 202.
        let broken = #"{"event":"call_analyzed","call":"#
        #expect(try await Self.post(port, "/webhooks/retell", broken, headers: [("x-retell-signature", Self.retellHeader(broken, key: "retell-key"))]).0 == 400)
        let big = String(repeating: " ", count: 5000) + analysed
        #expect(try await Self.post(port, "/webhooks/retell", big, headers: [("x-retell-signature", Self.retellHeader(big, key: "retell-key"))]).0 == 413)
        let started = #"{"event":"call_started","call":{"call_id":"call_w1"}}"#
        #expect(
            try await Self.post(port, "/webhooks/retell", started, headers: [("x-retell-signature", Self.retellHeader(started, key: "retell-key"))]).0 == 202)
        // Twilio signs the public URL it calls, with the form's fields.
        let lead2 = try #require(try db.text("SELECT phone FROM leads WHERE id = 2"))
        let fields = [("From", lead2), ("To", "+12125550001"), ("Body", "Call me back"), ("MessageSid", "SM42")]
        let form = fields.map { "\($0.0)=\($0.1.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: " ", with: "+"))" }.joined(separator: "&")
        let twilioSignature = Data(WebhookSignature.twilioDigest(url: "https://hooks.example.com/webhooks/twilio/sms", parameters: fields, token: "tw-token"))
            .base64EncodedString()
        let sms = try await Self.post(
            port, "/webhooks/twilio/sms", form, headers: [("X-Twilio-Signature", twilioSignature), ("Content-Type", "application/x-www-form-urlencoded")])
        #expect(sms.0 == 200, "\(sms.1)")
        #expect(try await Self.post(port, "/webhooks/twilio/sms", form, headers: [("X-Twilio-Signature", "AAAA")]).0 == 401)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'replies'") == 1)
        // A route whose secret is not configured refuses everything.
        #expect(try await Self.post(port, "/webhooks/vapi", EventIngestTests.vapiReport).0 == 401)
    }

    @Test func concurrentRequestsAreCommittedInGroupsAndNoneIsLost() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let campaign = try EventIngestTests.campaign(dir)
        var settings = WebhookServer.Settings()
        settings.port = 0
        settings.verify = false
        let (port, task, server) = try await Self.start(dir.path("t.db"), campaign, settings)
        defer { task.cancel() }
        // 400 distinct events for calls outdial does not know, 8 at a time, each twice.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var ok = 0
                    for i in stride(from: worker, to: 400, by: 8) {
                        let body = EventIngestTests.retell("call_analyzed", id: "c-\(i)", analysis: true)
                        // Kept for a call outdial does not know yet (202), then a duplicate (200).
                        if try await Self.post(port, "/webhooks/retell", body).0 == 202 { ok += 1 }
                        if try await Self.post(port, "/webhooks/retell", body).1.contains("duplicate") { ok += 1 }
                    }
                    return ok
                }
            }
            var acknowledged = 0
            for try await ok in group { acknowledged += ok }
            #expect(acknowledged == 800)
        }
        #expect(try db.scalar("SELECT count(*) FROM events") == 400)
        #expect(try db.scalar("SELECT count(DISTINCT dedupe_key) FROM events") == 400)
        // Requests that arrived together shared a commit.
        let commits = await server.writer.commits
        #expect(commits < 800, "\(commits) commits")
    }
}

/// A live `run` and `serve` writing one database at once: neither fails
/// with "database is locked", nothing is lost, and the workflows the
/// receiver's events start are advanced by the running run.
@Suite struct RunBesideServeTests {
    @Test func aLiveRunAndTheReceiverWriteTheSameDatabaseTogether() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 120)
        let stub = try await StubRetell.start(ongoingPolls: 0)
        let campaign = try Campaign.load(
            path: try dir.write(
                "both.yml",
                """
                version: 1
                name: events
                calling_window: { days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00", compliance: none }
                connections: { main: { provider: retell, api_key_env: K, base_url: "\(stub.server.baseURL)", poll_interval: 1s } }
                numbers: { selection: { daily_cap: 100000, cooldown: 0s } }
                limits: { concurrent_calls: 20, calls_per_second: 20, max_attempts: 1 }
                workflows:
                  - name: outbound
                    trigger: lead_added
                    steps: [ { place_call: { connection: main } } ]
                  - name: post-call
                    trigger: { call_completed: {} }
                    steps: [ { add_tag: called } ]
                  - name: replies
                    trigger: { message_received: { channels: [sms] } }
                    steps: [ { add_tag: replied } ]
                """))
        var settings = WebhookServer.Settings()
        settings.port = 0
        settings.verify = false
        let (port, task, _) = try await WebhookServerTests.start(dir.path("t.db"), campaign, settings)
        defer { task.cancel() }
        let phones = try db.query("SELECT phone FROM leads ORDER BY id") { $0.string(0) ?? "" }
        var options = RunOptions()
        options.simulate = false
        options.start = .now
        let runner = try CampaignRunner(
            database: db, campaign: campaign, options: options,
            connections: try ConnectionSet.forCampaign(campaign) { name, spec in try ProviderConnection.make(name: name, spec: spec, environment: ["K": "k"]) })
        // The messages go in while the run dials; the run ends when its calls and the runs they started are done.
        async let posted: Int = withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var ok = 0
                    for i in stride(from: worker, to: 600, by: 4) {
                        let form = "From=\(phones[i % phones.count].replacingOccurrences(of: "+", with: "%2B"))&To=%2B12125550001&Body=hi&MessageSid=SM\(i)"
                        if try await WebhookServerTests.post(port, "/webhooks/twilio/sms", form).0 == 200 { ok += 1 }
                    }
                    return ok
                }
            }
            var total = 0
            for try await ok in group { total += ok }
            return total
        }
        let summary = try await runner.run()
        let acknowledged = try await posted
        await stub.server.stop()
        #expect(acknowledged == 600)
        #expect(summary.callsPlaced == 120)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE status = 'completed'") == 120)
        #expect(try db.scalar("SELECT count(*) FROM events WHERE kind = 'message_received'") == 600)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'replies'") == 600)
        // Runs the receiver started while the run was going were advanced by it, without a restart.
        #expect((try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'replies' AND status = 'done'") ?? 0) > 0)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call' AND status = 'done'") == 120)
    }
}
