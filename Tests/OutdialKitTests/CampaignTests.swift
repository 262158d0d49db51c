import Foundation
import TestSupport
import Testing

@testable import OutdialKit

private func load(_ text: String, name: String = "c.yml") throws -> Campaign {
    let dir = try TemporaryDirectory()
    return try Campaign.load(path: try dir.write(name, text))
}

private func loadError(_ text: String) -> CampaignFileError? {
    do {
        _ = try load(text)
        return nil
    } catch let error as CampaignFileError {
        return error
    } catch {
        Issue.record("unexpected \(error)")
        return nil
    }
}

@Suite struct CampaignTests {
    @Test func theExampleCampaignLoads() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let campaign = try Campaign.load(path: url.appendingPathComponent("examples/campaign.yml").path)
        #expect(campaign.name == "spring-solar")
        #expect(campaign.callingWindow.days == [1, 2, 3, 4, 5, 6])
        #expect(campaign.callingWindow.overrides[6] == .some(MinuteRange(start: 600, end: 960)))
        #expect(campaign.callingWindow.holidaySets == ["us-federal"])
        #expect(campaign.callingWindow.holidayDates == [CivilDate.days(year: 2026, month: 12, day: 24)])
        #expect(campaign.limits.maxAttempts == 3)
        #expect(campaign.limits.minimumGap == TimeSpan(seconds: 14_400))
        #expect(campaign.numbers?.dailyCap == 80)
        #expect(campaign.connections["main"]?.provider == .simulated)
        #expect(campaign.workflowNames == ["outbound", "post-call", "inbound-replies", "handoff"])
    }

    @Test func jsonIsAcceptedToo() throws {
        let campaign = try load(#"{"version": 1, "name": "j", "calling_window": {"days": ["mon-fri"], "hours": "10:00-18:00"}}"#, name: "c.json")
        #expect(campaign.callingWindow.days == [1, 2, 3, 4, 5])
        #expect(campaign.callingWindow.hours == MinuteRange(start: 600, end: 1080))
    }

    @Test(arguments: [
        ("version: 1\nname: x\ncalling_window:\n  dayz: [mon]\n", 4, 3, "unknown key 'dayz' in 'calling_window'; did you mean 'days'?"),
        ("version: 1\nname: x\nwindow: {}\n", 3, 1, "unknown key 'window' in the file; expected one of version, name"),
        ("version: 1\nname: x\ncalling_window:\n  hours: \"9-25\"\n", 4, 10, "'25' in '9-25' is not a time of day"),
        ("version: 1\nname: x\ncalling_window:\n  days: [mon, funday]\n", 4, 15, "'funday' is not a day"),
        ("version: 1\nname: x\ncalling_window:\n  holidays: [xmas]\n", 4, 14, "holiday 'xmas' is neither a date"),
        ("version: 1\nname: x\nlimits:\n  min_gap: 4\n", 4, 12, "'limits.min_gap': '4' is not a duration"),
        ("version: 1\nname: x\ndefaults:\n  timezone: Mars/Base\n", 4, 13, "'defaults.timezone' must be 'skip' or an IANA zone"),
        ("version: 2\nname: x\n", 1, 10, "'version' must be 1"),
        ("version: 1\n", 1, 1, "the campaign needs a 'name'"),
        ("name: [x\n", 2, 1, "not valid YAML"),
        // Values that trapped or overflowed later (a crash in `run`) are refused here.
        ("version: 1\nname: x\nlimits:\n  min_gap: 999999999w999999999w\n", 4, 12, "a duration can be at most 10 years (3650d)"),
        ("version: 1\nname: x\nlimits:\n  calls_per_second: .inf\n", 4, 21, "'limits.calls_per_second' must be a number from 0.001 to 1000"),
        ("version: 1\nname: x\nnumbers:\n  selection: { nearby_km: .inf }\n", 4, 27, "'numbers.selection.nearby_km' must be a number from 0 to 20000"),
        ("version: 1\nname: x\nnumbers:\n  selection: { nearby_km: nan }\n", 4, 27, "must be a number from 0 to 20000"),
        ("version: 1\nname: x\nnumbers:\n  selection: { nearby_km: 0x10p3 }\n", 4, 27, "must be a number from 0 to 20000"),
        // A file named where a mapping with `file:` is wanted is told how to write it.
        (
            "version: 1\nname: x\nleads: leads.csv\n", 3, 8,
            "'leads' must be a mapping of keys to values (file, on_duplicate, list); for a file, write { file: leads.csv }"
        ),
        ("version: 1\nname: x\nlimits: 5\n", 3, 9, "'limits' must be a mapping of keys to values (concurrent_calls"),
    ])
    func errorsSayFileLineAndColumn(text: String, line: Int, column: Int, message: String) throws {
        let error = try #require(loadError(text))
        #expect(error.line == line, "\(error)")
        #expect(error.column == column, "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    @Test func theCampaignWindowNarrowsTheComplianceLayers() throws {
        let campaign = try load("version: 1\nname: x\ncalling_window:\n  days: [mon-fri]\n  hours: \"10:00-12:00\"\n")
        let policy = try campaign.windowPolicy()
        let subject = WindowSubject(zones: ["America/New_York"], phoneState: "NY", phoneCountry: "US")
        let gate = WindowGate(policy: policy)
        let answer = gate.answer(subject, at: try Instant(iso8601: "2026-11-25T14:00:00Z"))  // 09:00 EST
        #expect(answer.nextOpen == (try Instant(iso8601: "2026-11-25T15:00:00Z")).seconds)
        #expect(policy.rules(for: subject).map(\.id) == ["campaign", "us-federal"])
    }

    @Test func complianceNoneLeavesTheCampaignWindowAlone() throws {
        let campaign = try load("version: 1\nname: x\ncalling_window:\n  days: [sun]\n  hours: \"07:00-22:00\"\n  compliance: none\n")
        let policy = try campaign.windowPolicy()
        #expect(policy.rules(for: WindowSubject(zones: ["America/Chicago"], addressState: "UT", phoneCountry: "US")).map(\.id) == ["campaign"])
    }
}

/// Campaign files are read with bounded work, whatever they hold.
@Suite struct CampaignFileLimitTests {
    @Test func aFileThatExpandsToMillionsOfNodesIsRefusedAtOnce() throws {
        var lines = [
            "version: 1", "name: bomb", "calling_window:", "  holidays:",
            "    - &a0 [" + Array(repeating: "\"2026-12-24\"", count: 9).joined(separator: ",") + "]",
        ]
        for i in 1...9 { lines.append("    - &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]") }
        let error = try #require(loadError(lines.joined(separator: "\n") + "\n"))
        #expect(error.message.contains("expands to more than 100000 YAML nodes"), "\(error)")
    }

    @Test func aFileOverOneMebibyteIsRefusedUnread() throws {
        let text = "version: 1\nname: big\n# " + String(repeating: "x", count: 1 << 20) + "\n"
        let error = try #require(loadError(text))
        #expect(error.message.contains("a campaign file is at most 1 MiB"), "\(error)")
    }

    @Test func aLongNameIsRefused() throws {
        let error = try #require(loadError("version: 1\nname: \(String(repeating: "n", count: 129))\n"))
        #expect(error.message.contains("a campaign name is at most 128"), "\(error)")
        #expect(try load("version: 1\nname: \(String(repeating: "n", count: 128))\n").name.count == 128)
    }

    @Test func aDirectoryAFIFOOrASymlinkLoopIsNamedForWhatItIs() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: InputFileError(path: dir.path, reason: "it is a directory")) { try Campaign.load(path: dir.path) }
        let fifo = dir.path("pipe.yml")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Refused before it is opened: reading a FIFO with no writer would wait forever.
        #expect(throws: InputFileError(path: fifo, reason: "not a regular file")) { try Campaign.load(path: fifo) }
        try FileManager.default.createSymbolicLink(atPath: dir.path("a.yml"), withDestinationPath: dir.path("b.yml"))
        try FileManager.default.createSymbolicLink(atPath: dir.path("b.yml"), withDestinationPath: dir.path("a.yml"))
        #expect(throws: InputFileError(path: dir.path("a.yml"), reason: "Too many levels of symbolic links")) { try Campaign.load(path: dir.path("a.yml")) }
    }
}

@Suite struct ComplianceLintTests {
    @Test func checkWarnsOnEachLooseningWithItsPlace() throws {
        let campaign = try load("version: 1\nname: loose\ncalling_window:\n  hours: \"06:00-23:00\"\n  compliance: none\n")
        let findings = CampaignLint.findings(campaign)
        #expect(findings.allSatisfy { !$0.isError })
        #expect(findings.contains { $0.line == 5 && $0.message.hasPrefix("compliance: none turns off") })
        #expect(findings.contains { $0.line == 4 && $0.column == 10 && $0.message.contains("outside 08:00-21:00") })
        #expect(findings.contains { $0.message.hasPrefix("no holidays") })
        let partial = try load("version: 1\nname: us-only\ncalling_window:\n  holidays: [us-federal]\n  compliance: [us]\n")
        #expect(
            CampaignLint.complianceFindings(partial).map(\.message) == [
                "compliance leaves out 'ca': Canadian leads are gated by the campaign's own window only"
            ])
    }

    /// Values a trigger or condition can never see are errors, each in one pass with a suggestion.
    @Test func checkFindsEveryMisspeltValueInOnePass() throws {
        let campaign = try load(
            """
            version: 1
            name: typos
            calling_window: { holidays: [us-federal] }
            connections: { main: { provider: simulated } }
            workflows:
              - name: a
                trigger: lead_added
                steps: [ { wait_until_calling_window: {} }, { place_call: { connection: mian } } ]
              - name: b
                trigger: { call_completed: { outcome: [answerd], sentiment: [happy], connection: [main] } }
                steps: [ { if: { field: call.outcome, in: [voicemail, no-answer] }, then: [ { add_tag: x } ] } ]

            """)
        let errors = CampaignLint.findings(campaign).filter(\.isError).map(\.message)
        #expect(
            errors == [
                "workflow 'a': place_call uses connection 'mian', which the campaign does not define; did you mean 'main'?",
                "workflow 'b': call_completed: unknown outcome 'answerd'; did you mean 'answered'?",
                "workflow 'b': call_completed: unknown sentiment 'happy'; expected one of positive, neutral, negative, unknown",
                "workflow 'b': condition on call.outcome: unknown outcome 'no-answer'; did you mean 'no_answer'?",
            ])
    }

    /// A file that cannot be read is not stopped at its first problem: each
    /// part is read on its own, and every problem comes back, in file order.
    @Test func everyProblemOfAFileThatCannotBeReadComesBackInOnePass() throws {
        let error = try #require(
            loadError(
                """
                version: 1
                colour: blue
                calling_window: { days: [mon, tue], hours: "09:00-25:00", compliance: [us, mars] }
                limits: { max_attempts: abc, concurrent_calls: 5 }
                workflows:
                  - name: a
                    trigger: lead_addd
                    steps: [ { wait: 5q } ]
                  - name: b
                    trigger: lead_added
                    steps: [ { place_cal: {} } ]
                """))
        #expect(
            error.all.map { "\($0.line):\($0.column) \($0.message)" } == [
                "1:1 the campaign needs a 'name'",
                "2:1 unknown key 'colour' in the file; expected one of version, name, defaults, calling_window, connections, numbers, limits, workflows, compliance_rules, messaging, responders, leads, audience",
                "3:44 '25:00' in '09:00-25:00' is not a time of day (hours run 00–24)",
                "3:76 compliance 'mars' is not one of us, ca, none",
                "4:25 'limits.max_attempts' must be a whole number from 1 to 100",
                "7:14 unknown trigger 'lead_addd'; did you mean 'lead_added'?",
                "8:22 'workflows[0].steps[0].wait': '5q' is not a duration: unknown unit 'q'; use s, m, h, d or w",
                "11:16 unknown key 'place_cal' in 'workflows[1].steps[0]'; did you mean 'place_call'?",
            ])
        #expect(error.rendered.split(separator: "\n").count == 8 && error.rendered.split(separator: "\n").allSatisfy { $0.hasPrefix("error: ") })
        // One problem is one error, as before.
        let one = try #require(loadError("version: 1\nname: x\nlimits: { max_attempts: 0 }\n"))
        #expect(one.others.isEmpty && one.line == 3)
    }

    @Test func checksLastLineCountsInWordsThatAgree() {
        let warning = CampaignLint.Finding(line: 1, column: 1, isError: false, message: "w")
        let error = CampaignLint.Finding(line: 2, column: 1, isError: true, message: "e")
        #expect(CampaignLint.summary([warning], workflows: 1, file: "c.yml") == "c.yml: 1 workflow, 0 errors, 1 warning.")
        #expect(CampaignLint.summary([warning, error, error], workflows: 2, file: "c.yml") == "c.yml: 2 workflows, 2 errors, 1 warning.")
    }

    @Test func theExampleLoosensNothing() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        #expect(CampaignLint.findings(try Campaign.load(path: url.appendingPathComponent("examples/campaign.yml").path)).isEmpty)
    }
}
