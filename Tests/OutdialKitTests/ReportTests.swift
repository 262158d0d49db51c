import Foundation
import TestSupport
import Testing

@testable import OutdialKit

/// `outdial report`: every figure is the same as a count written in SQL (or
/// worked out with Foundation's calendar) over the same database.
@Suite struct ReportTests {
    /// The example campaign simulated from Monday 2026-11-23 13:00Z, as `make demo` does.
    static func simulatedExample(_ dir: TemporaryDirectory) async throws -> (Database, Campaign) {
        let campaign = try Campaign.load(path: CampaignRunnerTests.examples.appendingPathComponent("campaign.yml").path)
        let db = try CampaignRunnerTests.exampleDatabase(dir)
        _ = try await CampaignRunner(database: db, campaign: campaign, options: CampaignRunnerTests.options()).run()
        return (db, campaign)
    }

    static func count(_ db: Database, _ sql: String) throws -> Int { Int(try db.scalar(sql) ?? -1) }

    @Test func theFiguresAreTheSQLCountsOfTheSimulatedExample() async throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try await Self.simulatedExample(dir)
        let report = try ReportBuilder(database: db).build(campaign: campaign.name, file: campaign)

        #expect(report.simulated)
        #expect(report.calls == (try Self.count(db, "SELECT count(*) FROM calls")))
        #expect(report.calls > 300)
        let outcomes = try db.query("SELECT outcome, count(*) FROM calls WHERE outcome IS NOT NULL GROUP BY 1") { ($0.string(0) ?? "", Int($0.int64(1))) }
        #expect(Dictionary(uniqueKeysWithValues: report.outcomes.map { ($0.outcome, $0.count) }) == Dictionary(uniqueKeysWithValues: outcomes))

        #expect(report.funnel.audience == (try Self.count(db, "SELECT count(*) FROM leads WHERE dnc = 0")))
        #expect(report.funnel.enrolled == (try Self.count(db, "SELECT count(DISTINCT lead_id) FROM workflow_runs")))
        #expect(report.funnel.dialled == (try Self.count(db, "SELECT count(DISTINCT lead_id) FROM calls WHERE status <> 'queued'")))
        #expect(report.funnel.answered == (try Self.count(db, "SELECT count(DISTINCT lead_id) FROM calls WHERE outcome = 'answered'")))
        #expect(report.funnel.positive == (try Self.count(db, "SELECT count(DISTINCT lead_id) FROM calls WHERE sentiment = 'positive'")))
        #expect(report.funnel.successful == (try Self.count(db, "SELECT count(DISTINCT lead_id) FROM calls WHERE call_successful = 1")))
        #expect(report.funnel.answered > 0 && report.funnel.answered < report.funnel.dialled)

        let attempts = try db.query("SELECT n, count(*) FROM (SELECT max(attempt) AS n FROM calls GROUP BY lead_id) GROUP BY n") {
            (Int($0.int64(0)), Int($0.int64(1)))
        }
        #expect(report.attemptsPerLead.map { "\($0.attempts):\($0.leads)" } == attempts.map { "\($0.0):\($0.1)" })
        let tiers = try db.query("SELECT selection_tier, count(*), sum(outcome = 'answered') FROM calls WHERE outcome IS NOT NULL GROUP BY 1") {
            "\($0.string(0) ?? "none"):\($0.int64(1)):\($0.int64(2))"
        }
        #expect(Set(report.tiers.map { "\($0.tier):\($0.tally.calls):\($0.tally.answered)" }) == Set(tiers))
        let perNumber = try db.query("SELECT from_number, count(*), sum(outcome = 'spam_blocked') FROM calls GROUP BY 1") {
            "\($0.string(0) ?? ""):\($0.int64(1)):\($0.int64(2))"
        }
        #expect(Set(report.numbers.filter { $0.placed > 0 }.map { "\($0.number):\($0.placed):\($0.spamBlocked)" }) == Set(perNumber))
        #expect(report.cost.totalCents == (try db.scalar("SELECT coalesce(sum(cost_cents), 0) FROM calls")))

        // The lead's local hour, worked out with Foundation's calendar rather than the report's own arithmetic.
        var expected = [AnswerTally](repeating: AnswerTally(), count: 24)
        let rows = try db.query("SELECT lead_timezone, queued_at, outcome FROM calls WHERE outcome IS NOT NULL") {
            ($0.string(0) ?? "", $0.int64(1), $0.string(2) ?? "")
        }
        for (zones, queuedAt, outcome) in rows {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: String(zones.split(separator: " ")[0]))!
            let hour = calendar.component(.hour, from: Date(timeIntervalSince1970: Double(queuedAt / 1000)))
            expected[hour].add(answered: outcome == "answered")
        }
        #expect(report.byLocalHour == expected)
        #expect(report.byWeekdayHour.flatMap { $0 }.reduce(0) { $0 + $1.calls } == rows.count)

        // A correct run places no call outside the window, and the compliance record shows none outside its hours.
        #expect(report.compliance.outsideWindow == 0)
        for zone in report.compliance.byZone {
            #expect(zone.hours[0..<8].allSatisfy { $0 == 0 } && zone.hours[21...].allSatisfy { $0 == 0 }, "\(zone.zone): \(zone.hours)")
        }
        #expect(report.compliance.dncEntries == (try Self.count(db, "SELECT count(*) FROM dnc")))
        #expect(
            report.waiting.stopped.reduce(0) { $0 + $1.runs }
                == (try Self.count(db, "SELECT count(*) FROM workflow_runs WHERE status IN ('stopped', 'failed')")))

        // The JSON carries the documented keys and the same numbers.
        let json = report.json
        for key in ["funnel", "outcomes", "answer_rate_by_local_hour", "numbers", "tiers", "waiting", "compliance"] {
            #expect(json[path: key] != nil, "missing \(key)")
        }
        let answered = report.outcomes.first { $0.outcome == "answered" }!.count
        #expect(json[path: "outcomes.answered.count"] == .int(Int64(answered)))
        let share = Double(answered) / Double(report.outcomes.reduce(0) { $0 + $1.count })
        if case .double(let written) = json[path: "outcomes.answered.share"] { #expect(abs(written - share) < 0.0001) } else { Issue.record("no share") }
    }

    @Test func aCallPlacedAtThreeInTheMorningIsCountedOutsideTheWindow() async throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try await Self.simulatedExample(dir)
        // A call to a New York lead at 03:00 New York time on a Wednesday, written by hand (as a faulty tool would).
        let lead = try #require(try db.scalar("SELECT id FROM leads WHERE phone LIKE '+1212%' OR phone LIKE '+1718%' LIMIT 1"))
        try db.run(
            """
            INSERT INTO calls (provider, lead_id, campaign_id, attempt, direction, from_number, to_number, status, outcome, queued_at, lead_timezone)
            VALUES ('http', ?1, (SELECT id FROM campaigns WHERE name = 'spring-solar'), 9, 'outbound', '+12125555185', (SELECT phone FROM leads WHERE id = ?1), 'completed', 'answered', ?2, 'America/New_York')
            """, [.integer(lead), .integer(Instant(seconds: 1_795_593_600).milliseconds)])  // 2026-11-25T08:00Z = 03:00 EST
        let id = try #require(try db.scalar("SELECT max(call_id) FROM calls"))
        let report = try ReportBuilder(database: db).build(campaign: campaign.name, file: campaign)
        #expect(report.compliance.outsideWindow == 1)
        #expect(report.compliance.outsideWindowCalls == [id])
        #expect(report.compliance.byZone.first { $0.zone == "America/New_York" }?.hours[3] == 1)
        // One call that is not the simulator's: the report is no longer a simulation's.
        #expect(!report.simulated)
        #expect(report.text.contains("outside the campaign's calling window: 1 (calls \(id))"))
        #expect(ReportPage.html(report).contains("1 call was placed outside the campaign's calling window: \(id)."))

        // Without the campaign file, nothing is claimed about the window.
        let bare = try ReportBuilder(database: db).build(campaign: campaign.name)
        #expect(bare.compliance.outsideWindow == nil)
        #expect(bare.text.contains("give the campaign file"))
    }

    @Test func thePageIsOneFileWithEveryChartAndNothingFromTheNetwork() async throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try await Self.simulatedExample(dir)
        let page = ReportPage.html(try ReportBuilder(database: db).build(campaign: campaign.name, file: campaign))
        for chart in ReportPage.charts { #expect(page.contains("<svg data-chart=\"\(chart)\""), "no chart \(chart)") }
        for reference in ["http://", "https://", "<script", "<link", "@import", "url(", "src="] {
            #expect(!page.contains(reference), "the page holds \(reference)")
        }
        #expect(page.contains("prefers-color-scheme: dark") && page.contains("@media print"))
        #expect(page.contains("<div class=\"simulated\">SIMULATED</div>"))
    }

    @Test func aCampaignIsNamedByFileOrNameAndAnUnknownNameIsRefusedWithASuggestion() async throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try await Self.simulatedExample(dir)
        let builder = ReportBuilder(database: db)
        #expect(try builder.campaign("spring-solar").name == "spring-solar")
        #expect(try builder.campaign(CampaignRunnerTests.examples.appendingPathComponent("campaign.yml").path).file != nil)
        #expect(throws: UnknownCampaignError(name: "spring-solr", known: ["spring-solar"])) { try builder.campaign("spring-solr") }
        #expect(UnknownCampaignError(name: "spring-solr", known: ["spring-solar"]).description.contains("did you mean 'spring-solar'?"))
        #expect(throws: InputFileError.self) { try builder.campaign(dir.path("missing.yml")) }
    }
}

@Suite struct StatusTests {
    @Test func aRunningCampaignShowsItsRunnerAndAGoneOneSaysSo() async throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try await ReportTests.simulatedExample(dir)
        let builder = ReportBuilder(database: db)
        #expect(try builder.status(campaign: campaign.name).runner == nil)

        // A runner holds the lease, as `outdial run` does while it runs.
        let (lease, _) = try RunLease.take(RunStore(database: db, campaign: campaign.name), campaign: campaign.name)
        let status = try builder.status(campaign: campaign.name, file: campaign)
        let runner = try #require(status.runner)
        #expect(runner.pid == getpid() && runner.alive && runner.host == RunLease.host)
        #expect(status.text.contains("runner: pid \(getpid()) on \(RunLease.host), since"))
        #expect(status.json[path: "runner.alive"] == .bool(true))
        try lease.release()
        #expect(try builder.status(campaign: campaign.name).runner == nil)

        // A lease left by a process that is gone, with an old heartbeat.
        try db.run(
            "INSERT INTO campaign_state (campaign_id, key, value) VALUES ((SELECT id FROM campaigns WHERE name = ?), 'lease', '999999 1000 1000 elsewhere')",
            [.text(campaign.name)])
        let stale = try builder.status(campaign: campaign.name)
        #expect(stale.runner?.alive == false)
        #expect(stale.text.contains("the runner is gone"))
    }

    @Test func theStatusCountsTodayAndShowsTheLastError() async throws {
        let dir = try TemporaryDirectory()
        let (db, campaign) = try await ReportTests.simulatedExample(dir)
        let now = Instant(seconds: 1_795_554_048)  // the run's virtual clock: 2026-11-24T21:00:48Z
        let status = try ReportBuilder(database: db).status(campaign: campaign.name, file: campaign, now: now)
        #expect(status.simulated)
        #expect(status.callsTotal == Int(try db.scalar("SELECT count(*) FROM calls") ?? -1))
        let midnight = Instant(seconds: 1_795_478_400).milliseconds  // 2026-11-24T00:00:00Z
        #expect(status.placedToday == Int(try db.scalar("SELECT count(*) FROM calls WHERE queued_at >= ?", [.integer(midnight)]) ?? -1))
        #expect(status.placedToday > 0 && status.placedToday < status.callsTotal)
        #expect(status.endedToday.reduce(0) { $0 + $1.calls } == status.placedToday)
        #expect(status.waiting.stopped.first?.code == "attempts-exhausted")
        #expect(status.lastError == nil)

        try db.run("UPDATE calls SET status = 'unknown', outcome = NULL, error_message = 'timed out after sending' WHERE call_id = 5")
        let after = try ReportBuilder(database: db).status(campaign: campaign.name, now: now)
        #expect(after.lastError?.subject == "call 5" && after.lastError?.message == "timed out after sending")
        #expect(after.waiting.unknownCalls == 1)
        #expect(after.text.contains("unknown calls to check: 1"))
    }
}
