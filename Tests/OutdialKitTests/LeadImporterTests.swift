import Foundation
import TestSupport
import Testing

@testable import OutdialKit

/// A fresh database and a directory for one test's files.
private final class Fixture {
    let dir: TemporaryDirectory
    let database: Database

    init() throws {
        dir = try TemporaryDirectory()
        database = try Store.open(dir.path("t.db"))
    }

    func importCSV(_ text: String, options: LeadImportOptions = LeadImportOptions(), name: String = "leads.csv") throws -> LeadImportSummary {
        let path = try dir.write(name, text)
        return try LeadImporter(database: database).run(path: path, options: options)
    }

    func lead(_ key: String) throws -> LeadRecord? { try LeadStore(database: database).find(key) }

    func count() throws -> Int64 { try database.scalar("SELECT count(*) FROM leads") ?? -1 }

    /// The rejects file as text (its rows are kept byte for byte, so decode leniently).
    func rejects(_ name: String = "leads.rejects.csv") throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path(name))), as: UTF8.self)
    }
}

@Suite struct LeadImporterTests {
    /// A HubSpot-style export: its headers, states written the old way, a row
    /// whose phone is only in the mobile column, countries by name.
    @Test func crmExportsAreReadWithoutAMap() throws {
        let f = try Fixture()
        var options = LeadImportOptions()
        options.rejectsPath = f.dir.path("r.csv")
        let summary = try f.importCSV(
            """
            Record ID,First Name,Phone Number,Mobile Phone Number,State/Region,Country/Region,Postal Code
            101,Ann,(850) 432-1234,,Fla.,UNITED STATES,32501
            102,Bob,,(512) 555-0117,Tex,U.S.A.,
            103,Cy,(212) 555-0123,,N.Y.,United States of America,
            104,Di,(202) 555-0144,,D.C.,us,
            105,Ed,(416) 555-0155,,Ont,Canada,
            106,Flo,123,(303) 555-0166,Narnia,,
            """, options: options)
        #expect(summary.imported == 6 && summary.rejected == 0, "\(summary.reasons)")
        // An unknown state is a warning with its line; the lead is kept, its state from its phone.
        #expect(summary.warnings.contains { $0.line == 7 && $0.text.contains("state 'Narnia' is not a US state") })
        #expect(try f.lead("+13035550166")?.state == "CO")
        let rows = try f.database.query("SELECT external_id, phone, state, country, zip FROM leads ORDER BY id") { s in
            (0..<5).map { s.string($0) ?? "" }.joined(separator: " ")
        }
        #expect(
            rows == [
                "101 +18504321234 FL US 32501", "102 +15125550117 TX US ", "103 +12125550123 NY US ", "104 +12025550144 DC US ", "105 +14165550155 ON CA ",
                "106 +13035550166 CO US ",
            ])
        // The phones taken from the second column say so; the others came from the phone column.
        let sources = try f.database.query("SELECT external_id, phone_source FROM leads WHERE phone_source IS NOT NULL ORDER BY id") { s in
            "\(s.string(0) ?? "") \(s.string(1) ?? "")"
        }
        #expect(sources == ["102 Mobile Phone Number", "106 Mobile Phone Number"])
        #expect(try f.lead("+15125550117")?.phoneSource == "Mobile Phone Number")
    }

    /// Salesforce, Pipedrive and Close exports: their object prefixes
    /// (`Mailing`, `Person -`, `primary_contact_`) and typed phones are read
    /// without `--map`; Close's `Lead Name` (a company) stays a custom field.
    @Test(arguments: [
        (
            "Contact ID,First Name,Last Name,Phone,Mobile,Email,Mailing State/Province,Mailing Zip/Postal Code,Mailing Country\n"
                + "003A,Ann,Lee,,(512) 555-0117,ann@example.com,Texas,78701,United States\n",
            "003A Ann Lee ann@example.com TX 78701 US Mobile"
        ),
        (
            "Person - ID,Person - Name,Person - Phone - Work,Person - Phone - Mobile,Person - Email - Work,Person - Labels\n"
                + "17,Ann Lee,,512-555-0117,ann@example.com,hot\n",
            "17 Ann Lee ann@example.com TX  US Person - Phone - Mobile"
        ),
        (
            "id,Lead Name,primary_contact_name,primary_contact_primary_phone,primary_contact_primary_email,primary_address_state,primary_address_zipcode\n"
                + "lead_9,Acme Inc,Ann Lee,+1 512 555 0117,ann@example.com,TX,78701\n",
            "lead_9 Ann Lee ann@example.com TX 78701 US "
        ),
    ])
    func otherCRMExportsAreReadWithoutAMap(csv: String, expected: String) throws {
        let f = try Fixture()
        var options = LeadImportOptions()
        options.rejectsPath = f.dir.path("r.csv")
        let summary = try f.importCSV(csv, options: options)
        #expect(summary.imported == 1 && summary.rejected == 0 && summary.warningCount == 0, "\(summary.reasons)")
        let lead = try #require(try f.lead("+15125550117"))
        let row = [lead.externalID, lead.firstName, lead.lastName, lead.email, lead.state, lead.zip, lead.country, lead.phoneSource].map { $0 ?? "" }
        #expect(row.joined(separator: " ") == expected)
        if csv.contains("Lead Name") { #expect(LeadRecord.parse(lead.fields) == LeadRecord.parse(#"{"Lead Name":"Acme Inc"}"#)) }
        if csv.contains("Labels") { #expect(lead.tags == ["hot"]) }
    }

    /// Re-importing with `--on-duplicate update` takes the file's values and keeps what the campaign added.
    @Test func anUpdateKeepsTheTagsAndFieldsTheCampaignAdded() throws {
        let f = try Fixture()
        var options = LeadImportOptions()
        options.rejectsPath = f.dir.path("r.csv")
        let csv = "phone,first_name,tags,roof\n4155550123,Ann,solar,south\n"
        _ = try f.importCSV(csv, options: options)
        try f.database.run(#"UPDATE leads SET tags = '["called","solar"]', fields = '{"roof":"south","stage":"quoted"}'"#)
        options.onDuplicate = .update
        #expect(try f.importCSV(csv, options: options).updated == 0)  // nothing in the file changed
        let summary = try f.importCSV("phone,first_name,tags,roof\n4155550123,Anne,vip,west\n", options: options)
        #expect(summary.updated == 1)
        let lead = try #require(try f.lead("+14155550123"))
        #expect(lead.firstName == "Anne")
        #expect(lead.tags == ["called", "solar", "vip"])
        #expect(LeadRecord.parse(lead.fields) == LeadRecord.parse(#"{"roof":"west","stage":"quoted"}"#))
    }

    @Test func importsNormalisesAndCounts() throws {
        let f = try Fixture()
        let summary = try f.importCSV(
            """
            Phone Number,First Name,Last Name,State,Company
            (850) 432-1234,Ann,Lee,FL,"Acme, Inc"
            +1 850-224-1234,Bob,Ray,,Beta
            (123) 456-0100,Bad,Row,TX,
            850.432.1234,Dup,Row,FL,
            """)
        #expect(summary.rows == 4)
        #expect(summary.imported == 2)
        #expect(summary.rejected == 1)
        #expect(summary.duplicates == 1)
        #expect(try f.count() == 2)
        let ann = try #require(try f.lead("+18504321234"))
        #expect(ann.firstName == "Ann")
        #expect(ann.fields == #"{"Company":"Acme, Inc"}"#)
        #expect(ann.sourceLine == 2)
    }

    @Test func rejectsFileKeepsTheOriginalRowItsLineAndTheReason() throws {
        let f = try Fixture()
        let summary = try f.importCSV("phone,name\n\"(123) 456-0100\",\"Lee, Ann\"\n4155550123,Bo\n415-555-0123,Dup\n")
        #expect(summary.rejectsFile == f.dir.path("leads.rejects.csv"))
        let rejects = try f.rejects()
        #expect(rejects.contains(#"2,"phone '(123) 456-0100' has an area code starting with 1","""(123) 456-0100"",""Lee, Ann""""#))
        #expect(rejects.contains(#"4,"duplicate of an earlier row (+14155550123)","415-555-0123,Dup""#))
    }

    @Test func noRejectsFileWhenEveryRowIsGood() throws {
        let f = try Fixture()
        let summary = try f.importCSV("phone\n4155550123\n")
        #expect(summary.rejectsFile == nil)
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("leads.rejects.csv")))
    }

    @Test func floridaNumberWithATexasAddressGetsTheUnionOfBoth() throws {
        let f = try Fixture()
        _ = try f.importCSV("phone,state\n850-432-1234,TX\n")
        let lead = try #require(try f.lead("8504321234"))
        #expect(lead.zones == ["America/Chicago", "America/Denver"])
        #expect(lead.state == "TX")
        #expect(lead.stateSource == "state")
        #expect(lead.zoneSources == #"{"America/Chicago":["prefix","address"],"America/Denver":["address"]}"#)
    }

    @Test func zipGivesTheStateAndItsOwnZone() throws {
        let f = try Fixture()
        _ = try f.importCSV("phone,zip\n415-555-0123,33101-1234\n")
        let lead = try #require(try f.lead("4155550123"))
        #expect(lead.state == "FL")
        #expect(lead.stateSource == "zip")
        // Miami's own zone, not Florida's two: the phone's Los Angeles beside it.
        #expect(lead.zones == ["America/Los_Angeles", "America/New_York"])
    }

    @Test func withoutAnAddressTheStateComesFromTheAreaCode() throws {
        let f = try Fixture()
        _ = try f.importCSV("phone\n208-345-1234\n")
        let lead = try #require(try f.lead("2083451234"))
        #expect(lead.state == "ID")
        #expect(lead.stateSource == "phone")
    }

    /// A lead is gated in every zone any source gives it: the timezone column
    /// adds its zones to the phone's and the address's and never removes one.
    @Test func anExplicitTimezoneAddsToThePhoneAndAddressZones() throws {
        let f = try Fixture()
        let summary = try f.importCSV(
            "phone,state,timezone\n850-432-1234,TX,America/New_York\n212-555-0123,,MST\n212-555-0124,,Mars/Olympus\n512-555-0117,TX,UTC\n512-555-0118,,Asia/Tokyo\n"
        )
        #expect(try f.lead("8504321234")?.zones == ["America/Chicago", "America/Denver", "America/New_York"])
        #expect(try f.lead("2125550123")?.zones == ["America/Denver", "America/New_York", "America/Phoenix"])
        #expect(try f.lead("5125550117")?.zones.contains("America/Chicago") == true)
        #expect(try f.lead("5125550118")?.zones == ["America/Chicago", "Asia/Tokyo"])
        #expect(try f.lead("5125550118")?.zoneSources.contains(#""Asia/Tokyo":["timezone"]"#) == true)
        // A timezone not understood keeps the lead, gated on its phone's zones.
        #expect(try f.lead("2125550124")?.zones == ["America/New_York"])
        #expect(summary.rejected == 0 && summary.timezonesNotUnderstood == 1)
        #expect(summary.warnings.contains { $0.line == 4 && $0.text.contains("not understood") })
    }

    @Test func aNumberTheDataCannotPlaceHasNoZones() throws {
        let f = try Fixture()
        _ = try f.importCSV("phone\n+1 999 234 5678\n")
        #expect(try f.lead("+19992345678")?.zones == [])
    }

    @Test func reimportingTheSameFileChangesNothing() throws {
        let f = try Fixture()
        let text = "id,phone,first_name,tags\nA1,4155550123,Ann,hot;new\nA2,2125550123,Bob,\n"
        _ = try f.importCSV(text)
        let before = try f.database.query("SELECT * FROM leads ORDER BY id") { s in (0..<s.columnCount).map { s.string($0) } }
        let again = try f.importCSV(text)
        #expect(again.imported == 0 && again.updated == 0 && again.duplicates == 2)
        let after = try f.database.query("SELECT * FROM leads ORDER BY id") { s in (0..<s.columnCount).map { s.string($0) } }
        #expect(before == after)
    }

    @Test func onDuplicateUpdateReplacesChangedLeadsOnly() throws {
        let f = try Fixture()
        _ = try f.importCSV("phone,first_name\n4155550123,Ann\n2125550123,Bob\n")
        var options = LeadImportOptions()
        options.onDuplicate = .update
        let summary = try f.importCSV("phone,first_name\n4155550123,Anne\n2125550123,Bob\n3125550123,Cy\n", options: options, name: "b.csv")
        #expect(summary.updated == 1)
        #expect(summary.duplicates == 1)
        #expect(summary.imported == 1)
        #expect(try f.lead("4155550123")?.firstName == "Anne")
    }

    @Test func tagsAreSplitTrimmedAndUnique() throws {
        let f = try Fixture()
        _ = try f.importCSV("phone,tags\n4155550123,\"hot; new,hot ,\"\n")
        #expect(try f.lead("4155550123")?.tags == ["hot", "new"])
    }

    @Test func doNotCallNumbersAreImportedButMarked() throws {
        let f = try Fixture()
        try f.database.transaction {
            try DoNotCallStore(database: f.database).add(
                [.number(try PhoneNormalizer(region: "US")!.normalize("4155550123").number), .areaCode(212)], source: "test")
        }
        let summary = try f.importCSV("phone\n4155550123\n2125550199\n3125550123\n")
        #expect(summary.dnc == 2)
        #expect(try f.lead("4155550123")?.dnc == true)
        #expect(try f.lead("2125550199")?.dnc == true)
        #expect(try f.lead("3125550123")?.dnc == false)
    }

    @Test func nameIsSplitWhenFirstAndLastAreAbsent() throws {
        let f = try Fixture()
        _ = try f.importCSV("Full Name,Mobile\nAda King Lovelace,4155550123\n\"Hopper, Grace\",2125550123\n")
        #expect(try f.lead("4155550123")?.firstName == "Ada")
        #expect(try f.lead("4155550123")?.lastName == "King Lovelace")
        #expect(try f.lead("2125550123")?.firstName == "Grace")
    }

    @Test func mapOverridesTheHeaderMatching() throws {
        let f = try Fixture()
        var options = LeadImportOptions()
        options.mappings = ["Contact": .phone]
        _ = try f.importCSV("Contact,Phone\n4155550123,not a number\n", options: options)
        #expect(try f.lead("4155550123")?.fields == #"{"Phone":"not a number"}"#)
    }

    @Test func semicolonFilesAreDetected() throws {
        let f = try Fixture()
        let summary = try f.importCSV("phone;name\n415 555 0123;Ann\n")
        #expect(summary.imported == 1)
    }

    // MARK: - Malformed files

    @Test func missingPhoneColumnNamesTheColumnsFound() throws {
        let f = try Fixture()
        let error = try #require(throws: CSVError.self) { try f.importCSV("name,email\nAnn,a@x\n") }
        #expect(error.description.hasSuffix("leads.csv:1: no phone column; the header has 'name', 'email'. Name one of them with --map COLUMN=phone."))
        #expect(try f.count() == 0)
    }

    @Test func anUnbalancedQuoteLeavesTheDatabaseAsItWas() throws {
        let f = try Fixture()
        _ = try f.importCSV("phone\n4155550123\n", name: "first.csv")
        let error = try #require(throws: CSVError.self) { try f.importCSV("phone,name\n2125550123,Ann\n3125550123,\"Bob\n") }
        #expect(error.kind == .unterminatedQuote)
        #expect(error.line == 3)
        #expect(try f.count() == 1)
        #expect(try f.database.text("PRAGMA integrity_check") == "ok")
    }

    @Test func rowsWithTooManyOrTooFewFieldsAreRejected() throws {
        let f = try Fixture()
        let summary = try f.importCSV("phone,name\n4155550123,Ann,extra\n2125550123\n3125550123,Cy\n")
        #expect(summary.rejected == 2)
        #expect(summary.imported == 1)
        let rejects = try f.rejects()
        #expect(rejects.contains("has 3 fields; the header has 2"))
        #expect(rejects.contains("has 1 field; the header has 2"))
    }

    @Test func invalidUTF8IsRejectedNamingTheByteOffset() throws {
        let f = try Fixture()
        let path = f.dir.path("latin.csv")
        _ = FileManager.default.createFile(atPath: path, contents: Data("phone,name\n4155550123,Zo".utf8) + Data([0xEB]) + Data("\n".utf8))
        let summary = try LeadImporter(database: f.database).run(path: path, options: LeadImportOptions())
        #expect(summary.rejected == 1)
        #expect(try f.rejects("latin.rejects.csv").contains("is not valid UTF-8 (byte offset 24); for a Latin-1 file use --encoding latin1"))

        var latin1 = LeadImportOptions()
        latin1.latin1 = true
        let again = try LeadImporter(database: f.database).run(path: path, options: latin1)
        #expect(again.imported == 1)
        #expect(try f.lead("4155550123")?.firstName == "Zoë")
    }

    @Test func emptyAndHeaderOnlyFiles() throws {
        let f = try Fixture()
        let empty = try #require(throws: CSVError.self) { try f.importCSV("") }
        #expect(empty.kind == .empty)
        let summary = try f.importCSV("phone,name\n", name: "h.csv")
        #expect(summary.rows == 0 && summary.imported == 0)
    }

    @Test func aHugeFieldIsRejectedNotImported() throws {
        let f = try Fixture()
        let huge = String(repeating: "x", count: 1_000_000)
        let summary = try f.importCSV("phone,notes\n4155550123,\"\(huge)\"\n2125550123,ok\n")
        #expect(summary.rejected == 1)
        #expect(summary.imported == 1)
        #expect(try f.rejects().contains("has a field longer than 256 KiB"))
    }

    @Test func binaryJunkIsRejectedRowByRow() throws {
        let f = try Fixture()
        var generator = SplitMix64(seed: 99)
        var junk = Data("phone,name\n".utf8)
        for _ in 0..<5000 { junk.append(UInt8(truncatingIfNeeded: generator.next() & 0xFF)) }
        let path = f.dir.path("junk.csv")
        _ = FileManager.default.createFile(atPath: path, contents: junk)
        // Either the file as a whole is refused (an unclosed quote) or every row is judged; never a crash.
        do {
            let summary = try LeadImporter(database: f.database).run(path: path, options: LeadImportOptions())
            #expect(summary.imported + summary.rejected + summary.duplicates == summary.rows)
        } catch let error as CSVError {
            #expect(error.kind == .unterminatedQuote)
        }
        #expect(try f.database.text("PRAGMA integrity_check") == "ok")
    }
}

@Suite struct LeadTagsJSONTests {
    @Test(arguments: [
        (#"[]"#, [String]()), (#"["hot"]"#, ["hot"]), (#"["hot","new"]"#, ["hot", "new"]), (#"["say \"hi\"","a,b"]"#, ["say \"hi\"", "a,b"]),
        (#"["ünï","x"]"#, ["ünï", "x"]),
    ])
    func tagsReadBackExactly(json: String, tags: [String]) {
        #expect(LeadStore.strings(fromJSON: json) == tags)
    }
}

/// The zone names people and CRMs write are understood.
@Suite struct TimezoneNameTests {
    @Test(arguments: [
        ("America/Chicago", ["America/Chicago"]), ("america/chicago", ["America/Chicago"]), ("Eastern", ["America/New_York"]),
        ("Central Time", ["America/Chicago"]), ("Central Standard Time", ["America/Chicago"]), ("Pacific_Time", ["America/Los_Angeles"]),
        ("Mountain", ["America/Denver", "America/Phoenix"]), ("US Mountain Standard Time", ["America/Phoenix"]), ("EST5EDT", ["America/New_York"]),
        ("PST8PDT", ["America/Los_Angeles"]), ("Alaskan Standard Time", ["America/Anchorage"]), ("Hawaiian Standard Time", ["Pacific/Honolulu"]),
        ("Atlantic Standard Time", ["America/Halifax"]), ("Newfoundland", ["America/St_Johns"]), ("cst", ["America/Chicago"]), ("UTC", ["UTC"]),
        ("utc", ["UTC"]),
    ])
    func isUnderstood(text: String, zones: [String]) {
        #expect(LeadZoneResolver.zones(forTimezone: text) == zones, "\(text)")
    }

    @Test(arguments: ["Mars/Olympus", "Eastern Europe-ish", "5", ""])
    func isNotGuessed(text: String) { #expect(LeadZoneResolver.zones(forTimezone: text) == nil) }
}
