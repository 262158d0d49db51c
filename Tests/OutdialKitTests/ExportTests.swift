import Foundation
import TestSupport
import Testing

@testable import OutdialKit

/// Exports a CRM can take back: the CRM's id on every row, per-lead results,
/// one time format, flattened JSON, a byte-order mark.
@Suite struct ExportTests {
    /// Exports a table of the simulated example to a file and reads it back as CSV records.
    static func csv(_ db: Database, _ table: Exporter.Table, _ dir: TemporaryDirectory, _ change: (inout ExportOptions) -> Void = { _ in }) throws
        -> (header: [String], rows: [[String]], bytes: [UInt8])
    {
        var options = ExportOptions()
        change(&options)
        let path = dir.path("\(table.rawValue)-\(UUID().uuidString).csv")
        let file = try OutputFile(path: path, protecting: [], replacing: false)
        _ = try Exporter(database: db).export(table, options: options, to: try file.open())
        try file.commit()
        let reader = try CSVReader(path: path)
        var records: [[String]] = []
        while try reader.next() { records.append((0..<reader.fieldCount).map { reader.string($0) ?? "" }) }
        return (records.first ?? [], Array(records.dropFirst()), Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test func resultsHaveOneRowPerEnrolledLeadWithItsCRMId() async throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try await ReportTests.simulatedExample(dir)
        let (header, rows, _) = try Self.csv(db, .results, dir)
        #expect(rows.count == Int(try db.scalar("SELECT count(DISTINCT lead_id) FROM workflow_runs") ?? -1))
        let column = { (name: String) in header.firstIndex(of: name)! }
        for row in rows {
            let external = try db.text("SELECT external_id FROM leads WHERE id = ?", [.integer(Int64(row[column("lead_id")])!)])
            #expect(row[column("external_id")] == external)
            let attempts = try db.scalar("SELECT count(*) FROM calls WHERE lead_id = ?", [.integer(Int64(row[column("lead_id")])!)])
            #expect(Int64(row[column("attempts")]) == attempts)
        }
        // The last outcome is the outcome of the lead's highest attempt.
        let lead = rows[0]
        let last = try db.text(
            "SELECT outcome FROM calls WHERE lead_id = ? ORDER BY attempt DESC LIMIT 1", [.integer(Int64(lead[column("lead_id")])!)])
        #expect(lead[column("last_outcome")] == last)
        #expect(Set(rows.map { $0[column("status")] }).isSubset(of: ["done", "stopped", "waiting", "in_flight"]))
        #expect(rows.contains { $0[column("status")] == "stopped" && $0[column("stop_reason")].hasPrefix("attempts-exhausted") })
    }

    @Test func everyExportOfLeadRowsCarriesTheLeadsIdentity() async throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try await ReportTests.simulatedExample(dir)
        for table in [Exporter.Table.calls, .notes, .results] {
            let (header, rows, _) = try Self.csv(db, table, dir)
            for name in ["lead_id", "external_id", "first_name", "last_name", "phone", "email"] { #expect(header.contains(name), "\(table) has no \(name)") }
            #expect(header.firstIndex(of: "external_id")! == header.firstIndex(of: "lead_id")! + 1)
            #expect(!rows.isEmpty && rows.allSatisfy { !$0[header.firstIndex(of: "external_id")!].isEmpty })
        }
    }

    @Test func instantsHaveOneFormatAndLocalTimesCarryTheLeadsOffset() async throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try await ReportTests.simulatedExample(dir)
        let (header, rows, _) = try Self.csv(db, .calls, dir)
        let utc = try Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#)
        for name in ["queued_at", "started_at", "ended_at"] {
            let i = header.firstIndex(of: name)!
            #expect(rows.allSatisfy { $0[i].isEmpty || $0[i].wholeMatch(of: utc) != nil }, "\(name)")
        }
        let (localHeader, localRows, _) = try Self.csv(db, .calls, dir) { $0.timeFormat = .local }
        let queued = localHeader.firstIndex(of: "queued_at")!, zones = localHeader.firstIndex(of: "lead_timezone")!
        for (row, local) in zip(rows, localRows) {
            // The same instant, written in the lead's first zone with that zone's offset then.
            let instant = try Instant(iso8601: row[queued])
            let clock = try #require(ZoneClock(named: String(local[zones].split(separator: " ")[0])))
            #expect(try Instant(iso8601: local[queued]) == instant)
            let offset = clock.offset(at: instant.seconds)
            #expect(
                local[queued].hasSuffix(
                    offset == 0 ? "+00:00" : String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 3600, abs(offset) / 60 % 60)))
        }
    }

    @Test func aFlattenedCSVHasNoJSONCellAndSpreadsTheAnalysisIntoColumns() async throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try await ReportTests.simulatedExample(dir)
        for table in Exporter.Table.allCases {
            let (header, rows, _) = try Self.csv(db, table, dir) { $0.flatten = true }
            #expect(!header.contains("raw"))
            for row in rows {
                for cell in row where cell.hasPrefix("{") || cell.hasPrefix("[") {
                    Issue.record("\(table): a JSON cell \(cell.prefix(60))")
                }
            }
        }
        let (header, rows, _) = try Self.csv(db, .calls, dir) { $0.flatten = true }
        let keys = header.filter { $0.hasPrefix("custom_analysis.") }
        #expect(!keys.isEmpty)
        let tags = try Self.csv(db, .leads, dir) { $0.flatten = true }
        let tagColumn = tags.header.firstIndex(of: "tags")!
        #expect(tags.rows.contains { $0[tagColumn].contains("; ") })
        // Each spread value is the JSON's value.
        let id = header.firstIndex(of: "call_id")!
        for row in rows.prefix(50) {
            let analysis = LeadRecord.parse(try db.text("SELECT custom_analysis FROM calls WHERE call_id = ?", [.integer(Int64(row[id])!)]) ?? "null")
            for key in keys {
                let value = analysis[path: String(key.dropFirst("custom_analysis.".count))]
                #expect(row[header.firstIndex(of: key)!] == (value.flatMap(Exporter.text) ?? ""))
            }
        }
    }

    @Test func aByteOrderMarkStartsTheFileOnlyWhenAskedFor() async throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try await ReportTests.simulatedExample(dir)
        try db.run("UPDATE leads SET last_name = 'Müller' WHERE id = 1")
        let with = try Self.csv(db, .leads, dir) { $0.byteOrderMark = true }
        #expect(with.bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(with.header.first == "id")
        #expect(with.rows.contains { $0.contains("Müller") })
        #expect(try Self.csv(db, .leads, dir).bytes.starts(with: Array("id,".utf8)))
    }
}

@Suite struct ResultViewTests {
    @Test func theViewsSpellEachInstantAsTheExportsDo() async throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try await ReportTests.simulatedExample(dir)
        let pairs = try db.query("SELECT queued_at, queued_at_iso, ended_at, ended_at_iso FROM call_results") {
            [($0.int64(0), $0.string(1) ?? ""), ($0.int64(2), $0.string(3) ?? "")]
        }.flatMap { $0 }
        #expect(pairs.count > 600)
        #expect(pairs.allSatisfy { Instant(milliseconds: $0.0).iso8601Milliseconds == $0.1 })
        let results = try db.scalar("SELECT count(*) FROM lead_results")
        #expect(results == (try db.scalar("SELECT count(DISTINCT lead_id) FROM workflow_runs")))
        #expect(try db.scalar("SELECT count(*) FROM lead_results WHERE last_call_at_iso IS NULL AND attempts > 0") == 0)
    }
}
