import Foundation
import OutdialKit
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
        #expect(Set(chosen.keys) == ["phone", "number", "tier", "distance_km", "used_today", "daily_cap", "reason", "waits_for", "wait_until"])
    }

    @Test func planWritesNothing() throws {
        let (dir, db) = try setUp()
        _ = dir
        // Every row of every table, read through the store (a write could sit in the WAL, not the file).
        func contents() throws -> [String] {
            let database = try Database(path: db)
            let tables = try database.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") { $0.string(0) ?? "" }
            var rows: [String] = []
            for table in tables {
                rows += try database.query("SELECT * FROM \(table)") { s in
                    table + ":" + (0..<s.columnCount).map { s.string($0) ?? "NULL" }.joined(separator: "|")
                }
            }
            return rows
        }
        let before = try contents()
        let plan = try Outdial.run(["--db", db, "plan", examples.appendingPathComponent("campaign.yml").path, "--at", "2026-11-25T18:00:00Z"])
        #expect(plan.status == 0)
        #expect(try contents() == before)
        #expect(before.count > 300)
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

    @Test func selectWithNoUsableCallerIDPrintsWhyAndExits65() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let numbers = try dir.write("numbers.csv", "number,enabled\n+14155550100,false\n")
        #expect(try Outdial.run(["--db", db, "numbers", "import", numbers]).status == 0)
        let text = try Outdial.run(["--db", db, "select", "(212) 555-0123", "--at", "2026-11-25T18:00:00Z"])
        #expect(text.status == 65)
        #expect(text.stdout.isEmpty)
        #expect(text.stderr.contains("error: no caller ID for +12125550123: "))
        let json = try Outdial.run(["--db", db, "select", "(212) 555-0123", "--at", "2026-11-25T18:00:00Z", "--json"])
        #expect(json.status == 65)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["number"] is NSNull)
        // With a usable number the same command succeeds.
        let more = try dir.write("more.csv", "number\n+12125550100\n")
        #expect(try Outdial.run(["--db", db, "numbers", "import", more]).status == 0)
        #expect(try Outdial.run(["--db", db, "select", "(212) 555-0123", "--at", "2026-11-25T18:00:00Z"]).status == 0)
    }

    @Test func anImportWhoseEveryRowIsRejectedExits65AndOneWithAGoodRowDoesNot() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let bad = try dir.write("bad.csv", "number,daily_cap\n123,5\n+14155550100,0\n")
        let numbers = try Outdial.run(["--db", db, "numbers", "import", bad])
        #expect(numbers.status == 65)
        #expect(numbers.stderr.contains("bad.csv:2:"))
        #expect(numbers.stderr.contains("every row of \(bad) was rejected (2 rows"))
        let mixed = try dir.write("mixed.csv", "number\n123\n+14155550100\n")
        #expect(try Outdial.run(["--db", db, "numbers", "import", mixed]).status == 0)

        let leads = try dir.write("leads.csv", "phone\n123\nnot a number\n")
        let imported = try Outdial.run(["--db", db, "leads", "import", leads, "--json"])
        #expect(imported.status == 65)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any])
        #expect(object["rejected"] as? Int == 2)
        #expect(FileManager.default.fileExists(atPath: dir.path("leads.rejects.csv")))
    }

    /// `numbers disable|enable|rest` change what `numbers list` and `select` see; an unknown number changes nothing.
    @Test func theOperatorDisablesRestsAndEnablesNumbers() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let numbers = try dir.write("numbers.csv", "number\n+12125550100\n+12125550101\n")
        #expect(try Outdial.run(["--db", db, "numbers", "import", numbers]).status == 0)
        func status(_ number: String) throws -> String {
            let lines = try Outdial.run(["--db", db, "numbers", "list", "--json"]).stdout.split(separator: "\n")
            let rows = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            return rows.first { $0["number"] as? String == number }?["status"] as? String ?? "?"
        }
        #expect(try Outdial.run(["--db", db, "numbers", "disable", "(212) 555-0100"]).stdout == "+12125550100: disabled.\n")
        #expect(try status("+12125550100") == "disabled")
        let rest = try Outdial.run(["--db", db, "numbers", "rest", "+12125550101", "--for", "2h", "--reason", "carrier complaint"])
        #expect(rest.status == 0 && rest.stdout.hasPrefix("+12125550101: resting until "))
        #expect(try status("+12125550101").contains("(carrier complaint)"))
        // Both out of the pool: no caller ID.
        #expect(try Outdial.run(["--db", db, "select", "(212) 555-0123"]).status == 65)
        let unknown = try Outdial.run(["--db", db, "numbers", "enable", "+12125550100", "+19995550000"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no number of the pool matches '+19995550000'"))
        #expect(try status("+12125550100") == "disabled")  // all or none
        #expect(try Outdial.run(["--db", db, "numbers", "enable", "+12125550100", "+12125550101", "--json"]).status == 0)
        #expect(try status("+12125550100") == "ok" && status("+12125550101") == "ok")
        #expect(try Outdial.run(["--db", db, "select", "(212) 555-0123"]).status == 0)
    }
}
