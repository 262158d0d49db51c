import Foundation
import OutdialKit
import TestSupport
import Testing

/// End-to-end runs of the example campaign through the built binary, checked
/// against the window engine (through `outdial window`) and the database.
@Suite(.serialized) struct RunCLITests {
    private var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")
    }
    private var campaign: String { examples.appendingPathComponent("campaign.yml").path }

    private func setUp(_ dir: TemporaryDirectory, leads: String? = nil) throws -> String {
        let db = dir.path("t.db")
        #expect(try Outdial.run(["--db", db, "numbers", "import", examples.appendingPathComponent("numbers.csv").path]).status == 0)
        let file = try leads.map { try dir.write("leads.csv", $0) } ?? examples.appendingPathComponent("leads.csv").path
        #expect(try Outdial.run(["--db", db, "leads", "import", file, "--rejects", dir.path("r.csv")]).status == 0)
        // The runner's tests run in a simulation's copy, as `--db t.simulated.db run --simulate` goes on with one.
        return try SimulationCopy.make(from: db, to: SimulationCopy.defaultPath(for: db)).path
    }

    /// Every row of a query, as text, through the library's own store.
    private func rows(_ db: String, _ sql: String) throws -> [[String]] {
        let database = try Database(path: db)
        return try database.query(sql) { s in (0..<s.columnCount).map { s.string($0) ?? "" } }
    }

    /// A weekday 09:00-20:00 campaign on the simulated connection whose
    /// outbound workflow waits for the window and dials, followed by `postCall`
    /// (workflow items indented two spaces).
    private func writeCampaign(_ dir: TemporaryDirectory, name: String, limits: String, postCall: String) throws -> String {
        try dir.write(
            "c.yml",
            """
            version: 1
            name: \(name)
            calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-20:00", compliance: [us, ca] }
            connections: { main: { provider: simulated, seed: 3 } }
            limits: \(limits)
            workflows:
              - name: outbound
                trigger: lead_added
                steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main } } ]
            \(postCall)
            """)
    }

    /// Re-checks calls (every `every`th of those matching `filter`) with `outdial
    /// window` for the same lead and campaign, independently of the runner;
    /// returns how many calls matched.
    private func expectCallsInsideTheirWindows(_ db: String, _ campaign: String, where filter: String = "1", every: Int) throws -> Int {
        let placed = try rows(
            db,
            """
            SELECT c.to_number, strftime('%Y-%m-%dT%H:%M:%SZ', c.queued_at / 1000, 'unixepoch'), l.state, l.state_source, l.timezone, l.zip
            FROM calls c JOIN leads l ON l.id = c.lead_id WHERE \(filter) ORDER BY c.call_id
            """)
        for (i, call) in placed.enumerated() where i % every == 0 {
            var args = ["window", call[0], "--campaign", campaign, "--at", call[1], "--json"]
            if call[3] != "phone", !call[2].isEmpty { args += ["--state", call[2]] }
            // A lead's own time-zone column is gated on as the lead was (docs/leads.md).
            if !call[4].isEmpty { args += ["--timezone", call[4]] }
            if !call[5].isEmpty { args += ["--zip", call[5]] }
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(try Outdial.run(args).stdout.utf8)) as? [String: Any])
            #expect(answer["open"] as? Bool == true, "call to \(call[0]) at \(call[1]) was outside its window")
        }
        return placed.count
    }

    @Test func theExampleCampaignRunsWithinWindowsCapsAndOnePostCallRunPerCall() throws {
        let dir = try TemporaryDirectory()
        let db = try setUp(dir)
        let result = try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let calls = try #require(summary["calls"] as? Int)
        #expect(calls > 298)
        #expect(summary["waiting"] as? Int == 0)

        // No call outside its lead's window: each call re-checked by `outdial window` for the same lead.
        // A sample keeps the test quick; the runner gates every call the same way.
        #expect(try expectCallsInsideTheirWindows(db, campaign, every: 7) == calls)
        // No lead over its caps: at most 3 attempts; at most 3 in any 24 hours.
        #expect(try rows(db, "SELECT count(*) FROM (SELECT lead_id FROM calls GROUP BY lead_id HAVING count(*) > 3)") == [["0"]])
        #expect(
            try rows(
                db,
                "SELECT count(*) FROM calls a JOIN calls b ON a.lead_id = b.lead_id AND a.attempt = 1 AND b.attempt = 2 AND b.queued_at - a.queued_at < 4 * 3600 * 1000"
            ) == [["0"]])
        // Every completed call has exactly one post-call run.
        #expect(
            try rows(
                db,
                "SELECT count(*) FROM calls c WHERE (SELECT count(*) FROM workflow_runs r WHERE r.workflow = 'post-call' AND r.context = '{\"call_id\":' || c.call_id || '}') != 1"
            ) == [["0"]])
        // Voicemail retries come at least 4 hours after the call ended.
        #expect(
            try rows(
                db,
                """
                SELECT count(*) FROM calls a JOIN calls b ON a.lead_id = b.lead_id AND b.attempt = a.attempt + 1
                WHERE a.user_spoke = 0 AND b.queued_at < a.ended_at + 4 * 3600 * 1000
                """) == [["0"]])
        // Pacing: never more than concurrent_calls (10) calls at once, nor more than calls_per_second (2) dialled in one second.
        #expect(
            try rows(
                db,
                """
                WITH edges AS (SELECT queued_at AS t, 1 AS d FROM calls UNION ALL SELECT ended_at, -1 FROM calls)
                SELECT max(lines) FROM (SELECT sum(d) OVER (ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS lines FROM edges)
                """) == [["10"]])
        #expect(try rows(db, "SELECT count(*) FROM (SELECT queued_at FROM calls GROUP BY queued_at / 1000 HAVING count(*) > 2)") == [["0"]])
        #expect(try rows(db, "PRAGMA integrity_check") == [["ok"]])
        #expect(try rows(db, "PRAGMA foreign_key_check").isEmpty, "the runner writes references without SQLite checking them")
        // The CRM side happened.
        #expect(Int(try rows(db, "SELECT count(*) FROM leads WHERE tags LIKE '%hot%' OR tags LIKE '%nurture%'")[0][0])! > 100)
        #expect(Int(try rows(db, "SELECT count(*) FROM opportunities WHERE stage = 'qualified'")[0][0])! > 10)
        // leads show carries the lead's calls, notes and tasks.
        let show = try Outdial.run(["--db", db, "leads", "show", "1", "--json"])
        let lead = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect((lead["calls"] as? [[String: Any]])?.isEmpty == false)
        #expect(lead["notes"] is [[String: Any]])
        #expect(lead["tasks"] is [[String: Any]])
    }

    @Test func theSameSeedGivesTheSameRun() throws {
        let a = try TemporaryDirectory(), b = try TemporaryDirectory()
        var dumps: [[[String]]] = []
        for dir in [a, b] {
            let db = try setUp(dir)
            #expect(try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z"]).status == 0)
            dumps.append(try rows(db, "SELECT lead_id, attempt, from_number, outcome, queued_at, ended_at, sentiment FROM calls ORDER BY call_id"))
        }
        #expect(dumps[0] == dumps[1])
    }

    @Test func runningAgainAfterTheEndDoesNothing() throws {
        let dir = try TemporaryDirectory()
        let db = try setUp(dir)
        #expect(try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z"]).status == 0)
        let again = try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-30T13:00:00Z", "--json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(summary["calls"] as? Int == 0)
        #expect(summary["enrolled"] as? Int == 0)
    }

    /// SPEC §12: kill -9 at several points, restart until done: no (lead,
    /// attempt) dialled twice, no completed call without its post-call run,
    /// an intact database.
    @Test func killedAndRestartedRunsPlaceNoCallTwice() throws {
        let dir = try TemporaryDirectory()
        var text = "phone,state\n"
        let codes = ["212", "415", "312", "713", "305", "206", "404", "602", "303", "617"]
        for i in 0..<3000 { text += "+1\(codes[i % codes.count])\(200 + (i / 100) % 700)\(String(format: "%04d", i % 10_000)),\n" }
        let db = try setUp(dir, leads: text)
        for delay in [0.15, 0.3, 0.5, 0.8, 1.2] { _ = try simulateAndKill(db, after: delay) }
        let last = try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--json"])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try rows(db, "PRAGMA integrity_check") == [["ok"]])
        #expect(try rows(db, "PRAGMA foreign_key_check").isEmpty, "the runner writes references without SQLite checking them")
        #expect(try rows(db, "SELECT count(*) FROM (SELECT lead_id, attempt FROM calls GROUP BY 1, 2 HAVING count(*) > 1)") == [["0"]])
        #expect(try rows(db, "SELECT count(*) FROM calls WHERE status = 'dialing'") == [["0"]])
        // Calls that were dialling when killed are unknown and were not redialled: their run moved on.
        #expect(
            try rows(
                db,
                """
                SELECT count(*) FROM calls c WHERE c.status != 'unknown'
                  AND (SELECT count(*) FROM workflow_runs r WHERE r.workflow = 'post-call' AND r.context = '{"call_id":' || c.call_id || '}') != 1
                """) == [["0"]])
        #expect(try rows(db, "SELECT count(*) FROM workflow_runs WHERE status = 'waiting'") == [["0"]])
        #expect(Int(try rows(db, "SELECT count(*) FROM calls")[0][0])! >= 3000)
    }

    /// Ctrl-C lands mid-run by construction: a live run whose window opens
    /// only in two days waits on the wall clock, and the signal is sent once its
    /// lease shows it is in its loop (handlers installed). It stops, saying so,
    /// with its runs still waiting; the next run picks them up.
    @Test func ctrlCStopsALiveRunCleanlyAndTheNextRunResumes() throws {
        let dir = try TemporaryDirectory()
        let db = try setUp(dir, leads: "phone\n+12125550123\n+13125550124\n")
        let names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/New_York")!
        let later = names[(calendar.component(.weekday, from: Date()) - 1 + 2) % 7]
        let file = try dir.write(
            "live.yml",
            """
            version: 1
            name: live
            calling_window: { days: [\(later)], hours: "10:00-16:00", holidays: [us-federal], compliance: [us] }
            connections: { main: { provider: simulated, seed: 1 } }
            workflows:
              - name: outbound
                trigger: lead_added
                steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main } } ]
            """)
        let process = Process()
        process.executableURL = Outdial.binary
        process.arguments = ["--db", db, "run", file, "--json"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait (with a deadline) until the run holds its lease: it is then in its loop.
        let deadline = Date().addingTimeInterval(60)
        var holding = false
        while !holding, Date() < deadline, process.isRunning {
            holding =
                (try? rows(db, "SELECT count(*) FROM campaign_state WHERE campaign_id = (SELECT id FROM campaigns WHERE name = 'live') AND key = 'lease'")) == [
                    ["1"]
                ]
        }
        #expect(holding)
        kill(process.processIdentifier, SIGINT)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(data)) as? [String: Any])
        #expect(first["interrupted"] as? Bool == true)
        #expect(first["waiting"] as? Int == 2 && first["calls"] as? Int == 0)
        // The lease was given back: the next run starts at once and finds the runs waiting.
        let resumed = try Outdial.run(["--db", db, "run", file, "--simulate", "--start", "2026-11-23T13:00:00Z", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let second = try #require(try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
        #expect(second["calls"] as? Int == 2 && second["waiting"] as? Int == 0 && second["enrolled"] as? Int == 0)
    }

    /// What no operator action can change stops the run with its reason; an
    /// empty pool, which `numbers import` fixes, makes it wait — and `run` still ends.
    @Test func runsThatCanNeverDialStopWithAReasonAndAnEmptyPoolWaitsForNumbers() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        // No numbers imported at all, and a Utah lead for a Sunday-only campaign.
        let leads = try dir.write("l.csv", "phone\n212-555-0123\n801-555-0123\n")
        #expect(try Outdial.run(["--db", db, "leads", "import", leads]).status == 0)
        let sunday = try dir.write(
            "c.yml",
            """
            version: 1
            name: sundays
            calling_window: { days: [sun], hours: "12:00-18:00" }
            connections: { main: { provider: simulated } }
            workflows:
              - name: outbound
                trigger: lead_added
                steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main } } ]
            """)
        let result = try Outdial.run(["--db", db, "run", sunday, "--simulate", "--start", "2026-11-23T13:00:00Z", "--json"])
        // The run does what it can, then says the pool is empty (exit 65): the leads wait for numbers.
        #expect(result.status == 65)
        #expect(result.stderr.contains("nothing to do: the campaign places calls and the caller-ID pool has no enabled number"))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let stopped = try #require(summary["runs_stopped"] as? [String: Int])
        #expect(stopped["window-never-opens"] == 1)  // Utah: no Sunday calls
        #expect(stopped["no-caller-id"] == nil)
        // New York: open on Sunday, but the pool is empty — it waits for numbers.
        #expect(summary["waiting"] as? Int == 1)
        #expect(summary["waiting_for_numbers"] as? Int == 1)
        #expect(summary["calls"] as? Int == 0)
    }

    /// Two workflows triggered by one ended call both run, each seeing what the
    /// other wrote; a post-call workflow that reaches place_call while its call
    /// is being recorded is queued and dials with a later batch, within the
    /// window, after the minimum gap, at most once per attempt.
    @Test func postCallWorkflowsShareTheLeadAndCanDialAgain() throws {
        let dir = try TemporaryDirectory()
        let db = try setUp(dir)
        let redial = try writeCampaign(
            dir, name: "redial", limits: "{ concurrent_calls: 5, calls_per_second: 1, max_attempts: 2, min_gap: 1h }",
            postCall: """
                  - name: tag-every-call
                    trigger: { call_completed: {} }
                    steps: [ { add_tag: called } ]
                  - name: redial-no-answer
                    trigger: { call_completed: { outcome: [no_answer, busy] } }
                    steps:
                      - if: { field: lead.tags, contains: called }
                        then: [ { add_tag: redialled } ]
                      - wait_until_calling_window: {}
                      - place_call: { connection: main }
                """)
        let result = try Outdial.run(["--db", db, "run", redial, "--simulate", "--start", "2026-11-23T13:00:00Z", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        // Every no-answer or busy first call led to a second attempt, and nothing is left waiting.
        let missed = try rows(db, "SELECT count(*) FROM calls WHERE attempt = 1 AND outcome IN ('no_answer', 'busy')")[0][0]
        #expect(Int(missed)! > 10)
        #expect(try rows(db, "SELECT count(*) FROM calls WHERE attempt = 2")[0][0] == missed)
        #expect(try rows(db, "SELECT count(*) FROM workflow_runs WHERE status = 'waiting'") == [["0"]])
        #expect(try rows(db, "SELECT count(*) FROM (SELECT lead_id, attempt FROM calls GROUP BY 1, 2 HAVING count(*) > 1)") == [["0"]])
        // The redial workflow saw the tag the other workflow wrote for the same call.
        #expect(try rows(db, "SELECT count(*) FROM leads WHERE tags LIKE '%redialled%' AND tags NOT LIKE '%called%'") == [["0"]])
        #expect(try rows(db, "SELECT count(*) FROM leads WHERE tags LIKE '%redialled%'")[0][0] == missed)
        // Second attempts came an hour (min_gap) or more after the first, inside the window.
        #expect(
            try rows(
                db,
                "SELECT count(*) FROM calls a JOIN calls b ON a.lead_id = b.lead_id AND b.attempt = 2 AND a.attempt = 1 WHERE b.queued_at < a.queued_at + 3600 * 1000"
            )
                == [["0"]])
        #expect(try expectCallsInsideTheirWindows(db, redial, where: "c.attempt = 2", every: 3) == Int(missed)!)
        #expect(try rows(db, "PRAGMA foreign_key_check").isEmpty)
    }

    /// The runner keeps wake-ups that only moved later in memory; stopping
    /// (here at --until) writes them back, so no waiting row says it is due
    /// before the time the run stopped at.
    @Test func stoppingWritesTheWakeUpsKeptInMemoryBack() throws {
        let dir = try TemporaryDirectory()
        let db = try setUp(dir)
        let result = try Outdial.run(
            ["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--until", "2026-11-23T16:00:00Z", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let waiting = try rows(
            db,
            "SELECT count(*), sum(wake_at < 1795449600000) FROM workflow_runs WHERE status = 'waiting'")  // 1795449600000 = 2026-11-23T16:00:00Z
        #expect(Int(waiting[0][0])! > 100)
        #expect(waiting[0][1] == "0")
    }

    /// A post-call run whose first step waits is written as a waiting row
    /// (it is new, so its wake-up cannot be kept in memory only), and the
    /// next `run` finishes it.
    @Test func aPostCallRunThatWaitsAtItsFirstStepIsWritten() throws {
        let dir = try TemporaryDirectory()
        let db = try setUp(dir)
        let later = try writeCampaign(
            dir, name: "later", limits: "{ concurrent_calls: 5, calls_per_second: 1, max_attempts: 1 }",
            postCall: """
                  - name: new-year
                    trigger: { call_completed: {} }
                    steps: [ { wait: { until: "2027-01-01T00:00:00Z" } }, { add_tag: new-year } ]
                """)
        let first = try Outdial.run(["--db", db, "run", later, "--simulate", "--start", "2026-11-23T13:00:00Z", "--until", "2026-12-01T00:00:00Z"])
        #expect(first.status == 0, "\(first.stderr)")
        let calls = try rows(db, "SELECT count(*) FROM calls")[0][0]
        #expect(Int(calls)! > 100)
        #expect(try rows(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'new-year' AND status = 'waiting' AND wake_at = 1798761600000") == [[calls]])
        let second = try Outdial.run(["--db", db, "run", later, "--simulate"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try rows(db, "SELECT count(*) FROM leads WHERE tags LIKE '%new-year%'") == [[calls]])
    }

    /// A waiting run of a workflow the campaign file no longer has fails and
    /// says so, instead of waiting forever or running another workflow's steps.
    @Test func runsOfAWorkflowRemovedFromTheCampaignFailWithTheReason() throws {
        let dir = try TemporaryDirectory()
        let db = try setUp(dir)
        let file = try writeCampaign(dir, name: "renamed", limits: "{ concurrent_calls: 5, calls_per_second: 1, max_attempts: 1 }", postCall: "")
        let first = try Outdial.run(["--db", db, "run", file, "--simulate", "--start", "2026-11-23T13:00:00Z", "--until", "2026-11-23T15:00:00Z"])
        #expect(first.status == 0, "\(first.stderr)")
        let waiting = try rows(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'outbound' AND status = 'waiting'")[0][0]
        #expect(Int(waiting)! > 100)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "name: outbound", with: "name: outbound-v2").write(toFile: file, atomically: true, encoding: .utf8)
        let second = try Outdial.run(["--db", db, "run", file, "--simulate"])
        // The run goes on with the rest, and ends saying what failed (exit 1).
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stdout.contains("Failed: \(waiting) (the campaign has no workflow 'outbound' any more)."), "\(second.stdout)")
        #expect(
            second.stderr.hasSuffix(
                "error: \(waiting) workflow runs failed, the first because the campaign has no workflow 'outbound' any more; each failed run's reason is in workflow_runs.error\n"
            ))
        #expect(
            try rows(db, "SELECT status, error, count(*) FROM workflow_runs WHERE workflow = 'outbound' GROUP BY 1, 2 ORDER BY 1") == [
                ["done", "", String(Int(try rows(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'outbound' AND status = 'done'")[0][0])!)],
                ["failed", "the campaign has no workflow 'outbound' any more", waiting],
            ])
    }

    /// `run` refuses exactly what `check` calls an error, before it touches the database.
    @Test func runRefusesACampaignThatCheckRejects() throws {
        let dir = try TemporaryDirectory()
        let db = try setUp(dir)
        let file = try writeCampaign(
            dir, name: "broken", limits: "{ concurrent_calls: 5, calls_per_second: 1, max_attempts: 1 }",
            postCall: "  - name: post-call\n    trigger: { call_completed: {} }\n    steps: [ { add_to_workflow: { workflow: nowhere } } ]")
        let check = try Outdial.run(["--db", db, "check", file])
        #expect(check.status == 65)
        let run = try Outdial.run(["--db", db, "run", file, "--simulate", "--start", "2026-11-23T13:00:00Z"])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains("nowhere"), "\(run.stderr)")
        #expect(try rows(db, "SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM workflow_runs)") == [["0"]])
    }

    @Test func workflowsThatAddEachOtherForeverAreCutOff() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        #expect(try Outdial.run(["--db", db, "leads", "import", try dir.write("l.csv", "phone\n212-555-0123\n")]).status == 0)
        let loop = try dir.write(
            "c.yml",
            """
            version: 1
            name: loop
            workflows:
              - name: ping
                trigger: lead_added
                steps: [ { add_tag: pinged }, { add_to_workflow: { workflow: ping, delay: 1m } } ]
            """)
        let result = try Outdial.run(["--db", db, "run", loop, "--simulate", "--start", "2026-11-23T13:00:00Z", "--json"])
        #expect(result.status == 0)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((summary["runs_stopped"] as? [String: Int])?["workflow-loop"] == 1)
        #expect(summary["waiting"] as? Int == 0)
    }

    @Test func checkAcceptsTheExampleAndCatchesEachLintRule() throws {
        let ok = try Outdial.run(["check", campaign])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("0 errors, 0 warnings"))
        let dir = try TemporaryDirectory()
        let bad = try dir.write(
            "bad.yml",
            """
            version: 1
            name: lint
            connections: { main: { provider: simulated } }
            workflows:
              - name: outbound
                trigger: lead_added
                steps:
                  - place_call: { connection: main }
                  - add_note: "{{call.summary}}"
                  - add_to_workflow: { workflow: nowhere, delay: 1h }
              - name: replies
                trigger: handoff_requested
                steps: [ { send_ai_message: { responder: support } } ]
            """)
        let result = try Outdial.run(["check", bad])
        #expect(result.status == 65)
        #expect(
            result.stderr.contains(
                "bad.yml:5:5: error: workflow 'outbound': reads call.summary after place_call; handle results in a separate workflow triggered by call_completed"
            ))
        #expect(result.stderr.contains("bad.yml:5:5: warning: workflow 'outbound': place_call has no wait_until_calling_window before it"))
        #expect(result.stderr.contains("error: workflow 'outbound': add_to_workflow names 'nowhere'"))
        #expect(result.stderr.contains("bad.yml:11:5: warning: workflow 'replies': send_ai_message outside a message_received workflow"))
        let unknownStep = try dir.write("step.yml", "version: 1\nname: x\nworkflows:\n  - name: a\n    trigger: lead_added\n    steps: [ { add_tga: hot } ]\n")
        let step = try Outdial.run(["check", unknownStep])
        #expect(step.status == 65)
        #expect(step.stderr.contains("step.yml:6:16: unknown key 'add_tga'"))
        #expect(step.stderr.contains("did you mean 'add_tag'?"))
        let variable = try dir.write(
            "var.yml", "version: 1\nname: x\nworkflows:\n  - name: a\n    trigger: call_completed\n    steps: [ { add_note: \"{{call.sumary}}\" } ]\n")
        let unknownVariable = try Outdial.run(["check", variable])
        #expect(unknownVariable.status == 65)
        #expect(unknownVariable.stderr.contains("unknown template variable: 'call.sumary' is not a call field"))
    }

    @Test func exportsCarryTheCallRecord() throws {
        let dir = try TemporaryDirectory()
        let db = try setUp(dir)
        #expect(try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--max-calls", "20"]).status == 0)
        let jsonl = try Outdial.run(["--db", db, "export", "calls", "--format", "jsonl"])
        let lines = jsonl.stdout.split(separator: "\n")
        #expect(lines.count == 20)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        for key in [
            "call_id", "provider", "from_number", "to_number", "status", "outcome", "queued_at", "ended_at", "duration_ms", "sentiment", "user_spoke",
            "custom_analysis", "selection_tier", "lead_timezone", "raw",
        ] {
            #expect(first.keys.contains(key), "\(key)")
        }
        let csv = try Outdial.run(["--db", db, "export", "calls"])
        #expect(csv.stdout.hasPrefix("call_id,provider,provider_call_id,connection,agent_id,lead_id,external_id,first_name,last_name,phone,email,campaign,"))
        #expect(csv.stdout.split(separator: "\r\n").count == 21)
        let out = dir.path("leads.json")
        #expect(try Outdial.run(["--db", db, "export", "leads", "--format", "json", "--out", out]).status == 0)
        let leads = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [[String: Any]])
        #expect(leads.count == 298)
        #expect(leads[0]["zones"] is [String])
    }

    /// Starts `run --simulate` of the example on `db` and kills it with SIGKILL
    /// after `delay` seconds; true when it was still running then.
    private func simulateAndKill(_ db: String, after delay: Double) throws -> Bool {
        let process = Process()
        process.executableURL = Outdial.binary
        process.arguments = ["--quiet", "--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        let running = process.isRunning
        if running { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return running
    }

    /// The campaign's own database, imported as an operator does, never simulated in.
    private func campaignDatabase(_ dir: TemporaryDirectory) throws -> String {
        let db = dir.path("spring.db")
        #expect(try Outdial.run(["--db", db, "numbers", "import", examples.appendingPathComponent("numbers.csv").path]).status == 0)
        #expect(
            try Outdial.run(["--db", db, "leads", "import", examples.appendingPathComponent("leads.csv").path, "--rejects", dir.path("r.csv")]).status == 0)
        return db
    }

    /// Every byte of the database file and of its WAL, for "unchanged byte for
    /// byte" (a reader may leave an empty WAL where there was none: no data in it).
    private func bytes(_ db: String) -> [Data] {
        ["", "-wal"].map { FileManager.default.contents(atPath: db + $0) ?? Data() }
    }

    @Test func aSimulationRunsOnACopyAndLeavesTheCampaignsDatabaseByteForByte() throws {
        let dir = try TemporaryDirectory()
        let db = try campaignDatabase(dir)
        let before = bytes(db)
        let result = try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--max-calls", "100"])
        #expect(result.status == 0, "\(result.stderr)")
        let copy = dir.path("spring.simulated.db")
        #expect(result.stdout.hasPrefix("SIMULATED (\(copy)): "))
        #expect(result.stderr.contains("SIMULATED on a copy of \(db): \(copy)"))
        #expect(bytes(db) == before)
        #expect(try rows(db, "SELECT count(*) FROM calls") == [["0"]])
        #expect(try rows(db, "SELECT count(*) FROM workflow_runs") == [["0"]])
        let placed = Int(try rows(copy, "SELECT count(*) FROM calls")[0][0]) ?? 0
        #expect(placed > 0)
        #expect(try rows(copy, "SELECT source FROM simulation") == [[URL(fileURLWithPath: db).standardizedFileURL.path]])
        // Going on in the copy resumes it; a new simulation of the campaign's database replaces it.
        let resumed = try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
        #expect(summary["database"] as? String == copy && summary["simulated"] as? Bool == true && summary["enrolled"] as? Int == 0)
        let total = Int(try rows(copy, "SELECT count(*) FROM calls")[0][0]) ?? 0
        #expect(total > placed)
        #expect(try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--max-calls", "50"]).status == 0)
        #expect(Int(try rows(copy, "SELECT count(*) FROM calls")[0][0]) ?? 0 < total)
        #expect(bytes(db) == before)
        // --into never names the campaign's database.
        let refused = try Outdial.run(["--db", db, "run", campaign, "--simulate", "--into", db])
        #expect(refused.status == 64 && refused.stderr.contains("will not write here: it is the database"))
        #expect(bytes(db) == before)
    }

    @Test func killingASimulationLeavesTheCampaignsDatabaseUnchanged() throws {
        let dir = try TemporaryDirectory()
        let db = try campaignDatabase(dir)
        let before = bytes(db)
        let copy = dir.path("spring.simulated.db")
        var killedMidRun = 0
        for delay in [0.3, 0.6] {
            if try simulateAndKill(db, after: delay) { killedMidRun += 1 }
            #expect(bytes(db) == before)
        }
        // Where a kill landed before the end, the copy resumes to the end.
        if killedMidRun > 0, FileManager.default.fileExists(atPath: copy) {
            #expect(try Outdial.run(["--db", copy, "run", campaign, "--simulate"]).status == 0)
        }
        #expect(bytes(db) == before)
    }

    /// A resumed simulation goes on from its own clock and says so when an
    /// earlier `--start` is given; a live run refuses `--start`.
    @Test func aResumedSimulationSaysItsOwnClockWinsOverStart() throws {
        let dir = try TemporaryDirectory()
        let copy = try setUp(dir)
        let first = try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--max-calls", "20", "--json"])
        #expect(first.status == 0)
        let firstEnd = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])["clock_end"] as? String
        #expect(firstEnd != nil)
        let again = try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--max-calls", "5"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("--start 2026-11-23T13:00:00Z was not used: this simulation had already reached"))
        let json = try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--max-calls", "5", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["start_not_used"] as? String == "2026-11-23T13:00:00Z")
        #expect((object["clock_start"] as? String ?? "") > "2026-11-23T13:00:00Z")
        // No --start: nothing to say.
        let plain = try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--max-calls", "5"])
        #expect(!plain.stdout.contains("was not used"))

        let live = try Outdial.run(["--db", dir.path("t.db"), "run", campaign, "--start", "2026-11-23T13:00:00Z"])
        #expect(live.status == 64)
        #expect(live.stderr.contains("--start sets a simulation's virtual clock"))
    }

    /// On a terminal a simulation redraws one progress line (virtual time,
    /// calls, runs waiting), as the import draws its bar; piped, it prints none.
    @Test func aSimulationShowsItsProgressOnATerminalOnly() throws {
        let dir = try TemporaryDirectory()
        let copy = try setUp(dir)
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = [Outdial.binary.path, "--db", copy, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z"].map(quoted).joined(separator: " ")
        // `script` gives the run a pseudo-terminal and copies what it drew to its own stdout.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let drawn = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let line = try #require(drawn.split(separator: "\r").first { $0.hasPrefix("SIMULATED 2026-11-") })
        #expect(line.contains(" placed · ") && line.contains(" waiting"), "\(line)")
        #expect(drawn.contains("calls placed from"))

        let piped = try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--max-calls", "5"])
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains(" placed · "))
    }

    /// `check` of a file with problems in three places lists all three, in text and in JSON.
    @Test func checkListsEveryProblemOfAFileThatCannotBeRead() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write(
            "bad.yml",
            """
            version: 1
            name: bad
            calling_window: { hours: "09:00-25:00" }
            limits: { max_attempts: abc }
            workflows: [ { name: a, trigger: lead_addd, steps: [] } ]
            """)
        let text = try Outdial.run(["check", file])
        #expect(text.status == 65)
        #expect(text.stderr.split(separator: "\n").filter { $0.hasPrefix("error: \(file):") }.count == 3, "\(text.stderr)")
        let json = try Outdial.run(["check", file, "--json"])
        #expect(json.status == 65)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["errors"] as? Int == 3)
        #expect((object["findings"] as? [[String: Any]])?.map { $0["line"] as? Int } == [3, 4, 5])
    }

    /// `runs list` shows each run where it stands, filtered as asked, and agrees with the database.
    @Test func runsListShowsWhereEachRunStands() throws {
        let dir = try TemporaryDirectory()
        let copy = try setUp(dir)
        #expect(try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--max-calls", "30"]).status == 0)
        try Database(path: copy).run("UPDATE workflow_runs SET status = 'stopped', error = 'the number is on the do-not-call list' WHERE id = 3")
        func lines(_ arguments: [String]) throws -> [[String: Any]] {
            let result = try Outdial.run(["--db", copy, "runs", "list"] + arguments + ["--json", "--limit", "100000"])
            #expect(result.status == 0, "\(result.stderr)")
            return try result.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        }
        let waiting = try lines([campaign, "--status", "waiting"])
        #expect(waiting.count == Int(try rows(copy, "SELECT count(*) FROM workflow_runs WHERE status = 'waiting'")[0][0]))
        #expect(!waiting.isEmpty && waiting.allSatisfy { ["wait_until_calling_window", "place_call", "wait"].contains($0["step"] as? String ?? "") })
        #expect(try lines(["--status", "done"]).count == Int(try rows(copy, "SELECT count(*) FROM workflow_runs WHERE status = 'done'")[0][0]))
        let stopped = try lines(["--reason", "DO-NOT-CALL"])
        #expect(stopped.map { $0["run_id"] as? Int } == [3] && stopped[0]["status"] as? String == "stopped")
        #expect(try Outdial.run(["--db", copy, "runs", "list", "--status", "sleeping"]).status == 64)
    }

    /// Each lead's status follows the campaign: the view agrees with the calls and runs it is made of, and `leads show` lists it.
    @Test func leadStatusFollowsTheCampaign() throws {
        let dir = try TemporaryDirectory()
        let copy = try setUp(dir)
        #expect(try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--max-calls", "60"]).status == 0)
        let counts = Dictionary(uniqueKeysWithValues: try rows(copy, "SELECT status, count(*) FROM campaign_leads GROUP BY 1").map { ($0[0], Int($0[1]) ?? 0) })
        #expect(Set(counts.keys).isSubset(of: ["new", "in_progress", "contacted", "done", "dnc", "opted_out"]))
        let answered = "SELECT count(DISTINCT lead_id) FROM calls WHERE outcome = 'answered' AND lead_id IN (SELECT id FROM leads WHERE dnc = 0)"
        #expect(counts["contacted"] == Int(try rows(copy, answered)[0][0]))
        #expect(
            counts["new"]
                == Int(
                    try rows(
                        copy,
                        "SELECT count(*) FROM leads l WHERE dnc = 0 AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id) AND EXISTS (SELECT 1 FROM workflow_runs r WHERE r.lead_id = l.id AND r.status = 'waiting')"
                    )[0][0]))
        #expect((counts["in_progress"] ?? 0) > 0 && (counts["contacted"] ?? 0) > 0)
        let lead = try rows(copy, "SELECT lead_id, status FROM campaign_leads WHERE status = 'contacted' LIMIT 1")[0]
        let show = try Outdial.run(["--db", copy, "leads", "show", lead[0], "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let campaigns = try #require(object["campaigns"] as? [[String: Any]])
        #expect(campaigns.first?["campaign"] as? String == "spring-solar" && campaigns.first?["status"] as? String == "contacted")
    }
}
