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

    /// A database that cannot be written (its file and folder `chmod -w`) is
    /// still read by the commands that only read; one that writes says why.
    /// Root ignores file permissions, so as root the commands run as `nobody`.
    @Test func aReadOnlyDatabaseInAReadOnlyFolderCanStillBeRead() throws {
        let dir = try TemporaryDirectory()
        let folder = dir.path("ro")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let db = folder + "/c.db"
        let campaign = try dir.write(
            "c.yml",
            """
            version: 1
            name: readonly
            calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-20:00", compliance: [us] }
            connections: { main: { provider: simulated, seed: 1 } }
            workflows: [ { name: out, trigger: lead_added, steps: [ { place_call: { connection: main } } ] } ]
            """)
        let numbers = try dir.write("n.csv", "number\n+14155550100\n")
        let leads = try dir.write("l.csv", "phone,first_name\n+14155550101,Ann\n+14155550102,Bo\n")
        #expect(try Outdial.run(["--db", db, "numbers", "import", numbers]).status == 0)
        #expect(try Outdial.run(["--db", db, "leads", "import", leads]).status == 0)
        // The simulation's copy is the WAL database a run leaves, with a campaign in it.
        let copy = folder + "/c.simulated.db"
        #expect(try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T18:00:00Z"]).status == 0)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: folder + "/" + file)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
        var launcher: [String] = []
        if getuid() == 0 {
            let setpriv = "/usr/bin/setpriv"
            try #require(FileManager.default.isExecutableFile(atPath: setpriv), "as root the test needs setpriv (util-linux) to drop to nobody")
            launcher = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        }
        let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        for target in [db, copy] {
            let list = try Outdial.run(["--db", target, "leads", "list", "--json"], launcher: launcher)
            #expect(list.status == 0, "\(list.stderr)")
            #expect(list.stdout.split(separator: "\n").count == 2)
            let export = try Outdial.run(["--db", target, "export", "leads"], launcher: launcher)
            #expect(export.status == 0 && export.stdout.contains("+14155550102"), "\(export.stderr)")
            let plan = try Outdial.run(["--db", target, "plan", campaign, "--at", "2026-11-25T18:00:00Z", "--json"], launcher: launcher)
            #expect(plan.status == 0, "\(plan.stderr)")
            let window = try Outdial.run(["--db", target, "window", "+14155550101", "--at", "2026-11-25T18:00:00Z"], launcher: launcher)
            #expect(window.status == 0, "\(window.stderr)")
        }
        let report = try Outdial.run(["--db", copy, "report", "readonly", "--json"], launcher: launcher)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains(#""calls""#))
        #expect(try Outdial.run(["--db", copy, "status", "readonly"], launcher: launcher).status == 0)
        let write = try Outdial.run(["--db", db, "dnc", "add", "+14155550101"], launcher: launcher)
        #expect(write.status == 74)
        #expect(write.stderr.contains("is read-only (the file's or its folder's permissions)"), "\(write.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == before)
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
