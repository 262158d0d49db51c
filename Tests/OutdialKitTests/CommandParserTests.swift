import Testing

@testable import OutdialKit

/// A small tree that exercises every kind of declaration.
private let tree = Command(
    name: "tool",
    abstract: "A test tool.",
    options: [
        .value(OptionKey("db"), "path", .path, help: "Database.", default: "tool.db", environment: "TOOL_DB", inherited: true),
        .flag(OptionKey("quiet"), short: "q", help: "Quiet.", inherited: true),
    ],
    subcommands: [
        Command(
            name: "init", abstract: "Initialise.",
            options: [
                .flag(OptionKey("json"), help: "JSON."), .value(OptionKey("workers"), "n", .integer(1...8), help: "Workers.", environment: "TOOL_WORKERS"),
            ],
            run: { _ in }),
        Command(
            name: "leads", abstract: "Leads.",
            subcommands: [
                Command(
                    name: "import", abstract: "Import leads.",
                    arguments: [Argument(OptionKey("file"), help: "The CSV.", kind: .path)],
                    options: [
                        .value(OptionKey("map"), "column=field", help: "Override.", repeating: true),
                        .value(OptionKey("limit"), "n", .integer(1...1000), help: "Limit."),
                        .value(OptionKey("at"), "time", .instant, help: "When."),
                        .value(OptionKey("delay"), "duration", .duration, help: "Delay."),
                        .value(OptionKey("format"), "format", .choice(["csv", "jsonl"]), help: "Format.", default: "csv"),
                        .flag(OptionKey("color"), help: "Colour.", inversion: true),
                        .flag(OptionKey("verbose"), short: "v", help: "Verbose."),
                    ],
                    run: { _ in }),
                Command(name: "add", abstract: "Add numbers.", arguments: [Argument(OptionKey("number"), help: "Numbers.", repeating: true)], run: { _ in }),
            ]),
    ],
    version: "9.9.9"
)

private let parser = CommandParser(root: tree, width: 80)

private func invocation(_ words: [String], environment: [String: String] = [:]) throws -> Invocation {
    guard case .run(_, let invocation) = try parser.parse(words, environment: environment) else {
        Issue.record("expected a run for \(words)")
        throw UsageError("no run", usage: "", commandPath: "")
    }
    return invocation
}

private func usageError(_ words: [String], environment: [String: String] = [:]) -> UsageError? {
    do {
        _ = try parser.parse(words, environment: environment)
        return nil
    } catch {
        return error
    }
}

@Suite struct CommandParserTests {
    @Test func optionValueWithSpaceOrEquals() throws {
        #expect(try invocation(["--db", "a.db", "init"]).string(OptionKey("db")) == "a.db")
        #expect(try invocation(["init", "--db=b.db"]).string(OptionKey("db")) == "b.db")
        #expect(try invocation(["init", "--db=x=y.db"]).string(OptionKey("db")) == "x=y.db")
    }

    @Test func defaultAndEnvironmentFallback() throws {
        #expect(try invocation(["init"]).string(OptionKey("db")) == "tool.db")
        #expect(try invocation(["init"], environment: ["TOOL_DB": "env.db"]).string(OptionKey("db")) == "env.db")
        #expect(try invocation(["init", "--db", "flag.db"], environment: ["TOOL_DB": "env.db"]).string(OptionKey("db")) == "flag.db")
    }

    @Test func inheritedOptionsWorkBeforeAndAfterTheSubcommand() throws {
        #expect(try invocation(["-q", "leads", "import", "f.csv"]).flag(OptionKey("quiet")))
        #expect(try invocation(["leads", "import", "f.csv", "--quiet"]).flag(OptionKey("quiet")))
    }

    @Test func negatableFlags() throws {
        #expect(try invocation(["leads", "import", "f", "--color"]).flagIfGiven(OptionKey("color")) == true)
        #expect(try invocation(["leads", "import", "f", "--no-color"]).flagIfGiven(OptionKey("color")) == false)
        #expect(try invocation(["leads", "import", "f"]).flagIfGiven(OptionKey("color")) == nil)
        #expect(usageError(["leads", "import", "f", "--no-verbose"])?.message == "The flag '--verbose' has no '--no-verbose' form; leave it out instead.")
    }

    @Test func doubleDashEndsOptions() throws {
        let parsed = try invocation(["leads", "add", "--", "--not-an-option", "-5"])
        #expect(parsed.strings(OptionKey("number")) == ["--not-an-option", "-5"])
    }

    @Test func repeatedOptionsKeepEveryValueInOrder() throws {
        let parsed = try invocation(["leads", "import", "f", "--map", "a=phone", "--map=b=email"])
        #expect(parsed.strings(OptionKey("map")) == ["a=phone", "b=email"])
    }

    @Test func groupedShortFlags() throws {
        let parsed = try invocation(["leads", "import", "f", "-qv"])
        #expect(parsed.flag(OptionKey("quiet")) && parsed.flag(OptionKey("verbose")))
    }

    @Test func typedValuesAreValidated() throws {
        // An option of the subcommand may come before it: a flag, or a value written with '='.
        let early = try invocation(["--json", "init"])
        #expect(early.output.json)
        #expect(try invocation(["--limit=7", "leads", "import", "f"]).int(OptionKey("limit")) == 7)
        let parsed = try invocation(["leads", "import", "f", "--limit", "10", "--at", "2026-11-25T09:00:00-05:00", "--delay", "1h30m"])
        #expect(parsed.int(OptionKey("limit")) == 10)
        #expect(parsed.instant(OptionKey("at"))?.iso8601 == "2026-11-25T14:00:00Z")
        #expect(parsed.duration(OptionKey("delay"))?.seconds == 5400)
        #expect(parsed.string(OptionKey("format")) == "csv")
    }

    @Test(arguments: [
        (["bogus"], "Unknown subcommand 'bogus'."),
        (["inti"], "Unknown subcommand 'inti'. Did you mean 'init'?"),
        (["leads", "improt", "f"], "Unknown subcommand 'improt'. Did you mean 'import'?"),
        (["init", "--jsno"], "Unknown option '--jsno'. Did you mean '--json'?"),
        (["init", "--bogus"], "Unknown option '--bogus'."),
        (["--bogus", "init"], "Unknown option '--bogus'."),
        (["--limit", "3", "leads", "import", "f"], "Unknown subcommand '3'."),
        (["init", "-x"], "Unknown option '-x'."),
        (["init", "--json=yes"], "The flag '--json' does not take a value."),
        (["init", "--db"], "Missing value for '--db <path>'."),
        (["init", "--db", "--json"], "Missing value for '--db <path>'."),
        (["leads", "import"], "Missing expected argument '<file>'."),
        (["leads", "add"], "Missing expected argument '<number>'."),
        (["leads", "import", "a", "b"], "Unexpected argument 'b'."),
        (["leads", "import", "f", "--limit", "ten"], "The value 'ten' is invalid for '--limit <n>': expected a whole number."),
        (["leads", "import", "f", "--limit", "0"], "The value '0' is invalid for '--limit <n>': expected a number from 1 to 1000."),
        (["leads", "import", "f", "--at", "2026-11-25T25:00:00Z"], "The value '2026-11-25T25:00:00Z' is invalid for '--at <time>': hours run 00–23."),
        (
            ["leads", "import", "f", "--at", "2026-11-25T10:00:00"],
            "The value '2026-11-25T10:00:00' is invalid for '--at <time>': the time needs an offset or 'Z' (outdial never guesses a zone)."
        ),
        (["leads", "import", "f", "--delay", "10"], "The value '10' is invalid for '--delay <duration>': '10' needs a unit: s, m, h, d or w (like 10m)."),
        (["leads", "import", "f", "--format", "xml"], "The value 'xml' is invalid for '--format <format>': expected one of 'csv', 'jsonl'."),
    ])
    func everyUsageErrorSaysWhatWentWrong(words: [String], message: String) {
        #expect(usageError(words)?.message == message)
    }

    @Test func badEnvironmentValueNamesTheVariable() throws {
        #expect(
            usageError(["init"], environment: ["TOOL_WORKERS": "nine"])?.message
                == "The value 'nine' of TOOL_WORKERS is invalid for '--workers <n>': expected a whole number.")
        #expect(try invocation(["init"], environment: ["TOOL_WORKERS": "3"]).int(OptionKey("workers")) == 3)
    }

    @Test func anEmptyEnvironmentVariableCountsAsUnset() throws {
        #expect(try invocation(["init"], environment: ["TOOL_DB": ""]).string(OptionKey("db")) == "tool.db")
    }

    @Test func usageErrorCarriesTheUsageOfTheCommandItHappenedIn() throws {
        let error = try #require(usageError(["leads", "import"]))
        #expect(error.usage.hasPrefix("tool leads import "))
        #expect(error.usage.hasSuffix("<file>"))
        #expect(error.rendered.hasPrefix("Error: Missing expected argument '<file>'.\nUsage: tool leads import"))
        #expect(error.rendered.hasSuffix("  See 'tool leads import --help' for more information.\n"))
    }

    @Test func helpInEveryForm() throws {
        for words in [["--help"], ["-h"], ["help"]] {
            guard case .help(let text) = try parser.parse(words) else { Issue.record("no help for \(words)"); continue }
            #expect(text.hasPrefix("OVERVIEW: A test tool."))
            #expect(text.contains("SUBCOMMANDS:\n  init"))
        }
        for words in [["leads", "import", "--help"], ["help", "leads", "import"], ["leads", "help", "import"], ["leads", "import", "f", "-h"]] {
            guard case .help(let text) = try parser.parse(words) else { Issue.record("no help for \(words)"); continue }
            #expect(text.hasPrefix("OVERVIEW: Import leads."))
            #expect(text.contains("ARGUMENTS:\n  <file>"))
            #expect(text.contains("(values: csv, jsonl; default: csv)"))
            #expect(text.contains("--color/--no-color"))
        }
        #expect(usageError(["help", "nope"])?.message == "Unknown subcommand 'nope'.")
    }

    @Test func aGroupWithoutASubcommandShowsItsHelp() throws {
        guard case .help(let text) = try parser.parse(["leads"]) else { Issue.record("no help"); return }
        #expect(text.contains("USAGE: tool leads"))
        #expect(text.contains("See 'tool help leads <subcommand>'"))
    }

    @Test func versionOnlyAtTheRoot() throws {
        guard case .version(let v) = try parser.parse(["--version"]) else { Issue.record("no version"); return }
        #expect(v == "9.9.9")
        #expect(usageError(["init", "--version"])?.message == "Unknown option '--version'.")
    }

    @Test func helpWrapsToTheWidth() throws {
        let narrow = CommandParser(root: tree, width: 50)
        guard case .help(let text) = try narrow.parse(["leads", "import", "--help"]) else { Issue.record("no help"); return }
        for line in text.split(separator: "\n") { #expect(line.count <= 50, "\(line)") }
    }
}

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("inti", "init", true), ("innit", "init", true), ("lead", "leads", true), ("improt", "import", true),
        ("xyz", "init", false), ("le", "leads", false), ("completion", "completions", true), ("cmpltns", "completions", false),
    ])
    func suggestsOnlyCloseWords(word: String, candidate: String, suggested: Bool) {
        #expect((Suggestion.closest(to: word, in: [candidate]) != nil) == suggested)
    }

    @Test func picksTheClosest() {
        #expect(Suggestion.closest(to: "--jsn", in: ["--db", "--json", "--quiet"]) == "--json")
    }
}
