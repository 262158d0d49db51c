import Foundation

/// A parser `make fuzz` feeds mutated input to (docs/cli.md, "Fuzzing"). Each
/// run either succeeds or throws an error outdial reports; a trap, a hang or
/// unbounded memory is a bug. The corpus in `Tests/Fuzz/Corpus/` is run by
/// the tests too, so an input that once crashed stays a regression test.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case csv, leads, phone, instant, duration, campaign, rules, dnc

    /// Where file-based targets write their input, and the database the importers use.
    public final class Scratch {
        public let directory: String
        let database: Database

        public init(directory: String) throws {
            self.directory = directory
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            database = try Store.open(directory + "/fuzz.db")
        }

        func file(_ name: String, _ bytes: [UInt8]) -> String {
            let path = directory + "/" + name
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return path
        }
    }

    /// Runs one input; errors are the expected answer to bad input and are dropped.
    public func run(_ bytes: [UInt8], in scratch: Scratch) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .csv:
            guard let reader = try? CSVReader(path: scratch.file("in.csv", bytes), maxRecordBytes: 1 << 16) else { return }
            var records = 0
            while records < 100_000, (try? reader.next()) == true {
                for i in 0..<reader.fieldCount { _ = reader.string(i) }
                records += 1
            }
        case .leads:
            var options = LeadImportOptions()
            options.rejectsPath = scratch.directory + "/rejects.csv"
            options.onDuplicate = .update
            _ = try? LeadImporter(database: scratch.database).run(path: scratch.file("leads.csv", bytes), options: options)
        case .phone: _ = try? PhoneNormalizer(region: "US")!.normalize(text)
        case .instant: _ = try? Instant(iso8601: text)
        case .duration: _ = try? TimeSpan(parsing: text)
        case .campaign:
            if let campaign = try? Campaign.load(path: scratch.file("c.yml", bytes)) {
                _ = CampaignLint.findings(campaign)
                _ = try? campaign.windowPolicy()
            }
        case .rules: _ = try? ComplianceRules.load(path: scratch.file("rules.json", bytes))
        case .dnc: _ = try? DoNotCallImporter(database: scratch.database).run(path: scratch.file("dnc.txt", bytes), region: "US", skipInvalid: true)
        }
    }

    /// Inputs to start from, beside the corpus files of the target.
    public var seeds: [String] {
        switch self {
        case .csv, .leads:
            ["phone,first_name,state,zip,timezone,tags\n(415) 555-0123,Ann,CA,94103,America/Los_Angeles,\"a,b\"\n+44 20 7946 0958,Bo,,,,\n"]
        case .phone: ["(415) 555-0123", "+1 212 555 0100 ext. 12", "1-800-FLOWERS", "+44 20 7946 0958", "011 44 20 7946 0958"]
        case .instant: ["2026-11-25T14:00:00Z", "2026-11-25T09:00:00.5-05:00", "2024-02-29T23:59:59,123+05:30"]
        case .duration: ["90s", "1h30m", "4h", "2d", "1w"]
        case .campaign:
            [
                """
                version: 1
                name: fuzz
                calling_window: { days: [mon-fri], hours: "09:00-20:00", holidays: [us-federal, "2026-12-24"], compliance: [us, ca] }
                connections: { main: { provider: simulated, seed: 7 } }
                numbers: { selection: { daily_cap: 80, cooldown: 10m, nearby_km: 80, fallback: any } }
                limits: { concurrent_calls: 10, calls_per_second: 2, max_attempts: 3, min_gap: 4h }
                workflows:
                  - name: outbound
                    trigger: lead_added
                    steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main } } ]
                  - name: post-call
                    trigger: { call_completed: { outcomes: [answered] } }
                    steps:
                      - if: { field: call.sentiment, is: positive }
                        then: [ { add_tag: hot }, { create_opportunity: { pipeline: sales, stage: new, value: 12.5 } } ]
                      - add_to_workflow: { workflow: outbound, delay: 4h }
                """
            ]
        case .rules:
            [
                #"{"holiday_sets": {"h": {"holidays": [{"name": "e", "easter": -2}, {"name": "d", "month": 7, "day": 4, "observed": true}, {"name": "t", "month": 11, "weekday": "thu", "nth": 4}]}}, "rules": [{"id": "x", "country": "US", "hours": {"mon-fri": "08:00-21:00", "sun": "none"}, "closed_on": ["h"], "max_calls_per_24h": 3}]}"#
            ]
        case .dnc: ["# list\n4155550101\n(212) 555-0102\n201XXXXXXX\n", "name,phone\nAnn,\"(415) 555-0101\"\n"]
        }
    }
}
