/// Reads the `workflows` list of a campaign file into typed workflows.
struct WorkflowParser {
    let file: String

    static let stepNames = [
        "wait_until_calling_window", "wait", "place_call", "send_ai_message", "send_sms", "add_tag", "remove_tag", "add_note", "update_field",
        "create_opportunity", "move_opportunity", "assign", "notify", "create_task", "add_to_workflow", "if", "stop",
    ]

    /// The workflows; a problem in one workflow's name, trigger or steps is
    /// kept in `problems` and the rest of the list is still read.
    func workflows(_ node: ConfigNode, problems: CampaignProblems) throws -> [Workflow] {
        var result: [Workflow] = []
        for (index, item) in try node.list().enumerated() {
            let before = problems.list.count
            try problems.collect {
                guard item.isMapping else { throw item.error("workflow \(index + 1) must be a mapping with name, trigger and steps") }
                var name: String?
                var trigger: Trigger?
                var steps: [Step] = []
                for (key, value) in try item.mapping(allowed: ["name", "trigger", "steps", "description"], problems: problems) {
                    try problems.collect {
                        switch key {
                        case "name": name = try value.string()
                        case "trigger": trigger = try parseTrigger(value)
                        case "steps": steps = try parseSteps(value)
                        default: _ = try value.string()
                        }
                    }
                }
                guard problems.list.count == before else { return }  // what is missing follows from what was wrong
                guard let name else { throw item.error("workflow \(index + 1) needs a name") }
                guard let trigger else {
                    throw item.error("workflow '\(name)' needs a trigger (lead_added, call_completed, message_received, handoff_requested)")
                }
                guard !result.contains(where: { $0.name == name }) else { throw item.error("two workflows are named '\(name)'") }
                result.append(Workflow(name: name, trigger: trigger, steps: steps, line: item.line, column: item.column))
            }
        }
        return result
    }

    private func parseTrigger(_ node: ConfigNode) throws -> Trigger {
        let triggers = ["lead_added", "call_completed", "message_received", "handoff_requested"]
        let (name, settings): (String, ConfigNode?)
        if node.isMapping {
            let entries = try node.mapping(allowed: triggers)
            guard entries.count == 1 else { throw node.error("a trigger is one of \(triggers.joined(separator: ", "))") }
            (name, settings) = (entries[0].key, entries[0].value)
        } else {
            name = try node.string()
            settings = nil
            guard triggers.contains(name) else {
                throw node.error("unknown trigger '\(name)'" + (Suggestion.closest(to: name, in: triggers).map { "; did you mean '\($0)'?" } ?? ""))
            }
        }
        switch name {
        case "lead_added": return .leadAdded
        case "handoff_requested": return .handoffRequested
        case "message_received":
            var filter = MessageFilter()
            if let settings, settings.isMapping {
                for (k, v) in try settings.mapping(allowed: ["channels", "allow_tags", "block_tags", "handoff_tags"]) {
                    let words = try v.list().map { try $0.string() }
                    switch k {
                    case "channels":
                        let known = MessageFilter.channels
                        for (i, c) in words.enumerated() where !known.contains(c) {
                            let hint = Suggestion.closest(to: c, in: known).map { "; did you mean '\($0)'?" } ?? ""
                            throw try v.list()[i].error("channel '\(c)' is not one of \(known.joined(separator: ", "))\(hint)")
                        }
                        filter.channels = words
                    case "allow_tags": filter.allowTags = words
                    case "block_tags": filter.blockTags = words
                    default: filter.handoffTags = words
                    }
                }
            }
            return .messageReceived(filter)
        default:
            var outcomes: [String] = [], sentiments: [String] = [], connections: [String] = []
            if let settings, settings.isMapping {
                for (k, v) in try settings.mapping(allowed: ["outcome", "sentiment", "connection"]) {
                    let values = try v.list().map { try $0.string() }
                    switch k {
                    case "outcome": outcomes = values
                    case "sentiment": sentiments = values
                    default: connections = values
                    }
                }
            }
            return .callCompleted(outcomes: outcomes, sentiments: sentiments, connections: connections)
        }
    }

    func parseSteps(_ node: ConfigNode) throws -> [Step] {
        try node.list().map(parseStep)
    }

    private func template(_ node: ConfigNode) throws -> Template {
        let text = try node.string()
        let parsed = Result { () throws(WorkflowError) in try Template(parsing: text) }
        switch parsed {
        case .success(let t): return t
        case .failure(let e): throw node.error(e.message)
        }
    }

    private func parseStep(_ node: ConfigNode) throws -> Step {
        if !node.isMapping {
            let name = try node.string()
            switch name {
            case "stop": return .stop
            case "wait_until_calling_window": return .waitUntilCallingWindow
            default: throw node.error("unknown step '\(name)'" + (Suggestion.closest(to: name, in: Self.stepNames).map { "; did you mean '\($0)'?" } ?? ""))
            }
        }
        let entries = try node.mapping(allowed: Self.stepNames + ["then", "else"])
        if let condition = entries.first(where: { $0.key == "if" }) {
            for (key, value) in entries where !["if", "then", "else"].contains(key) {
                throw value.error("'\(key)' cannot stand beside 'if' in one step; put it in 'then' or 'else'")
            }
            let then = try entries.first { $0.key == "then" }.map { try parseSteps($0.value) } ?? []
            let other = try entries.first { $0.key == "else" }.map { try parseSteps($0.value) } ?? []
            return .ifThen(try parseCondition(condition.value), then: then, else: other)
        }
        guard entries.count == 1, let (name, value) = entries.first.map({ ($0.key, $0.value) }) else {
            throw node.error("a step is one action (\(Self.stepNames.joined(separator: ", ")))")
        }
        switch name {
        case "wait_until_calling_window":
            if value.isMapping { _ = try value.mapping(allowed: []) }
            return .waitUntilCallingWindow
        case "wait":
            if value.isMapping {
                for (k, v) in try value.mapping(allowed: ["duration", "until"]) {
                    if k == "duration" { return .wait(seconds: try v.duration().seconds) }
                    guard let at = try? Instant(iso8601: try v.string()) else { throw v.error("'until' must be an ISO 8601 time with an offset") }
                    return .waitUntil(at)
                }
                throw value.error("'wait' needs a duration or until")
            }
            return .wait(seconds: try value.duration().seconds)
        case "place_call":
            var call = Step.PlaceCall()
            if value.isMapping {
                for (k, v) in try value.mapping(allowed: ["selection", "number", "connection", "agent", "variables"]) {
                    switch k {
                    case "selection":
                        guard try v.string() == "smart" else { throw v.error("'selection' must be smart (or give number: for a fixed caller ID)") }
                    case "number":
                        guard let n = try? PhoneNormalizer(region: "US")!.normalize(try v.string()).number else {
                            throw v.error("'number' is not a phone number")
                        }
                        call.number = n.e164
                    case "connection": call.connection = try v.string()
                    case "variables":
                        for (name, text) in try v.freeMapping() { call.variables[name] = try text.string() }
                    default: call.agent = try v.string()
                    }
                }
            }
            return .placeCall(call)
        case "send_ai_message":
            var message = Step.AIMessage()
            if value.isMapping {
                for (k, v) in try value.mapping(allowed: ["responder", "via", "reply_anytime"]) {
                    switch k {
                    case "responder": message.responder = try v.string()
                    case "via": message.via = try v.string()
                    default: message.replyAnytime = try v.bool()
                    }
                }
            }
            return .sendAIMessage(message)
        case "send_sms":
            if value.isMapping {
                for (_, v) in try value.mapping(allowed: ["text"]) { return .sendSMS(try template(v)) }
                throw value.error("'send_sms' needs a text")
            }
            return .sendSMS(try template(value))
        case "add_tag": return .addTag(try value.string())
        case "remove_tag": return .removeTag(try value.string())
        case "add_note": return .addNote(try template(value))
        case "update_field":
            let fields = try value.mapping(allowed: ["field", "value"])
            guard let field = fields.first(where: { $0.key == "field" }), let v = fields.first(where: { $0.key == "value" }) else {
                throw value.error("'update_field' needs field and value")
            }
            return .updateField(name: try field.value.string(), value: try template(v.value))
        case "create_opportunity", "move_opportunity":
            var pipeline: String?, stage: String?, title: Template?, cents: Int64?
            for (k, v) in try value.mapping(allowed: ["pipeline", "stage", "name", "value"]) {
                switch k {
                case "pipeline": pipeline = try v.string()
                case "stage": stage = try v.string()
                case "name": title = try template(v)
                default: cents = Int64((try v.double(0...10_000_000_000) * 100).rounded())
                }
            }
            guard let pipeline, let stage else { throw value.error("'\(name)' needs pipeline and stage") }
            return name == "create_opportunity"
                ? .createOpportunity(pipeline: pipeline, stage: stage, name: title, valueCents: cents) : .moveOpportunity(pipeline: pipeline, stage: stage)
        case "assign":
            if value.isMapping {
                for (_, v) in try value.mapping(allowed: ["users"]) { return .assign(users: try v.list().map { try $0.string() }) }
            }
            return .assign(users: try value.list().map { try $0.string() })
        case "notify":
            var team: String?, webhook: String?, message: Template?
            for (k, v) in try value.mapping(allowed: ["team", "webhook", "message"]) {
                switch k {
                case "team": team = try v.string()
                case "webhook": webhook = try v.string()
                default: message = try template(v)
                }
            }
            guard team != nil || webhook != nil else { throw value.error("'notify' needs a team or a webhook") }
            return .notify(team: team, webhook: webhook, message: message)
        case "create_task":
            var title: Template?, due: Int64?, assignee: String?
            for (k, v) in try value.mapping(allowed: ["title", "due", "assignee"]) {
                switch k {
                case "title": title = try template(v)
                case "due": due = try v.duration().seconds
                default: assignee = try v.string()
                }
            }
            guard let title else { throw value.error("'create_task' needs a title") }
            return .createTask(title: title, due: due, assignee: assignee)
        case "add_to_workflow":
            var workflow: String?, delay: Int64 = 0
            for (k, v) in try value.mapping(allowed: ["workflow", "delay"]) {
                if k == "workflow" { workflow = try v.string() } else { delay = try v.duration().seconds }
            }
            guard let workflow else { throw value.error("'add_to_workflow' needs a workflow") }
            return .addToWorkflow(workflow: workflow, delay: delay)
        case "stop": return .stop
        default:
            throw value.error("'\(name)' needs 'if' beside it")
        }
    }

    func parseCondition(_ node: ConfigNode) throws -> Condition {
        let ops = Condition.Operator.allCases.map(\.rawValue)
        let entries = try node.mapping(allowed: ["field", "all", "any", "not"] + ops)
        if let all = entries.first(where: { $0.key == "all" }) { return .all(try all.value.list().map(parseCondition)) }
        if let any = entries.first(where: { $0.key == "any" }) { return .any(try any.value.list().map(parseCondition)) }
        if let not = entries.first(where: { $0.key == "not" }) { return .not(try parseCondition(not.value)) }
        guard let field = entries.first(where: { $0.key == "field" }) else { throw node.error("a condition needs a field (or all:, any:, not:)") }
        let path = try field.value.string()
        if let problem = Template.problem(with: path) { throw field.value.error("condition on an unknown field: \(problem)") }
        let compared = entries.filter { ops.contains($0.key) }
        guard compared.count == 1, let op = Condition.Operator(rawValue: compared[0].key) else {
            throw node.error("a condition needs exactly one of \(ops.joined(separator: ", "))")
        }
        let valueNode = compared[0].value
        let value: ConditionValue
        if case .sequence = valueNode.node {
            value = .list(try valueNode.list().map { ConditionValue(scalar: try $0.string()) })
        } else {
            value = ConditionValue(scalar: try valueNode.string())
        }
        return .compare(field: path, op: op, value: value)
    }
}
