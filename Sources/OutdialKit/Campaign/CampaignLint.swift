import Foundation

/// The checks of `outdial check` beyond parsing (docs/campaign.md). `run`
/// refuses a campaign with an error finding exactly as `check` does.
public enum CampaignLint {
    public struct Finding: Sendable, Equatable {
        public var line: Int
        public var column: Int
        public var isError: Bool
        public var message: String

        /// `file:line:column: message`, as a warning line prints it.
        public func located(in file: String) -> String { "\(file):\(line):\(column): \(message)" }

        /// `file:line:column: error|warning: message`, as `check` prints it.
        public func diagnostic(in file: String) -> String { "\(file):\(line):\(column): \(isError ? "error" : "warning"): \(message)" }
    }

    /// The error `check` and `run` end with when a finding is an error: the
    /// first error's place, its message and how many there are.
    public static func failure(_ findings: [Finding], file: String) -> CampaignFileError? {
        let errors = findings.filter(\.isError)
        guard let first = errors.first else { return nil }
        let more = errors.count > 1 ? " (and \(errors.count - 1) more error(s); outdial check lists them)" : ""
        return CampaignFileError(file: file, line: first.line, column: first.column, message: first.message + more)
    }

    /// `check`'s last line: the workflows, errors and warnings counted.
    public static func summary(_ findings: [Finding], workflows: Int, file: String) -> String {
        func counted(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        let errors = findings.filter(\.isError).count
        return "\(file): \(counted(workflows, "workflow")), \(counted(errors, "error")), \(counted(findings.count - errors, "warning"))."
    }

    /// The problems of a file that could not be read, as error findings.
    public static func findings(of error: CampaignFileError) -> [Finding] {
        error.all.map { Finding(line: $0.line, column: $0.column, isError: true, message: $0.message) }
    }

    /// `check --json`: the file, the counts and every finding.
    public static func json(_ findings: [Finding], file: String) -> JSONValue {
        JSONObject([
            "file": .string(file), "errors": .int(Int64(findings.filter(\.isError).count)),
            "warnings": .int(Int64(findings.filter { !$0.isError }.count)),
            "findings": .array(
                findings.map {
                    JSONObject([
                        "line": .int(Int64($0.line)), "column": .int(Int64($0.column)), "severity": .string($0.isError ? "error" : "warning"),
                        "message": .string($0.message),
                    ])
                }),
        ])
    }

    /// What loosens compliance (docs/compliance.md): warnings, printed by
    /// `check` and once at the start of `run`.
    public static func complianceFindings(_ campaign: Campaign) -> [Finding] {
        let window = campaign.callingWindow
        var out: [Finding] = []
        func add(_ key: String, _ message: String) {
            let place = window.places[key] ?? window.places["calling_window"] ?? (1, 1)
            out.append(Finding(line: place.line, column: place.column, isError: false, message: message))
        }
        if window.compliance.isEmpty {
            add(
                "compliance",
                "compliance: none turns off the US and Canadian calling rules (federal 08:00-21:00, state hours and holidays, Canada's hours); only the campaign's own window gates calls"
            )
        } else {
            if !window.compliance.contains("us") { add("compliance", "compliance leaves out 'us': US leads are gated by the campaign's own window only") }
            if !window.compliance.contains("ca") { add("compliance", "compliance leaves out 'ca': Canadian leads are gated by the campaign's own window only") }
        }
        var spans = [window.hours]
        for case .some(let range) in window.overrides.values { spans.append(range) }
        if spans.contains(where: { $0.start < 8 * 60 || $0.end > 21 * 60 }) {
            let key = window.hours.start < 8 * 60 || window.hours.end > 21 * 60 ? "hours" : "overrides"
            add(
                key,
                "the campaign's hours reach outside 08:00-21:00 (lead-local), the hours US federal rules (47 CFR 64.1200(c)(1)) allow"
                    + (window.compliance.contains("us") ? "; compliance narrows them, so those hours never dial" : ""))
        }
        if window.holidaySets.isEmpty, window.holidayDates.isEmpty {
            add("holidays", "no holidays: the campaign calls on public holidays (add holidays: [us-federal] or dates)")
        }
        return out
    }

    /// "unknown outcome 'answerd'; did you mean 'answered'?" for a value not among `known`, else nil.
    static func unknown(_ value: String, _ what: String, _ known: [String]) -> String? {
        guard !known.contains(value) else { return nil }
        let hint = Suggestion.closest(to: value, in: known).map { "; did you mean '\($0)'?" } ?? "; expected one of \(known.joined(separator: ", "))"
        return "unknown \(what) '\(value)'\(hint)"
    }

    /// Whom the campaign would enrol, against the database's lists: no
    /// audience while the database holds several lists (one client's campaign
    /// would call another's leads), or an audience naming a list that is not there.
    public static func audienceFindings(_ campaign: Campaign, lists: [String]) -> [Finding] {
        guard let audience = campaign.audience else {
            guard lists.count > 1 else { return [] }
            return [
                Finding(
                    line: 1, column: 1, isError: false,
                    message:
                        "the database holds \(lists.count) lead lists (\(lists.prefix(5).joined(separator: ", "))) and the campaign has no audience, so it enrols every lead of every list; add audience: { lists: [\(lists[0])] }"
                )
            ]
        }
        let place = audience.listsPlace ?? (audience.line, audience.column)
        return audience.lists.filter { !lists.contains($0) }.map { name in
            let near = Suggestion.closest(to: name, in: lists).map { "; did you mean '\($0)'?" } ?? (lists.isEmpty ? "; the database has no lists yet" : "")
            return Finding(
                line: place.line, column: place.column, isError: false,
                message: "audience list '\(name)' is not in the database, so it selects no lead (outdial lists shows them)\(near)")
        }
    }

    /// `fallback: any` (the default) with a pool that has no number in some
    /// state the audience's leads are in: those leads are called from another
    /// state's number, which local-presence rules and answer rates punish.
    /// `leadStates` counts the audience's callable leads by state.
    public static func poolFindings(_ campaign: Campaign, leadStates: [String: Int], poolStates: Set<String>) -> [Finding] {
        let fallback = campaign.numbers?.fallback ?? "any"
        guard fallback == "any", !poolStates.isEmpty else { return [] }
        let uncovered = leadStates.filter { !poolStates.contains($0.key) }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        guard !uncovered.isEmpty else { return [] }
        let place = campaign.numbers?.place ?? (line: 1, column: 1)
        let leads = uncovered.reduce(0) { $0 + $1.value }
        let named = uncovered.prefix(8).map { "\($0.key) \($0.value)" }.joined(separator: ", ") + (uncovered.count > 8 ? ", …" : "")
        return [
            Finding(
                line: place.line, column: place.column, isError: false,
                message:
                    "fallback: any and the pool has no number in \(uncovered.count) of the audience's states (\(named)): those \(leads) leads are called from another state's number; import local numbers or set fallback: none to make them wait"
            )
        ]
    }

    /// What keeps a live run from placing calls through the campaign's real
    /// connections: unset key variables (warnings: `check` may run where the
    /// keys are not), and Vapi connections whose caller IDs have no
    /// `provider_number_id` in `pool` (errors, naming the numbers).
    public static func connectionFindings(_ campaign: Campaign, environment: [String: String], pool: [PoolNumber]?) -> [Finding] {
        var out: [Finding] = []
        let fallback = campaign.connections.keys.min()
        for name in campaign.connections.keys.sorted() {
            let spec = campaign.connections[name]!
            if !spec.enabled {
                out.append(
                    Finding(
                        line: spec.line, column: spec.column, isError: false,
                        message:
                            "connection '\(name)' is disabled (enabled: false): no call goes through it, and the leads whose calls would wait until it is enabled"
                    ))
                continue  // its key and numbers matter once it is enabled
            }
            guard spec.provider != .simulated else { continue }
            if spec.apiKeyEnv == nil, spec.provider != .http, spec.provider != .twilio {
                out.append(
                    Finding(
                        line: spec.line, column: spec.column, isError: true,
                        message: "connection '\(name)' (\(spec.provider.rawValue)) needs api_key_env: the environment variable holding its API key"))
            }
            for variable in spec.environmentVariables where (environment[variable] ?? "").isEmpty {
                out.append(
                    Finding(
                        line: spec.line, column: spec.column, isError: false,
                        message: "connection '\(name)' reads \(variable), which is not set here: a live run would refuse to start"))
            }
            if spec.provider == .vapi, let pool {
                let missing = pool.filter { $0.enabled && ($0.connection ?? fallback) == name && ($0.providerNumberID ?? "").isEmpty }.map(\.e164)
                if !missing.isEmpty {
                    let shown = missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? " and \(missing.count - 5) more" : "")
                    out.append(
                        Finding(
                            line: spec.line, column: spec.column, isError: true,
                            message:
                                "connection '\(name)' (vapi) places calls by Vapi's phone-number id, and \(shown) \(missing.count == 1 ? "has" : "have") none: add a provider_number_id column to the numbers CSV and import it again"
                        ))
                }
            }
        }
        return out
    }

    public static func findings(_ campaign: Campaign) -> [Finding] {
        var out: [Finding] = complianceFindings(campaign)
        // The files `run` imports before it starts must be there.
        for (key, path) in campaign.inputFiles where !FileManager.default.isReadableFile(atPath: path) {
            out.append(Finding(line: 1, column: 1, isError: true, message: "\(key) names \(path), which cannot be read (run imports it before it starts)"))
        }
        let names = Set(campaign.workflows.map(\.name))
        for workflow in campaign.workflows {
            func add(_ error: Bool, _ message: String) {
                out.append(Finding(line: workflow.line, column: workflow.column, isError: error, message: "workflow '\(workflow.name)': \(message)"))
            }
            var placedCall = false
            var gated = false
            var warnedGate = false
            // Filter values outdial can never see would make a trigger that never fires.
            if case .callCompleted(let outcomes, let sentiments, let connections) = workflow.trigger {
                for value in outcomes {
                    if let problem = unknown(value, "outcome", CallOutcome.allCases.map(\.rawValue)) { add(true, "call_completed: \(problem)") }
                }
                for value in sentiments {
                    if let problem = unknown(value, "sentiment", Sentiment.allCases.map(\.rawValue)) { add(true, "call_completed: \(problem)") }
                }
                for value in connections {
                    if let problem = unknown(value, "connection", campaign.connections.keys.sorted()) { add(true, "call_completed: \(problem)") }
                }
            }
            func check(_ condition: Condition) {
                switch condition {
                case .all(let list), .any(let list): list.forEach(check)
                case .not(let inner): check(inner)
                case .compare(let field, _, let value):
                    let known: [String]? =
                        switch field {
                        case "call.outcome": CallOutcome.allCases.map(\.rawValue)
                        case "call.sentiment": Sentiment.allCases.map(\.rawValue)
                        case "call.status": CallStatus.allCases.map(\.rawValue)
                        default: nil
                        }
                    guard let known else { return }
                    let values: [ConditionValue] = if case .list(let items) = value { items } else { [value] }
                    for case .text(let text) in values {
                        if let problem = unknown(text, field.dropFirst(5).description, known) { add(true, "condition on \(field): \(problem)") }
                    }
                }
            }
            func visit(_ steps: [Step]) {
                for step in steps {
                    if case .ifThen(let condition, _, _) = step { check(condition) }
                    let reads = variables(of: step)
                    if reads.contains(where: { $0.hasPrefix("call.") }) {
                        if placedCall {
                            add(
                                true,
                                "reads \(reads.first { $0.hasPrefix("call.") }!) after place_call; handle results in a separate workflow triggered by call_completed"
                            )
                        } else if case .callCompleted = workflow.trigger {
                        } else {
                            add(true, "reads \(reads.first { $0.hasPrefix("call.") }!) but is not triggered by call_completed, so there is no call")
                        }
                    }
                    if reads.contains(where: { $0.hasPrefix("message.") }), !(workflow.trigger.name == "message_received") {
                        add(true, "reads \(reads.first { $0.hasPrefix("message.") }!) but is not triggered by message_received")
                    }
                    switch step {
                    case .waitUntilCallingWindow: gated = true
                    case .placeCall(let settings):
                        if !gated, !warnedGate {
                            add(
                                false,
                                "place_call has no wait_until_calling_window before it (the runner still refuses calls outside the window, but the run will wait there)"
                            )
                            warnedGate = true
                        }
                        if let connection = settings.connection, campaign.connections[connection] == nil {
                            let hint = Suggestion.closest(to: connection, in: campaign.connections.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
                            add(true, "place_call uses connection '\(connection)', which the campaign does not define\(hint)")
                        }
                        if let connection = settings.connection, let spec = campaign.connections[connection], !spec.placesCalls {
                            add(
                                true,
                                "place_call uses connection '\(connection)', which sends messages and never dials (a twilio connection, or an http one with only messages:)"
                            )
                        }
                        placedCall = true
                    case .sendAIMessage(let settings):
                        if workflow.trigger.name != "message_received" {
                            add(false, "send_ai_message outside a message_received workflow has no message to answer")
                        }
                        if settings.responder != "rules", campaign.responders[settings.responder] == nil {
                            let known = ["rules"] + campaign.responders.keys.sorted()
                            let hint = Suggestion.closest(to: settings.responder, in: known).map { "; did you mean '\($0)'?" } ?? ""
                            add(true, "send_ai_message names responder '\(settings.responder)', which the campaign's responders: does not define\(hint)")
                        }
                        if let via = settings.via, campaign.connections[via]?.sendsMessages != true {
                            add(
                                true, "send_ai_message sends via '\(via)', which is not a messaging connection of the campaign (twilio, or http with messages:)"
                            )
                        }
                    case .addToWorkflow(let target, _):
                        if !names.contains(target) { add(true, "add_to_workflow names '\(target)', which is not a workflow of the campaign") }
                    case .ifThen(_, let then, let other):
                        let before = (placedCall, gated)
                        visit(then)
                        let afterThen = (placedCall, gated)
                        (placedCall, gated) = before
                        visit(other)
                        placedCall = placedCall || afterThen.0
                        gated = gated && afterThen.1
                    default: break
                    }
                }
            }
            visit(workflow.steps)
        }
        return out
    }

    /// The variables a step reads (templates and conditions).
    static func variables(of step: Step) -> [String] {
        switch step {
        case .addNote(let t), .sendSMS(let t): return t.variables
        case .updateField(_, let t): return t.variables
        case .createTask(let t, _, _): return t.variables
        case .createOpportunity(_, _, let t, _): return t?.variables ?? []
        case .notify(_, _, let t): return t?.variables ?? []
        case .ifThen(let condition, _, _): return condition.fields
        default: return []
        }
    }
}
