import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `run --simulate` never touches the campaign's database: it runs on a copy
/// taken with SQLite's backup API (`<db>.simulated.db` beside it, or
/// `--into FILE`), replaced at each simulation. A copy is marked by its
/// `simulation` table; a simulation pointed at a copy (`--db x.simulated.db`)
/// goes on in it, so a stopped or killed simulation can be resumed.
public enum SimulationCopy {
    /// `spring.db` → `spring.simulated.db`; any other name gets `.simulated.db` after it.
    public static func defaultPath(for database: String) -> String {
        database.hasSuffix(".db") ? String(database.dropLast(3)) + ".simulated.db" : database + ".simulated.db"
    }

    /// Opens the database a simulation runs on: `path` itself when it is a
    /// copy already, else a new copy at `into` (default `defaultPath(for:)`).
    /// The campaign's database is only ever opened read-only here.
    public static func open(forSimulating path: String, into: String?) throws -> (database: Database, path: String, fresh: Bool) {
        let isCopy = try Self.isCopy(try Store.openForReading(path))
        if isCopy, into == nil { return (try Store.open(path), path, false) }
        let target = into ?? defaultPath(for: path)
        return (try make(from: path, to: target), target, true)
    }

    /// Whether the database is a simulation's copy.
    public static func isCopy(_ database: Database) throws -> Bool {
        try database.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'simulation'") == 1
    }

    /// The database a copy was taken from, and when.
    public static func origin(_ database: Database) throws -> (source: String, at: Instant)? {
        guard try isCopy(database) else { return nil }
        return try database.query("SELECT source, created_at FROM simulation LIMIT 1") { ($0.string(0) ?? "", Instant(milliseconds: $0.int64(1))) }.first
    }

    /// Copies `source` to `target`, brings the copy to the current schema and
    /// marks it; the source is opened read-only. The copy is built beside
    /// `target` and renamed into place when complete, so a failed copy leaves
    /// what was there. Only a simulation's copy is ever replaced: `target` may
    /// not be the database (or its -wal/-shm), a link, or any other file.
    public static func make(from source: String, to target: String, now: Instant = .now) throws -> Database {
        try checkTarget(target, source: source)
        let resolvedSource = URL(fileURLWithPath: source).standardizedFileURL.resolvingSymlinksInPath().path
        let original = try Store.openForReading(source)
        let temporary =
            "\(FilePath.folder(of: target))/.\(FilePath.name(of: target)).outdial-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        defer {
            for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporary + suffix) }
        }
        do {
            let copy = try snapshot(of: original, into: temporary)
            try copy.execute("CREATE TABLE simulation (source TEXT NOT NULL, created_at INTEGER NOT NULL)")
            try copy.run("INSERT INTO simulation (source, created_at) VALUES (?, ?)", [.text(resolvedSource), .integer(now.milliseconds)])
        }
        for suffix in ["-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: target + suffix) {
            try FileManager.default.removeItem(atPath: target + suffix)
        }
        guard rename(temporary, target) == 0 else { throw OutputFileError(path: target, reason: String(cString: strerror(errno))) }
        let copy = try Database(path: target)
        try copy.execute("PRAGMA journal_mode = WAL")
        return copy
    }

    /// A consistent copy of `original` (SQLite's online backup API) in a new
    /// file at `path`, brought to the current schema: what a simulation and
    /// `plan`'s look at the campaign's inputs work on.
    static func snapshot(of original: Database, into path: String) throws -> Database {
        let copy = try Database(path: path)
        // A backup into a WAL file needs the source's page size; in rollback mode it takes it.
        try copy.execute("PRAGMA journal_mode = DELETE")
        try original.backup(into: copy)
        try Migrator().migrate(copy)
        return copy
    }

    /// Refuses a target that is not a fresh path or an earlier copy (exit 64).
    static func checkTarget(_ target: String, source: String) throws {
        _ = try OutputFile(path: target, protecting: OutputFile.Protected.database(source), replacing: true)
        guard FileManager.default.fileExists(atPath: target) else { return }
        let earlierCopy = (try? Store.openForReading(target)).flatMap { try? isCopy($0) } ?? false
        guard earlierCopy else {
            throw OutputPathError(
                path: target, reason: "it is not a simulation's copy, and a simulation replaces only a copy it made (name a new file with --into)")
        }
    }
}
