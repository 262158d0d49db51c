import Foundation
import OutdialKit
import Synchronization
import TestSupport
import Testing

/// `run` without `--simulate`, through the binary, against a stub Retell this
/// test starts on 127.0.0.1: the key comes from the environment and shows up
/// nowhere; unknown calls are listed and resolved by hand.
@Suite(.serialized) struct LiveCLITests {
    static let key = "key_live_cli_9a8b7c6d5e4f"

    /// A campaign whose window is always open (so the test passes at any hour),
    /// dialling through Retell at `base`.
    static func setUp(_ dir: TemporaryDirectory, base: String, leads: Int) throws -> (db: String, campaign: String) {
        let db = dir.path("live.db")
        var csv = "phone,first_name\n"
        for i in 0..<leads { csv += "+1212555\(String(format: "%04d", 200 + i)),Lead\(i)\n" }
        #expect(try Outdial.run(["--db", db, "leads", "import", try dir.write("leads.csv", csv), "--rejects", dir.path("r.csv")]).status == 0)
        #expect(try Outdial.run(["--db", db, "numbers", "import", try dir.write("numbers.csv", "number\n+12125550001\n")]).status == 0)
        let campaign = try dir.write(
            "live.yml",
            """
            version: 1
            name: live-cli
            calling_window: { days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00", compliance: none }
            connections:
              main: { provider: retell, api_key_env: TEST_RETELL_KEY, agent: agent_1, base_url: "\(base)", poll_interval: 1s, timeout: 2s }
            limits: { concurrent_calls: 5, calls_per_second: 5, max_attempts: 1 }
            workflows:
              - name: outbound
                trigger: lead_added
                steps: [ { place_call: { connection: main } } ]
              - name: post-call
                trigger: { call_completed: {} }
                steps: [ { add_tag: called } ]
            """)
        return (db, campaign)
    }

    static func rows(_ db: String, _ sql: String) throws -> [String] {
        try Database(path: db).query(sql) { s in (0..<s.columnCount).map { s.string($0) ?? "-" }.joined(separator: "|") }
    }

    @Test func aLiveRunDialsThroughTheProviderAndKeepsTheKeyOutOfEverything() async throws {
        let dir = try TemporaryDirectory()
        let polls = Mutex(0)
        let stub = try await StubServer.start { request in
            if request.uri == "/v2/create-phone-call" {
                let id = (try? JSONParser.parse(request.body))?[path: "metadata.outdial_call_id"]?.text ?? "0"
                // The third call's request is taken and never answered.
                return id == "3" ? .hang : .json(#"{"call_id":"r-\#(id)"}"#, status: 201)
            }
            polls.withLock { $0 += 1 }
            let id = request.uri.split(separator: "/").last.map(String.init) ?? ""
            return .json(
                #"{"call_id":"\#(id)","call_status":"ended","disconnection_reason":"user_hangup","start_timestamp":1,"end_timestamp":30001,"call_analysis":{"call_summary":"ok","user_sentiment":"Neutral"}}"#
            )
        }
        let (db, campaign) = try Self.setUp(dir, base: stub.baseURL, leads: 4)

        // check names the variable while it is unset, and run refuses to start without it.
        let check = try Outdial.run(["--db", db, "check", campaign])
        #expect(check.stderr.contains("reads TEST_RETELL_KEY, which is not set here"))
        let refused = try Outdial.run(["--db", db, "run", campaign])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("TEST_RETELL_KEY, which is not set"))
        #expect(try Self.rows(db, "SELECT count(*) FROM calls") == ["0"])

        let run = try Outdial.run(["--db", db, "run", campaign, "--json"], environment: ["TEST_RETELL_KEY": Self.key])
        await stub.stop()
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(summary["calls"] as? Int == 4)
        #expect(
            try Self.rows(db, "SELECT call_id, status, outcome FROM calls ORDER BY call_id") == [
                "1|completed|answered", "2|completed|answered", "3|unknown|-", "4|completed|answered",
            ])
        #expect(try Self.rows(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == ["3"])
        #expect(stub.requests.filter { $0.uri == "/v2/create-phone-call" }.count == 4)
        #expect(stub.requests.allSatisfy { $0.header("Authorization") == "Bearer \(Self.key)" })
        #expect(!run.stdout.contains(Self.key) && !run.stderr.contains(Self.key))
        let everything = try Self.rows(db, "SELECT * FROM calls") + Self.rows(db, "SELECT * FROM events") + Self.rows(db, "SELECT * FROM campaign_state")
        #expect(!everything.joined().contains(Self.key))

        // The unknown call is listed for the operator, shown, and resolved by hand once.
        let unknown = try Outdial.run(["--db", db, "calls", "list", "--status", "unknown", "--json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(unknown.stdout.utf8)) as? [[String: Any]])
        #expect(listed.map { $0["call_id"] as? Int } == [3])
        #expect((listed.first?["error_message"] as? String)?.contains("may have been placed") == true)
        let shown = try Outdial.run(["--db", db, "calls", "show", "3"])
        #expect(shown.stdout.contains("status: unknown"))
        let resolved = try Outdial.run(["--db", db, "calls", "resolve", "3", "--outcome", "voicemail", "--campaign", campaign, "--note", "checked"])
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(try Self.rows(db, "SELECT status, outcome, summary FROM calls WHERE call_id = 3") == ["completed|voicemail|checked"])
        let again = try Outdial.run(["--db", db, "calls", "resolve", "3", "--outcome", "answered", "--campaign", campaign])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already has its outcome (voicemail)"))
        // The next run advances its post-call workflow, and dials nothing.
        let next = try Outdial.run(["--db", db, "run", campaign, "--json"], environment: ["TEST_RETELL_KEY": Self.key])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try Self.rows(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call' AND status = 'done'") == ["4"])
        #expect(try Self.rows(db, "SELECT count(*) FROM calls") == ["4"])
    }

    /// Ctrl-C lands with calls in flight by construction: the stub takes
    /// every call and says `ongoing` until the test lets them end, and the
    /// signal is sent once it has seen all three created and polled. The run
    /// stops dialling, waits its `--wait` bound, says how many are left in
    /// flight and exits 0; the next run polls them to their end, places
    /// nothing again, and each call's post-call workflow runs once.
    @Test func ctrlCWithCallsInFlightThenRunAgainPollsThemToTheirEnd() async throws {
        let dir = try TemporaryDirectory()
        let ended = Mutex(false)
        let stub = try await StubServer.start { request in
            if request.uri == "/v2/create-phone-call" {
                let id = (try? JSONParser.parse(request.body))?[path: "metadata.outdial_call_id"]?.text ?? "0"
                return .json(#"{"call_id":"r-\#(id)"}"#, status: 201)
            }
            let id = request.uri.split(separator: "/").last.map(String.init) ?? ""
            guard ended.withLock({ $0 }) else { return .json(#"{"call_id":"\#(id)","call_status":"ongoing"}"#) }
            return .json(
                #"{"call_id":"\#(id)","call_status":"ended","disconnection_reason":"user_hangup","start_timestamp":1,"end_timestamp":30001,"call_analysis":{"call_summary":"ok","user_sentiment":"Neutral"}}"#
            )
        }
        let (db, campaign) = try Self.setUp(dir, base: stub.baseURL, leads: 3)
        let process = Process()
        process.executableURL = Outdial.binary
        process.arguments = ["--db", db, "run", campaign, "--json", "--wait", "2s"]
        var environment = ProcessInfo.processInfo.environment
        environment["TEST_RETELL_KEY"] = Self.key
        environment.removeValue(forKey: "OUTDIAL_DB")
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait (with a deadline) until every call was created and polled at least once: all three are in flight.
        let deadline = Date().addingTimeInterval(60)
        func inFlight() -> Bool {
            let requests = stub.requests
            let polled = Set(requests.filter { $0.uri.hasPrefix("/v2/get-call/") }.map(\.uri))
            return requests.filter { $0.uri == "/v2/create-phone-call" }.count == 3 && polled.count == 3
        }
        while !inFlight(), Date() < deadline, process.isRunning { await Task.yield() }
        #expect(inFlight())
        kill(process.processIdentifier, SIGINT)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(data)) as? [String: Any])
        #expect(first["interrupted"] as? Bool == true)
        #expect(first["calls"] as? Int == 3 && first["in_flight"] as? Int == 3)
        #expect(try Self.rows(db, "SELECT status FROM calls ORDER BY call_id") == ["in_progress", "in_progress", "in_progress"])
        #expect(try Self.rows(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'") == ["0"])

        // The calls end; the next run polls them to their end and dials nothing.
        ended.withLock { $0 = true }
        let next = try Outdial.run(["--db", db, "run", campaign, "--json"], environment: ["TEST_RETELL_KEY": Self.key])
        await stub.stop()
        #expect(next.status == 0, "\(next.stderr)")
        let second = try #require(try JSONSerialization.jsonObject(with: Data(next.stdout.utf8)) as? [String: Any])
        #expect(second["calls"] as? Int == 0 && second["in_flight"] as? Int == 0)
        #expect(try Self.rows(db, "SELECT status, outcome FROM calls ORDER BY call_id") == ["completed|answered", "completed|answered", "completed|answered"])
        #expect(stub.requests.filter { $0.uri == "/v2/create-phone-call" }.count == 3)
        #expect(
            try Self.rows(db, "SELECT count(*), count(DISTINCT context) FROM workflow_runs WHERE workflow = 'post-call'") == ["3|3"])
        #expect(!next.stdout.contains(Self.key) && !next.stderr.contains(Self.key))
    }

    @Test func aRejectedKeyStopsTheRunWithExitOne() async throws {
        let dir = try TemporaryDirectory()
        let stub = try await StubServer.start { _ in .respond(status: 401, body: #"{"error_message":"Invalid API Key"}"#) }
        let (db, campaign) = try Self.setUp(dir, base: stub.baseURL, leads: 2)
        let run = try Outdial.run(["--db", db, "run", campaign], environment: ["TEST_RETELL_KEY": Self.key])
        await stub.stop()
        #expect(run.status == 1)
        #expect(run.stderr.contains("the provider refused connection 'main''s key (HTTP 401: Invalid API Key)"))
        #expect(!run.stderr.contains(Self.key))
        #expect(try Self.rows(db, "SELECT status FROM calls") == ["queued", "queued"])
    }
}
