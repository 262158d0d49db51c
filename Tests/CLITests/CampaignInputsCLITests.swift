import Foundation
import OutdialKit
import TestSupport
import Testing

/// A campaign file that names its inputs is enough: `run` imports them.
@Suite struct CampaignInputsCLITests {
    private var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")
    }

    @Test func theExampleRunsOnAFreshDatabaseWithNoImportBeforeIt() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("fresh.db")
        #expect(try Outdial.run(["--db", db, "init"]).status == 0)
        let campaign = examples.appendingPathComponent("campaign.yml").path
        let run = try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--until", "2026-11-23T20:00:00Z"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Leads from \(examples.appendingPathComponent("leads.csv").path): 300 rows, 298 new"))
        #expect(run.stderr.contains("Numbers from"))
        // A simulation imports into its copy: the campaign's database is as it was.
        let copy = dir.path("fresh.simulated.db")
        #expect(run.stderr.contains("SIMULATED on a copy of \(db): \(copy)"))
        let database = try Database(path: copy)
        #expect(try database.scalar("SELECT count(*) FROM leads") == 298)
        #expect(try database.scalar("SELECT count(*) FROM numbers") == 36)
        #expect(try database.scalar("SELECT count(*) FROM calls") ?? 0 > 0)
        #expect(try Database(path: db).scalar("SELECT count(*) FROM leads") == 0)
        // Going on in the copy: the same files change nothing (the leads are already there).
        let again = try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--until", "2026-11-23T20:00:00Z"])
        #expect(again.status == 0 && again.stderr.contains("0 new, 0 updated, 298 already there"))
        #expect(try database.scalar("SELECT count(*) FROM leads") == 298)
        // check says which files run reads.
        #expect(try Outdial.run(["check", campaign]).stderr.contains("run imports \(examples.appendingPathComponent("numbers.csv").path) (numbers.file)"))
    }

    /// `plan` on a fresh database plans the leads `run` would import, on a
    /// temporary copy: the database is left empty; `--no-sync` plans it as it is.
    @Test func planReadsTheNamedFilesAsTheyWouldBeImportedAndWritesNothing() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("fresh.db")
        #expect(try Outdial.run(["--db", db, "init"]).status == 0)
        let campaign = examples.appendingPathComponent("campaign.yml").path
        let plan = try Outdial.run(["--db", db, "plan", campaign, "--at", "2026-11-25T18:00:00Z", "--json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.split(separator: "\n").count == 298)
        #expect(plan.stdout.contains(#""status":"ready""#))
        #expect(plan.stderr.contains("As run would import it: Leads from"))
        // The rejected rows are named where a run would list them, not in the copy's folder that is gone.
        #expect(plan.stderr.contains("2 rejected (a run lists them in \(dir.path)/leads.csv.rejects.csv)."), "\(plan.stderr)")
        let database = try Database(path: db)
        #expect(try database.scalar("SELECT count(*) FROM leads") == 0)
        #expect(try database.scalar("SELECT count(*) FROM numbers") == 0)
        // The rejects of that import went to the temporary folder, gone with it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix("fresh.db") }.isEmpty)
        let bare = try Outdial.run(["--db", db, "plan", campaign, "--at", "2026-11-25T18:00:00Z", "--json", "--no-sync"])
        #expect(bare.status == 0)
        #expect(bare.stdout.isEmpty)
    }

    @Test func withTheFilesRemovedTheRunSaysWhatIsMissingAndExits65() throws {
        let dir = try TemporaryDirectory()
        let text = try String(contentsOf: examples.appendingPathComponent("campaign.yml"), encoding: .utf8)
            .replacingOccurrences(of: "leads: { file: leads.csv, on_duplicate: skip }\n", with: "")
            .replacingOccurrences(of: "numbers: { file: numbers.csv, ", with: "numbers: { ")
        let campaign = try dir.write("bare.yml", text)
        let db = dir.path("fresh.db")
        #expect(try Outdial.run(["--db", db, "init"]).status == 0)
        let run = try Outdial.run(["--db", db, "run", campaign, "--simulate"])
        #expect(run.status == 65)
        #expect(run.stderr.contains("nothing to do") && run.stderr.contains("outdial numbers import"))
        // A named file that is not there is an error of the campaign file, for check and run alike.
        let missing = try dir.write("missing.yml", text.replacingOccurrences(of: "version: 1\n", with: "version: 1\nleads: { file: nowhere.csv }\n"))
        let check = try Outdial.run(["check", missing])
        #expect(check.status != 0 && check.stderr.contains("leads.file names \(dir.path("nowhere.csv")), which cannot be read"))
    }
}
