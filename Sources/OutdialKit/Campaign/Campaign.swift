import Foundation
import Yams

/// A campaign file (SPEC §2.4), validated into typed values. Every key is
/// checked; an unknown key is an error with file:line:column.
public struct Campaign: Sendable {
    public var file: String
    public var name: String
    public var defaults = Defaults()
    public var callingWindow = CallingWindowSpec()
    public var numbers: NumbersSpec?
    public var limits = Limits()
    /// Connection names and their providers.
    public var connections: [String: ConnectionSpec] = [:]
    public var workflows: [Workflow] = []
    /// `messaging:` (opt-out phrases, re-subscription) and `responders:`.
    public var messaging = MessagingSpec()
    /// `leads:`: the lead CSV `run` imports before it starts.
    public var leads: LeadsSpec?
    /// Whom the campaign enrols; nil enrols every lead.
    public var audience: Audience?
    public var responders: [String: ResponderSpec] = [:]

    /// Workflow names in order.
    public var workflowNames: [String] { workflows.map(\.name) }

    public struct Defaults: Sendable {
        /// Region for national-format numbers.
        public var region = "US"
        /// The zone for a lead whose zones are unknown; nil skips such leads (`no-timezone`).
        public var timezone: String?
    }

    public struct CallingWindowSpec: Sendable {
        /// Weekday indices (0 = Sunday) the campaign calls on.
        public var days: Set<Int> = [1, 2, 3, 4, 5, 6]
        public var hours = MinuteRange(start: 9 * 60, end: 20 * 60)
        public var overrides: [Int: MinuteRange?] = [:]
        public var holidaySets: [String] = []
        public var holidayDates: Set<Int64> = []
        /// Compliance layers: `us`, `ca`.
        public var compliance: Set<String> = ["us", "ca"]
        /// A rules file replacing the built-in table.
        public var complianceRules: String?
        /// Where the file says each of these (line, column), for `check`'s warnings.
        public var places: [String: (line: Int, column: Int)] = [:]
    }

    public struct NumbersSpec: Sendable {
        public var file: String
        public var dailyCap: Int?
        public var cooldown: TimeSpan?
        public var nearbyKilometres: Double = 80
        public var fallback = "any"
        public var localWait: TimeSpan?
        /// Where the file says `numbers` (line, column), for `check`.
        public var place = (line: 1, column: 1)
        public var health = NumberStore.Health()

        /// The selector's settings.
        public var settings: SelectionSettings {
            SelectionSettings(
                dailyCap: dailyCap ?? 80, cooldown: cooldown?.seconds ?? 0, nearbyKilometres: nearbyKilometres, fallback: fallback,
                localWait: localWait?.seconds ?? 900)
        }
    }

    /// `leads: { file, on_duplicate }`.
    public struct LeadsSpec: Sendable {
        public var file: String
        public var onDuplicate = DuplicatePolicy.skip
        /// The list the file's leads are put in (`leads import --list`).
        public var list: String?
    }

    /// A file the campaign names, relative to the campaign file's folder.
    public func path(of named: String) -> String {
        guard !named.hasPrefix("/") else { return named }
        let folder = file.lastIndex(of: "/").map { String(file[..<$0]) }
        return folder.map { $0 + "/" + named } ?? named
    }

    /// The input files the campaign names (`leads.file`, `numbers.file`), as paths.
    public var inputFiles: [(key: String, path: String)] {
        var files: [(String, String)] = []
        if let leads, !leads.file.isEmpty { files.append(("leads.file", path(of: leads.file))) }
        if let numbers, !numbers.file.isEmpty { files.append(("numbers.file", path(of: numbers.file))) }
        return files
    }

    public struct Limits: Sendable {
        public var concurrentCalls = 10
        public var callsPerSecond: Double = 2
        public var maxAttempts = 3
        public var minimumGap: TimeSpan?
    }

    /// Reads and validates a campaign file.
    /// The largest campaign file read (bytes), the most YAML nodes it may
    /// expand to (aliases included), and the longest campaign name (bytes).
    public static let largestFile = 1 << 20
    public static let mostNodes = 100_000
    public static let longestName = 128

    public static func load(path: String) throws -> Campaign {
        let size = try InputFileError.requireRegularFile(path)
        guard size <= largestFile else {
            throw CampaignFileError(file: path, line: 1, column: 1, message: "the file is \(size) bytes; a campaign file is at most 1 MiB")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw InputFileError(path: path, reason: "cannot read the file") }
        guard data.count <= largestFile else {
            throw CampaignFileError(file: path, line: 1, column: 1, message: "the file is over 1 MiB; a campaign file is at most 1 MiB")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw CampaignFileError(file: path, line: 1, column: 1, message: "the file is not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw CampaignFileError(file: path, line: 1, column: 1, message: "the file is empty; expected a campaign (version, name, calling_window …)")
            }
            root = node
        } catch let error as YamlError {
            throw Self.describe(error, file: path)
        }
        // Aliases share nodes: a few lines can stand for billions. Count what
        // the file expands to, and stop counting at the limit.
        var budget = mostNodes
        guard Self.fits(root, within: &budget) else {
            throw CampaignFileError(
                file: path, line: 1, column: 1, message: "the file expands to more than \(mostNodes) YAML nodes (aliases repeated within aliases?)")
        }
        return try Campaign(root: ConfigNode(node: root, file: path, path: ""), file: path)
    }

    /// Whether `node` and everything under it count no more than `budget`, which it uses up.
    private static func fits(_ node: Node, within budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar, .alias: return true
        case .sequence(let sequence): return sequence.allSatisfy { fits($0, within: &budget) }
        case .mapping(let mapping): return mapping.allSatisfy { fits($0.key, within: &budget) && fits($0.value, within: &budget) }
        }
    }

    private static func describe(_ error: YamlError, file: String) -> CampaignFileError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return CampaignFileError(file: file, line: mark.line, column: mark.column, message: "not valid YAML: \(problem)")
        default:
            // YAML's own text can quote the input at length: 200 bytes are enough.
            let text = "\(error)"
            return CampaignFileError(
                file: file, line: 1, column: 1,
                message: "not valid YAML: \(text.utf8.count > 200 ? String(decoding: Array(text.utf8.prefix(200)), as: UTF8.self) + "…" : text)")
        }
    }

    init(root: ConfigNode, file: String) throws {
        self.file = file
        self.name = ""
        let keys = [
            "version", "name", "defaults", "calling_window", "connections", "numbers", "limits", "workflows", "compliance_rules", "messaging", "responders",
            "leads", "audience",
        ]
        // Each part of the file is read on its own: a problem in one is kept
        // and the others are still read, so every problem is told at once.
        let problems = CampaignProblems()
        var nameTold = false  // a 'name' that was there and wrong is already a problem
        for (key, value) in try root.mapping(allowed: keys, problems: problems) {
            let before = problems.list.count
            try problems.collect { try read(key, value, problems: problems) }
            if key == "name" { nameTold = problems.list.count > before }
        }
        if name.isEmpty && !nameTold { problems.list.append(root.error("the campaign needs a 'name'")) }
        if let error = CampaignFileError.combined(problems.list) { throw error }
    }

    private mutating func read(_ key: String, _ value: ConfigNode, problems: CampaignProblems) throws {
        switch key {
        case "version":
            guard try value.int(1...1000) == 1 else { throw value.error("'version' must be 1") }
        case "name":
            name = try value.string()
            guard name.utf8.count <= Self.longestName else {
                throw value.error("'name' is \(name.utf8.count) bytes; a campaign name is at most \(Self.longestName)")
            }
        case "defaults": try parseDefaults(value)
        case "calling_window": try parseWindow(value, problems: problems)
        case "compliance_rules": callingWindow.complianceRules = try value.string()
        case "connections":
            for (connectionName, spec) in try value.freeMapping() {
                try problems.collect { connections[connectionName] = try Self.parseConnection(spec, name: connectionName) }
            }
        case "numbers": try parseNumbers(value, problems: problems)
        case "leads":
            var spec = LeadsSpec(file: "")
            for (k, v) in try value.mapping(allowed: ["file", "on_duplicate", "list"]) {
                if k == "file" {
                    spec.file = try v.string()
                } else if k == "list" {
                    spec.list = try v.string()
                } else {
                    let text = try v.string()
                    guard let policy = DuplicatePolicy(rawValue: text) else {
                        throw v.error("'on_duplicate' must be one of \(DuplicatePolicy.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    spec.onDuplicate = policy
                }
            }
            guard !spec.file.isEmpty else { throw value.error("'leads' needs a 'file' (the lead CSV)") }
            leads = spec
        case "audience": audience = try Audience(value, file: file)
        case "messaging": messaging = try Self.parseMessaging(value)
        case "responders":
            for (responderName, spec) in try value.freeMapping() {
                try problems.collect { responders[responderName] = try Self.parseResponder(spec, name: responderName) }
            }
        case "limits":
            for (k, v) in try value.mapping(allowed: ["concurrent_calls", "calls_per_second", "max_attempts", "min_gap"], problems: problems) {
                try problems.collect {
                    switch k {
                    case "concurrent_calls": limits.concurrentCalls = try v.int(1...100_000)
                    case "calls_per_second": limits.callsPerSecond = try v.double(0.001...1_000)
                    case "max_attempts": limits.maxAttempts = try v.int(1...100)
                    default: limits.minimumGap = try v.duration()
                    }
                }
            }
        default:
            workflows = try WorkflowParser(file: file).workflows(value, problems: problems)
        }
    }

    private mutating func parseDefaults(_ node: ConfigNode) throws {
        for (key, value) in try node.mapping(allowed: ["region", "timezone"]) {
            let text = try value.string()
            if key == "region" {
                guard NumberingPlan.shared.country(region: text) != nil else { throw value.error("region '\(text)' is not an ISO country code outdial knows") }
                defaults.region = text.uppercased()
            } else if text != "skip" {
                guard TimeZoneCache.shared.zone(named: text) != nil, text.contains("/") || text == "UTC" else {
                    throw value.error("'defaults.timezone' must be 'skip' or an IANA zone such as America/Chicago, not '\(text)'")
                }
                defaults.timezone = text
            }
        }
    }

    private mutating func parseWindow(_ node: ConfigNode, problems: CampaignProblems) throws {
        callingWindow.places["calling_window"] = (node.line, node.column)
        for (key, value) in try node.mapping(allowed: ["days", "hours", "overrides", "holidays", "compliance"], problems: problems) {
            callingWindow.places[key] = (value.line, value.column)
            try problems.collect { try parseWindowKey(key, value) }
        }
    }

    private mutating func parseWindowKey(_ key: String, _ value: ConfigNode) throws {
        switch key {
        case "days":
            var days = Set<Int>()
            for day in try value.list() { days.formUnion(try day.weekdays(try day.string())) }
            callingWindow.days = days
        case "hours":
            callingWindow.hours = try value.minuteRange()
        case "overrides":
            for (dayKey, span) in try value.freeMapping() {
                let text = try span.string().lowercased()
                let range = text == "none" || text == "closed" ? nil : try span.minuteRange()
                for day in try span.weekdays(dayKey) { callingWindow.overrides[day] = .some(range) }
            }
        case "holidays":
            for item in try value.list() {
                let text = try item.string()
                if let day = CivilDate.parseISODate(text) {
                    callingWindow.holidayDates.insert(day)
                } else if ComplianceRules.bundled.holidaySets[text] != nil {
                    callingWindow.holidaySets.append(text)
                } else {
                    let known = ComplianceRules.bundled.holidaySets.keys.sorted().joined(separator: ", ")
                    throw item.error("holiday '\(text)' is neither a date (2026-12-24) nor a holiday set (\(known))")
                }
            }
        default:
            var layers = Set<String>()
            for item in try value.list() {
                let text = try item.string()
                switch text {
                case "us", "ca": layers.insert(text)
                case "none": break
                default: throw item.error("compliance '\(text)' is not one of us, ca, none")
                }
            }
            callingWindow.compliance = layers
        }
    }

    private mutating func parseNumbers(_ node: ConfigNode, problems: CampaignProblems) throws {
        var spec = NumbersSpec(file: "")
        spec.place = (node.line, node.column)
        defer { numbers = spec }
        for (key, value) in try node.mapping(allowed: ["file", "selection"], problems: problems) {
            if key == "file" {
                try problems.collect { spec.file = try value.string() }
                continue
            }
            let keys = ["daily_cap", "cooldown", "nearby_km", "fallback", "local_wait", "rest_after_spam", "min_answer_rate", "answer_rate_calls", "rest"]
            for (k, v) in try value.mapping(allowed: keys, problems: problems) {
                try problems.collect { try Self.parseSelection(k, v, into: &spec) }
            }
        }
    }

    private static func parseSelection(_ k: String, _ v: ConfigNode, into spec: inout NumbersSpec) throws {
        switch k {
        case "rest_after_spam": spec.health.restAfterSpam = try v.duration().seconds
        case "min_answer_rate":
            spec.health.minimumAnswerRate = try v.double(0...1)
        case "answer_rate_calls": spec.health.window = try v.int(1...10_000)
        case "rest": spec.health.rest = try v.duration().seconds
        case "daily_cap": spec.dailyCap = try v.int(1...1_000_000)
        case "cooldown": spec.cooldown = try v.duration()
        case "local_wait": spec.localWait = try v.duration()
        case "nearby_km": spec.nearbyKilometres = try v.double(0...20_000)
        default:
            spec.fallback = try v.string()
            guard ["any", "none"].contains(spec.fallback) else { throw v.error("'fallback' must be 'any' or 'none'") }
        }
    }

    /// The campaign's own calling window as a rule.
    public func windowRule(rules: ComplianceRules) -> WindowRule {
        var days = [MinuteRange?](repeating: nil, count: 7)
        for day in callingWindow.days { days[day] = callingWindow.hours }
        for (day, range) in callingWindow.overrides { days[day] = range }
        return WindowRule(
            id: "campaign", hours: WeeklyHours(days: days), closedOn: callingWindow.holidaySets.compactMap { rules.holidaySets[$0] },
            closedDates: callingWindow.holidayDates, source: file, confidence: "campaign")
    }

    /// The compliance rules the campaign names, or the built-in table. A
    /// relative path is taken from the campaign file's folder.
    public func complianceRules() throws -> ComplianceRules {
        guard let path = callingWindow.complianceRules else { return .bundled }
        return try ComplianceRules.load(path: resolve(path))
    }

    /// A path from the campaign file, relative to the file's folder.
    public func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let folder = (file as NSString).deletingLastPathComponent
        return folder.isEmpty ? path : folder + "/" + path
    }

    /// The window policy of this campaign.
    public func windowPolicy() throws -> CallingWindowPolicy {
        let rules = try complianceRules()
        return CallingWindowPolicy(campaign: windowRule(rules: rules), layers: callingWindow.compliance, rules: rules)
    }
}

extension Campaign {
    /// Whether any connection that places calls is switched off (`enabled: false`).
    public var hasDisabledConnection: Bool { connections.values.contains { $0.placesCalls && !$0.enabled } }

    /// The connection a call goes through (docs/connections.md): the step's,
    /// else its caller ID's, else the first by name of those that place calls
    /// and are enabled (the first disabled one when all are); nil when the
    /// campaign has none that places calls. The runner, `plan` and the dial
    /// gate all choose by this.
    public func callConnection(step: String?, callerID: String?) -> String? {
        for case let name? in [step, callerID] where connections[name]?.placesCalls == true { return name }
        let dialling = connections.filter { $0.value.placesCalls }
        return dialling.filter { $0.value.enabled }.keys.min() ?? dialling.keys.min()
    }

    /// The disabled connection a call would go through, if it would.
    public func disabledConnection(step: String?, callerID: String?) -> String? {
        guard let name = callConnection(step: step, callerID: callerID), connections[name]?.enabled == false else { return nil }
        return name
    }
}
