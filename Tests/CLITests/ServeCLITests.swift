import AsyncHTTPClient
import Foundation
import NIOCore
import OutdialKit
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the load's workers saw.
final class Tally: Sendable {
    let acknowledged = Mutex<Set<Int>>([])
    let killed = Mutex(false)
}

/// `outdial serve` as a process: killed with SIGKILL under load, every event
/// it acknowledged is in the database.
@Suite(.serialized) struct ServeCLITests {
    /// Starts `serve` on a free port; returns the process and the port it printed.
    static func startServe(db: String, campaign: String, environment: [String: String] = [:]) throws -> (Process, Int) {
        let process = Process()
        process.executableURL = Outdial.binary
        process.arguments = ["--db", db, "serve", "--campaign", campaign, "--port", "0", "--insecure-no-verify"]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OUTDIAL_DB")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let handle = err.fileHandleForReading
        while !seen.contains("Listening on http://127.0.0.1:") || !seen.contains(" for campaign") {
            let data = handle.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        // Its request log goes on: keep reading it, or a full pipe would stall the server.
        handle.readabilityHandler = { _ = $0.availableData }
        let port = seen.components(separatedBy: "Listening on http://127.0.0.1:").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        return (process, port)
    }

    /// `serve` sends the outbox while it runs: a STOP taken on its webhook
    /// route puts the number on the list and queues one confirmation, which
    /// serve's own sending loop delivers through Twilio (a stub this test
    /// starts) — once, with the account's basic auth, and nothing else goes out.
    @Test func serveSendsTheOptOutConfirmationItQueued() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("serve.db")
        let sent = Mutex<[StubRequest]>([])
        let twilio = try await StubServer.start { request in
            sent.withLock { $0.append(request) }
            return .json(#"{"sid":"SMconfirm1","status":"queued"}"#, status: 201)
        }
        #expect(try Outdial.run(["--db", db, "leads", "import", try dir.write("l.csv", "phone\n+12125550100\n"), "--rejects", dir.path("r.csv")]).status == 0)
        let campaign = try dir.write(
            "c.yml",
            """
            version: 1
            name: serve-send
            calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", compliance: [us] }
            connections:
              sms: { provider: twilio, account_sid_env: TEST_TWILIO_SID, auth_token_env: TEST_TWILIO_TOKEN, from: "+14155550100", base_url: "\(twilio.baseURL)" }
            workflows: []
            """)
        let (process, port) = try Self.startServe(db: db, campaign: campaign, environment: ["TEST_TWILIO_SID": "ACtest", "TEST_TWILIO_TOKEN": "tok-9f8e"])
        #expect(port > 0)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/outdial")
        request.method = .POST
        request.body = .bytes(
            ByteBuffer(
                string:
                    #"{"type":"message_received","channel":"sms","from":"+12125550100","to":"+14155550100","text":"Stop.","received_at":"2026-11-24T19:00:00Z","provider_message_id":"in-1"}"#
            ))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect((200..<300).contains(Int(response.status.code)))
        // The loop sends every few seconds: wait (with a deadline) for the outbox row to be sent.
        let deadline = Date().addingTimeInterval(30)
        func status() -> String? { try? Database(path: db).text("SELECT status FROM outbox WHERE purpose = 'opt_out_confirmation'") }
        while status() != "sent", Date() < deadline, process.isRunning { await Task.yield() }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        await twilio.stop()
        #expect(status() == "sent")
        let requests = sent.withLock { $0 }
        #expect(requests.count == 1)
        #expect(requests.first?.uri == "/2010-04-01/Accounts/ACtest/Messages.json")
        #expect(requests.first?.header("Authorization") == "Basic " + Data("ACtest:tok-9f8e".utf8).base64EncodedString())
        let form = requests.first?.text ?? ""
        #expect(form.contains("To=%2B12125550100") && form.contains("Body=You%20have%20been%20unsubscribed"))
        #expect(try Database(path: db).text("SELECT dnc FROM leads WHERE phone = '+12125550100'") == "1")
    }

    @Test func killedUnderLoadEveryAcknowledgedEventIsKept() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("serve.db")
        #expect(try Outdial.run(["--db", db, "init"]).status == 0)
        let campaign = try dir.write(
            "c.yml", "version: 1\nname: serve-kill\ncalling_window: { days: [mon], hours: \"09:00-17:00\", compliance: [us] }\nworkflows: []\n")
        let (process, port) = try Self.startServe(db: db, campaign: campaign)
        #expect(port > 0)
        let pid = process.processIdentifier
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for i in stride(from: worker, to: 100_000, by: 16) {
                        if tally.killed.withLock({ $0 }) { return }
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/retell")
                        request.method = .POST
                        request.body = .bytes(
                            ByteBuffer(
                                string: #"{"event":"call_analyzed","call":{"call_id":"k-\#(i)","call_status":"ended","disconnection_reason":"user_hangup"}}"#))
                        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) else { return }
                        _ = try? await response.body.collect(upTo: 1 << 16)
                        if (200..<300).contains(Int(response.status.code)) {
                            let count = tally.acknowledged.withLock {
                                $0.insert(i)
                                return $0.count
                            }
                            // Mid-load, without warning.
                            if count == 1500 {
                                kill(pid, SIGKILL)
                                tally.killed.withLock { $0 = true }
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let kept = Set(try Database(path: db).query("SELECT dedupe_key FROM events") { $0.string(0) ?? "" })
        let ids = tally.acknowledged.withLock { $0 }
        #expect(ids.count >= 1500)
        let lost = ids.filter { !kept.contains("retell:k-\($0):call_analyzed") }
        #expect(lost.isEmpty, "\(lost.count) acknowledged events are not in the database")
    }
}
