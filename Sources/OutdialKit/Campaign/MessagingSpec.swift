extension Campaign {
    /// The campaign's `messaging:` settings (docs/messaging.md).
    public struct MessagingSpec: Sendable {
        public var optOut = OptOutRules()
        public init() {}
    }

    /// One entry of `responders:`: what answers an inbound message.
    public struct ResponderSpec: Sendable {
        public enum Kind: String, Sendable, CaseIterable { case rules, openai }
        public var name: String
        public var kind: Kind = .rules

        /// `rules`: the first intent one of whose words or phrases the message holds answers it.
        public var intents: [(words: [String], reply: String)] = []
        public var fallback: String?
        /// Hand to a person when no intent matches (instead of the fallback).
        public var handoffWhenUnmatched = false
        /// Words that ask for a person, always a handoff.
        public var handoffWords = ["human", "agent", "person", "representative", "speak to someone", "real person"]

        /// `openai`: any OpenAI-compatible chat-completions endpoint.
        public var baseURL = "https://api.openai.com/v1"
        public var model = "gpt-4o-mini"
        public var apiKeyEnv: String?
        public var systemPrompt =
            "You answer text messages for a business. Be brief and friendly. If the person asks for a human or you cannot help, call request_human_handoff."
        /// How many of the conversation's last messages are sent, oldest first.
        public var history = 10
        /// Seconds.
        public var timeout: Int64 = 20
        public var temperature: Double?

        public init(name: String) { self.name = name }

        /// The built-in responder when a step names none.
        public static let builtIn: ResponderSpec = {
            var spec = ResponderSpec(name: "rules")
            spec.fallback = "Thanks for your message. Someone from our team will get back to you."
            return spec
        }()
    }

    static func parseMessaging(_ node: ConfigNode) throws -> MessagingSpec {
        var spec = MessagingSpec()
        var phrases = OptOutRules.defaultPhrases
        var allow = false
        var confirmation = OptOutRules.defaultConfirmation
        for (key, value) in try node.mapping(allowed: ["opt_out_phrases", "allow_resubscribe", "opt_out_confirmation"]) {
            switch key {
            case "opt_out_phrases": phrases = try value.list().map { try $0.string() }
            case "allow_resubscribe": allow = try value.bool()
            default:
                confirmation = try value.string()
                guard !confirmation.isEmpty else { throw value.error("'opt_out_confirmation' must not be empty: carriers expect one confirmation") }
            }
        }
        spec.optOut = OptOutRules(phrases: phrases, allowResubscribe: allow, confirmation: confirmation)
        return spec
    }

    static func parseResponder(_ node: ConfigNode, name: String) throws -> ResponderSpec {
        var spec = ResponderSpec(name: name)
        let allowed = [
            "kind", "intents", "fallback", "handoff_when_unmatched", "handoff_words", "base_url", "model", "api_key_env", "system_prompt", "history",
            "timeout", "temperature",
        ]
        for (key, value) in try node.mapping(allowed: allowed) {
            switch key {
            case "kind":
                let text = try value.string()
                guard let kind = ResponderSpec.Kind(rawValue: text) else {
                    throw value.error("responder kind '\(text)' is not one of \(ResponderSpec.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                spec.kind = kind
            case "intents":
                for item in try value.list() {
                    var words: [String] = []
                    var reply: String?
                    for (k, v) in try item.mapping(allowed: ["when", "reply"]) {
                        if k == "when" { words = try v.list().map { try $0.string().lowercased() } } else { reply = try v.string() }
                    }
                    guard !words.isEmpty, let reply else { throw item.error("an intent needs 'when' (words or phrases) and 'reply'") }
                    spec.intents.append((words, reply))
                }
            case "fallback": spec.fallback = try value.string()
            case "handoff_when_unmatched": spec.handoffWhenUnmatched = try value.bool()
            case "handoff_words": spec.handoffWords = try value.list().map { try $0.string().lowercased() }
            case "base_url":
                let url = try value.string()
                guard url.hasPrefix("https://") || url.hasPrefix("http://") else { throw value.error("'base_url' must start with https:// (or http://)") }
                guard !url.hasSuffix("/chat/completions") else {
                    throw value.error("'base_url' ends before /chat/completions (https://api.openai.com/v1); outdial adds the path")
                }
                spec.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            case "model": spec.model = try value.string()
            case "api_key_env":
                let env = try value.string()
                guard isVariableName(env) else {
                    throw value.error("'api_key_env' names an environment variable (OPENAI_API_KEY), not '\(env.prefix(4))…'; never write the key itself here")
                }
                spec.apiKeyEnv = env
            case "system_prompt": spec.systemPrompt = try value.string()
            case "history": spec.history = try value.int(0...200)
            case "timeout": spec.timeout = try seconds(value, 1...300)
            default: spec.temperature = try value.double(0...2)
            }
        }
        if spec.kind == .openai, spec.apiKeyEnv == nil { throw node.error("an openai responder needs 'api_key_env' (the variable that holds the key)") }
        return spec
    }
}
