import Foundation
import TestSupport
import Testing

@testable import OutdialKit

/// A campaign's `audience:` decides whom it enrols: two clients' leads in one
/// database, one campaign each, and no call to the other client's leads.
@Suite struct AudienceTests {
    /// Imports `rows` (`phone,state,tags`) into `db` as list `list`.
    static func importList(_ db: Database, _ dir: TemporaryDirectory, _ list: String?, _ rows: [String], name: String) throws -> LeadImportSummary {
        var options = LeadImportOptions()
        options.rejectsPath = dir.path("\(name).rejects.csv")
        options.list = list
        let path = try dir.write("\(name).csv", "phone,state,tags,plan\n" + rows.joined(separator: "\n") + "\n")
        return try LeadImporter(database: db).run(path: path, options: options)
    }

    static func campaign(_ dir: TemporaryDirectory, name: String, audience: String) throws -> Campaign {
        try Campaign.load(
            path: try dir.write(
                "\(name).yml",
                """
                version: 1
                name: \(name)
                calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-20:00", compliance: [us] }
                connections: { main: { provider: simulated, seed: 3 } }
                limits: { concurrent_calls: 4, calls_per_second: 2, max_attempts: 1 }
                \(audience)
                workflows:
                  - name: outbound
                    trigger: lead_added
                    steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main } } ]
                """))
    }

    func calledPhones(_ db: Database, campaign: String) throws -> Set<String> {
        Set(try db.query("SELECT to_number FROM calls WHERE campaign_id = (SELECT id FROM campaigns WHERE name = ?)", [.text(campaign)]) { $0.string(0) ?? "" })
    }

    @Test func aCampaignOnOneListDialsNoneOfTheOthersLeads() async throws {
        let dir = try TemporaryDirectory()
        let db = try Store.open(dir.path("t.db"))
        let acme = (0..<6).map { "+1212555\(String(format: "%04d", 100 + $0)),NY,," }
        let beta = (0..<6).map { "+1312555\(String(format: "%04d", 100 + $0)),IL,," }
        let first = try Self.importList(db, dir, "acme", acme, name: "acme")
        #expect(first.list == "acme" && first.listed == 6 && first.listSize == 6)
        _ = try Self.importList(db, dir, "beta", beta, name: "beta")
        // A lead in both files is in both lists; a re-import adds, never removes.
        let again = try Self.importList(db, dir, "beta", [acme[0]], name: "beta-extra")
        #expect(again.listed == 1 && again.listSize == 7 && again.duplicates == 1)
        #expect(try LeadLists(database: db).all().map { "\($0.name) \($0.leads)" } == ["acme 6", "beta 7"])
        _ = try NumberStore(database: db).importCSV(path: try dir.write("numbers.csv", "number\n+12125550001\n+13125550001\n"))

        let campaign = try Self.campaign(dir, name: "acme-spring", audience: "audience: { lists: [acme] }")
        var options = CampaignRunnerTests.options()
        options.until = Instant(seconds: CampaignRunnerTests.monday.seconds + 2 * 86_400)
        let summary = try await CampaignRunner(database: db, campaign: campaign, options: options).run()
        #expect(summary.audience == 6)
        let called = try calledPhones(db, campaign: "acme-spring")
        #expect(called == Set(acme.map { String($0.prefix(12)) }))
        #expect(
            try db.scalar("SELECT count(DISTINCT lead_id) FROM workflow_runs WHERE campaign_id = (SELECT id FROM campaigns WHERE name = 'acme-spring')") == 6)

        // The other client's campaign: its seven, the shared lead among them.
        let other = try Self.campaign(dir, name: "beta-spring", audience: "audience: { lists: [beta] }")
        _ = try await CampaignRunner(database: db, campaign: other, options: options).run()
        #expect(try calledPhones(db, campaign: "beta-spring") == Set((beta + [acme[0]]).map { String($0.prefix(12)) }))

        // plan counts the audience only.
        let plan = try CampaignPlanner(database: db, campaign: campaign).run(at: CampaignRunnerTests.monday) { _ in }
        #expect(plan.leads == 6 && plan.outOf == 12)
    }

    @Test func tagsStatesAndWhereSelectWhatTheySay() throws {
        let dir = try TemporaryDirectory()
        let db = try Store.open(dir.path("t.db"))
        _ = try Self.importList(
            db, dir, nil,
            [
                "+12125550101,NY,vip,gold", "+12125550102,NY,vip;do-not-pitch,gold", "+13125550103,IL,vip,silver", "+13125550104,IL,,gold",
                "+12125550105,NY,,silver",
            ], name: "mixed")
        func selected(_ audience: String) throws -> [String] {
            let campaign = try Self.campaign(dir, name: "c", audience: audience)
            let ids = try #require(campaign.audience).select(in: db)
            return try ids.map { id in try #require(try LeadStore(database: db).find(id: id)).phone.suffix(2).description }
        }
        #expect(try selected("audience: { tags: [vip] }") == ["01", "02", "03"])
        #expect(try selected("audience: { tags: [vip], exclude_tags: [do-not-pitch] }") == ["01", "03"])
        #expect(try selected("audience: { states: [Illinois] }") == ["03", "04"])
        #expect(try selected("audience: { where: { field: lead.fields.plan, is: gold } }") == ["01", "02", "04"])
        #expect(try selected("audience: { states: [NY], where: { field: lead.fields.plan, is: silver } }") == ["05"])
        #expect(try selected("audience: { lists: [nobody] }") == [])
    }

    @Test func checkSaysWhenAnAudienceIsMissingOrNamesNoList() throws {
        let dir = try TemporaryDirectory()
        let open = try Self.campaign(dir, name: "c", audience: "")
        let warning = CampaignLint.audienceFindings(open, lists: ["acme", "beta"])
        #expect(warning.count == 1 && warning[0].message.contains("enrols every lead of every list"))
        #expect(CampaignLint.audienceFindings(open, lists: ["acme"]).isEmpty)
        let typo = try Self.campaign(dir, name: "c", audience: "audience: { lists: [acmee] }")
        let finding = try #require(CampaignLint.audienceFindings(typo, lists: ["acme", "beta"]).first)
        #expect(finding.message.contains("did you mean 'acme'") && finding.line == 6)
        #expect(throws: CampaignFileError.self) { try Self.campaign(dir, name: "c", audience: "audience: { states: [Narnia] }") }
        #expect(throws: CampaignFileError.self) { try Self.campaign(dir, name: "c", audience: "audience: { where: { field: call.outcome, is: answered } }") }
    }
}

/// Simulated calls an earlier version wrote into a campaign's own database.
@Suite struct SimulatedCallPurgeTests {
    @Test func purgeRemovesSimulatedCallsAndWhatTheyStartedSoARealRunEnrolsAfresh() async throws {
        let dir = try TemporaryDirectory()
        let db = try CampaignRunnerTests.database(dir)
        let campaign = try CampaignRunnerTests.campaign(dir)
        // The runner in-process writes where it is pointed: the state an earlier `run --simulate` left.
        _ = try await CampaignRunnerTests.run(db, campaign)
        let purge = SimulatedCallPurge(database: db)
        let simulated = try purge.count()
        #expect(simulated > 0)
        let events = try db.scalar("SELECT count(*) FROM events") ?? 0
        // A pending message to a lead the simulation called is kept and counted (a live run would send it); one already sent is not counted.
        let called = try #require(try db.scalar("SELECT lead_id FROM calls WHERE provider = 'simulated' LIMIT 1"))
        for status in ["pending", "sent"] {
            try db.run("INSERT INTO outbox (kind, lead_id, body, status, created_at) VALUES ('sms', ?, 'hi', ?, 0)", [.integer(called), .text(status)])
        }
        let summary = try purge.run()
        #expect(summary.calls == simulated && summary.campaigns == ["test"])
        #expect(summary.pendingOutbox == 1)
        #expect(try db.scalar("SELECT count(*) FROM outbox") == 2)
        try db.execute("DELETE FROM outbox")
        #expect(summary.events == Int(events) && summary.runs > 0)
        for table in ["calls", "events", "workflow_runs", "campaign_state"] {
            #expect(try db.scalar("SELECT count(*) FROM \(table)") == 0, "\(table)")
        }
        #expect(try db.query("PRAGMA foreign_key_check") { $0.string(0) ?? "" }.isEmpty)
        #expect(try db.scalar("SELECT count(*) FROM leads") == 12)
        // Nothing left to purge; the campaign enrols its leads again.
        #expect(try purge.run() == SimulatedCallPurge.Summary())
        let again = try await CampaignRunnerTests.run(db, campaign)
        #expect(again.enrolled == 12)
    }
}

@Suite struct PoolCoverageLintTests {
    @Test func fallbackAnyWarnsOfTheAudiencesStatesThePoolLacks() throws {
        let dir = try TemporaryDirectory()
        let campaign = try AudienceTests.campaign(dir, name: "c", audience: "")
        let findings = CampaignLint.poolFindings(campaign, leadStates: ["NY": 5, "AK": 2, "HI": 1], poolStates: ["NY", "IL"])
        #expect(findings.count == 1)
        #expect(findings.first?.message.contains("no number in 2 of the audience's states (AK 2, HI 1): those 3 leads") == true)
        #expect(CampaignLint.poolFindings(campaign, leadStates: ["NY": 5], poolStates: ["NY"]).isEmpty)
        let waits = try Campaign.load(
            path: try dir.write("w.yml", "version: 1\nname: w\nnumbers: { selection: { fallback: none } }\n"))
        #expect(CampaignLint.poolFindings(waits, leadStates: ["AK": 2], poolStates: ["NY"]).isEmpty)
    }
}
