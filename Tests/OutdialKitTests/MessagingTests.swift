import Foundation
import Synchronization
import TestSupport
import Testing

@testable import OutdialKit

/// The messaging half: inbound messages, opt-outs, responders, the outbox sender.
@Suite(.serialized) struct MessagingTests {
    static let twilioSID = "AC0123456789abcdef0123456789abcdef"
    static let twilioToken = "tok_secret_5f4e3d2c1b"
    static let openAIKey = "sk-test-key-9z8y7x6w"

    /// Twelve leads (212, 312, 213) and a campaign that answers SMS with the
    /// rules responder, hands off on request, and dials through the simulator.
    static func setUp(
        _ dir: TemporaryDirectory, base: String = "http://127.0.0.1:9", extra: String = "", trigger: String = "{ message_received: { channels: [sms] } }"
    )
        throws -> (Database, Campaign)
    {
        let db = try CampaignRunnerTests.database(dir)
        let campaign = try Campaign.load(
            path: try dir.write(
                "m.yml",
                """
                version: 1
                name: msg
                calling_window: { days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00", compliance: none }
                connections:
                  main: { provider: simulated, seed: 5 }
                  sms: { provider: twilio, account_sid_env: TEST_TWILIO_SID, auth_token_env: TEST_TWILIO_TOKEN, from: "+14155550100", base_url: "\(base)" }
                responders:
                  support:
                    kind: rules
                    intents: [ { when: [price, "how much"], reply: "Systems start at $9,000." } ]
                    fallback: "Thanks, we'll be in touch."
                  ai: { kind: openai, base_url: "\(base)/v1", model: gpt-test, api_key_env: TEST_OPENAI_KEY, system_prompt: "Be brief.", history: 3, timeout: 1s }
                \(extra)
                workflows:
                  - name: outbound
                    trigger: lead_added
                    steps: [ { wait: 1h }, { place_call: { connection: main } } ]
                  - name: replies
                    trigger: \(trigger)
                    steps: [ { send_ai_message: { responder: support, reply_anytime: true } } ]
                  - name: handoff
                    trigger: handoff_requested
                    steps: [ { add_tag: needs-human }, { create_task: { title: "Reply to {{lead.phone}}" } } ]
                """))
        return (db, campaign)
    }

    static func options(until: Instant? = nil, maxCalls: Int? = nil) -> RunOptions {
        var options = CampaignRunnerTests.options()
        options.until = until
        options.maxCalls = maxCalls
        return options
    }

    /// The campaign with its `replies` workflow answering through `responder`.
    static func replying(_ campaign: Campaign, with responder: String, anytime: Bool = true) -> Campaign {
        var changed = campaign
        changed.workflows[1].steps = [.sendAIMessage(Step.AIMessage(responder: responder, via: nil, replyAnytime: anytime))]
        return changed
    }

    static var environment: [String: String] { ["TEST_TWILIO_SID": twilioSID, "TEST_TWILIO_TOKEN": twilioToken, "TEST_OPENAI_KEY": openAIKey] }

    static func sms(_ text: String, from: String = "+12125550100", id: String, channel: String = "sms") -> InboundEvent {
        InboundEvent(channel: channel, from: from, to: "+14155550100", text: text, providerMessageID: id, occurredAt: 1_795_438_800_000)
    }

    static func count(_ db: Database, _ sql: String) throws -> Int { Int(try db.scalar(sql) ?? -1) }

    // MARK: - Opt-outs

    @Test(arguments: [
        "STOP", "stop", " Stop. ", "STOP!!", "StopAll", "UNSUBSCRIBE", "cancel", "End", "quit", "REVOKE", "opt out", "Opt-Out", "OPTOUT",
        "wrong number", "Do not call!", "remove me", "Don't call", "Stop calling", "stop texting me",
    ])
    func anOptOutKeywordOrPhraseIsAnOptOut(text: String) {
        guard case .optOut = OptOutRules().verdict(text) else {
            Issue.record("'\(text)' did not opt out")
            return
        }
    }

    @Test(arguments: ["stopwatch", "please don't stop", "STOP by at 5", "I want to end my contract early", "unsubscribed?? no", "", "🙂"])
    func aKeywordInsideOtherTextIsNot(text: String) {
        #expect(OptOutRules().verdict(text) == .none)
    }

    @Test func startResubscribesOnlyWhenAllowed() {
        #expect(OptOutRules().verdict("START") == .none)
        #expect(OptOutRules(allowResubscribe: true).verdict("Unstop") == .resubscribe("unstop"))
    }

    @Test func anOptOutPutsTheNumberOnTheListStopsItsRunsAndConfirmsOnce() async throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try Self.setUp(dir)
        let options = CampaignRunnerTests.options()
        // Enrol every lead: each waits an hour before its call.
        _ = try await CampaignRunner(database: db, campaign: campaign, options: Self.options(until: options.start.adding(seconds: 60))).run()
        let lead = try #require(try db.scalar("SELECT id FROM leads WHERE phone = '+12125550100'"))
        #expect(try Self.count(db, "SELECT count(*) FROM workflow_runs WHERE lead_id = \(lead) AND status = 'waiting'") == 1)

        let recorder = try EventRecorder(database: db, campaign: campaign)
        #expect(try recorder.record(Self.sms("Stop!", id: "SM1"), receivedAt: 1_795_438_900_000) == .new)
        #expect(try db.text("SELECT source FROM dnc WHERE pattern = '+12125550100'")?.hasPrefix("opt-out: 'stop'") == true)
        #expect(try db.scalar("SELECT added_at FROM dnc WHERE pattern = '+12125550100'") == 1_795_438_800_000)
        #expect(try db.scalar("SELECT dnc FROM leads WHERE id = \(lead)") == 1)
        #expect(try db.text("SELECT opt_out FROM messages WHERE external_id = 'sms:SM1'") == "stop")
        #expect(try Self.count(db, "SELECT count(*) FROM workflow_runs WHERE lead_id = \(lead) AND status = 'waiting'") == 0)
        #expect(try db.text("SELECT error FROM workflow_runs WHERE lead_id = \(lead) AND workflow = 'outbound'")?.hasPrefix("opted-out") == true)
        // An opt-out starts no reply workflow; a second STOP gets no second confirmation.
        #expect(try Self.count(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'replies'") == 0)
        #expect(try recorder.record(Self.sms("STOP", id: "SM2"), receivedAt: 1_795_438_950_000) == .new)
        #expect(try Self.count(db, "SELECT count(*) FROM outbox WHERE purpose = 'opt_out_confirmation'") == 1)

        // The run goes on: every other lead is called, this one never.
        _ = try await CampaignRunner(database: db, campaign: campaign, options: options).run()
        #expect(try Self.count(db, "SELECT count(*) FROM calls WHERE lead_id = \(lead)") == 0)
        #expect(try Self.count(db, "SELECT count(DISTINCT lead_id) FROM calls") == 11)
        // A later message from the number gets no AI reply.
        #expect(try recorder.record(Self.sms("how much is it?", id: "SM3"), receivedAt: 1_795_439_000_000) == .new)
        #expect(try Self.count(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'replies'") == 0)
    }

    // MARK: - Inbound

    @Test func aDuplicateDeliveryChangesNothingAndAnUnknownNumberBecomesALead() throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try Self.setUp(dir)
        let recorder = try EventRecorder(database: db, campaign: campaign)
        #expect(try recorder.record(Self.sms("hello", id: "SM9"), receivedAt: 1) == .new)
        let before = try Self.count(db, "SELECT count(*) FROM workflow_runs") + 1000 * (try Self.count(db, "SELECT count(*) FROM messages"))
        #expect(try recorder.record(Self.sms("hello", id: "SM9"), receivedAt: 2) == .duplicate)
        #expect(try Self.count(db, "SELECT count(*) FROM workflow_runs") + 1000 * (try Self.count(db, "SELECT count(*) FROM messages")) == before)

        #expect(try recorder.record(Self.sms("is this solar?", from: "+13035550199", id: "SM10"), receivedAt: 3) == .new)
        #expect(try db.text("SELECT source FROM leads WHERE phone = '+13035550199'") == "inbound")
        #expect(try db.text("SELECT state FROM leads WHERE phone = '+13035550199'") == "CO")
        #expect(try Self.count(db, "SELECT count(*) FROM workflow_runs r JOIN leads l ON l.id = r.lead_id WHERE l.phone = '+13035550199'") == 1)
        // An email nobody has becomes a contact without a phone; its next message finds it.
        #expect(try recorder.record(Self.sms("hi", from: "Who@Example.com", id: "E1", channel: "email"), receivedAt: 4) == .new)
        #expect(try recorder.record(Self.sms("still there?", from: "who@example.com", id: "E2", channel: "email"), receivedAt: 5) == .new)
        #expect(try CampaignRunnerTests.strings(db, "SELECT phone, email, source FROM leads WHERE email IS NOT NULL") == ["-|Who@Example.com|inbound"])
        #expect(try Self.count(db, "SELECT count(*) FROM messages WHERE lead_id IS NULL") == 0)
        #expect(try Self.count(db, "SELECT count(DISTINCT lead_id) FROM messages WHERE channel = 'email'") == 1)
    }

    /// A handle nobody has (Instagram) becomes a lead with the handle in the
    /// channel's field and no phone: matched on its next message, answered on
    /// its channel, never called (its outbound run stops: no phone), and its
    /// STOP marks it and queues one confirmation, on the channel it wrote on.
    @Test func aHandleThatWritesFirstIsAContactWithoutAPhone() async throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try Self.setUp(dir, trigger: "{ message_received: { channels: [instagram] } }")
        let recorder = try EventRecorder(database: db, campaign: campaign)
        #expect(try recorder.record(Self.sms("how much?", from: "ann.solar", id: "IG1", channel: "instagram"), receivedAt: 1_795_438_800_000) == .new)
        #expect(try recorder.record(Self.sms("hello?", from: "ann.solar", id: "IG2", channel: "instagram"), receivedAt: 1_795_438_801_000) == .new)
        let rows = try CampaignRunnerTests.strings(db, "SELECT id, phone, json_extract(fields, '$.instagram'), source FROM leads WHERE phone IS NULL")
        #expect(rows.count == 1 && rows.first?.hasSuffix("|-|ann.solar|inbound") == true)
        let lead = Int64(rows.first?.split(separator: "|").first ?? "") ?? 0
        #expect(try Self.count(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'replies' AND lead_id = \(lead)") == 2)
        #expect(try LeadStore(database: db).find(id: lead)?.json["phone"] == .null)
        #expect(try LeadStore(database: db).find(id: lead)?.contact == "instagram: ann.solar")
        // A run answers it on instagram and never dials it.
        let summary = try await CampaignRunner(database: db, campaign: campaign, options: Self.options(maxCalls: 100)).run()
        #expect(try Self.count(db, "SELECT count(*) FROM calls WHERE lead_id = \(lead)") == 0)
        #expect(summary.runsStopped[.invalidNumber] == 1)
        #expect(
            try CampaignRunnerTests.strings(db, "SELECT error FROM workflow_runs WHERE workflow = 'outbound' AND lead_id = \(lead)") == [
                "invalid-number: the lead has no phone number (a contact who wrote by email or a handle)"
            ])
        #expect(try Self.count(db, "SELECT count(*) FROM outbox WHERE kind = 'message' AND channel = 'instagram' AND destination = 'ann.solar'") == 2)
        // STOP: marked, one confirmation on its channel, a second STOP changes nothing.
        _ = try recorder.record(Self.sms("STOP", from: "ann.solar", id: "IG3", channel: "instagram"), receivedAt: 1_795_438_900_000)
        _ = try recorder.record(Self.sms("stop", from: "ann.solar", id: "IG4", channel: "instagram"), receivedAt: 1_795_438_901_000)
        #expect(try db.scalar("SELECT dnc FROM leads WHERE id = \(lead)") == 1)
        #expect(
            try Self.count(db, "SELECT count(*) FROM outbox WHERE purpose = 'opt_out_confirmation' AND channel = 'instagram' AND destination = 'ann.solar'")
                == 1)
    }

    /// With an audience of lists, a known lead outside it gets no reply, and a
    /// new contact joins the campaign's list and is answered like its leads.
    @Test func aNewContactJoinsTheCampaignsListAndIsAnswered() throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try Self.setUp(dir, extra: "audience: { lists: [client-a] }")
        let recorder = try EventRecorder(database: db, campaign: campaign)
        func replies(_ phone: String) throws -> Int {
            try Self.count(db, "SELECT count(*) FROM workflow_runs r JOIN leads l ON l.id = r.lead_id WHERE r.workflow = 'replies' AND l.phone = '\(phone)'")
        }
        #expect(try recorder.record(Self.sms("hello", id: "K1"), receivedAt: 1) == .new)
        #expect(try replies("+12125550100") == 0)  // a lead of no list of this campaign's
        #expect(try recorder.record(Self.sms("is this solar?", from: "+13035550199", id: "N1"), receivedAt: 2) == .new)
        #expect(try replies("+13035550199") == 1)
        #expect(
            try db.text("SELECT l.name FROM list_members m JOIN lists l ON l.id = m.list_id JOIN leads d ON d.id = m.lead_id WHERE d.phone = '+13035550199'")
                == "client-a")
        #expect(try LeadLists(database: db).names(of: try #require(try db.scalar("SELECT id FROM leads WHERE phone = '+12125550100'"))).isEmpty)
    }

    @Test func theChannelFilterAndTheTagRulesDecideWhoGetsAReply() throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try Self.setUp(dir, trigger: "{ message_received: { channels: [sms, whatsapp], block_tags: [competitor] } }")
        let recorder = try EventRecorder(database: db, campaign: campaign)
        func replies() throws -> Int { try Self.count(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'replies'") }
        for (i, channel) in MessageFilter.channels.enumerated() {
            _ = try recorder.record(Self.sms("hi", id: "C\(i)", channel: channel), receivedAt: Int64(i))
        }
        #expect(try replies() == 2)  // sms and whatsapp only
        try db.run("UPDATE leads SET tags = '[\"competitor\"]' WHERE phone = '+12125550100'")
        _ = try recorder.record(Self.sms("hi", id: "B1"), receivedAt: 10)
        #expect(try replies() == 2)
        try db.run("UPDATE leads SET tags = '[\"needs-human\"]' WHERE phone = '+12125550100'")
        _ = try recorder.record(Self.sms("hi", id: "B2"), receivedAt: 11)
        #expect(try replies() == 2)
        try db.run("UPDATE leads SET tags = '[]' WHERE phone = '+12125550100'")
        _ = try recorder.record(Self.sms("hi", id: "B3"), receivedAt: 12)
        #expect(try replies() == 3)
    }

    @Test func checkRefusesAnUnknownChannelWithASuggestion() throws {
        let dir = try TemporaryDirectory()
        #expect {
            _ = try Self.setUp(dir, trigger: "{ message_received: { channels: [whatsap] } }")
        } throws: { "\($0)".contains("did you mean 'whatsapp'?") }
    }

    // MARK: - Responders

    @Test func theRulesResponderAnswersByIntentFallsBackAndHandsOff() {
        var spec = Campaign.ResponderSpec(name: "support")
        spec.intents = [(["price", "how much"], "From $9,000."), (["install"], "About two days.")]
        spec.fallback = "Thanks!"
        let rules = RulesResponder(spec)
        #expect(rules.answer("What's the PRICE?") == .reply("From $9,000."))
        #expect(rules.answer("how much would it be") == .reply("From $9,000."))
        #expect(rules.answer("how long to install") == .reply("About two days."))
        #expect(rules.answer("priceless") == .reply("Thanks!"))
        guard case .handoff = rules.answer("can I talk to a real person") else {
            Issue.record("no handoff for a person")
            return
        }
        spec.handoffWhenUnmatched = true
        guard case .handoff = RulesResponder(spec).answer("hello") else {
            Issue.record("no handoff when unmatched")
            return
        }
    }

    // MARK: - Sending

    @Test func theTwilioSenderPostsTheFormWithBasicAuthRetriesA429AndKeepsTheReply() async throws {
        let dir = try TemporaryDirectory()
        let calls = Mutex(0)
        let stub = try await StubServer.start { _ in
            let n = calls.withLock {
                $0 += 1; return $0
            }
            return n == 1 ? .respond(status: 429, body: #"{"message":"Too Many Requests"}"#) : .json(#"{"sid":"SMreply1","status":"queued"}"#, status: 201)
        }
        defer { Task { await stub.stop() } }
        let (db, campaign) = try Self.setUp(dir, base: stub.baseURL)
        _ = try EventRecorder(database: db, campaign: campaign).record(Self.sms("How much?", id: "SM1"), receivedAt: 1_795_438_800_000)
        _ = try await CampaignRunner(database: db, campaign: campaign, options: Self.options(until: CampaignRunnerTests.options().start.adding(seconds: 60)))
            .run()
        #expect(try Self.count(db, "SELECT count(*) FROM outbox WHERE kind = 'message' AND status = 'pending'") == 1)

        let sender = OutboxSender(database: db, campaign: campaign, environment: Self.environment)
        let first = try await sender.sendDue(at: 1_000)
        #expect(first.retrying == 1)
        #expect(try db.scalar("SELECT next_attempt_at FROM outbox WHERE kind = 'message'") == 31_000)
        #expect(try await sender.sendDue(at: 2_000).total == 0)  // not due yet
        let second = try await sender.sendDue(at: 31_000)
        #expect(second.sent == 1)
        await sender.shutdown()

        let request = try #require(stub.requests.last)
        #expect(request.uri == "/2010-04-01/Accounts/\(Self.twilioSID)/Messages.json")
        let basic = "Basic " + Data("\(Self.twilioSID):\(Self.twilioToken)".utf8).base64EncodedString()
        #expect(request.header("Authorization") == basic)
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        let form = Dictionary(uniqueKeysWithValues: EventDecoder.formPairs(request.text).map { ($0.0, $0.1) })
        #expect(form["To"] == "+12125550100" && form["From"] == "+14155550100")
        #expect(form["Body"] == "Systems start at $9,000.")
        #expect(try db.text("SELECT provider_message_id FROM outbox WHERE kind = 'message'") == "SMreply1")
        #expect(try db.text("SELECT body FROM messages WHERE direction = 'outbound'") == "Systems start at $9,000.")
        #expect(try Self.count(db, "SELECT count(*) FROM outbox WHERE body LIKE '%\(Self.twilioToken)%' OR error LIKE '%\(Self.twilioToken)%'") == 0)
    }

    /// The generic http messaging connection: the campaign's own request
    /// form, filled for each row (any channel Twilio does not carry too),
    /// the token from the environment, the provider's id read at
    /// `message_id_path`; a 429 puts the row back, the retry sends it once.
    @Test func theHTTPMessagingConnectionSendsAnyChannelInTheCampaignsOwnForm() async throws {
        let dir = try TemporaryDirectory()
        let token = "msg-token-3c2b1a"
        let calls = Mutex(0)
        let stub = try await StubServer.start { request in
            let n = calls.withLock {
                $0 += 1
                return $0
            }
            if n == 1 { return .respond(status: 429, headers: [("Retry-After", "60")], body: #"{"message":"slow down"}"#) }
            return .json(#"{"data":{"id":"m-\#(n)"}}"#, status: 201)
        }
        defer { Task { await stub.stop() } }
        let db = try CampaignRunnerTests.database(dir)
        let campaign = try Campaign.load(
            path: try dir.write(
                "h.yml",
                """
                version: 1
                name: msg
                calling_window: { days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00", compliance: none }
                connections:
                  main: { provider: simulated, seed: 5 }
                  chat:
                    provider: http
                    from: "+14155550100"
                    messages:
                      url: "\(stub.baseURL)/send/{{message.channel}}"
                      headers: { X-Token: "{{env.TEST_MSG_TOKEN}}" }
                      body: { to: "{{message.to}}", from: "{{message.from}}", text: "{{message.text}}", ref: "{{message.id}}", name: "{{lead.first_name}}" }
                      message_id_path: data.id
                workflows:
                  - name: outbound
                    trigger: lead_added
                    steps: [ { place_call: { connection: main } } ]
                """))
        #expect(campaign.connections["chat"]?.placesCalls == false && campaign.connections["chat"]?.sendsMessages == true)
        #expect(CampaignLint.connectionFindings(campaign, environment: [:], pool: nil).contains { $0.message.contains("reads TEST_MSG_TOKEN") })
        try db.run("INSERT INTO outbox (kind, lead_id, channel, destination, body, created_at) VALUES ('sms', 2, 'sms', '+13125550101', 'Hi there', 0)")
        try db.run(
            "INSERT INTO outbox (kind, lead_id, channel, destination, body, created_at) VALUES ('message', 1, 'instagram', 'ig:ann', '{\"responder\":\"rules\",\"in_reply_to\":\"price?\"}', 0)"
        )
        let sender = OutboxSender(database: db, campaign: campaign, environment: ["TEST_MSG_TOKEN": token])
        let first = try await sender.sendDue(at: 1_000)
        #expect(first.retrying == 1 && first.sent == 1)
        #expect(try await sender.sendDue(at: 61_000).sent == 1)
        #expect(try await sender.sendDue(at: 10_000_000).total == 0)
        await sender.shutdown()
        #expect(stub.requests.count == 3)
        let sms = try #require(stub.requests.first { $0.uri == "/send/sms" })
        #expect(sms.method == "POST" && sms.header("X-Token") == token && sms.header("Content-Type") == "application/json")
        let body = try JSONParser.parse(sms.body)
        #expect(body["to"]?.text == "+13125550101" && body["from"]?.text == "+14155550100" && body["text"]?.text == "Hi there")
        #expect(body["name"]?.text == "Lead1" && body["ref"]?.text == "1")
        #expect(stub.requests.filter { $0.uri == "/send/sms" }.count == 2)  // throttled once, then sent
        #expect(
            try CampaignRunnerTests.strings(db, "SELECT channel, status, provider_message_id FROM outbox ORDER BY id") == [
                "sms|sent|m-3", "instagram|sent|m-2",
            ])
        // The rules responder answered the instagram message; both replies joined their conversations.
        guard case .reply(let answer) = RulesResponder(.builtIn).answer("price?") else { Issue.record("the built-in rules hand 'price?' off"); return }
        #expect(
            try CampaignRunnerTests.strings(db, "SELECT channel, to_addr, body FROM messages WHERE direction = 'outbound' ORDER BY sent_at, id") == [
                "instagram|ig:ann|\(answer)", "sms|+13125550101|Hi there",
            ])
        #expect(try Self.count(db, "SELECT count(*) FROM outbox WHERE body LIKE '%\(token)%' OR error LIKE '%\(token)%'") == 0)
    }

    /// A message form is checked like a call's: its holes, and where it may appear.
    @Test(arguments: [
        ("chat: { provider: http, messages: { url: \"https://m.example.com/{{call.id}}\" } }", "is not a variable here: they start with env., lead., message."),
        ("chat: { provider: http, messages: { url: \"https://m.example.com\", body: { t: \"{{message.body}}\" } } }", "message has channel, from, id"),
        ("chat: { provider: retell, api_key_env: K, messages: { url: \"https://m.example.com\" } }", "'messages' belongs to provider http"),
        ("chat: { provider: http, messages: { method: POST } }", "'messages' needs a 'url'"),
    ])
    func aMessageFormIsCheckedWhenTheCampaignLoads(connection: String, message: String) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "bad.yml",
            """
            version: 1
            name: bad
            calling_window: { days: [mon], hours: "09:00-17:00", compliance: none }
            connections: { \(connection) }
            workflows: [ { name: outbound, trigger: lead_added, steps: [ { place_call: {} } ] } ]
            """)
        #expect {
            try Campaign.load(path: path)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func aSendWithNoAnswerAfterItLeftIsUnknownAndNeverSentAgain() async throws {
        let dir = try TemporaryDirectory()
        let stub = try await StubServer.start { _ in .hang }
        defer { Task { await stub.stop() } }
        let (db, campaign) = try Self.setUp(dir, base: stub.baseURL)
        try db.run("INSERT INTO outbox (kind, lead_id, channel, destination, body, created_at) VALUES ('sms', 2, 'sms', '+13125550101', 'hi', 0)")
        let sender = OutboxSender(database: db, campaign: campaign, environment: Self.environment)
        sender.timeout = 1
        #expect(try await sender.sendDue(at: 1).unknown == 1)
        #expect(try await sender.sendDue(at: 100_000_000).total == 0)
        await sender.shutdown()
        #expect(stub.requests.count == 1)
        #expect(try db.text("SELECT status FROM outbox") == "unknown")
    }

    @Test func nothingButTheConfirmationReachesANumberOnTheList() async throws {
        let dir = try TemporaryDirectory()
        let stub = try await StubServer.start { _ in .json(#"{"sid":"SMx"}"#, status: 201) }
        defer { Task { await stub.stop() } }
        let (db, campaign) = try Self.setUp(dir, base: stub.baseURL)
        try db.run("INSERT INTO outbox (kind, lead_id, channel, destination, body, created_at) VALUES ('sms', 1, 'sms', '+12125550100', 'offer', 0)")
        _ = try EventRecorder(database: db, campaign: campaign).record(Self.sms("STOP", id: "S1"), receivedAt: 5)
        let sender = OutboxSender(database: db, campaign: campaign, environment: Self.environment)
        let tally = try await sender.sendDue(at: 10)
        await sender.shutdown()
        #expect(tally.sent == 1 && tally.failed == 1)
        #expect(stub.requests.count == 1)
        #expect(EventDecoder.formPairs(stub.requests[0].text).first { $0.0 == "Body" }?.1 == OptOutRules.defaultConfirmation)
        #expect(try db.text("SELECT error FROM outbox WHERE body = 'offer'") == "the number is on the do-not-call list")
    }

    @Test func theOpenAIResponderSendsTheConversationAndAToolCallRunsTheHandoffOnce() async throws {
        let dir = try TemporaryDirectory()
        let stub = try await StubServer.start { request in
            if request.uri == "/v1/chat/completions" {
                return .json(
                    #"{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"request_human_handoff","arguments":"{\"reason\":\"wants a person\"}"}}]}}]}"#
                )
            }
            return .json(#"{"sid":"SMok"}"#, status: 201)
        }
        defer { Task { await stub.stop() } }
        let (db, campaign) = try Self.setUp(
            dir, base: stub.baseURL, trigger: "{ message_received: { channels: [sms] } }")
        let ai = Self.replying(campaign, with: "ai")
        let recorder = try EventRecorder(database: db, campaign: ai)
        let lead = try #require(try db.scalar("SELECT id FROM leads WHERE phone = '+12125550100'"))
        // Earlier turns of the conversation, oldest first.
        try db.run(
            "INSERT INTO messages (lead_id, direction, channel, from_addr, to_addr, body, external_id, sent_at) VALUES (\(lead), 'outbound', 'sms', '+14155550100', '+12125550100', 'Hi from Sunny Solar', 'sms:o1', 100)"
        )
        _ = try recorder.record(Self.sms("can a human call me", id: "SM1"), receivedAt: 1_795_438_800_000)
        let options = Self.options(until: CampaignRunnerTests.options().start.adding(seconds: 60))
        _ = try await CampaignRunner(database: db, campaign: ai, options: options).run()
        let sender = OutboxSender(database: db, campaign: ai, environment: Self.environment)
        let tally = try await sender.sendDue(at: 1_795_438_900_000)
        #expect(tally.handedOff == 1 && tally.sent == 0)
        // The handoff run is due after the first run's end: a run that stops before it leaves it waiting, and the next one runs it.
        _ = try await CampaignRunner(database: db, campaign: ai, options: options).run()
        #expect(try Self.count(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'handoff' AND status = 'waiting'") == 1)
        _ = try await CampaignRunner(database: db, campaign: ai, options: Self.options(until: Instant(seconds: 1_795_439_000))).run()
        #expect(try await sender.sendDue(at: 1_795_439_000_000).total == 0)
        await sender.shutdown()

        let request = try #require(stub.requests.first { $0.uri == "/v1/chat/completions" })
        #expect(request.header("Authorization") == "Bearer \(Self.openAIKey)")
        let body = try JSONParser.parse(request.body)
        #expect(body["model"]?.text == "gpt-test")
        guard case .array(let messages)? = body["messages"], case .array(let tools)? = body["tools"] else {
            Issue.record("no messages or tools")
            return
        }
        #expect(messages.map { $0["role"]?.text ?? "" } == ["system", "assistant", "user"])
        #expect(messages.map { $0["content"]?.text ?? "" } == ["Be brief.", "Hi from Sunny Solar", "can a human call me"])
        #expect(tools.first?[path: "function.name"]?.text == "request_human_handoff")
        // The handoff workflow ran once: the tag and one task; no reply went out.
        #expect(try Self.count(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'handoff' AND status = 'done'") == 1)
        #expect(try Self.count(db, "SELECT count(*) FROM tasks WHERE lead_id = \(lead)") == 1)
        #expect(try db.text("SELECT tags FROM leads WHERE id = \(lead)")?.contains("needs-human") == true)
        #expect(stub.requests.filter { $0.uri.contains("Messages.json") }.isEmpty)
        // The key is in no row.
        for (table, column) in [("outbox", "body"), ("outbox", "error"), ("messages", "body"), ("events", "payload"), ("workflow_runs", "error")] {
            #expect(try Self.count(db, "SELECT count(*) FROM \(table) WHERE \(column) LIKE '%\(Self.openAIKey)%'") == 0)
        }
    }

    @Test func anOpenAIResponderThatTimesOutHandsOffInsteadOfReplying() async throws {
        let dir = try TemporaryDirectory()
        let stub = try await StubServer.start { _ in .hang }
        defer { Task { await stub.stop() } }
        let (db, campaign) = try Self.setUp(dir, base: stub.baseURL)
        let ai = Self.replying(campaign, with: "ai")
        _ = try EventRecorder(database: db, campaign: ai).record(Self.sms("hello?", id: "SM1"), receivedAt: 1_795_438_800_000)
        _ = try await CampaignRunner(database: db, campaign: ai, options: Self.options(until: CampaignRunnerTests.options().start.adding(seconds: 60))).run()
        let sender = OutboxSender(database: db, campaign: ai, environment: Self.environment)
        let tally = try await sender.sendDue(at: 1_795_438_900_000)
        await sender.shutdown()
        #expect(tally.handedOff == 1 && tally.sent == 0)
        #expect(try db.text("SELECT error FROM outbox WHERE kind = 'message'")?.contains("did not answer") == true)
        #expect(try Self.count(db, "SELECT count(*) FROM events WHERE kind = 'handoff_requested'") == 1)
        #expect(stub.requests.count == 1)
    }

    @Test func aReplyToAMessageOutsideTheWindowWaitsForIt() async throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try Self.setUp(dir)
        var quiet = Self.replying(campaign, with: "support", anytime: false)
        quiet.callingWindow.hours = MinuteRange(start: 9 * 60, end: 17 * 60)
        // 03:00 in New York on Monday 2026-11-23.
        let night = Instant(seconds: 1_795_420_800)
        _ = try EventRecorder(database: db, campaign: quiet).record(
            InboundEvent(channel: "sms", from: "+12125550100", to: "+14155550100", text: "price?", providerMessageID: "N1", occurredAt: night.milliseconds),
            receivedAt: night.milliseconds)
        var options = CampaignRunnerTests.options()
        options.start = night
        options.until = night.adding(seconds: 3 * 3600)
        options.maxCalls = 0
        _ = try await CampaignRunner(database: db, campaign: quiet, options: options).run()
        #expect(try Self.count(db, "SELECT count(*) FROM outbox WHERE kind = 'message'") == 0)
        let wake = try #require(try db.scalar("SELECT wake_at FROM workflow_runs WHERE workflow = 'replies' AND status = 'waiting'"))
        #expect(wake <= Instant(seconds: 1_795_420_800 + 6 * 3600).milliseconds)  // by 09:00 New York (14:00Z)
    }
}
