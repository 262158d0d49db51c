import Foundation
import Synchronization
import TestSupport
import Testing

@testable import OutdialKit

/// A connection with outside effects whose answers come from a script: an
/// outcome after some seconds, a refusal, or an ambiguous failure. It keeps
/// every request it was asked.
final class ScriptedConnection: Connection {
    enum Answer: Sendable {
        case outcome(CallOutcome, seconds: Int64)
        /// The same outcome event twice in one answer (a provider that repeats itself).
        case repeated(CallOutcome)
        case refuse(String)
        case ambiguous(String)
    }

    let name: String
    var provider: ProviderKind { .http }
    var hasOutsideEffects: Bool { true }
    let script: @Sendable (CallRequest, Int) -> Answer
    private let asked = Mutex<[CallRequest]>([])
    var requests: [CallRequest] { asked.withLock { $0 } }

    init(name: String = "main", script: @escaping @Sendable (_ request: CallRequest, _ timesAsked: Int) -> Answer) {
        self.name = name
        self.script = script
    }

    func place(_ request: CallRequest) async -> Placement {
        let asked = self.asked.withLock { requests in
            defer { requests.append(request) }
            return requests.filter { $0.callID == request.callID }.count
        }
        func event(_ outcome: CallOutcome, _ seconds: Int64) -> CallEvent {
            let report = CallReport(
                status: outcome == .failed ? .failed : .completed, outcome: outcome, disconnectionReason: "scripted", startedAt: request.dialAt * 1000,
                endedAt: (request.dialAt + seconds) * 1000, durationMs: seconds * 1000, sentiment: outcome == .answered ? .positive : nil,
                userSpoke: outcome == .answered, summary: "scripted \(outcome.rawValue)")
            return CallEvent(call: .callID(request.callID), providerCallID: "p-\(request.callID)", report: report, raw: "{\"scripted\":true}")
        }
        switch script(request, asked) {
        case .outcome(let outcome, let seconds): return .accepted(providerCallID: "p-\(request.callID)", events: [event(outcome, seconds)])
        case .repeated(let outcome): return .accepted(providerCallID: "p-\(request.callID)", events: [event(outcome, 30), event(outcome, 30)])
        case .refuse(let reason): return .refused(reason: reason)
        case .ambiguous(let reason): return .ambiguous(reason: reason)
        }
    }
}

/// The crash a test injects at a fault point.
struct InjectedCrash: Error {}

@Suite struct CampaignRunnerTests {
    static let monday = Instant(seconds: 1_795_438_800)  // 2026-11-23T13:00:00Z: 08:00 in New York, 07:00 in Chicago
    static var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")
    }

    /// A database with `leads` leads (New York, Chicago and Los Angeles numbers) and a three-number pool.
    static func database(_ dir: TemporaryDirectory, leads: Int = 12) throws -> Database {
        let db = try Store.open(dir.path("t.db"))
        let codes = ["212", "312", "213"]
        var csv = "phone,first_name\n"
        for i in 0..<leads { csv += "+1\(codes[i % 3])555\(String(format: "%04d", 100 + i)),Lead\(i)\n" }
        var options = LeadImportOptions()
        options.rejectsPath = dir.path("rejects.csv")
        _ = try LeadImporter(database: db).run(path: try dir.write("leads.csv", csv), options: options)
        let numbers = try dir.write("numbers.csv", "number,label\n+12125550001,ny\n+13125550001,chi\n+12135550001,la\n")
        _ = try NumberStore(database: db).importCSV(path: numbers)
        return db
    }

    /// A weekday 09:00-20:00 campaign dialling through `main`, whose post-call
    /// workflow notes the call, tags the lead and, after no answer, tries again in 4 hours.
    static func campaign(_ dir: TemporaryDirectory, provider: String = "simulated", extra: String = "") throws -> Campaign {
        try Campaign.load(
            path: try dir.write(
                "c.yml",
                """
                version: 1
                name: test
                calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-20:00", compliance: [us] }
                connections: { main: { provider: \(provider), seed: 5 }\(extra) }
                limits: { concurrent_calls: 4, calls_per_second: 1, max_attempts: 2, min_gap: 4h }
                workflows:
                  - name: outbound
                    trigger: lead_added
                    steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main } } ]
                  - name: post-call
                    trigger: { call_completed: {} }
                    steps:
                      - add_note: "{{call.summary}}"
                      - add_tag: called
                      - if: { field: call.outcome, is: no_answer }
                        then: [ { add_to_workflow: { workflow: outbound, delay: 4h } } ]
                """))
    }

    /// The example's leads and numbers in a new database in `dir` (the rejects file goes there too).
    static func exampleDatabase(_ dir: TemporaryDirectory) throws -> Database {
        let db = try Store.open(dir.path("e.db"))
        var options = LeadImportOptions()
        options.rejectsPath = dir.path("rejects.csv")
        _ = try LeadImporter(database: db).run(path: examples.appendingPathComponent("leads.csv").path, options: options)
        _ = try NumberStore(database: db).importCSV(path: examples.appendingPathComponent("numbers.csv").path)
        return db
    }

    static func options(batch: Int = 4096) -> RunOptions {
        var options = RunOptions()
        options.start = monday
        options.batchSize = batch
        return options
    }

    static func run(
        _ db: Database, _ campaign: Campaign, _ connection: ScriptedConnection? = nil, batch: Int = 4096,
        fault: @escaping (CampaignRunner.FaultPoint) throws -> Void = { _ in }
    ) async throws -> RunSummary {
        let connections = connection.map { ConnectionSet([$0]) }
        return try await CampaignRunner(database: db, campaign: campaign, options: options(batch: batch), connections: connections, fault: fault).run()
    }

    static func strings(_ db: Database, _ sql: String) throws -> [String] {
        try db.query(sql) { s in (0..<s.columnCount).map { s.string($0) ?? "-" }.joined(separator: "|") }
    }

    /// A campaign's name (up to 128 bytes) is kept once, in `campaigns`:
    /// the example's hundreds of calls, runs and enrolment events refer to it
    /// by id. Counted in the bytes of a vacuumed copy, where only live rows remain.
    @Test func theCampaignNameIsStoredOnceHoweverManyRowsRefer() async throws {
        let dir = try TemporaryDirectory()
        var campaign = try Campaign.load(path: Self.examples.appendingPathComponent("campaign.yml").path)
        campaign.name = "stored-once-" + String(repeating: "q", count: 116)
        let db = try Self.exampleDatabase(dir)
        let summary = try await CampaignRunner(database: db, campaign: campaign, options: Self.options()).run()
        #expect(summary.callsPlaced > 300)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs") ?? 0 > 300)
        try db.run("VACUUM INTO ?", [.text(dir.path("copy.db"))])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path("copy.db")))
        var copies = 0
        var from = bytes.startIndex
        while let found = bytes.range(of: Data(campaign.name.utf8), in: from..<bytes.endIndex) {
            copies += 1
            from = found.upperBound
        }
        // The campaigns row and its entry in the unique index on name.
        #expect(copies == 2)
        #expect(try ReportBuilder(database: db).build(campaign: campaign.name).calls == summary.callsPlaced)
    }

    @Test func anAmbiguousFailureBecomesUnknownAndIsNeverRequestedAgain() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir)
        let campaign = try Self.campaign(dir)
        let first = ScriptedConnection { request, _ in request.leadID == 1 ? .ambiguous("timed out after sending") : .outcome(.answered, seconds: 60) }
        let summary = try await Self.run(db, campaign, first)
        #expect(summary.unknown == 1)
        let unknown = try Self.strings(db, "SELECT call_id, lead_id FROM calls WHERE status = 'unknown'")
        #expect(unknown.count == 1 && unknown[0].hasSuffix("|1"))
        #expect(first.requests.filter { $0.leadID == 1 }.count == 1)
        // No post-call run for a call whose fate is unknown, and a later run never asks for it again.
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call' AND lead_id = 1") == 0)
        let second = ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }
        _ = try await Self.run(db, campaign, second)
        #expect(second.requests.isEmpty)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE lead_id = 1") == 1)
    }

    @Test func aCrashWhileCallsAreOnlyQueuedRedialsExactlyThoseOnResume() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir)
        let campaign = try Self.campaign(dir)
        let first = ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }
        await #expect(throws: InjectedCrash.self) {
            _ = try await Self.run(db, campaign, first) { if $0 == .afterIntentCommit { throw InjectedCrash() } }
        }
        #expect(first.requests.isEmpty)
        let queued = try Self.strings(db, "SELECT call_id FROM calls WHERE status = 'queued' ORDER BY call_id")
        #expect(!queued.isEmpty)
        let second = ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }
        let summary = try await Self.run(db, campaign, second)
        #expect(summary.recoveredUnknown == 0)
        // The calls that were queued are the first ones sent, each once; nothing is unknown.
        #expect(second.requests.prefix(queued.count).map { String($0.callID) } == queued)
        #expect(Set(second.requests.map(\.callID)).count == second.requests.count)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE status != 'completed'") == 0)
        #expect(try db.scalar("SELECT count(*) FROM calls") == 12)
    }

    @Test func aCrashAfterSendingAndBeforeTheAnswerMakesTheCallUnknown() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir)
        let campaign = try Self.campaign(dir)
        let first = ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }
        var sent = 0
        await #expect(throws: InjectedCrash.self) {
            _ = try await Self.run(db, campaign, first) { point in
                if point == .afterRequestSent {
                    sent += 1
                    if sent == 2 { throw InjectedCrash() }
                }
            }
        }
        #expect(first.requests.count == 2)
        let sentIDs = Set(first.requests.map(\.callID))
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE status = 'dialing'") == 2)
        let second = ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }
        let summary = try await Self.run(db, campaign, second)
        #expect(summary.recoveredUnknown == 2)
        #expect(sentIDs.isDisjoint(with: Set(second.requests.map(\.callID))))
        let unknown = try db.query("SELECT call_id FROM calls WHERE status = 'unknown'") { $0.int64(0) }
        #expect(Set(unknown) == sentIDs)
    }

    @Test func aRefusalBeforeSendingIsRetried() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        let connection = ScriptedConnection { request, asked in
            request.leadID == 2 && asked == 0 ? .refuse("connection refused") : .outcome(.answered, seconds: 30)
        }
        _ = try await Self.run(db, campaign, connection)
        let lead2 = connection.requests.filter { $0.leadID == 2 }
        #expect(lead2.count == 2 && lead2[0].callID == lead2[1].callID && lead2[0].idempotencyKey == lead2[1].idempotencyKey)
        #expect(try Self.strings(db, "SELECT status, outcome FROM calls WHERE lead_id = 2") == ["completed|answered"])
        // One that is refused every time ends failed, and its post-call workflow runs.
        let dir2 = try TemporaryDirectory()
        let db2 = try Self.database(dir2, leads: 3)
        let stubborn = ScriptedConnection { request, _ in request.leadID == 2 ? .refuse("403") : .outcome(.answered, seconds: 30) }
        _ = try await Self.run(db2, try Self.campaign(dir2), stubborn)
        #expect(stubborn.requests.filter { $0.leadID == 2 }.count == CampaignRunner.maximumRefusals)
        #expect(try Self.strings(db2, "SELECT status, outcome FROM calls WHERE lead_id = 2") == ["failed|failed"])
        #expect(try db2.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call' AND lead_id = 2") == 1)
    }

    @Test func anOutcomeDeliveredTwiceStartsItsPostCallWorkflowsOnce() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        let connection = ScriptedConnection { _, _ in .repeated(.answered) }
        let summary = try await Self.run(db, campaign, connection)
        #expect(summary.postCallRuns == 3)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 3)
        #expect(try db.scalar("SELECT count(*) FROM notes") == 3)
        // The same event recorded again from outside (a webhook retry) changes nothing.
        let recorder = try EventRecorder(database: db, campaign: campaign)
        let call = try #require(try CallStore(database: db).record(1))
        let again = CallEvent(call: .provider(.http, callID: try #require(call.providerCallID)), report: try #require(call.report), raw: "{}")
        #expect(try recorder.record(again, receivedAt: 0) == false)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 3)
        #expect(try db.scalar("SELECT count(*) FROM events WHERE kind = 'call_completed'") == 3)
    }

    @Test func anOutcomeAndItsPostCallEffectsCommitTogetherOrNotAtAll() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        let connection = ScriptedConnection { _, _ in .outcome(.answered, seconds: 30) }
        await #expect(throws: InjectedCrash.self) {
            _ = try await Self.run(db, campaign, connection) { if $0 == .beforeOutcomeCommit { throw InjectedCrash() } }
        }
        #expect(!connection.requests.isEmpty)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE outcome IS NOT NULL") == 0)
        #expect(try db.scalar("SELECT count(*) FROM events WHERE kind = 'call_completed'") == 0)
        #expect(try db.scalar("SELECT count(*) FROM notes") == 0)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == 0)
        #expect(try db.scalar("SELECT count(*) FROM leads WHERE tags LIKE '%called%'") == 0)
        // Without the fault, all of it lands.
        let dir2 = try TemporaryDirectory()
        let db2 = try Self.database(dir2, leads: 3)
        _ = try await Self.run(db2, try Self.campaign(dir2), ScriptedConnection { _, _ in .outcome(.answered, seconds: 30) })
        #expect(try db2.scalar("SELECT count(*) FROM notes") == 3)
        #expect(try db2.scalar("SELECT count(*) FROM leads WHERE tags LIKE '%called%'") == 3)
    }

    /// The example campaign, simulated, killed at fault points in turn and
    /// resumed on the same database to the end: every call it placed ended,
    /// none twice, none unknown (a simulated call is never ambiguous), each with
    /// exactly one post-call run, and the first calls up to the first crash are
    /// those of an uninterrupted run.
    @Test func aSimulatedRunKilledAtInjectedPointsAndResumedLosesAndRepeatsNothing() async throws {
        let campaign = try Campaign.load(path: Self.examples.appendingPathComponent("campaign.yml").path)
        let callsSQL = "SELECT lead_id, attempt, from_number, queued_at, status, outcome, ended_at FROM calls ORDER BY call_id"
        let whole = try TemporaryDirectory()
        let wholeDB = try Self.exampleDatabase(whole)
        _ = try await CampaignRunner(database: wholeDB, campaign: campaign, options: Self.options(batch: 64)).run()
        let expected = try Self.strings(wholeDB, callsSQL)
        #expect(expected.count > 300)

        let dir = try TemporaryDirectory()
        let db = try Self.exampleDatabase(dir)
        var crashes = 0
        var beforeFirstCrash: [String] = []
        for point in [CampaignRunner.FaultPoint.afterIntentCommit, .beforeOutcomeCommit, .afterIntentCommit, .beforeOutcomeCommit] {
            var seen = 0
            do {
                _ = try await CampaignRunner(database: db, campaign: campaign, options: Self.options(batch: 64)) { reached in
                    guard reached == point else { return }
                    seen += 1
                    if seen == 3 { throw InjectedCrash() }
                }.run()
            } catch is InjectedCrash {
                crashes += 1
                if crashes == 1 { beforeFirstCrash = try Self.strings(db, callsSQL) }
            }
        }
        #expect(crashes == 4)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE status = 'queued'") ?? 0 > 0)
        _ = try await CampaignRunner(database: db, campaign: campaign, options: Self.options(batch: 64)).run()
        // The calls committed before the first crash are the uninterrupted run's first calls (their outcomes were not yet recorded).
        let committed = beforeFirstCrash.map { $0.split(separator: "|").prefix(4).joined(separator: "|") }
        #expect(!committed.isEmpty && committed == expected.prefix(committed.count).map { $0.split(separator: "|").prefix(4).joined(separator: "|") })
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE status NOT IN ('completed', 'failed')") == 0)
        #expect(try db.scalar("SELECT count(*) FROM (SELECT 1 FROM calls GROUP BY lead_id, attempt HAVING count(*) > 1)") == 0)
        #expect(
            try db.scalar(
                "SELECT count(*) FROM calls c WHERE (SELECT count(*) FROM workflow_runs r JOIN events e ON e.id = r.event_id WHERE e.call_id = c.call_id AND r.workflow = 'post-call') != 1"
            ) == 0)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE status = 'waiting'") == 0)
        #expect(try db.query("PRAGMA foreign_key_check") { $0.int64(0) }.isEmpty)
        // Every lead the uninterrupted run called was called, and each lead's calls
        // are what its workflow asks for: a retry after every call nobody spoke on,
        // up to 3 attempts, numbered 1, 2, 3. (The dial times after a resume may
        // differ — waits for a local number are not kept across a crash, see
        // docs/architecture.md — and the simulator's outcomes depend on the hour.)
        let called = "SELECT DISTINCT lead_id FROM calls ORDER BY 1"
        #expect(try Self.strings(db, called) == Self.strings(wholeDB, called))
        let wrong = try Self.strings(
            db,
            """
            SELECT lead_id FROM calls c GROUP BY lead_id HAVING max(attempt) != count(*)
                OR sum(user_spoke = 1 AND attempt < (SELECT max(attempt) FROM calls d WHERE d.lead_id = c.lead_id)) > 0
                OR (max(attempt) < 3 AND (SELECT user_spoke FROM calls d WHERE d.lead_id = c.lead_id ORDER BY attempt DESC LIMIT 1) IS NOT 1)
            """)
        #expect(wrong.isEmpty, "\(wrong)")
    }

    /// The simulator answers at once through the protocol, so the runner holds
    /// each line exactly as long as its call lasts.
    @Test func theSimulatorAnswersAtOnceThroughTheConnectionProtocol() throws {
        let connection: any Connection = SimulatedConnection(name: "main", seed: 7)
        let request = CallRequest(
            callID: 9, leadID: 3, attempt: 1, from: "+12125550001", to: "+13125550002", agent: nil, variables: [:], dialAt: 1_795_442_400,
            leadTimeZone: "America/Chicago")
        guard case .accepted(let id, let events)? = connection.placeImmediately(request) else {
            Issue.record("no immediate answer")
            return
        }
        #expect(id == "sim-9" && events.count == 1 && events[0].report.endedAt > request.dialAt * 1000)
        #expect(connection.placeImmediately(request) == connection.placeImmediately(request))
    }

    /// Two seeded connections: each keeps its own seed, so the same campaign
    /// gives the same calls, to the byte, run after run.
    @Test func twoSeededConnectionsGiveByteIdenticalExportsRunAfterRun() async throws {
        var exports: Set<Data> = []
        for _ in 0..<10 {
            let dir = try TemporaryDirectory()
            let db = try Self.database(dir, leads: 30)
            let campaign = try Self.campaign(dir, provider: "simulated", extra: ", second: { provider: simulated, seed: 99 }")
            _ = try await CampaignRunner(database: db, campaign: campaign, options: Self.options()).run()
            let out = dir.path("calls.jsonl")
            let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            var options = ExportOptions()
            options.format = .jsonl
            _ = try Exporter(database: db).export(.calls, options: options, to: fd)
            close(fd)
            exports.insert(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(exports.count == 1)
        #expect(try #require(exports.first).count > 1000)
    }

    /// For the example campaign at an instant, `plan`'s number and tier for each
    /// lead is what the runner's dial gate decides for that lead's first call.
    @Test func planAgreesWithTheRunnersDialGateForEveryLeadOfTheExample() throws {
        let dir = try TemporaryDirectory()
        let db = try Self.exampleDatabase(dir)
        let campaign = try Campaign.load(path: Self.examples.appendingPathComponent("campaign.yml").path)
        let at = Instant(seconds: 1_795_456_800)  // Monday 2026-11-23T18:00:00Z
        var entries: [PlanEntry] = []
        _ = try CampaignPlanner(database: db, campaign: campaign).run(at: at) { entries.append($0) }
        // 36 numbers with a 10-minute cooldown: a run at that instant dials 36 leads at most before it must wait.
        #expect(entries.filter { $0.status == .ready }.count >= 30)
        let leads = try db.query("SELECT id FROM leads ORDER BY id") { $0.int64(0) }
        #expect(leads.count == entries.count)
        let reader = LeadReader(database: db)
        for entry in entries {
            // A fresh gate per lead, as the runner makes it, for the lead's first call with nothing else dialled.
            let gate = try DialGate(database: db, campaign: campaign, plan: .shared, mode: .run, at: at.seconds)
            let lead = try #require(try reader.lead(entry.leadID))
            let decision = gate.decide(DialLead(lead), at: at.seconds)
            switch decision {
            case .dial(let choice):
                // Plan takes the leads in turn, using each number as a run would: a lone
                // lead sees an unused pool, so a plan's lead is ready (maybe from a
                // lesser tier) or waits its turn at a busy number — never blocked.
                let waitsForANumber = [WaitReason.localNumber.rawValue, WaitReason.callerID.rawValue].contains(entry.code)
                #expect(entry.status == .ready || waitsForANumber, "lead \(entry.leadID)")
                if entry.leadID == leads.first { #expect(entry.number == choice.from && entry.tier == choice.tier) }
            case .wait(let until, let reason, _):
                #expect(entry.status != .ready && entry.code == reason.rawValue && entry.nextOpen == until, "lead \(entry.leadID)")
            case .stop(let code, _):
                #expect(entry.status == .blocked && entry.code == code.rawValue, "lead \(entry.leadID)")
            }
        }
    }

    /// A simulation stopped part-way and started again without `--start` (which
    /// `run` then sets to today) goes on from its own clock; given a later
    /// `--start`, it goes on from there.
    @Test func aResumedSimulationGoesOnFromItsOwnClockUnlessToldLater() async throws {
        let campaign = try Campaign.load(path: Self.examples.appendingPathComponent("campaign.yml").path)
        let monthOn = Instant(seconds: Self.monday.seconds + 30 * 86_400)
        for later in [false, true] {
            let dir = try TemporaryDirectory()
            let db = try Self.exampleDatabase(dir)
            var first = Self.options()
            first.startGiven = true
            first.maxCalls = 50
            let stopped = try await CampaignRunner(database: db, campaign: campaign, options: first).run()
            #expect(stopped.callsPlaced == 50)
            let saved = try #require(try db.text("SELECT value FROM campaign_state WHERE key = 'clock'").flatMap { Int64($0) })
            #expect(saved > Self.monday.seconds && saved < monthOn.seconds)
            var again = Self.options()
            again.start = monthOn
            again.startGiven = later
            let resumed = try await CampaignRunner(database: db, campaign: campaign, options: again).run()
            #expect(resumed.clockStart.seconds == (later ? monthOn.seconds : saved))
            #expect(resumed.callsPlaced > 0)
        }
    }

    /// A simulation's copy is not synced while it runs; the connection syncs again once `run` returns.
    @Test func aSimulationIsNotSyncedWhileItRuns() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.exampleDatabase(dir)
        let campaign = try Campaign.load(path: Self.examples.appendingPathComponent("campaign.yml").path)
        #expect(try db.scalar("PRAGMA synchronous") == 1)
        var during: Set<Int64> = []
        let summary = try await Self.run(db, campaign) { _ in during.insert(try db.scalar("PRAGMA synchronous") ?? -1) }
        #expect(summary.callsPlaced > 0)
        #expect(during == [0])
        #expect(try db.scalar("PRAGMA synchronous") == 1)
    }

    /// A gate that has learnt a lead decides it without reading it, as it would
    /// from the lead's row; a lead whose row changed since is told apart.
    @Test func aLearntLeadIsDecidedAsItsRowWouldBeAndAChangedOneIsToldApart() throws {
        let dir = try TemporaryDirectory()
        let db = try Self.exampleDatabase(dir)
        let campaign = try Campaign.load(path: Self.examples.appendingPathComponent("campaign.yml").path)
        let reader = LeadReader(database: db)
        var dials = 0
        var waits = 0
        for at in [Int64(1_795_456_800), 1_795_420_800] {  // 2026-11-23 18:00Z (open) and 08:00Z (closed)
            for id in try db.query("SELECT id FROM leads ORDER BY id") { $0.int64(0) } {
                let lead = DialLead(try #require(try reader.lead(id)))
                let fromRow = try DialGate(database: db, campaign: campaign, plan: .shared, mode: .run, at: at)
                let learnt = try DialGate(database: db, campaign: campaign, plan: .shared, mode: .run, at: at)
                #expect(learnt.decideKnown(id, at: at) == nil)
                learnt.learn(lead)
                let expected = fromRow.decide(lead, at: at)
                guard let known = learnt.decideKnown(id, at: at) else {
                    // Only a lead the gate stops is left to be read.
                    if case .stop = expected {} else { Issue.record("lead \(id) was not learnt: \(expected)") }
                    continue
                }
                #expect(known == expected, "lead \(id)")
                if case .dial = known { dials += 1 } else { waits += 1 }
                #expect(learnt.stillAsDecided(lead))
                var moved = lead
                moved.zip = "99501"
                var listed = lead
                listed.dnc = true
                var renumbered = lead
                renumbered.phone = "+12025550143"
                for changed in [moved, listed, renumbered] { #expect(!learnt.stillAsDecided(changed), "lead \(id)") }
            }
        }
        #expect(dials > 100 && waits > 100)
    }

    /// The runner skips foreign-key enforcement on its own writes; once `run`
    /// returns, the connection enforces it again.
    /// `plan` knows what the campaign has done: stopped part-way, every lead it
    /// calls ready is dialled by a run started at that instant with as many
    /// calls allowed, and no other; after the campaign has finished, no lead is
    /// ready and the leads it called are `done`.
    @Test func planCallsReadyExactlyTheLeadsARunWouldDialThen() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.exampleDatabase(dir)
        let campaign = try Campaign.load(path: Self.examples.appendingPathComponent("campaign.yml").path)
        let midway = try Instant(iso8601: "2026-11-23T18:00:00Z")
        var first = Self.options()
        first.until = midway
        _ = try await CampaignRunner(database: db, campaign: campaign, options: first).run()
        #expect(try db.scalar("SELECT count(*) FROM calls") ?? 0 > 100)
        func plan(at: Instant) throws -> [PlanEntry] {
            var entries: [PlanEntry] = []
            _ = try CampaignPlanner(database: db, campaign: campaign).run(at: at) { entries.append($0) }
            return entries
        }
        // Half an hour on, some of the runs that were waiting are due.
        let later = try Instant(iso8601: "2026-11-23T18:30:00Z")
        let entries = try plan(at: later)
        let ready = entries.filter { $0.status == .ready }.map(\.leadID)
        #expect(!ready.isEmpty)
        #expect(entries.contains { $0.status == .done } && entries.contains { $0.code == "workflow-wait" })
        let before = try db.scalar("SELECT max(call_id) FROM calls") ?? 0
        var second = Self.options()
        second.start = later
        second.startGiven = true
        second.maxCalls = ready.count
        _ = try await CampaignRunner(database: db, campaign: campaign, options: second).run()
        let dialled = try db.query("SELECT lead_id FROM calls WHERE call_id > ? ORDER BY lead_id", [.integer(before)]) { $0.int64(0) }
        #expect(dialled == ready.sorted())

        // Finished: nothing is ready, and every lead called is done.
        var rest = Self.options()
        rest.start = later
        rest.startGiven = true
        _ = try await CampaignRunner(database: db, campaign: campaign, options: rest).run()
        let after = try plan(at: try Instant(iso8601: "2026-11-26T18:00:00Z"))
        #expect(after.filter { $0.status == .ready }.isEmpty)
        let called = Set(try db.query("SELECT DISTINCT lead_id FROM calls") { $0.int64(0) })
        #expect(Set(after.filter { $0.status == .done }.map(\.leadID)) == called)
    }

    @Test func leadsWaitingForALineAreDialledInTurnAsTheLineFrees() async throws {
        // One line, a one-hour window: four 15-minute holds a zone a day, so 30
        // leads in three zones take three days and most wait for the line.
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 30)
        let campaign = try Campaign.load(
            path: try dir.write(
                "c.yml",
                """
                version: 1
                name: one-line
                calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-10:00", compliance: [us] }
                connections: { main: { provider: simulated } }
                limits: { concurrent_calls: 1, calls_per_second: 1, max_attempts: 1 }
                workflows:
                  - name: outbound
                    trigger: lead_added
                    steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main } } ]
                """))
        let connection = ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }
        // On a second database: stopped at `until` with leads still parked (it once spun there), then run to the end.
        let other = try TemporaryDirectory()
        let copy = try Self.database(other, leads: 30)
        var partial = Self.options()
        partial.until = Instant(seconds: Self.monday.seconds + 86_400)
        let first = try await CampaignRunner(database: copy, campaign: campaign, options: partial, connections: ConnectionSet([connection])).run()
        #expect(first.callsPlaced == 12 && first.waiting == 18)
        let rest = try await Self.run(copy, campaign, connection)
        #expect(first.callsPlaced + rest.callsPlaced == 30 && rest.waiting == 0)
        let summary = try await Self.run(db, campaign, connection)
        #expect(summary.callsPlaced == 30 && summary.waiting == 0)
        let calls = try db.query("SELECT lead_id, queued_at / 1000, lead_timezone FROM calls ORDER BY queued_at") {
            (lead: $0.int64(0), at: $0.int64(1), zone: $0.string(2) ?? "")
        }
        #expect(Set(calls.map(\.lead)).count == 30)
        // Each call in its lead's window, one line: a call a hold (15 minutes) after the last.
        for (previous, call) in zip(calls, calls.dropFirst()) { #expect(call.at - previous.at >= PendingDial.assumedLength) }
        for call in calls {
            let zone = TimeZone(identifier: String(call.zone.split(separator: " ")[0]))!
            let hour = Calendar(identifier: .gregorian).dateComponents(in: zone, from: Date(timeIntervalSince1970: TimeInterval(call.at))).hour
            #expect(hour == 9, "call to lead \(call.lead) at \(call.at) in \(call.zone)")
        }
        // Within a zone, leads are dialled in the order they came to wait (the
        // order of the file); each window is used from its opening, one call as each hold ends.
        for zone in Set(calls.map(\.zone)) {
            let own = calls.filter { $0.zone == zone }
            #expect(own.map(\.lead) == own.map(\.lead).sorted())
            for day in Set(own.map { $0.at / 86_400 }) {
                let times = own.filter { $0.at / 86_400 == day }.map(\.at)
                #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 == PendingDial.assumedLength })
                // A day that had leads left over used its whole window.
                if own.last!.at / 86_400 > day { #expect(times.count == 4) }
            }
        }
    }

    @Test func leadsWithAWrongTimezoneColumnAreCalledOnlyInTheirPhonesHours() async throws {
        // Austin numbers marked UTC (a CRM default) or Asia/Tokyo: gated on Austin's clock too.
        let dir = try TemporaryDirectory()
        let db = try Store.open(dir.path("t.db"))
        var csv = "phone,state,timezone\n"
        for i in 0..<40 { csv += "+1512555\(String(format: "%04d", 200 + i)),\(i % 2 == 0 ? "TX" : ""),\(i % 2 == 0 ? "UTC" : "Asia/Tokyo")\n" }
        var options = LeadImportOptions()
        options.rejectsPath = dir.path("rejects.csv")
        _ = try LeadImporter(database: db).run(path: try dir.write("leads.csv", csv), options: options)
        _ = try NumberStore(database: db).importCSV(path: try dir.write("numbers.csv", "number\n+15125550001\n+15125550002\n"))
        let campaign = try Campaign.load(
            path: try dir.write(
                "c.yml",
                """
                version: 1
                name: austin
                calling_window: { days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00", compliance: [us] }
                connections: { main: { provider: simulated, seed: 9 } }
                limits: { concurrent_calls: 2, calls_per_second: 1, max_attempts: 3, min_gap: 1h }
                workflows:
                  - name: outbound
                    trigger: lead_added
                    steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main } } ]
                  - name: post-call
                    trigger: { call_completed: {} }
                    steps: [ { add_to_workflow: { workflow: outbound, delay: 1h } } ]
                """))
        var run = Self.options()
        run.until = Instant(seconds: Self.monday.seconds + 3 * 86_400)
        _ = try await CampaignRunner(database: db, campaign: campaign, options: run).run()
        let times = try db.query("SELECT queued_at / 1000 FROM calls") { $0.int64(0) }
        #expect(times.count > 40)
        var austin = Calendar(identifier: .gregorian)
        austin.timeZone = TimeZone(identifier: "America/Chicago")!
        for t in times {
            let hour = austin.component(.hour, from: Date(timeIntervalSince1970: TimeInterval(t)))
            // The federal window: 08:00 to 21:00 where the phone is.
            #expect((8..<21).contains(hour), "a call at \(hour):00 in Austin")
        }
    }

    @Test func oneRunPerCampaignAStaleLeaseIsTakenOverAndOtherCampaignsRunBeside() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        let now = Int64(Date().timeIntervalSince1970)
        let host = ProcessInfo.processInfo.hostName
        func plant(_ heartbeat: Int64, pid: Int32 = 1, host: String = host) throws {
            try db.execute("INSERT OR IGNORE INTO campaigns (name, created_at) VALUES ('test', 0)")
            try db.run(
                """
                INSERT INTO campaign_state (campaign_id, key, value) VALUES ((SELECT id FROM campaigns WHERE name = 'test'), 'lease', ?)
                ON CONFLICT(campaign_id, key) DO UPDATE SET value = excluded.value
                """,
                [.text("\(pid) \(now - 300) \(heartbeat) \(host)")])
        }
        // pid 1 is always there: a live holder on this host, even when its heartbeat is old (a live run waiting for hours).
        for heartbeat in [now, now - 3600] {
            try plant(heartbeat)
            await #expect(throws: RunLeaseError.self) { _ = try await Self.run(db, campaign, ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }) }
        }
        try plant(now, host: "elsewhere")
        let connection = ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }
        await #expect(throws: RunLeaseError.self) { _ = try await Self.run(db, campaign, connection) }
        #expect(connection.requests.isEmpty)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs") == 0)
        // Another campaign on the same database is not held up by it.
        let other = try Campaign.load(
            path: try dir.write(
                "o.yml", try String(contentsOfFile: dir.path("c.yml"), encoding: .utf8).replacingOccurrences(of: "name: test", with: "name: other")))
        let beside = try await Self.run(db, other, ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) })
        #expect(beside.callsPlaced == 3 && beside.leaseTakenOver == nil)
        // A holder on another host silent for longer than the bound is taken to be gone:
        // its lease is taken over, and given back at the end.
        try plant(now - RunLease.staleAfter - 5, host: "elsewhere")
        let summary = try await Self.run(db, campaign, connection)
        #expect(summary.callsPlaced == 3)
        #expect(summary.leaseTakenOver?.hasPrefix("pid 1 on elsewhere") == true)
        // A holder of this host that is gone (killed) is taken over at once, heartbeat fresh or not.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try plant(now, pid: gone.processIdentifier)
        let again = try await Self.run(db, campaign, connection)
        #expect(again.leaseTakenOver?.hasPrefix("pid \(gone.processIdentifier) on \(host)") == true)
        #expect(try db.scalar("SELECT count(*) FROM campaign_state WHERE key = 'lease'") == 0)
    }

    @Test func leadsWithNoCallerIDWaitForTheOperatorAndAreCalledOnceNumbersCome() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 6)
        try db.execute("DELETE FROM numbers")
        let campaign = try Self.campaign(dir)
        let first = try await Self.run(db, campaign, ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) })
        // Not stopped: waiting, due at once, saying what would help.
        #expect(first.callsPlaced == 0 && first.waitingForNumbers == 6 && first.runsStopped.isEmpty)
        #expect(first.areaCodesWanted == [212: 2, 312: 2, 213: 2])
        #expect(first.text(campaign: "test", wallMs: 0).contains("6 leads waiting: no caller ID can take them"))
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE workflow = 'outbound' AND status = 'waiting'") == 6)
        _ = try NumberStore(database: db).importCSV(path: try dir.write("n.csv", "number\n+12125550001\n+13125550001\n+12135550001\n"))
        let second = try await Self.run(db, campaign, ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) })
        #expect(second.callsPlaced == 6 && second.waitingForNumbers == 0)
    }

    @Test func withFallbackNoneALeadWaitsForALocalNumberAndGetsIt() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 3)
        try db.execute("DELETE FROM numbers WHERE number = '+12135550001'")
        _ = try Self.campaign(dir)
        let text = try String(contentsOfFile: dir.path("c.yml"), encoding: .utf8) + "\nnumbers: { selection: { fallback: none, nearby_km: 10 } }\n"
        let strict = try Campaign.load(path: try dir.write("strict.yml", text))
        let first = try await Self.run(db, strict, ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) })
        #expect(first.callsPlaced == 2 && first.waitingForNumbers == 1 && first.areaCodesWanted == [213: 1])
        _ = try NumberStore(database: db).importCSV(path: try dir.write("n.csv", "number\n+12135550009\n"))
        let second = try await Self.run(db, strict, ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) })
        #expect(second.callsPlaced == 1)
        #expect(try Self.strings(db, "SELECT from_number FROM calls WHERE to_number LIKE '+1213%'") == ["+12135550009"])
    }

    /// Three Rhode Island leads, one 401 number and a Seattle one, a
    /// 10-minute cooldown: each lead waits its turn at the 401 number (ten
    /// minutes apart) rather than being shown Seattle; with `local_wait: 0`
    /// the waiting leads are called from Seattle at once.
    @Test func leadsWaitTheirTurnAtALocalNumberCoolingDownRatherThanTakeADistantOne() async throws {
        let dir = try TemporaryDirectory()
        _ = try Self.campaign(dir)
        let base = try String(contentsOfFile: dir.path("c.yml"), encoding: .utf8)
        func calls(localWait: String) async throws -> [String] {
            let db = try Store.open(dir.path("\(localWait).db"))
            var options = LeadImportOptions()
            options.rejectsPath = dir.path("rejects.csv")
            let leads = "phone\n+14015550101\n+14015550102\n+14015550103\n"
            _ = try LeadImporter(database: db).run(path: try dir.write("leads.csv", leads), options: options)
            _ = try NumberStore(database: db).importCSV(path: try dir.write("numbers.csv", "number\n+14015550001\n+12065550001\n"))
            let text = base + "\nnumbers: { selection: { cooldown: 10m, local_wait: \(localWait) } }\n"
            let campaign = try Campaign.load(path: try dir.write("local.yml", text))
            _ = try await Self.run(db, campaign, ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) })
            return try Self.strings(db, "SELECT from_number, (queued_at / 1000 - \(Self.monday.seconds)) / 60 FROM calls ORDER BY queued_at")
        }
        // 09:00 in Rhode Island is 14:00Z, 60 minutes after the run's start.
        #expect(try await calls(localWait: "15m") == ["+14015550001|60", "+14015550001|70", "+14015550001|80"])
        let impatient = try await calls(localWait: "0s")
        #expect(impatient.count == 3)
        #expect(impatient.filter { $0.hasPrefix("+12065550001|60") }.count == 1)
    }

    /// A run waiting at its `place_call` keeps why in its row, for
    /// `runs list --reason`: no caller ID at all, a busy local number.
    @Test func aWaitingRunsRowSaysWhyItWaits() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 6)
        try db.execute("DELETE FROM numbers")
        let campaign = try Self.campaign(dir)
        _ = try await Self.run(db, campaign, ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) })
        let queries = RunQueries(database: db)
        let forOperator = try queries.list(campaign: "test", file: nil, status: .waiting, reason: "no-caller-id", workflow: nil, limit: 100)
        #expect(forOperator.count == 6)

        // One New York number with a 10-minute cooldown, stopped five minutes after
        // New York's window opens: the second New York lead waits its turn at it.
        let other = try TemporaryDirectory()
        let second = try Self.database(other, leads: 6)
        try second.execute("DELETE FROM numbers WHERE number != '+12125550001'")
        let text = try String(contentsOfFile: dir.path("c.yml"), encoding: .utf8) + "\nnumbers: { selection: { cooldown: 10m, fallback: none } }\n"
        let local = try Campaign.load(path: try other.write("local.yml", text))
        var options = Self.options()
        options.until = try Instant(iso8601: "2026-11-23T14:05:00Z")
        let connections = ConnectionSet([ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }])
        _ = try await CampaignRunner(database: second, campaign: local, options: options, connections: connections).run()
        let waits = try RunQueries(database: second).list(campaign: "test", file: nil, status: .waiting, reason: "local-number", workflow: nil, limit: 100)
        #expect(waits.map(\.phone) == ["+12125550103"])

    }

    /// A connection switched off (`enabled: false`) places nothing: its leads
    /// wait for the operator, `plan` says so too, and once the campaign file
    /// enables it the next run calls them.
    @Test func aDisabledConnectionsLeadsWaitUntilItIsEnabled() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 3)
        _ = try Self.campaign(dir)
        let text = try String(contentsOfFile: dir.path("c.yml"), encoding: .utf8)
        let off = try Campaign.load(path: try dir.write("off.yml", text.replacingOccurrences(of: "seed: 5 }", with: "seed: 5, enabled: false }")))
        #expect(off.connections["main"]?.enabled == false)
        #expect(CampaignLint.connectionFindings(off, environment: [:], pool: nil).contains { $0.message.contains("'main' is disabled") })
        let first = try await Self.run(db, off, nil)
        #expect(first.callsPlaced == 0 && first.waitingForConnection == 3 && first.runsStopped.isEmpty)
        #expect(first.text(campaign: "test", wallMs: 0).contains("3 leads waiting: their connection ('main') is disabled"))
        let waiting = try RunQueries(database: db).list(
            campaign: "test", file: nil, status: .waiting, reason: "connection-disabled", workflow: nil, limit: 10)
        #expect(waiting.count == 3)
        // 17:00Z: every lead's window is open; plan agrees with the run.
        var entries: [PlanEntry] = []
        _ = try CampaignPlanner(database: db, campaign: off).run(at: Instant(seconds: Self.monday.seconds + 4 * 3600)) { entries.append($0) }
        #expect(entries.map(\.code) == ["connection-disabled", "connection-disabled", "connection-disabled"])
        let on = try Campaign.load(path: try dir.write("on.yml", text))
        let second = try await Self.run(db, on, nil)
        #expect(second.waitingForConnection == 0 && second.waits[.connectionDisabled] == nil)
        // Each lead called (and the one that did not answer called again 4 hours later, as the campaign says).
        #expect(try db.scalar("SELECT count(DISTINCT lead_id) FROM calls") == 3)
        #expect(Int64(second.callsPlaced) == (try db.scalar("SELECT count(*) FROM calls")))
    }

    @Test func runsAnEarlierVersionStoppedForWantOfACallerIDWaitAgain() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 3)
        let campaign = try Self.campaign(dir)
        try db.execute("INSERT INTO campaigns (name, file, created_at) VALUES ('test', 'c.yml', 0)")
        for lead in 1...3 {
            try db.run(
                "INSERT INTO workflow_runs (campaign_id, workflow, lead_id, status, position, wake_at, context, error, created_at, updated_at) VALUES ((SELECT id FROM campaigns WHERE name = 'test'), 'outbound', ?, 'stopped', '[1]', NULL, '{}', 'no-caller-id: no number of the pool can be used; import or enable numbers and run again', 0, 0)",
                [.integer(Int64(lead))])
        }
        let summary = try await Self.run(db, campaign, ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) })
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE status = 'stopped'") == 0)
        #expect(summary.callsPlaced >= 3)
    }

    @Test func aNumberBlockedAsSpamRestsWithinTheSameRun() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 12)
        // One number: without the rest, the next lead would get it again ten minutes later.
        try db.execute("DELETE FROM numbers WHERE number != '+12125550001'")
        let campaign = try Self.campaign(dir)
        // The first call is blocked as spam; every other is answered.
        let connection = ScriptedConnection { request, _ in request.callID == 1 ? .outcome(.spamBlocked, seconds: 20) : .outcome(.answered, seconds: 60) }
        _ = try await Self.run(db, campaign, connection)
        let blocked = try db.query("SELECT from_number, ended_at / 1000 FROM calls WHERE outcome = 'spam_blocked'") { ($0.string(0) ?? "", $0.int64(1)) }
        #expect(blocked.count == 1)
        let (number, end) = blocked[0]
        let reused = try db.scalar(
            "SELECT count(*) FROM calls WHERE from_number = ? AND queued_at / 1000 >= ? AND queued_at / 1000 < ?",
            [.text(number), .integer(end), .integer(end + 86_400)])
        #expect(reused == 0)
        #expect(try db.scalar("SELECT count(*) FROM calls") == 12)
    }

    @Test func runLeavesForeignKeysOnAndTheDatabaseClean() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir)
        _ = try await Self.run(db, try Self.campaign(dir), ScriptedConnection { _, _ in .outcome(.noAnswer, seconds: 20) })
        #expect(try db.scalar("PRAGMA foreign_keys") == 1)
        #expect(try db.query("PRAGMA foreign_key_check") { $0.int64(0) }.isEmpty)
        // No answer, retried 4 hours later: two attempts each (max_attempts 2).
        #expect(try db.scalar("SELECT count(*) FROM calls") == 24)
        #expect(
            try db.scalar(
                "SELECT min(queued_at - prev) FROM (SELECT queued_at, lag(queued_at) OVER (PARTITION BY lead_id ORDER BY attempt) AS prev FROM calls) WHERE prev IS NOT NULL"
            ) ?? 0 >= 4 * 3600 * 1000)
    }

    /// A run that stops with leads waiting says when the next is due, and
    /// when the pool is the reason: one New York number with a cap of 2 calls
    /// a day takes two of three leads; the third waits for New York's midnight.
    @Test func aRunStoppedWithLeadsWaitingSaysWhenTheNextIsDueAndWhetherThePoolHoldsItBack() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(dir, leads: 3)
        try db.execute("DELETE FROM numbers WHERE number <> '+12125550001'; UPDATE numbers SET daily_cap = 2")
        var options = Self.options()
        options.until = Instant(seconds: Self.monday.seconds + 10 * 3600)
        let connections = ConnectionSet([ScriptedConnection { _, _ in .outcome(.answered, seconds: 60) }])
        let summary = try await CampaignRunner(database: db, campaign: try Self.campaign(dir), options: options, connections: connections).run()
        #expect(summary.callsPlaced == 2)
        #expect(summary.waiting == 1)
        // Midnight in New York, 05:00Z; the lead's own window opens later that morning.
        #expect(summary.poolFreeAt?.iso8601 == "2026-11-24T05:00:00Z")
        #expect(summary.nextDue.map { $0 >= summary.poolFreeAt! } == true)
        let text = summary.text(campaign: "test", wallMs: 0)
        #expect(text.contains("No number of the pool can call before 2026-11-24T05:00:00Z: each is at its daily cap"))
        #expect(summary.json(wallMs: 0)[path: "pool_free_at"]?.text == "2026-11-24T05:00:00Z")
    }
}
