/// A workflow of a campaign: what starts it and the steps it runs (SPEC §6).
public struct Workflow: Sendable {
    public var name: String
    public var trigger: Trigger
    public var steps: [Step]
    /// Where it is written, for lint messages.
    public var line: Int
    public var column: Int
}

/// What starts a workflow.
public enum Trigger: Sendable, Equatable {
    /// Each lead of the campaign, once.
    case leadAdded
    /// A call ended; optional filters on outcome, sentiment and connection.
    case callCompleted(outcomes: [String], sentiments: [String], connections: [String])
    /// An inbound message on one of the filter's channels, from a contact its tag rules let through.
    case messageReceived(MessageFilter)
    /// The AI asked for a human.
    case handoffRequested

    public var name: String {
        switch self {
        case .leadAdded: return "lead_added"
        case .callCompleted: return "call_completed"
        case .messageReceived: return "message_received"
        case .handoffRequested: return "handoff_requested"
        }
    }
}

/// Which inbound messages start a `message_received` workflow.
public struct MessageFilter: Sendable, Equatable {
    public static let channels = ["sms", "whatsapp", "instagram", "facebook", "webchat", "tiktok", "email"]
    /// The channels it listens on; all when empty.
    public var channels: [String] = []
    /// Only contacts with one of these tags (any contact when empty).
    public var allowTags: [String] = []
    /// Never contacts with one of these tags.
    public var blockTags: [String] = []
    /// A contact handed to a person carries one of these: no AI reply until it is removed.
    public var handoffTags: [String] = ["needs-human"]

    public init(channels: [String] = []) { self.channels = channels }

    /// Whether a message on `channel` from a contact with `tags` starts the workflow.
    public func admits(channel: String, tags: [String]) -> Bool {
        guard channels.isEmpty || channels.contains(channel) else { return false }
        if !allowTags.isEmpty, !tags.contains(where: allowTags.contains) { return false }
        return !tags.contains(where: blockTags.contains) && !tags.contains(where: handoffTags.contains)
    }
}

/// One step of a workflow.
public indirect enum Step: Sendable {
    case waitUntilCallingWindow
    case wait(seconds: Int64)
    case waitUntil(Instant)
    case placeCall(PlaceCall)
    case sendAIMessage(AIMessage)
    case sendSMS(Template)
    case addTag(String)
    case removeTag(String)
    case addNote(Template)
    case updateField(name: String, value: Template)
    case createOpportunity(pipeline: String, stage: String, name: Template?, valueCents: Int64?)
    case moveOpportunity(pipeline: String, stage: String)
    case assign(users: [String])
    case notify(team: String?, webhook: String?, message: Template?)
    case createTask(title: Template, due: Int64?, assignee: String?)
    case addToWorkflow(workflow: String, delay: Int64)
    case ifThen(Condition, then: [Step], else: [Step])
    case stop

    /// `send_ai_message`'s settings.
    public struct AIMessage: Sendable, Equatable {
        /// A responder of the campaign's `responders:` (`rules` is the built-in one).
        public var responder: String = "rules"
        /// The messaging connection the reply goes through (the campaign's only one when nil).
        public var via: String?
        /// Reply at once even outside the lead's calling window.
        public var replyAnytime = false
    }

    /// `place_call`'s settings.
    public struct PlaceCall: Sendable {
        /// A fixed caller ID (E.164), or nil for smart selection.
        public var number: String?
        public var connection: String?
        public var agent: String?
        /// Values for the agent's prompt, added to the lead's (`variables:`).
        public var variables: [String: String] = [:]
    }

    /// Whether the step changes the lead in ways a run re-reads from the database
    /// (its fields or owner; tags are kept in step in memory).
    public var changesLead: Bool {
        switch self {
        case .updateField, .assign: return true
        default: return false
        }
    }

    /// The step's name as written.
    public var name: String {
        switch self {
        case .waitUntilCallingWindow: return "wait_until_calling_window"
        case .wait, .waitUntil: return "wait"
        case .placeCall: return "place_call"
        case .sendAIMessage: return "send_ai_message"
        case .sendSMS: return "send_sms"
        case .addTag: return "add_tag"
        case .removeTag: return "remove_tag"
        case .addNote: return "add_note"
        case .updateField: return "update_field"
        case .createOpportunity: return "create_opportunity"
        case .moveOpportunity: return "move_opportunity"
        case .assign: return "assign"
        case .notify: return "notify"
        case .createTask: return "create_task"
        case .addToWorkflow: return "add_to_workflow"
        case .ifThen: return "if"
        case .stop: return "stop"
        }
    }

    /// The step at a position path: step index, then (branch 0 = then,
    /// 1 = else, step index) pairs for each `if` entered.
    public static func at(_ path: [Int], in steps: [Step]) -> Step? {
        guard let first = path.first, first < steps.count else { return nil }
        if path.count == 1 { return steps[first] }
        guard case .ifThen(_, let then, let other) = steps[first], path.count >= 3 else { return nil }
        return at(Array(path.dropFirst(2)), in: path[1] == 0 ? then : other)
    }
}
