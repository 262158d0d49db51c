import Foundation
import TestSupport
import Testing

@testable import OutdialKit

/// `ingest`: each payload kind detected, each event kept once, the outcome
/// applied once, and bad lines reported while the rest goes in. The fixtures
/// follow the providers' documented shapes (Retell webhook `{event, call}`,
/// Vapi server messages `{message: {type, call, …}}`, Twilio's inbound SMS form).
@Suite struct EventIngestTests {
    static func campaign(_ dir: TemporaryDirectory) throws -> Campaign {
        try Campaign.load(
            path: try dir.write(
                "events.yml",
                """
                version: 1
                name: events
                calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-20:00", compliance: [us] }
                connections: { main: { provider: retell, api_key_env: K } }
                workflows:
                  - name: post-call
                    trigger: { call_completed: {} }
                    steps: [ { add_tag: called } ]
                  - name: replies
                    trigger: { message_received: { channels: [sms] } }
                    steps: [ { add_tag: replied } ]
                  - name: human
                    trigger: handoff_requested
                    steps: [ { add_tag: needs-human } ]
                """))
    }

    /// A placed Retell call to lead `lead`, with the provider's id `providerID`.
    static func call(_ db: Database, lead: Int64, providerID: String?) throws -> Int64 {
        let store = CallStore(database: db)
        try RunStore(database: db, campaign: "events").register(file: nil, at: 0)
        let phone = try #require(try db.text("SELECT phone FROM leads WHERE id = ?", [.integer(lead)]))
        let id = try store.insert(
            CallIntent(
                provider: .retell, connection: "main", agent: nil, leadID: lead, campaign: "events", workflowRunID: nil, attempt: 1, from: "+12125550001",
                to: phone, dialAt: 1_795_438_800, leadTimezone: "America/New_York", tier: nil))
        if let providerID { try store.markPlaced(id, providerCallID: providerID) }
        return id
    }

    static func retell(_ event: String, id: String, analysis: Bool) -> String {
        let analysed = analysis ? #","call_analysis":{"call_summary":"Wants a quote.","user_sentiment":"Positive","call_successful":true}"# : ""
        return
            #"{"event":"\#(event)","call":{"call_id":"\#(id)","call_status":"ended","disconnection_reason":"user_hangup","start_timestamp":1795438810000,"end_timestamp":1795438870000,"transcript":"Agent: Hi"\#(analysed)}}"#
    }

    static let vapiReport =
        #"{"message":{"type":"end-of-call-report","endedReason":"customer-did-not-answer","startedAt":"2026-11-23T13:00:05Z","endedAt":"2026-11-23T13:00:35Z","artifact":{"transcript":""},"analysis":{"summary":"No answer."},"call":{"id":"v-1"}}}"#

    @Test func everyPayloadKindIsDetected() {
        func kind(_ text: String) -> String {
            switch EventDecoder.decode(text: text, receivedAt: 5) {
            case .call(let u): return "call \(u.provider.rawValue) \(u.kind) \(u.complete ? "complete" : "partial") \(u.report.outcome.rawValue)"
            case .message(let m): return "message \(m.channel) \(m.from) \(m.text)"
            case .handoff(let h): return "handoff \(h.from) \(h.reason)"
            case .ignored(let k): return "ignored \(k)"
            case .invalid(let r): return "invalid \(r)"
            }
        }
        #expect(kind(Self.retell("call_ended", id: "r", analysis: false)) == "call retell call_ended partial answered")
        #expect(kind(Self.retell("call_analyzed", id: "r", analysis: true)) == "call retell call_analyzed complete answered")
        #expect(kind(#"{"event":"call_started","call":{"call_id":"r"}}"#) == "ignored retell call_started")
        #expect(kind(Self.vapiReport) == "call vapi end-of-call-report complete no_answer")
        #expect(
            kind(#"{"message":{"type":"status-update","status":"ended","endedReason":"customer-busy","call":{"id":"v-2"}}}"#)
                == "call vapi status-update partial busy")
        #expect(kind(#"{"message":{"type":"status-update","status":"ringing","call":{"id":"v-2"}}}"#) == "ignored vapi status-update ringing")
        #expect(kind(#"{"message":{"type":"transcript","call":{"id":"v-2"}}}"#) == "ignored vapi transcript")
        #expect(
            kind("ToCountry=US&Body=Call+me+tomorrow%21&From=%2B13035550123&To=%2B14155550101&MessageSid=SM123&NumMedia=0")
                == "message sms +13035550123 Call me tomorrow!")
        #expect(kind(#"{"MessageSid":"SM9","From":"whatsapp:+13035550123","To":"whatsapp:+14155550101","Body":"hi"}"#) == "message whatsapp +13035550123 hi")
        #expect(
            kind(#"{"type":"message_received","channel":"sms","from":"+13035550123","to":"+14155550101","text":"yes","provider_message_id":"m1"}"#)
                == "message sms +13035550123 yes")
        #expect(kind(#"{"type":"handoff_requested","from":"+13035550123","reason":"wants a person"}"#) == "handoff +13035550123 wants a person")
        #expect(
            kind(#"{"type":"call_completed","provider":"http","provider_call_id":"d-1","outcome":"voicemail"}"#)
                == "call http call_completed complete voicemail")
        #expect(
            kind(#"{"type":"call_completed","provider":"http","provider_call_id":"d-1","outcome":"maybe"}"#).hasPrefix("invalid call_completed needs outcome"))
        #expect(kind(#"{"hello":1}"#).hasPrefix("invalid not a Retell webhook"))
        #expect(kind(#"{"event":"call_ended","call":{"call_id":"r""#).hasPrefix("invalid not JSON"))
    }

    @Test func callEndedThenAnalysedFillsTheRecordAndStartsOnePostCallRunAndReingestingChangesNothing() throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        let id = try Self.call(db, lead: 1, providerID: "call_r1")
        let file = [Self.retell("call_started", id: "call_r1", analysis: false), Self.retell("call_ended", id: "call_r1", analysis: false)]
        // Ingested a minute after the call ended (13:01:10Z): its analysis may still come.
        let soon = Instant(seconds: 1_795_438_930)
        let first = try EventIngester(database: db, campaign: campaign).ingest(Array(file.joined(separator: "\n").utf8), receivedAt: soon)
        #expect(first.new == 1 && first.ignored == 1 && first.settled == 0)
        // Ended but not analysed: no outcome yet, no post-call run.
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE outcome IS NOT NULL") == 0)
        let analysed = Array(Self.retell("call_analyzed", id: "call_r1", analysis: true).utf8)
        let second = try EventIngester(database: db, campaign: campaign).ingest(analysed, receivedAt: soon)
        #expect(second.new == 1)
        #expect(
            try CampaignRunnerTests.strings(db, "SELECT status, outcome, sentiment, summary FROM calls WHERE call_id = \(id)") == [
                "completed|answered|positive|Wants a quote."
            ])
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 1)
        let events = try db.scalar("SELECT count(*) FROM events")
        // The same deliveries again: nothing changes.
        let again = try EventIngester(database: db, campaign: campaign).ingest(
            Array((file + [String(decoding: analysed, as: UTF8.self)]).joined(separator: "\n").utf8))
        #expect(again.duplicates == 2 && again.new == 0)
        #expect(try db.scalar("SELECT count(*) FROM events") == events)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 1)
    }

    @Test func aCallEndedWithoutItsAnalysisIsRecordedOnceTheWaitRunsOut() throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        _ = try Self.call(db, lead: 2, providerID: "call_r2")
        var ingester = EventIngester(database: db, campaign: campaign)
        let ended = Array(Self.retell("call_ended", id: "call_r2", analysis: false).utf8)
        // The call ended at 2026-11-23T13:01:10Z; a minute later its analysis may still come.
        #expect(try ingester.ingest(ended, receivedAt: Instant(seconds: 1_795_438_930)).settled == 0)
        ingester.analysisWait = 60
        #expect(try ingester.ingest([], receivedAt: Instant(seconds: 1_795_439_000)).settled == 1)
        #expect(try CampaignRunnerTests.strings(db, "SELECT outcome FROM calls WHERE provider_call_id = 'call_r2'") == ["answered"])
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 1)
        #expect(try ingester.ingest([], receivedAt: Instant(seconds: 1_795_439_100)).settled == 0)
    }

    @Test func anEventForAnUnknownCallIsKeptAndLinkedWhenTheCallIsKnown() throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        let summary = try EventIngester(database: db, campaign: campaign).ingest(Array(Self.retell("call_analyzed", id: "call_later", analysis: true).utf8))
        #expect(summary.unknownCall == 1 && summary.new == 0)
        #expect(try db.scalar("SELECT count(*) FROM events WHERE call_id IS NULL AND kind = 'retell.call_analyzed'") == 1)
        // A run learns that its call has this id: the kept event is linked, and its outcome handed back.
        let id = try Self.call(db, lead: 3, providerID: nil)
        let recorder = try EventRecorder(database: db, campaign: campaign)
        let event = try recorder.link(callID: id, provider: .retell, providerCallID: "call_later", leadID: 3, receivedAt: 0)
        #expect(event?.report.outcome == .answered)
        #expect(try db.scalar("SELECT call_id FROM events WHERE kind = 'retell.call_analyzed'") == id)
        #expect(try recorder.link(callID: id, provider: .retell, providerCallID: "call_later", leadID: 3, receivedAt: 0) == nil)
    }

    @Test func aTruncatedLineIsRejectedWithItsLineAndTheOthersGoIn() throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        _ = try Self.call(db, lead: 1, providerID: "call_a")
        let lead2 = try #require(try db.text("SELECT phone FROM leads WHERE id = 2"))
        let lines = [
            Self.retell("call_analyzed", id: "call_a", analysis: true),
            String(Self.retell("call_analyzed", id: "call_b", analysis: true).prefix(60)),
            "",
            "From=\(lead2.replacingOccurrences(of: "+", with: "%2B"))&To=%2B12125550001&Body=Stop+calling&MessageSid=SM1",
            #"{"type":"handoff_requested","from":"\#(lead2)","reason":"asked for a person","at":"2026-11-23T14:00:00Z"}"#,
            #"{"type":"message_received","from":"+19999999999","to":"+12125550001","text":"?","provider_message_id":"m9"}"#,
        ]
        let summary = try EventIngester(database: db, campaign: campaign).ingest(Array(lines.joined(separator: "\r\n").utf8))
        #expect(summary.events == 5)
        // A number nobody has writes first: it becomes a lead (source inbound), and its message is answered.
        #expect(summary.new == 4)
        #expect(summary.errors.map(\.line) == [2])
        #expect(summary.errors.first?.reason.hasPrefix("not JSON") == true)
        #expect(try db.text("SELECT source FROM leads WHERE phone = '+19999999999'") == "inbound")
        // "Stop calling" revokes consent: the number goes on the list and gets no reply; the new contact's message is answered.
        #expect(try db.scalar("SELECT count(*) FROM dnc WHERE pattern = '\(lead2)'") == 1)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'replies'") == 1)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'human'") == 1)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 1)
        // A JSON array of events is the same events.
        let array = try EventIngester(database: db, campaign: campaign).ingest(Array(("[" + Self.vapiReport + "]").utf8))
        #expect(array.events == 1 && array.unknownCall == 1)
    }

    /// A file is read a block at a time: lines cut by a block's end, CR LF
    /// ends, blank lines and a bad line far into the file come out as they do
    /// from the whole file at once (blocks of 61 bytes here, 8 MiB in use); a
    /// pretty-printed event, which is one value over many lines, is read whole.
    @Test func aFileIsReadABlockAtATimeWithTheSameResultAsWhole() throws {
        let dir = try TemporaryDirectory()
        var lines: [String] = []
        for i in 0..<300 { lines.append(i == 211 ? "{\"event\":\"call_ana" : Self.retell("call_analyzed", id: "call_s\(i)", analysis: true)) }
        lines.insert("", at: 40)
        let text = lines.joined(separator: "\r\n") + "\n"
        let file = try dir.write("events.jsonl", text)
        func ingest(streaming: Bool) throws -> (EventIngester.Summary, [String]) {
            let dbDir = try TemporaryDirectory()
            let db = try CampaignRunnerTests.database(dbDir, leads: 3)
            let ingester = EventIngester(database: db, campaign: try Self.campaign(dbDir))
            let at = Instant(seconds: 1_795_439_000)
            let summary = streaming ? try ingester.ingest(path: file, receivedAt: at, blockSize: 61) : try ingester.ingest(Array(text.utf8), receivedAt: at)
            return (summary, try db.query("SELECT dedupe_key FROM events ORDER BY dedupe_key") { $0.string(0) ?? "" })
        }
        let streamed = try ingest(streaming: true)
        let whole = try ingest(streaming: false)
        #expect(streamed.0 == whole.0)
        #expect(streamed.0.events == 300 && streamed.0.unknownCall == 299)
        // Line 213: the 212th event, after the blank line 41.
        #expect(streamed.0.errors.map(\.line) == [213])
        #expect(streamed.1 == whole.1 && streamed.1.count == 299)
        // One event over many lines is one value, read whole.
        let pretty = try dir.write("one.json", "{\n  \"event\": \"call_analyzed\",\n  \"call\": {\"call_id\": \"call_p\", \"call_status\": \"ended\"}\n}\n")
        let prettyDir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(prettyDir, leads: 3)
        let one = try EventIngester(database: db, campaign: try Self.campaign(prettyDir)).ingest(path: pretty, receivedAt: .now, blockSize: 16)
        #expect(one.events == 1 && one.unknownCall == 1 && one.errors.isEmpty)
    }

    /// From a pipe, what has come is recorded and committed while the pipe
    /// stays open: a relay that writes an event now and then sees each kept
    /// as it comes, not when the pipe closes.
    @Test func eventsFromAPipeAreKeptAsTheyCome() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        let pipe = Pipe()
        let path = dir.path("t.db")
        let reader = pipe.fileHandleForReading.fileDescriptor
        let ingest = Task.detached {
            try EventIngester(database: try Database(path: path), campaign: campaign).ingest(descriptor: reader, name: "-", receivedAt: .now)
        }
        pipe.fileHandleForWriting.write(Data((Self.retell("call_analyzed", id: "call_pipe1", analysis: true) + "\n").utf8))
        // The first event is in the database while the pipe is still open (a deadline, not a sleep, bounds the wait).
        let deadline = Date().addingTimeInterval(30)
        while try db.scalar("SELECT count(*) FROM events") == 0, Date() < deadline { await Task.yield() }
        #expect(try db.scalar("SELECT count(*) FROM events") == 1)
        pipe.fileHandleForWriting.write(Data((Self.retell("call_analyzed", id: "call_pipe2", analysis: true) + "\n").utf8))
        try pipe.fileHandleForWriting.close()
        let summary = try await ingest.value
        #expect(summary.events == 2 && summary.unknownCall == 2)
        #expect(try db.scalar("SELECT count(*) FROM events") == 2)
    }
}
