import Foundation
import OutdialKit
import TestSupport
import Testing

private func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Suite struct LeadsCLITests {
    @Test func importPrintsTheSummaryOfSpec31() throws {
        let dir = try TemporaryDirectory()
        let csv = try dir.write("leads.csv", "Phone Number,First Name\n(415) 555-0123,Ann\n123,Bad\n415.555.0123,Dup\n")
        let result = try Outdial.run(["leads", "import", csv, "--db", dir.path("t.db"), "--json"])
        #expect(result.status == 0)
        let object = try json(result.stdout)
        #expect(Set(object.keys).isSuperset(of: ["rows", "imported", "updated", "duplicates", "rejected", "dnc", "rejects_file"]))
        #expect(object["rows"] as? Int == 3)
        #expect(object["imported"] as? Int == 1)
        #expect(object["rejected"] as? Int == 1)
        #expect(object["duplicates"] as? Int == 1)
        #expect(object["rejects_file"] as? String == dir.path("leads.rejects.csv"))
    }

    /// `leads show` names the lists a lead is in (re-importing into another list adds it).
    @Test func showNamesTheLeadsLists() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let csv = try dir.write("leads.csv", "phone\n4155550123\n2125550124\n")
        #expect(try Outdial.run(["--db", db, "leads", "import", csv, "--list", "client-b"]).status == 0)
        let one = try dir.write("one.csv", "phone\n4155550123\n")
        #expect(try Outdial.run(["--db", db, "leads", "import", one, "--list", "client-a"]).status == 0)
        let text = try Outdial.run(["--db", db, "leads", "show", "+14155550123"])
        #expect(text.stdout.contains("Lists:    client-a, client-b\n"), "\(text.stdout)")
        let json = try json(try Outdial.run(["--db", db, "leads", "show", "+12125550124", "--json"]).stdout)
        #expect(json["lists"] as? [String] == ["client-b"])
    }

    @Test func showByPhoneInAnyFormatOrId() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let csv = try dir.write("leads.csv", "lead_id,phone,state,tags\nX-9,850-432-1234,TX,vip\n")
        #expect(try Outdial.run(["--db", db, "leads", "import", csv]).status == 0)
        for key in ["(850) 432-1234", "+18504321234", "1", "X-9"] {
            let result = try Outdial.run(["--db", db, "leads", "show", key, "--json"])
            #expect(result.status == 0, "\(key)")
            let object = try json(result.stdout)
            #expect(object["phone"] as? String == "+18504321234")
            #expect(object["zones"] as? [String] == ["America/Chicago", "America/Denver"])
            #expect(object["state"] as? String == "TX")
            #expect(object["tags"] as? [String] == ["vip"])
            #expect((object["zone_sources"] as? [String: [String]])?["America/Chicago"] == ["prefix", "address"])
            #expect(object["status"] as? String == "new")
            #expect(object["fields"] is [String: Any])
        }
        let human = try Outdial.run(["--db", db, "leads", "show", "8504321234"])
        #expect(human.stdout.contains("America/Chicago (from phone prefix and address)"))
        let missing = try Outdial.run(["--db", db, "leads", "show", "2125550123"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: no lead matches '2125550123'\n")
    }

    @Test func listShowsLeadsAsJSONLines() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let csv = try dir.write("leads.csv", "phone\n4155550123\n2125550123\n")
        #expect(try Outdial.run(["--db", db, "leads", "import", csv]).status == 0)
        let result = try Outdial.run(["--db", db, "leads", "list", "--json"])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(try json(String(lines[0]))["phone"] as? String == "+14155550123")
    }

    @Test(arguments: [
        ("name,email\nAnn,a@x\n", 65, "no phone column; the header has 'name', 'email'"),
        ("phone\n\"4155550123\n", 65, "a quoted field opened on this line never closes"),
        ("", 65, "the file is empty"),
    ])
    func unusableFilesExit65WithWhereAndWhat(text: String, status: Int32, message: String) throws {
        let dir = try TemporaryDirectory()
        let csv = try dir.write("bad.csv", text)
        let result = try Outdial.run(["leads", "import", csv, "--db", dir.path("t.db")])
        #expect(result.status == status)
        #expect(result.stderr.hasPrefix("error: \(csv):"))
        #expect(result.stderr.contains(message))
    }

    @Test func aMissingFileExits66() throws {
        let dir = try TemporaryDirectory()
        let result = try Outdial.run(["leads", "import", dir.path("nope.csv"), "--db", dir.path("t.db")])
        #expect(result.status == 66)
        #expect(result.stderr == "error: \(dir.path("nope.csv")): cannot open: No such file or directory\n")
    }

    @Test func badOptionValuesAreUsageErrors() throws {
        let dir = try TemporaryDirectory()
        let csv = try dir.write("l.csv", "phone\n4155550123\n")
        let map = try Outdial.run(["leads", "import", csv, "--map", "Mobile=fone"])
        #expect(map.status == 64)
        #expect(map.stderr.hasPrefix("Error: The value 'Mobile=fone' is invalid for '--map <column=field>': 'fone' is not a lead field"))
        let region = try Outdial.run(["leads", "import", csv, "--region", "XX"])
        #expect(region.status == 64)
        #expect(region.stderr.contains("expected an ISO country code"))
    }

    @Test func importReadsStandardInput() throws {
        let dir = try TemporaryDirectory()
        let result = try Outdial.run(["leads", "import", "-", "--db", dir.path("t.db"), "--json"], in: dir.path, input: "phone\n4155550123\n")
        #expect(result.status == 0)
        #expect(try json(result.stdout)["imported"] as? Int == 1)
    }

    /// SPEC §12: kill -9 during an import leaves the database as it was.
    @Test func killDuringImportLeavesTheDatabaseAsItWas() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let first = try dir.write("first.csv", "phone\n4155550123\n")
        #expect(try Outdial.run(["--db", db, "leads", "import", first]).status == 0)
        var text = "phone,first_name,notes\n"
        for i in 0..<300_000 { text += "+1 (212) \(200 + i / 10_000)-\(String(format: "%04d", i % 10_000)),Lead \(i),\"some, notes\"\n" }
        let big = try dir.write("big.csv", text)
        for delay in [0.05, 0.15, 0.3] {
            let process = Process()
            process.executableURL = Outdial.binary
            process.arguments = ["--quiet", "--db", db, "leads", "import", big]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let check = try Outdial.run(["--db", db, "leads", "list", "--json", "--limit", "5"])
            #expect(check.status == 0)
            #expect(check.stdout.split(separator: "\n").count == 1, "after a kill at \(delay)s the first import's lead is alone")
        }
        #expect(try Database(path: db).text("PRAGMA integrity_check") == "ok")
        let finished = try Outdial.run(["--db", db, "leads", "import", big, "--json"])
        #expect(try json(finished.stdout)["imported"] as? Int == 300_000)
    }
}

@Suite struct DncCLITests {
    @Test func addListAndMarkLeads() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let csv = try dir.write("leads.csv", "phone\n4155550123\n2015550123\n3125550123\n")
        #expect(try Outdial.run(["--db", db, "leads", "import", csv]).status == 0)
        let add = try Outdial.run(["--db", db, "dnc", "add", "(415) 555-0123", "201XXXXXXX"])
        #expect(add.status == 0)
        #expect(add.stdout.contains("Added 2 of 2"))
        let again = try Outdial.run(["--db", db, "dnc", "add", "+14155550123", "--json"])
        #expect(again.stdout == "{\"entries\":1,\"added\":0}\n")
        let list = try Outdial.run(["--db", db, "dnc", "list"])
        #expect(list.stdout.contains("+1201XXXXXXX  area_code"))
        #expect(list.stdout.contains("+14155550123  number"))
        for (phone, dnc) in [("4155550123", true), ("2015550123", true), ("3125550123", false)] {
            let show = try Outdial.run(["--db", db, "leads", "show", phone, "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            #expect(object["dnc"] as? Bool == dnc, "\(phone)")
        }
    }

    @Test func importReadsLinesOrACSVAndReportsBadLines() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let lines = try dir.write("dnc.txt", "# our list\n4155550123\n\n212-555-0199\nnot a number\n305XXXXXXX\n")
        // An unreadable line fails the import, saying where; nothing is imported.
        let strict = try Outdial.run(["--db", db, "dnc", "import", lines])
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("line 5: 'not a number'"), "\(strict.stderr)")
        #expect(try Outdial.run(["--db", db, "dnc", "list"]).stdout.contains("4155550123") == false)
        let result = try Outdial.run(["--db", db, "dnc", "import", lines, "--skip-invalid", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["entries"] as? Int == 3)
        #expect((object["errors"] as? [[String: Any]])?.count == 1)
        #expect((object["errors"] as? [[String: Any]])?.first?["line"] as? Int == 5)
        let csv = try dir.write("dnc.csv", "Name,Phone Number\nAnn,(312) 555-0100\n")
        let second = try Outdial.run(["--db", db, "dnc", "import", csv])
        #expect(second.stdout.contains("1 entries, 1 new"))
    }

    @Test func escapeSequencesInLeadFieldsNeverReachTheTerminalRaw() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("t.db")
        let csv = try dir.write("leads.csv", "phone,first_name\n+14155550101,\"\u{1B}]0;pwned\u{07}Ann\u{1B}[2J\"\n")
        #expect(try Outdial.run(["--db", db, "leads", "import", csv]).status == 0)
        for arguments in [["leads", "list"], ["leads", "show", "+14155550101"]] {
            let human = try Outdial.run(["--db", db] + arguments)
            #expect(!human.stdout.contains("\u{1B}") && !human.stdout.contains("\u{07}"), "\(arguments)")
            #expect(human.stdout.contains("\\x1b]0;pwned\\x07Ann"), "\(human.stdout)")
        }
        let json = try Outdial.run(["--db", db, "leads", "list", "--json"])
        #expect(json.stdout.contains(#""first_name":"\u001b]0;pwned\u0007Ann\u001b[2J""#), "\(json.stdout)")
    }

    @Test func aBadNumberIsAUsageError() throws {
        let result = try Outdial.run(["dnc", "add", "12"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: The value '12' is invalid for '<number>': it has 2 digits"))
    }
}
