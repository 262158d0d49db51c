import Foundation

/// The files a campaign names (`leads.file`, `numbers.file`), imported by
/// `run` before it starts: the same import as `leads import` and `numbers
/// import`, idempotent (a lead already there is skipped or updated as the
/// campaign says; a number already in the pool is updated).
public struct CampaignInputs {
    let database: Database
    let campaign: Campaign

    public init(database: Database, campaign: Campaign) {
        self.database = database
        self.campaign = campaign
    }

    public struct Summary: Sendable {
        public var leads: LeadImportSummary?
        public var leadsFile: String?
        public var numbers: NumberStore.ImportSummary?
        public var numbersFile: String?
        /// A plan's import ran on a copy: where a run would list the rejected rows (the copy's list is gone).
        public var rejectsWhenRun: String?

        /// One line per file, as the imports themselves say it.
        public var lines: [String] {
            var out: [String] = []
            if let leads, let leadsFile {
                let rejects = rejectsWhenRun.map { "a run lists them in \($0)" } ?? leads.rejectsFile ?? "see the rejects file"
                out.append(
                    "Leads from \(leadsFile): \(leads.rows) rows, \(leads.imported) new, \(leads.updated) updated, \(leads.duplicates) already there, \(leads.rejected) rejected"
                        + (leads.rejected == 0 ? "." : " (\(rejects))."))
            }
            if let numbers, let numbersFile {
                out.append("Numbers from \(numbersFile): \(numbers.rows) rows, \(numbers.imported) imported or updated, \(numbers.errors.count) rejected.")
            }
            return out
        }
    }

    /// Imports the named files; rejected lead rows go to `rejectsFolder`/NAME.rejects.csv.
    public func sync(rejectsFolder: String, now: Instant = .now) throws -> Summary {
        var summary = Summary()
        if let leads = campaign.leads {
            let path = campaign.path(of: leads.file)
            var options = LeadImportOptions()
            options.region = campaign.defaults.region
            options.onDuplicate = leads.onDuplicate
            options.list = leads.list
            options.rejectsPath = Self.rejectsPath(of: path, in: rejectsFolder)
            summary.leads = try LeadImporter(database: database).run(path: path, options: options, now: now)
            summary.leadsFile = path
        }
        if let numbers = campaign.numbers, !numbers.file.isEmpty {
            let path = campaign.path(of: numbers.file)
            summary.numbers = try NumberStore(database: database).importCSV(path: path, region: campaign.defaults.region, now: now)
            summary.numbersFile = path
        }
        return summary
    }

    /// Where the rejected rows of the lead file at `path` go: NAME.rejects.csv in `folder`.
    static func rejectsPath(of path: String, in folder: String) -> String { folder + "/" + FilePath.name(of: path) + ".rejects.csv" }

    /// The folder `run` puts a lead file's rejected rows in: the database's.
    public static func rejectsFolder(database path: String) -> String { FilePath.folder(of: path) }

    /// Runs `body` on a temporary copy of the database at `path` into which the
    /// campaign's files were imported as `run` would import them: `plan` sees
    /// the leads and numbers a run would see and writes nothing. Without named
    /// files `body` gets the database itself, read as it is.
    public static func asImported<T>(
        database path: String, campaign: Campaign, now: Instant = .now, _ body: (Database, Summary?) throws -> T
    ) throws -> T {
        guard !campaign.inputFiles.isEmpty else { return try body(try Store.open(path), nil) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "outdial-plan-\(ProcessInfo.processInfo.processIdentifier)-\(now.milliseconds)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = try SimulationCopy.snapshot(of: try Store.openForReading(path), into: folder.appendingPathComponent("plan.db").path)
        var summary = try CampaignInputs(database: copy, campaign: campaign).sync(rejectsFolder: folder.path, now: now)
        if let leads = campaign.leads { summary.rejectsWhenRun = rejectsPath(of: campaign.path(of: leads.file), in: rejectsFolder(database: path)) }
        return try body(copy, summary)
    }

    /// Why a run of the campaign can do nothing, with the command that fixes it; nil when it can.
    public func nothingToDo() throws -> NothingToDoError? {
        let leads = try database.scalar("SELECT count(*) FROM leads WHERE dnc = 0") ?? 0
        let listens = campaign.workflows.contains { $0.trigger.name == "message_received" || $0.trigger.name == "handoff_requested" }
        if leads == 0, !listens {
            return NothingToDoError(
                reason: "the database has no lead to call",
                fix: "import the leads (`outdial leads import FILE.csv`) or name them in the campaign file (`leads: { file: leads.csv }`)")
        }
        func dials(_ steps: [Step]) -> Bool {
            steps.contains {
                if case .placeCall = $0 { return true }
                if case .ifThen(_, let then, let other) = $0 { return dials(then) || dials(other) }
                return false
            }
        }
        let pool = try database.scalar("SELECT count(*) FROM numbers WHERE enabled = 1") ?? 0
        if pool == 0, campaign.workflows.contains(where: { dials($0.steps) }) {
            return NothingToDoError(
                reason: "the campaign places calls and the caller-ID pool has no enabled number",
                fix: "import numbers (`outdial numbers import numbers.csv`) or name them in the campaign file (`numbers: { file: numbers.csv }`)")
        }
        return nil
    }
}

/// A run that could do nothing (exit 65): what is missing and the command that fixes it.
public struct NothingToDoError: CommandError, Equatable {
    public var reason: String
    public var fix: String
    public var exitCode: ExitCode { .dataError }
    public var description: String { "nothing to do: \(reason); \(fix), then run again" }
}
