import Foundation
import Synchronization
import TestSupport
import Testing

@testable import OutdialKit

/// A stub Retell on 127.0.0.1: create-phone-call answers at once with a call
/// id; get-call says `ongoing` for the first `ongoingPolls` polls of a call,
/// then `ended` with its analysis. `create` may answer otherwise first (a
/// 429, a 401, no answer at all).
final class StubRetell: Sendable {
    let server: StubServer
    private let state: Mutex<State>

    struct State {
        var creates = 0
        var polls: [String: Int] = [:]
    }

    var creates: Int { state.withLock { $0.creates } }
    var polls: Int { state.withLock { $0.polls.values.reduce(0, +) } }

    private init(server: StubServer, state: State) {
        self.server = server
        self.state = Mutex(state)
    }

    static func start(ongoingPolls: Int = 1, create: @escaping @Sendable (_ n: Int, _ request: StubRequest) -> StubResponse? = { _, _ in nil })
        async throws -> StubRetell
    {
        let box = Box()
        let server = try await StubServer.start { request in
            guard let stub = box.stub.withLock({ $0 }) else { return .respond(status: 503) }
            return stub.answer(request, ongoingPolls: ongoingPolls, create: create)
        }
        let stub = StubRetell(server: server, state: State())
        box.stub.withLock { $0 = stub }
        return stub
    }

    final class Box: Sendable { let stub = Mutex<StubRetell?>(nil) }

    private func answer(_ request: StubRequest, ongoingPolls: Int, create: (Int, StubRequest) -> StubResponse?) -> StubResponse {
        if request.uri == "/v2/create-phone-call" {
            let n = state.withLock {
                $0.creates += 1
                return $0.creates
            }
            if let special = create(n, request) { return special }
            let body = (try? JSONParser.parse(request.body)) ?? .null
            let id = body[path: "metadata.outdial_call_id"]?.text ?? "0"
            return .json(#"{"call_id":"r-\#(id)","call_status":"registered"}"#, status: 201)
        }
        guard request.uri.hasPrefix("/v2/get-call/") else { return .respond(status: 404) }
        let id = String(request.uri.dropFirst("/v2/get-call/".count))
        let asked = state.withLock {
            $0.polls[id, default: 0] += 1
            return $0.polls[id]!
        }
        if asked <= ongoingPolls { return .json(#"{"call_id":"\#(id)","call_status":"ongoing"}"#) }
        let number = Int(id.dropFirst(2)) ?? 0
        let reason = number % 3 == 0 ? "dial_no_answer" : "user_hangup"
        let start = 1_795_438_800_000 + Int64(number) * 1000
        // Retell analyses every call, connected or not.
        let analysis =
            reason == "user_hangup"
            ? #","call_analysis":{"call_summary":"Spoke with the lead.","user_sentiment":"Positive","call_successful":true,"in_voicemail":false}"#
            : #","call_analysis":{"user_sentiment":"Unknown","call_successful":false,"in_voicemail":false}"#
        return .json(
            #"{"call_id":"\#(id)","call_status":"ended","disconnection_reason":"\#(reason)","start_timestamp":\#(start),"end_timestamp":\#(start + 45_000)\#(analysis)}"#
        )
    }
}

@Suite struct LiveRunTests {
    static let key = "rk-live-test-5f1e2d3c4b5a"

    static func campaign(_ dir: TemporaryDirectory, base: String, limits: String = "concurrent_calls: 4, calls_per_second: 2") throws -> Campaign {
        try Campaign.load(
            path: try dir.write(
                "live.yml",
                """
                version: 1
                name: live
                calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-20:00", compliance: [us] }
                connections: { main: { provider: retell, api_key_env: TEST_RETELL_KEY, agent: agent_1, base_url: "\(base)", poll_interval: 5s, timeout: 2s } }
                limits: { \(limits), max_attempts: 2, min_gap: 4h }
                workflows:
                  - name: outbound
                    trigger: lead_added
                    steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main, variables: { offer: spring } } } ]
                  - name: post-call
                    trigger: { call_completed: {} }
                    steps:
                      - add_note: "{{call.summary}}"
                      - add_tag: called
                """))
    }

    static func connections(_ campaign: Campaign) throws -> ConnectionSet {
        try ConnectionSet.forCampaign(campaign) { name, spec in
            try ProviderConnection.make(name: name, spec: spec, environment: ["TEST_RETELL_KEY": key])
        }
    }

    static func run(_ db: Database, _ campaign: Campaign, start: Instant = CampaignRunnerTests.monday, until: Instant? = nil, drain: Int64 = 300)
        async throws -> RunSummary
    {
        var options = RunOptions()
        options.simulate = false
        options.start = start
        options.until = until
        options.drainSeconds = drain
        return try await CampaignRunner(
            database: db, campaign: campaign, options: options, connections: try connections(campaign), clock: SteppingClock(start: start)
        ).run()
    }

    /// Every text column of every table, for a secret that must not be there.
    static func databaseText(_ db: Database) throws -> String {
        var text = ""
        for table in try db.query("SELECT name FROM sqlite_master WHERE type = 'table'", [], { $0.string(0) ?? "" }) {
            text += try CampaignRunnerTests.strings(db, "SELECT * FROM \(table)").joined(separator: "\n")
        }
        return text
    }

    @Test func aLiveRunPlacesEachCallPollsItToItsEndAndRunsItsPostCallWorkflowOnce() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 12)
        let stub = try await StubRetell.start(ongoingPolls: 2)
        let campaign = try Self.campaign(dir, base: stub.server.baseURL)
        // 13:00Z: the New York leads' window (09:00) opens at once, Chicago's and LA's later.
        let summary = try await Self.run(db, campaign)
        await stub.server.stop()
        #expect(summary.callsPlaced == 12)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE outcome IS NULL") == 0)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE status = 'completed'") == 12)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE outcome = 'no_answer'") == 4)
        #expect(stub.creates == 12)
        #expect(summary.requests == 12)
        // Two polls say ongoing, the third ended: three per call, never more.
        #expect(stub.polls == 36)
        #expect(summary.polls == 36)
        // One post-call run per call.
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 12)
        #expect(
            try db.scalar("SELECT count(*) FROM (SELECT event_id FROM workflow_runs WHERE workflow = 'post-call' GROUP BY event_id HAVING count(*) > 1)")
                == 0)
        // Each call was sent no earlier than its dial time, in the lead's window.
        let answered = try CampaignRunnerTests.strings(db, "SELECT outcome, sentiment, summary FROM calls WHERE call_id = 1")
        #expect(answered == ["answered|positive|Spoke with the lead."])
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE dynamic_variables NOT LIKE '%\"offer\":\"spring\"%'") == 0)
        #expect(!(try Self.databaseText(db)).contains(Self.key))
        // The same ended call reported again (a webhook after the poll) starts nothing.
        let again = try EventRecorder(database: db, campaign: campaign).record(
            CallEvent(
                call: .provider(.retell, callID: "r-1"), providerCallID: "r-1",
                report: CallReport(status: .completed, outcome: .answered, disconnectionReason: "user_hangup", endedAt: 1), raw: "{}"),
            receivedAt: 2)
        #expect(!again)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 12)
    }

    /// A connection that notes the clock's time whenever a call is sent through it.
    final class Timed: Connection {
        let inner: ProviderConnection
        let clock: SteppingClock
        let sent = Mutex<[(at: Int64, dialAt: Int64, lead: Int64)]>([])
        var name: String { inner.name }
        var provider: ProviderKind { inner.provider }
        var hasOutsideEffects: Bool { true }
        var pollInterval: Int64 { inner.pollInterval }
        init(_ inner: ProviderConnection, clock: SteppingClock) {
            self.inner = inner
            self.clock = clock
        }
        func place(_ request: CallRequest) async -> Placement {
            let now = clock.now
            sent.withLock { $0.append((now, request.dialAt, request.leadID)) }
            return await inner.place(request)
        }
        func poll(_ call: PolledCall) async -> PollResult { await inner.poll(call) }
        func shutdown() async { await inner.shutdown() }
    }

    @Test func eachCallIsSentAtItsDialTimeAndInItsLeadsWindow() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 6)
        let stub = try await StubRetell.start(ongoingPolls: 1)
        let campaign = try Self.campaign(dir, base: stub.server.baseURL, limits: "concurrent_calls: 1, calls_per_second: 0.1")
        let clock = SteppingClock(start: CampaignRunnerTests.monday)
        let timed = Timed(try ProviderConnection.make(name: "main", spec: campaign.connections["main"]!, environment: ["TEST_RETELL_KEY": "k"]), clock: clock)
        var options = RunOptions()
        options.simulate = false
        options.start = CampaignRunnerTests.monday
        _ = try await CampaignRunner(database: db, campaign: campaign, options: options, connections: ConnectionSet([timed]), clock: clock).run()
        await stub.server.stop()
        let sent = timed.sent.withLock { $0 }
        #expect(sent.count == 6)
        for call in sent {
            // Never before its dial time, and at most a second after it.
            #expect(call.at >= call.dialAt)
            #expect(call.at <= call.dialAt + 1)
            // 09:00-20:00 in the lead's zone (New York, Chicago, Los Angeles by lead id).
            let zone = ["America/New_York", "America/Chicago", "America/Los_Angeles"][Int((call.lead - 1) % 3)]
            let hour = Calendar.hour(at: call.at, in: zone)
            #expect((9..<20).contains(hour), "lead \(call.lead) called at \(hour):00 local")
        }
        // One line: a call is sent only once the one before it has ended (one poll later).
        for (a, b) in zip(sent, sent.dropFirst()) { #expect(b.at - a.at >= 10) }
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE outcome IS NULL") == 0)
    }

    @Test func aProviderOutOfLinesSlowsDiallingWithoutFailingCalls() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 6)
        let stub = try await StubRetell.start(ongoingPolls: 0) { n, _ in
            n <= 3 ? .respond(status: 429, headers: [("Retry-After", "2")], body: #"{"message":"concurrency_limit_reached"}"#) : nil
        }
        let campaign = try Self.campaign(dir, base: stub.server.baseURL)
        let summary = try await Self.run(db, campaign)
        await stub.server.stop()
        #expect(summary.throttled == 3)
        #expect(stub.creates == summary.callsPlaced + 3)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE status = 'failed' OR status = 'unknown'") == 0)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE outcome IS NULL") == 0)
    }

    @Test func aRejectedKeyStopsTheRunAndTheCallIsSentByALaterRun() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let refusing = try await StubServer.start { _ in .respond(status: 401, body: #"{"error_message":"Invalid API Key"}"#) }
        let campaign = try Self.campaign(dir, base: refusing.baseURL)
        await #expect(throws: ConnectionError.unauthorized(connection: "main", reason: "HTTP 401: Invalid API Key")) {
            _ = try await Self.run(db, campaign)
        }
        await refusing.stop()
        #expect(refusing.requests.count == 1)
        #expect(try CampaignRunnerTests.strings(db, "SELECT status, outcome FROM calls") == ["queued|-"])
        #expect(!(try Self.databaseText(db)).contains(Self.key))
        // With the key fixed (a provider that takes it), the next run sends that call, then the others.
        let stub = try await StubRetell.start(ongoingPolls: 0)
        let summary = try await Self.run(db, try Self.campaign(dir, base: stub.server.baseURL))
        await stub.server.stop()
        #expect(stub.creates == 3)  // the call the first run left queued, and the two others
        #expect(summary.callsPlaced == 2)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE outcome IS NULL") == 0)
    }

    @Test func aTimeoutAfterTheRequestLeftMakesTheCallUnknownAndItIsNeverSentAgain() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let stub = try await StubRetell.start(ongoingPolls: 0) { _, request in
            let body = (try? JSONParser.parse(request.body)) ?? .null
            return body[path: "metadata.outdial_call_id"]?.text == "1" ? .hang : nil
        }
        let campaign = try Self.campaign(dir, base: stub.server.baseURL)
        let summary = try await Self.run(db, campaign)
        #expect(summary.unknown == 1)
        let unknown = try CampaignRunnerTests.strings(db, "SELECT status, error_message FROM calls WHERE call_id = 1")
        #expect(unknown.first?.hasPrefix("unknown|the request may have been placed (no answer within 2s)") == true)
        let second = try await Self.run(db, campaign)
        await stub.server.stop()
        #expect(second.callsPlaced == 0)
        let requestsForCall1 = stub.server.requests.filter { $0.uri == "/v2/create-phone-call" && $0.text.contains(#""outdial_call_id":"1""#) }
        #expect(requestsForCall1.count == 1)
    }

    @Test func callsLeftInFlightByAStoppedRunArePolledToTheirEndByTheNext() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        let stub = try await StubRetell.start(ongoingPolls: 3)
        let campaign = try Self.campaign(dir, base: stub.server.baseURL)
        // The New York lead's window is open at 14:00Z; the run stops at once and waits for nothing.
        let start = Instant(seconds: CampaignRunnerTests.monday.seconds + 3600)
        let first = try await Self.run(db, campaign, start: start, until: Instant(seconds: start.seconds + 1), drain: 0)
        #expect(first.callsPlaced == 1)
        #expect(first.inFlight == 1)
        #expect(try CampaignRunnerTests.strings(db, "SELECT status, provider_call_id FROM calls") == ["in_progress|r-1"])
        let second = try await Self.run(db, campaign, start: Instant(seconds: start.seconds + 2))
        await stub.server.stop()
        #expect(second.inFlight == 0)
        #expect(try CampaignRunnerTests.strings(db, "SELECT status, outcome FROM calls WHERE call_id = 1") == ["completed|answered"])
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == (try db.scalar("SELECT count(*) FROM calls")))
        #expect(Int64(stub.creates) == (try db.scalar("SELECT count(*) FROM calls")))
    }

    /// A stepping clock that, the first time it passes `at`, does what an
    /// operator in another terminal would (`numbers import`, `numbers disable`).
    final class OperatorClock: RunClock, Sendable {
        let inner: SteppingClock
        let at: Int64
        let action: @Sendable (Int64) -> Void
        private let done = Mutex(false)
        private let step: Int64?
        var now: Int64 { inner.now }
        var isVirtual: Bool { false }
        var idleStep: Int64 { step ?? inner.idleStep }
        init(start: Instant, at: Int64, idleStep: Int64? = nil, action: @escaping @Sendable (Int64) -> Void) {
            inner = SteppingClock(start: start)
            self.at = at
            step = idleStep
            self.action = action
        }
        func sleep(until t: Int64) async {
            await inner.sleep(until: t)
            let now = inner.now
            if now >= at,
                done.withLock({ was in
                    defer { was = true }; return !was
                })
            {
                action(now)
            }
        }
        func pause(until t: Int64) async { await sleep(until: t) }
    }

    /// A live run given `--until` watches the pool: a Los Angeles lead that no
    /// number may call (`fallback: none`, no California number) waits; a
    /// 213 number imported from another connection while the run goes on is
    /// picked up within seconds and the lead is called from it, in this run.
    @Test func aLiveRunPicksUpNumbersImportedWhileItRuns() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        try db.execute("DELETE FROM numbers WHERE number = '+12135550001'")
        _ = try CampaignRunnerTests.campaign(dir)
        let text = try String(contentsOfFile: dir.path("c.yml"), encoding: .utf8) + "\nnumbers: { selection: { fallback: none, nearby_km: 10 } }\n"
        let strict = try Campaign.load(path: try dir.write("strict.yml", text))
        let path = dir.path("t.db")
        let numbers = try dir.write("n.csv", "number\n+12135550009\n")
        // 18:00Z: Los Angeles' window (09:00 there) has been open an hour; the lead has waited since.
        let importAt = CampaignRunnerTests.monday.seconds + 5 * 3600
        let clock = OperatorClock(start: CampaignRunnerTests.monday, at: importAt) { now in
            let other = try! Database(path: path)
            _ = try! NumberStore(database: other).importCSV(path: numbers, now: Instant(seconds: now))
        }
        var options = RunOptions()
        options.simulate = false
        options.start = CampaignRunnerTests.monday
        options.until = Instant(seconds: CampaignRunnerTests.monday.seconds + 7 * 3600)
        let connection = ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }
        let summary = try await CampaignRunner(database: db, campaign: strict, options: options, connections: ConnectionSet([connection]), clock: clock)
            .run()
        #expect(summary.poolReloads == 1)
        #expect(summary.callsPlaced == 3 && summary.waitingForNumbers == 0)
        let la = try CampaignRunnerTests.strings(db, "SELECT from_number, queued_at / 1000 FROM calls WHERE to_number LIKE '+1213%'")
        #expect(la.count == 1)
        #expect(la.first?.hasPrefix("+12135550009|") == true)
        // Picked up at the first look after the import: within the check's interval.
        let calledAt = Int64(la.first?.split(separator: "|").last ?? "") ?? 0
        #expect(calledAt >= importAt && calledAt <= importAt + CampaignRunner.poolCheckInterval + 1)
        #expect(summary.waits[.pool] == 1)
    }

    /// A live run given `--until` goes on until then with nothing of its own
    /// due: a message another process records meanwhile (as `serve` or
    /// `ingest` does) starts a workflow run, which this run carries out.
    @Test func aLiveRunGivenUntilCarriesOutRunsOthersStartMeanwhile() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir, leads: 3)
        _ = try CampaignRunnerTests.campaign(dir)
        let text =
            try String(contentsOfFile: dir.path("c.yml"), encoding: .utf8)
            + "\n  - name: replied\n    trigger: { message_received: {} }\n    steps: [ { add_tag: replied } ]\n"
        let campaign = try Campaign.load(path: try dir.write("replies.yml", text))
        let path = dir.path("t.db")
        let phone = try #require(try db.text("SELECT phone FROM leads WHERE id = 1"))
        // 18:30Z: every lead was called by then (Los Angeles opens at 17:00Z), and nothing else is due.
        let messageAt = CampaignRunnerTests.monday.seconds + 5 * 3600 + 1800
        let clock = OperatorClock(start: CampaignRunnerTests.monday, at: messageAt, idleStep: 60) { now in
            let message = #"{"type":"message_received","channel":"sms","from":"\#(phone)","to":"+12125550001","text":"hi","provider_message_id":"m-live"}"#
            _ = try! EventIngester(database: try! Database(path: path), campaign: campaign).ingest(Array(message.utf8), receivedAt: Instant(seconds: now))
        }
        var options = RunOptions()
        options.simulate = false
        options.start = CampaignRunnerTests.monday
        let until = CampaignRunnerTests.monday.seconds + 6 * 3600
        options.until = Instant(seconds: until)
        let connection = ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }
        let summary = try await CampaignRunner(database: db, campaign: campaign, options: options, connections: ConnectionSet([connection]), clock: clock)
            .run()
        #expect(summary.callsPlaced == 3)
        #expect(try CampaignRunnerTests.strings(db, "SELECT status, lead_id FROM workflow_runs WHERE workflow = 'replied'") == ["done|1"])
        #expect(try db.text("SELECT tags FROM leads WHERE id = 1")?.contains("replied") == true)
        #expect(summary.clockEnd.seconds == until)
    }

    @Test func theExampleCampaignRunsLiveAgainstAStubProvider() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.exampleDatabase(dir)
        let stub = try await StubRetell.start(ongoingPolls: 0)
        let example = try Campaign.load(path: CampaignRunnerTests.examples.appendingPathComponent("campaign.yml").path)
        var options = RunOptions()
        options.simulate = false
        options.start = CampaignRunnerTests.monday
        var spec = Campaign.ConnectionSpec(provider: .retell)
        spec.baseURL = stub.server.baseURL
        spec.apiKeyEnv = "K"
        let connection = try ProviderConnection.make(name: "main", spec: spec, environment: ["K": "key"])
        let summary = try await CampaignRunner(
            database: db, campaign: example, options: options, connections: ConnectionSet([connection]),
            clock: SteppingClock(start: CampaignRunnerTests.monday)
        ).run()
        await stub.server.stop()
        let leads = try db.scalar("SELECT count(*) FROM leads WHERE dnc = 0") ?? 0
        #expect(summary.callsPlaced > 0)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE outcome IS NULL") == 0)
        #expect((try db.scalar("SELECT count(DISTINCT lead_id) FROM calls") ?? 0) >= leads - 40)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == (try db.scalar("SELECT count(*) FROM calls")))
        #expect(stub.creates == summary.callsPlaced)
    }
}

extension Calendar {
    /// The hour of the day at UTC second `t` in an IANA zone.
    static func hour(at t: Int64, in zone: String) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        return calendar.component(.hour, from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
}
