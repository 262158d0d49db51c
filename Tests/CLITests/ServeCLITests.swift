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
    let refused = Mutex<[String]>([])
    let killed = Mutex(false)
}

/// What a process wrote to its standard error, kept while it runs.
final class LogSink: Sendable {
    let text = Mutex("")
}

/// `outdial serve` as a process: killed with SIGKILL under load, every event
/// it acknowledged is in the database.
@Suite(.serialized) struct ServeCLITests {
    /// Starts `serve` on a free port; returns the process and the port it printed.
    static func startServe(db: String, campaign: String, environment: [String: String] = [:], log: LogSink? = nil) throws -> (Process, Int) {
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
        log?.text.withLock { $0 = seen }
        // Its request log goes on: keep reading it, or a full pipe would stall the server.
        handle.readabilityHandler = { handle in
            let data = handle.availableData
            log?.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
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

    /// `run` (live, against a stub Retell) and `serve` on one database for
    /// 30 seconds: the run places and polls calls and records their outcomes
    /// while serve takes inbound messages as fast as four clients send them.
    /// Every message serve acknowledged is kept once, each started its
    /// `message_received` workflow, which the running `run` carried out without
    /// a restart, and neither process met a busy database.
    @Test func runAndServeWriteOneDatabaseTogetherFor30Seconds() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("both.db")
        let leads = 600
        var csv = "phone,first_name\n"
        for i in 0..<leads { csv += "+1212555\(String(format: "%04d", 200 + i)),Lead\(i)\n" }
        #expect(try Outdial.run(["--db", db, "leads", "import", try dir.write("leads.csv", csv), "--rejects", dir.path("r.csv")]).status == 0)
        #expect(try Outdial.run(["--db", db, "numbers", "import", try dir.write("numbers.csv", "number\n+12125550001\n")]).status == 0)
        // Calls end a second after they are created.
        let created = Mutex<[String: Date]>([:])
        let stub = try await StubServer.start { request in
            if request.uri == "/v2/create-phone-call" {
                let id = "r-" + ((try? JSONParser.parse(request.body))?[path: "metadata.outdial_call_id"]?.text ?? "0")
                created.withLock { $0[id] = Date() }
                return .json(#"{"call_id":"\#(id)"}"#, status: 201)
            }
            let id = request.uri.split(separator: "/").last.map(String.init) ?? ""
            guard let start = created.withLock({ $0[id] }), Date().timeIntervalSince(start) >= 1 else {
                return .json(#"{"call_id":"\#(id)","call_status":"ongoing"}"#)
            }
            return .json(
                #"{"call_id":"\#(id)","call_status":"ended","disconnection_reason":"user_hangup","start_timestamp":1,"end_timestamp":1001,"call_analysis":{"user_sentiment":"Neutral"}}"#
            )
        }
        let campaign = try dir.write(
            "both.yml",
            """
            version: 1
            name: run-and-serve
            calling_window: { days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00", compliance: none }
            connections:
              main: { provider: retell, api_key_env: TEST_RETELL_KEY, agent: agent_1, base_url: "\(stub.baseURL)", poll_interval: 1s, timeout: 5s }
            numbers: { selection: { cooldown: 0s, daily_cap: 100000 } }
            limits: { concurrent_calls: 20, calls_per_second: 10, max_attempts: 1 }
            workflows:
              - name: outbound
                trigger: lead_added
                steps: [ { place_call: { connection: main } } ]
              - name: post-call
                trigger: { call_completed: {} }
                steps: [ { add_tag: called } ]
              - name: replied
                trigger: { message_received: {} }
                steps: [ { add_tag: replied } ]
            """)
        let serveLog = LogSink()
        let (serve, port) = try Self.startServe(db: db, campaign: campaign, log: serveLog)
        #expect(port > 0)
        // The run stops by itself 10 s after the messages stop coming.
        let until = Instant(seconds: Int64(Date().timeIntervalSince1970) + 40).iso8601
        let run = Task.detached {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<ProcessResult, any Error>) in
                DispatchQueue.global().async {
                    done.resume(
                        with: Result { try Outdial.run(["--db", db, "run", campaign, "--until", until, "--json"], environment: ["TEST_RETELL_KEY": "key"]) })
                }
            }
        }
        let tally = Tally()
        let stopAt = Date().addingTimeInterval(30)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var i = worker
                    while Date() < stopAt {
                        let phone = "+1212555\(String(format: "%04d", 200 + i % leads))"
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/outdial")
                        request.method = .POST
                        request.body = .bytes(
                            ByteBuffer(
                                string:
                                    #"{"type":"message_received","channel":"sms","from":"\#(phone)","to":"+12125550001","text":"hello","provider_message_id":"both-\#(i)"}"#
                            ))
                        do {
                            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                            let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
                            if (200..<300).contains(Int(response.status.code)) {
                                tally.acknowledged.withLock { _ = $0.insert(i) }
                            } else {
                                tally.refused.withLock { $0.append("\(response.status.code) \(body)") }
                            }
                        } catch {
                            tally.refused.withLock { $0.append("\(error)") }
                        }
                        i += 4
                    }
                }
            }
            try await group.waitForAll()
        }
        let result = try await run.value
        kill(serve.processIdentifier, SIGINT)
        serve.waitUntilExit()
        await stub.stop()

        #expect(result.status == 0, "\(result.stderr)")
        #expect(serve.terminationStatus == 0)
        let refused = tally.refused.withLock { $0 }
        #expect(refused.isEmpty, "\(refused.count) requests were not acknowledged, first: \(refused.first ?? "")")
        let acknowledged = tally.acknowledged.withLock { $0 }
        #expect(acknowledged.count >= 200)
        let database = try Database(path: db)
        // Nothing lost, nothing doubled.
        let kept = try database.query("SELECT json_extract(payload, '$.provider_message_id') FROM events WHERE kind = 'message_received'") {
            $0.string(0) ?? ""
        }
        #expect(kept.count == acknowledged.count)
        #expect(Set(kept) == Set(acknowledged.map { "both-\($0)" }))
        // Each message started its workflow, and the running run carried it out.
        let replied = try database.query("SELECT status, count(*) FROM workflow_runs WHERE workflow = 'replied' GROUP BY 1 ORDER BY 1") {
            "\($0.string(0) ?? "-") \($0.int64(1))"
        }
        #expect(replied == ["done \(acknowledged.count)"])
        let written = Set(acknowledged.map { $0 % leads })
        #expect(try database.scalar("SELECT count(*) FROM leads WHERE tags LIKE '%\"replied\"%'") == Int64(written.count))
        // The run went on dialling meanwhile, each call's outcome and post-call run recorded.
        let completed = try database.scalar("SELECT count(*) FROM calls WHERE status = 'completed'") ?? 0
        #expect(completed >= 100)
        #expect(try database.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == completed)
        let logs = (result.stderr + serveLog.text.withLock { $0 }).lowercased()
        #expect(!logs.contains("locked") && !logs.contains("busy"), "\(logs.suffix(2000))")
    }
}
