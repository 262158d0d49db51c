import Foundation
import TestSupport
import Testing

@Suite struct WindowCLITests {
    @Test func jsonHasExactlyTheKeysOfSpec31() throws {
        let result = try Outdial.run(["window", "(850) 432-1234", "--at", "2026-11-25T13:30:00Z", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["phone", "zones", "state", "at", "open", "closes_at", "next_open", "rules"])
        #expect(object["phone"] as? String == "+18504321234")
        #expect(object["zones"] as? [String] == ["America/Chicago"])
        #expect(object["open"] as? Bool == false)
        #expect(object["closes_at"] is NSNull)
        #expect(object["next_open"] as? String == "2026-11-25T14:00:00Z")
        #expect(object["rules"] as? [String] == ["us-federal", "us-FL"])
    }

    @Test func openAnswersCarryClosesAtAndNextOpenEqualToAt() throws {
        let result = try Outdial.run(["window", "212-555-0123", "--at", "2026-11-25T18:00:00Z", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["open"] as? Bool == true)
        #expect(object["closes_at"] as? String == "2026-11-26T02:00:00Z")
        #expect(object["next_open"] as? String == "2026-11-25T18:00:00Z")
    }

    @Test func humanOutputSaysOpenOrClosedLocallyAndInUTCAndTheDisclaimerOnce() throws {
        let result = try Outdial.run(["window", "850-432-1234", "--state", "TX", "--at", "2026-11-25T13:30:00Z"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("+18504321234 is CLOSED at 2026-11-25T13:30:00Z."))
        #expect(result.stdout.contains("America/Chicago (Wed 2026-11-25 07:30)"))
        #expect(result.stdout.contains("Opens:   2026-11-25T16:00:00Z — Wed 2026-11-25 10:00 Chicago, Wed 2026-11-25 09:00 Denver"))
        #expect(result.stdout.components(separatedBy: "not legal advice").count == 2)
    }

    /// The explicit zone is gated beside the phone's, never instead: 08:30 in
    /// New York is 07:30 in Pensacola, so the 850 lead is still closed.
    @Test func anExplicitTimezoneAddsToThePhonesZonesAndNeverReplacesThem() throws {
        let result = try Outdial.run(["window", "850-432-1234", "--timezone", "America/New_York", "--at", "2026-11-25T13:30:00Z", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["zones"] as? [String] == ["America/Chicago", "America/New_York"])
        #expect(object["open"] as? Bool == false)
    }

    /// A CRM default of UTC or a far-off zone cannot make a 3 a.m. call.
    @Test(arguments: ["UTC", "Asia/Tokyo"])
    func aWrongTimezoneColumnCanOnlyNarrowTheWindow(zone: String) throws {
        let result = try Outdial.run(["window", "512-555-0117", "--state", "TX", "--timezone", zone, "--at", "2026-12-02T09:00:00Z", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["zones"] as? [String])?.contains("America/Chicago") == true, "\(result.stdout)")
        #expect(object["open"] as? Bool == false)
    }

    @Test(arguments: [
        (["window", "123"], "The value '123' is invalid for '<phone>': it has 3 digits"),
        (["window", "4155550123", "--state", "Narnia"], "The value is invalid for '--state <code>': 'Narnia' is not a US state"),
        (["window", "4155550123", "--timezone", "Mars/Base"], "The value is invalid for '--timezone <zone>'"),
        (["window", "4155550123", "--at", "2026-11-25 10:00"], "The value '2026-11-25 10:00' is invalid for '--at <time>'"),
    ])
    func badArgumentsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try Outdial.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: \(message)"))
    }

    @Test func leadsWindowsCountsTheImportedLeads() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let csv = try dir.write("l.csv", "phone,state\n212-555-0123,\n850-432-1234,\n801-555-0123,\n+1 999 234 5678,\n")
        #expect(try Outdial.run(["--db", db, "leads", "import", csv]).status == 0)
        // Sunday 17:30 UTC: New York 12:30 open, Pensacola 11:30 open, Utah closed all Sunday, 999 has no zone.
        let result = try Outdial.run(["--db", db, "leads", "windows", "--at", "2026-11-29T17:30:00Z", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["open"] as? Int == 2)
        #expect(object["opens_within_24h"] as? Int == 1)
        #expect(object["no_timezone"] as? Int == 1)
    }
}

@Suite struct WindowCampaignCLITests {
    private var example: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/campaign.yml").path
    }

    @Test func theCampaignWindowAndItsHolidaysApply() throws {
        let result = try Outdial.run(["window", "212-555-0123", "--campaign", example, "--at", "2026-11-26T16:00:00Z", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["open"] as? Bool == false)
        #expect(object["next_open"] as? String == "2026-11-27T14:00:00Z")
        #expect((object["rules"] as? [String])?.first == "campaign")
        #expect((object["rules"] as? [String])?.contains("holiday:us-federal") == true)
    }

    @Test func aBadCampaignExits65WithFileLineColumn() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("bad.yml", "version: 1\nname: x\ncalling_window:\n  hours: \"09:00-20:00\"\n  dayz: [mon]\n")
        let result = try Outdial.run(["window", "2125550123", "--campaign", path])
        #expect(result.status == 65)
        #expect(result.stderr == "error: \(path):5:3: unknown key 'dayz' in 'calling_window'; did you mean 'days'?\n")
    }
}
