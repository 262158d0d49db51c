/// What a responder decided for an inbound message.
public enum ResponderAnswer: Sendable, Equatable {
    case reply(String)
    /// A person should answer: the handoff workflows run instead of a reply.
    case handoff(reason: String)
}

/// The `rules` responder: keyword and phrase intents to replies, no network.
public struct RulesResponder: Sendable {
    public let spec: Campaign.ResponderSpec

    public init(_ spec: Campaign.ResponderSpec) { self.spec = spec }

    /// The first intent with a word or phrase the message holds (whole words, any case);
    /// a request for a person, or nothing matched with `handoff_when_unmatched`, is a handoff.
    public func answer(_ text: String) -> ResponderAnswer {
        let words = " " + OptOutRules.normalise(text) + " "
        func holds(_ phrase: String) -> Bool { words.contains(" " + OptOutRules.normalise(phrase) + " ") }
        if let asked = spec.handoffWords.first(where: holds) { return .handoff(reason: "the contact asked for a person ('\(asked)')") }
        for intent in spec.intents where intent.words.contains(where: holds) { return .reply(intent.reply) }
        if spec.handoffWhenUnmatched || spec.fallback == nil { return .handoff(reason: "no intent of responder '\(spec.name)' matched") }
        return .reply(spec.fallback!)
    }
}

/// The `openai` responder: any OpenAI-compatible `POST {base_url}/chat/completions`,
/// with the system prompt, the conversation's last messages in order, and one
/// tool, `request_human_handoff`. A tool call, a timeout or an error is a
/// handoff: never silence, never a retry storm. The key is sent only in the
/// `Authorization` header, never logged or stored.
public struct OpenAIResponder: Sendable {
    public let spec: Campaign.ResponderSpec
    let key: String
    let transport: any HTTPTransport

    public init(_ spec: Campaign.ResponderSpec, key: String, transport: any HTTPTransport) {
        self.spec = spec
        self.key = key
        self.transport = transport
    }

    /// One turn of the conversation, oldest first: `user` for the contact, `assistant` for outdial.
    public struct Turn: Sendable, Equatable {
        public var role: String
        public var text: String
        public init(role: String, text: String) {
            self.role = role
            self.text = text
        }
    }

    static let tool: JSONValue = .object([
        ("type", .string("function")),
        (
            "function",
            .object([
                ("name", .string("request_human_handoff")),
                ("description", .string("Hand the conversation to a person on the team when the contact asks for one or you cannot help.")),
                (
                    "parameters",
                    .object([
                        ("type", .string("object")),
                        ("properties", .object([("reason", .object([("type", .string("string")), ("description", .string("Why a person is needed."))]))])),
                        ("required", .array([.string("reason")])),
                    ])
                ),
            ])
        ),
    ])

    /// The request for a conversation (its last `history` turns).
    public func request(_ conversation: [Turn]) -> HTTPRequest {
        var messages: [JSONValue] = [.object([("role", .string("system")), ("content", .string(spec.systemPrompt))])]
        for turn in conversation.suffix(max(spec.history, 1)) {
            messages.append(.object([("role", .string(turn.role)), ("content", .string(turn.text))]))
        }
        var body: [(String, JSONValue)] = [("model", .string(spec.model)), ("messages", .array(messages)), ("tools", .array([Self.tool]))]
        if let temperature = spec.temperature { body.append(("temperature", .double(temperature))) }
        return HTTPRequest(
            method: "POST", url: spec.baseURL + "/chat/completions",
            headers: [.init("Authorization", "Bearer " + key), .init("Content-Type", "application/json")], body: Array(JSONValue.object(body).rendered.utf8))
    }

    public func answer(_ conversation: [Turn]) async -> ResponderAnswer {
        let result = await transport.send(request(conversation), timeout: Double(spec.timeout))
        switch result {
        case .notSent(let reason), .mayHaveBeenSent(let reason):
            return .handoff(reason: "responder '\(spec.name)' did not answer: \(reason)")
        case .response(let status, _, let bytes):
            guard (200..<300).contains(status) else { return .handoff(reason: "responder '\(spec.name)' answered HTTP \(status)") }
            guard let body = try? JSONParser.parse(bytes), let message = body[path: "choices"].flatMap(Self.first)?["message"] else {
                return .handoff(reason: "responder '\(spec.name)' gave an answer outdial cannot read")
            }
            if let call = message["tool_calls"].flatMap(Self.first), call[path: "function.name"]?.text == "request_human_handoff" {
                let arguments = call[path: "function.arguments"]?.text.flatMap { try? JSONParser.parse($0) }
                return .handoff(reason: arguments?["reason"]?.text ?? "the responder asked for a person")
            }
            guard let text = message["content"]?.text, !text.trimmingSpaces().isEmpty else {
                return .handoff(reason: "responder '\(spec.name)' gave an empty reply")
            }
            return .reply(text)
        }
    }

    static func first(_ value: JSONValue) -> JSONValue? {
        guard case .array(let items) = value else { return nil }
        return items.first
    }
}
