import Foundation
import OutdialKit
import TestSupport
import Testing

@Suite struct HelpAndErrorTests {
    @Test(arguments: [["--help"], ["-h"], ["help"], ["help", "init"], ["init", "--help"], ["help", "completions"]])
    func helpGoesToStdoutWithExitZero(arguments: [String]) throws {
        let result = try Outdial.run(arguments)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("OVERVIEW: "))
        #expect(result.stdout.contains("USAGE: outdial"))
        #expect(result.stdout.contains("OPTIONS:"))
        #expect(result.stderr.isEmpty)
    }

    @Test func rootHelpListsSubcommandsAndDefaults() throws {
        let result = try Outdial.run(["--help"])
        #expect(result.stdout.contains("SUBCOMMANDS:\n  init "))
        #expect(result.stdout.contains("(default: outdial.db; env:"))
        #expect(result.stdout.contains("See 'outdial help <subcommand>' for detailed help."))
    }

    @Test func versionIsBare() throws {
        let result = try Outdial.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
    }

    @Test func unknownOptionIsAUsageError() throws {
        let result = try Outdial.run(["--bogus"])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("Error: Unknown option '--bogus'.\nUsage: outdial "))
    }

    @Test func mistypedSubcommandGetsASuggestion() throws {
        let result = try Outdial.run(["inti"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: Unknown subcommand 'inti'. Did you mean 'init'?\nUsage: outdial "))
    }

    @Test func mistypedOptionOfASubcommandGetsASuggestion() throws {
        let result = try Outdial.run(["init", "--jsn"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Did you mean '--json'?"))
        #expect(result.stderr.contains("Usage: outdial init "))
    }
}

@Suite struct InitTests {
    @Test func createsThenReportsCurrent() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("x.db")
        let first = try Outdial.run(["init", "--db", db])
        #expect(first.status == 0)
        #expect(first.stdout.hasPrefix("Created \(db) (schema version "))
        // A new file does not list the migrations it was made with.
        #expect(!first.stderr.contains("applied:"), "\(first.stderr)")
        let second = try Outdial.run(["init", "--db=\(db)"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("is current"))
    }

    @Test func aMigratedFileListsTheStepsItTook() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("old.db")
        let steps = Schema.migrations
        _ = try Migrator().migrate(try Database(path: db), upTo: steps.count - 1)
        let result = try Outdial.run(["init", "--db", db])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Migrated \(db) from schema version \(steps.count - 1) to \(steps.count)."), "\(result.stdout)")
        #expect(result.stderr.contains("  applied: \(steps[steps.count - 1].summary)"), "\(result.stderr)")
        #expect(!result.stderr.contains("  applied: \(steps[0].summary)"))
    }

    @Test func jsonReportAndEnvironmentDatabase() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("env.db")
        let result = try Outdial.run(["init", "--json"], environment: ["OUTDIAL_DB": db])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["action"] as? String == "created")
        #expect(object["path"] as? String == db)
        #expect(FileManager.default.fileExists(atPath: db))
    }

    @Test func quietDropsTheInformationalLines() throws {
        let dir = try TemporaryDirectory()
        let result = try Outdial.run(["--quiet", "init", "--db", dir.path("q.db")])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
    }

    @Test func refusesADatabaseFromTheFuture() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("new.db")
        #expect(try Outdial.run(["init", "--db", db]).status == 0)
        try setUserVersion(db, 999)
        let result = try Outdial.run(["init", "--db", db])
        #expect(result.status == 65)
        #expect(result.stderr.contains("schema version 999"))
        #expect(result.stderr.contains("use a newer outdial"))
    }

    @Test func aDirectoryThatDoesNotExistIsAnIOError() throws {
        let result = try Outdial.run(["init", "--db", "/nonexistent-dir/x.db"])
        #expect(result.status == 74)
        #expect(result.stderr.hasPrefix("error: /nonexistent-dir/x.db: database error: unable to open database file"))
    }

    /// Changes a database's `user_version` through the library's own wrapper.
    private func setUserVersion(_ path: String, _ version: Int) throws {
        let result = try Outdial.run(["init", "--db", path])  // ensure it exists
        #expect(result.status == 0)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        // user_version is the 4-byte big-endian integer at offset 60 of the header.
        try handle.seek(toOffset: 60)
        let bytes: [UInt8] = [UInt8(version >> 24 & 0xFF), UInt8(version >> 16 & 0xFF), UInt8(version >> 8 & 0xFF), UInt8(version & 0xFF)]
        handle.write(Data(bytes))
        try handle.close()
    }
}

@Suite struct CompletionTests {
    @Test func bashScriptParses() throws {
        let dir = try TemporaryDirectory()
        let result = try Outdial.run(["completions", "bash"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("complete -o default -F _outdial outdial"))
        let script = try dir.write("c.bash", result.stdout)
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = ["-n", script]
        try bash.run()
        bash.waitUntilExit()
        #expect(bash.terminationStatus == 0)
    }

    @Test func bashScriptCompletesSubcommandsAndTheirOptions() throws {
        let dir = try TemporaryDirectory()
        let script = try dir.write("c.bash", try Outdial.run(["completions", "bash"]).stdout)
        func complete(_ words: [String]) throws -> String {
            let probe = """
                source \(script)
                COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " ")))
                COMP_CWORD=\(words.count - 1)
                _outdial
                echo "${COMPREPLY[*]}"
                """
            let bash = Process()
            bash.executableURL = URL(fileURLWithPath: "/bin/bash")
            bash.arguments = ["-c", probe]
            let pipe = Pipe()
            bash.standardOutput = pipe
            try bash.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            bash.waitUntilExit()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try complete(["outdial", "in"]) == "init ingest")
        #expect(try complete(["outdial", "ini"]) == "init")
        #expect(try complete(["outdial", "init", "--j"]) == "--json")
        #expect(try complete(["outdial", "completions", "z"]) == "zsh")
    }

    @Test(arguments: ["zsh", "fish"])
    func otherShells(shell: String) throws {
        let result = try Outdial.run(["completions", shell])
        #expect(result.status == 0)
        #expect(result.stdout.contains("init"))
    }

    @Test func unknownShellIsAUsageError() throws {
        let result = try Outdial.run(["completions", "tcsh"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("expected one of 'bash', 'zsh', 'fish'"))
    }
}
