import Foundation
import TestSupport
import Testing

/// Files outdial writes never destroy the database, an input or a file they
/// were not allowed to replace (docs/cli.md, "Files outdial writes").
@Suite struct OutputPathCLITests {
    /// A database with two leads, and its size.
    static func database(_ dir: TemporaryDirectory) throws -> (db: String, csv: String, size: Int) {
        let db = dir.path("d.db")
        let csv = try dir.write("in.csv", "phone,first_name\n+14155550101,Ann\n+12125550102,Bo\nnot-a-phone,Cy\n")
        let result = try Outdial.run(["--db", db, "leads", "import", csv, "--rejects", dir.path("first.rejects.csv")])
        #expect(result.status == 0, "\(result.stderr)")
        return (db, csv, try size(db))
    }

    static func size(_ path: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1 }

    static func leads(_ db: String) throws -> String { try Outdial.run(["--db", db, "leads", "list", "--json"]).stdout }

    @Test func exportOntoTheDatabaseIsRefusedAndTheDatabaseKept() throws {
        let dir = try TemporaryDirectory()
        let (db, _, size) = try Self.database(dir)
        for target in [db, db + "-wal"] where FileManager.default.fileExists(atPath: target) {
            let result = try Outdial.run(["--db", db, "export", "calls", "--out", target, "--force"])
            #expect(result.status == 64)
            #expect(result.stderr.contains("will not write here: it is the database"), "\(result.stderr)")
        }
        #expect(try Self.size(db) == size)
        #expect(try Self.leads(db).split(separator: "\n").count == 2)
    }

    /// A simulation's copy replaces only an earlier copy: never the database,
    /// its log, an input, a link or another file, whatever `--into` says.
    @Test func aSimulationCopyReplacesOnlyAnEarlierCopy() throws {
        let dir = try TemporaryDirectory()
        let (db, csv, size) = try Self.database(dir)
        let campaign = try dir.write(
            "c.yml",
            """
            version: 1
            name: copies
            calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-20:00", compliance: [us] }
            connections: { main: { provider: simulated, seed: 1 } }
            workflows: [ { name: out, trigger: lead_added, steps: [ { wait: 1m } ] } ]
            """)
        let note = try dir.write("notes.txt", "keep me\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path("link.db"), withDestinationPath: note)
        for (target, reason) in [
            (db, "it is the database"), (csv, "it is not a simulation's copy"), (campaign, "it is not a simulation's copy"),
            (note, "it is not a simulation's copy"), (dir.path("link.db"), "it is a symbolic link"), (dir.path(""), "not a regular file"),
        ] {
            let result = try Outdial.run(["--db", db, "run", campaign, "--simulate", "--into", target])
            #expect(result.status == 64, "\(target)")
            #expect(result.stderr.contains(reason), "\(target): \(result.stderr)")
        }
        #expect(try String(contentsOfFile: note, encoding: .utf8) == "keep me\n")
        #expect(try String(contentsOfFile: csv, encoding: .utf8).hasPrefix("phone,first_name\n"))
        #expect(try Self.size(db) == size)
        // A new path, then the same copy again: both fine, the second replacing the first.
        let copy = dir.path("sim.db")
        #expect(try Outdial.run(["--db", db, "run", campaign, "--simulate", "--into", copy]).status == 0)
        #expect(try Outdial.run(["--db", db, "run", campaign, "--simulate", "--into", copy]).status == 0)
        #expect(try Self.leads(copy).split(separator: "\n").count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".outdial-") }.isEmpty)
    }

    @Test func anExistingFileIsReplacedOnlyWithForce() throws {
        let dir = try TemporaryDirectory()
        let (db, _, _) = try Self.database(dir)
        let out = try dir.write("leads.csv", "keep me\n")
        let refused = try Outdial.run(["--db", db, "export", "leads", "--out", out])
        #expect(refused.status == 64 && refused.stderr.contains("the file exists; add --force to replace it"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me\n")
        let forced = try Outdial.run(["--db", db, "export", "leads", "--out", out, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("+14155550101"))
        // Nothing is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".outdial-") }.isEmpty)
    }

    @Test func aSymbolicLinkIsNotWrittenThrough() throws {
        let dir = try TemporaryDirectory()
        let (db, _, _) = try Self.database(dir)
        let target = try dir.write("precious.txt", "precious\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path("link.csv"), withDestinationPath: target)
        for arguments in [["export", "calls", "--out", dir.path("link.csv"), "--force"]] {
            let result = try Outdial.run(["--db", db] + arguments)
            #expect(result.status == 64 && result.stderr.contains("symbolic link"), "\(result.stderr)")
        }
        let csv = try dir.write("more.csv", "phone\nbad\n")
        let result = try Outdial.run(["--db", db, "leads", "import", csv, "--rejects", dir.path("link.csv")])
        #expect(result.status == 64 && result.stderr.contains("symbolic link"), "\(result.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
    }

    @Test func rejectsOntoTheDatabaseOrTheInputAreRefusedAndNothingIsImported() throws {
        let dir = try TemporaryDirectory()
        let (db, _, size) = try Self.database(dir)
        let more = try dir.write("more.csv", "phone\n+13125550103\nbad\n")
        let original = try String(contentsOfFile: more, encoding: .utf8)
        for (rejects, reason) in [(db, "it is the database"), (more, "it is the file being imported"), ("/dev/full", "not a regular file")] {
            let result = try Outdial.run(["--db", db, "leads", "import", more, "--rejects", rejects])
            #expect(result.status == 64, "\(rejects): \(result.stderr)")
            #expect(result.stderr.contains(reason), "\(result.stderr)")
        }
        #expect(try String(contentsOfFile: more, encoding: .utf8) == original)
        #expect(try Self.size(db) == size)
        #expect(try Self.leads(db).split(separator: "\n").count == 2)
    }

    @Test func aRejectsFileFromAnEarlierImportIsReplaced() throws {
        let dir = try TemporaryDirectory()
        let (db, _, _) = try Self.database(dir)
        let more = try dir.write("more.csv", "phone\nstill-bad\n+13035550104\n")
        let result = try Outdial.run(["--db", db, "leads", "import", more, "--rejects", dir.path("first.rejects.csv")])
        #expect(result.status == 0, "\(result.stderr)")
        let rejects = try String(contentsOfFile: dir.path("first.rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("still-bad") && !rejects.contains("not-a-phone"))
    }

    @Test(arguments: ["", ":memory:", "file:d.db?mode=memory"])
    func aDatabaseThatKeepsNothingIsRefused(path: String) throws {
        let dir = try TemporaryDirectory()
        let csv = try dir.write("in.csv", "phone\n+14155550101\n")
        let result = try Outdial.run(["--db", path, "leads", "import", csv], in: dir.path)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--db '\(path)'"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["in.csv"])
    }

    /// A typo in --db is an error, not a new empty database.
    @Test func commandsThatReadADatabaseRefuseOneThatIsNotThere() throws {
        let dir = try TemporaryDirectory()
        let campaign = try dir.write("c.yml", "version: 1\nname: c\n")
        for arguments in [
            ["leads", "list"], ["leads", "show", "1"], ["numbers", "list"], ["dnc", "list"], ["export", "calls"], ["plan", campaign],
            ["run", campaign, "--simulate"],
        ] {
            let result = try Outdial.run(["--db", "typo.db"] + arguments, in: dir.path)
            #expect(result.status == 66, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("no database at typo.db; create it with `outdial init --db typo.db`"), "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("typo.db")))
        // The commands that fill a database may create it.
        let leads = try dir.write("l.csv", "phone\n+14155550101\n")
        #expect(try Outdial.run(["--db", "new.db", "leads", "import", leads], in: dir.path).status == 0)
        #expect(try Outdial.run(["--db", "new.db", "leads", "list"], in: dir.path).status == 0)
    }
}
