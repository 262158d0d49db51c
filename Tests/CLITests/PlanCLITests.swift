import Foundation
import TestSupport
import Testing

@Suite struct PlanAndSelectCLITests {
    private var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")
    }

    private func setUp() throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        #expect(try Outdial.run(["--db", db, "numbers", "import", examples.appendingPathComponent("numbers.csv").path]).status == 0)
        #expect(
            try Outdial.run(["--db", db, "leads", "import", examples.appendingPathComponent("leads.csv").path, "--rejects", dir.path("r.csv")]).status == 0)
        return (dir, db)
    }

    @Test func planLinesHaveTheKeysOfSpec31AndAgreeWithSelect() throws {
        let (dir, db) = try setUp()
        _ = dir
        let at = "2026-11-25T18:00:00Z"
        let plan = try Outdial.run(["--db", db, "plan", examples.appendingPathComponent("campaign.yml").path, "--at", at, "--json"])
        #expect(plan.status == 0)
        let lines = plan.stdout.split(separator: "\n")
        #expect(lines.count == 298)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(Set(first.keys) == ["lead_id", "phone", "zones", "status", "next_open", "number", "tier", "reason"])
        #expect(first["status"] as? String == "ready")
        // The first lead's plan and a real selection at the same instant agree.
        let select = try Outdial.run([
            "--db", db, "select", first["phone"] as! String, "--at", at, "--campaign", examples.appendingPathComponent("campaign.yml").path, "--json",
        ])
        let chosen = try #require(try JSONSerialization.jsonObject(with: Data(select.stdout.utf8)) as? [String: Any])
        #expect(chosen["number"] as? String == first["number"] as? String)
        #expect(chosen["tier"] as? String == first["tier"] as? String)
        #expect(Set(chosen.keys) == ["phone", "number", "tier", "distance_km", "used_today", "daily_cap", "reason"])
    }

    @Test func planWritesNothing() throws {
        let (dir, db) = try setUp()
        _ = dir
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        _ = try Outdial.run(["--db", db, "plan", examples.appendingPathComponent("campaign.yml").path, "--at", "2026-11-25T18:00:00Z"])
        let after = try Data(contentsOf: URL(fileURLWithPath: db))
        #expect(before == after)
    }

    @Test func onSundayEveryLeadWaitsForMonday() throws {
        let (dir, db) = try setUp()
        _ = dir
        let plan = try Outdial.run(["--db", db, "plan", examples.appendingPathComponent("campaign.yml").path, "--at", "2026-11-29T18:00:00Z"])
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("0 ready, 298 waiting, 0 blocked"))
    }

    @Test func numbersListShowsUseAndStatus() throws {
        let (dir, db) = try setUp()
        _ = dir
        let list = try Outdial.run(["--db", db, "numbers", "list", "--json"])
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 36)
        #expect(list.stdout.contains(#""number":"+14155550000""#))
        #expect(list.stdout.contains(#""status":"disabled""#))
    }
}
