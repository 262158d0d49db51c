import Yams

extension Campaign {
    /// One entry of `connections:` (docs/connections.md documents every key).
    public struct ConnectionSpec: Sendable {
        public var provider: ProviderKind
        public var seed: Int?
        public var baseURL: String?
        /// The environment variable holding the API key (never the key itself).
        public var apiKeyEnv: String?
        /// The provider's agent (Retell agent id, Vapi assistant id) when the step names none.
        public var agent: String?
        /// Seconds: the whole request, connecting, and between polls of one call.
        public var timeout: Int64 = 30
        public var connectTimeout: Int64 = 5
        public var pollInterval: Int64 = 5
        /// Calls of this connection in flight at once (nil: only the campaign's limit).
        public var concurrentCalls: Int?
        /// `enabled: false`: no call goes through the connection; the leads
        /// whose calls would wait (`connection-disabled`) until it is enabled
        /// again. Calls already in flight through it are still followed.
        public var enabled = true
        /// The generic form (`provider: http`).
        public var http: HTTPPreset?
        /// `provider: twilio`: SMS through the Messages API.
        public var twilio: TwilioSpec?
        /// `provider: http` with `messages:`: the campaign's own request for
        /// sending a message (any channel), as templates.
        public var messages: MessagePreset?
        /// Where the file says so (for `check`'s findings).
        public var line = 1
        public var column = 1

        public init(provider: ProviderKind) { self.provider = provider }

        /// The base URL, without a trailing slash.
        public var base: String {
            var url = baseURL ?? (provider == .vapi ? "https://api.vapi.ai" : "https://api.retellai.com")
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }

        /// The environment variables the connection reads (its key, and any `{{env.NAME}}` in the http form).
        public var environmentVariables: [String] {
            var names = apiKeyEnv.map { [$0] } ?? []
            if let http { names += http.environmentVariables.filter { !names.contains($0) } }
            if let twilio { names += [twilio.accountSIDEnv, twilio.authTokenEnv] }
            if let messages { names += messages.environmentVariables.filter { !names.contains($0) } }
            return names
        }

        /// Whether calls can be placed through it (twilio and a messages-only http connection send messages only).
        public var placesCalls: Bool { provider != .twilio && !(provider == .http && http == nil) }
        /// Whether messages can be sent through it.
        public var sendsMessages: Bool { twilio != nil || messages != nil }
    }

    /// `messages:` of an http connection: the request that sends one message,
    /// and where the provider's message id is in its answer.
    public struct MessagePreset: Sendable {
        public var url: RequestTemplate
        public var method = "POST"
        public var headers: [(name: String, value: RequestTemplate)] = []
        public var body: RequestTemplate.Body?
        /// Where the provider's message id is in the answer (`data.id`).
        public var messageIDPath = "id"
        /// `{{message.from}}`: the connection's `from`, when it has one.
        public var from: String?

        var environmentVariables: [String] { RequestTemplate.environmentVariables(in: [url] + headers.map(\.value) + (body?.templates ?? [])) }
    }

    /// `provider: twilio`: where SMS come from and the variables that hold the account's credentials.
    public struct TwilioSpec: Sendable {
        public var accountSIDEnv = "TWILIO_ACCOUNT_SID"
        public var authTokenEnv = "TWILIO_AUTH_TOKEN"
        /// The sending number (E.164), or a Messaging Service.
        public var from: String?
        public var messagingServiceSID: String?
    }

    /// `provider: http`: the request to place a call, and how to read its status, as templates.
    public struct HTTPPreset: Sendable {
        public var url: RequestTemplate
        public var method = "POST"
        public var headers: [(name: String, value: RequestTemplate)] = []
        public var body: RequestTemplate.Body?
        /// Where the provider's call id is in the answer (`data.id`).
        public var callIDPath = "id"
        public var status: StatusSpec

        public struct StatusSpec: Sendable {
            public var url: RequestTemplate
            public var method = "GET"
            public var headers: [(name: String, value: RequestTemplate)] = []
            /// The call has ended when the answer's `field` is one of `values`.
            public var endedField: String
            public var endedValues: [String]
            /// Where the outcome is, and what the provider's values mean
            /// (a value that is an outdial outcome's name is taken as it is).
            public var outcomeField: String = "outcome"
            public var outcomes: [String: CallOutcome] = [:]
            /// Call record columns read from the answer: `summary: data.summary`.
            public var fields: [String: String] = [:]
        }

        public static let readableFields = ["transcript", "summary", "recording_url", "public_log_url", "duration_ms", "sentiment", "cost_cents"]

        var environmentVariables: [String] {
            RequestTemplate.environmentVariables(in: [url, status.url] + headers.map(\.value) + status.headers.map(\.value) + (body?.templates ?? []))
        }
    }

    static func parseConnection(_ spec: ConfigNode, name connectionName: String) throws -> ConnectionSpec {
        var provider: ProviderKind?
        var connection = ConnectionSpec(provider: .simulated)
        connection.line = spec.line
        connection.column = spec.column
        var http: (url: RequestTemplate?, method: String, headers: [(String, RequestTemplate)], body: RequestTemplate.Body?, path: String)
        http = (nil, "POST", [], nil, "id")
        var status: HTTPPreset.StatusSpec?
        let allowed = [
            "provider", "seed", "base_url", "api_key_env", "agent", "from", "timeout", "connect_timeout", "poll_interval", "concurrent_calls", "enabled", "url",
            "method", "headers", "body", "call_id_path", "status", "messages", "account_sid_env", "auth_token_env", "messaging_service_sid",
        ]
        var twilio = TwilioSpec()
        for (k, v) in try spec.mapping(allowed: allowed) {
            switch k {
            case "provider":
                let name = try v.string()
                guard let kind = ProviderKind(rawValue: name) else {
                    let all = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw v.error("provider '\(name)' is not one of \(all)")
                }
                provider = kind
            case "seed": connection.seed = try v.int(0...Int(Int32.max))
            case "base_url":
                let url = try v.string()
                guard url.hasPrefix("https://") || url.hasPrefix("http://") else { throw v.error("'base_url' must start with https:// (or http://)") }
                connection.baseURL = url
            case "api_key_env":
                let name = try v.string()
                guard Self.isVariableName(name) else {
                    throw v.error("'api_key_env' names an environment variable (RETELL_API_KEY), not '\(name.prefix(4))…'; never write the key itself here")
                }
                connection.apiKeyEnv = name
            case "agent": connection.agent = try v.string()
            case "timeout": connection.timeout = try Self.seconds(v, 1...600)
            case "connect_timeout": connection.connectTimeout = try Self.seconds(v, 1...120)
            case "poll_interval": connection.pollInterval = try Self.seconds(v, 1...3600)
            case "concurrent_calls": connection.concurrentCalls = try v.int(1...100_000)
            case "enabled": connection.enabled = try v.bool()
            case "url": http.url = try RequestTemplate(v)
            case "method": http.method = try Self.method(v)
            case "headers": http.headers = try Self.headers(v)
            case "body": http.body = try RequestTemplate.Body(v)
            case "call_id_path": http.path = try v.string()
            case "status": status = try Self.parseStatus(v)
            case "messages": connection.messages = try Self.parseMessages(v)
            case "account_sid_env", "auth_token_env":
                let name = try v.string()
                guard Self.isVariableName(name) else {
                    throw v.error("'\(k)' names an environment variable, not '\(name.prefix(4))…'; never write the credential itself here")
                }
                if k == "account_sid_env" { twilio.accountSIDEnv = name } else { twilio.authTokenEnv = name }
            case "messaging_service_sid": twilio.messagingServiceSID = try v.string()
            case "from": twilio.from = try v.string()
            default: _ = try v.string()
            }
        }
        guard let provider else { throw spec.error("connection '\(connectionName)' needs a provider") }
        connection.provider = provider
        if provider == .http {
            connection.messages?.from = twilio.from
            // A connection that only sends messages (`messages:`) needs no call form.
            if connection.messages == nil || http.url != nil || status != nil {
                guard let url = http.url else {
                    throw spec.error("connection '\(connectionName)' (provider http) needs a 'url' to place calls at, or 'messages' to send messages through")
                }
                guard let status else {
                    throw spec.error("connection '\(connectionName)' (provider http) needs 'status' (url and ended_when) to read each call's outcome")
                }
                connection.http = HTTPPreset(url: url, method: http.method, headers: http.headers, body: http.body, callIDPath: http.path, status: status)
            }
        } else if connection.messages != nil {
            throw spec.error("'messages' belongs to provider http; connection '\(connectionName)' uses \(provider.rawValue)")
        } else if provider == .twilio {
            guard twilio.from != nil || twilio.messagingServiceSID != nil else {
                throw spec.error("connection '\(connectionName)' (provider twilio) needs 'from' (an E.164 number) or 'messaging_service_sid'")
            }
            connection.twilio = twilio
            if connection.baseURL == nil { connection.baseURL = "https://api.twilio.com" }
        } else if http.url != nil || status != nil || http.body != nil {
            throw spec.error("'url', 'body' and 'status' belong to provider http; connection '\(connectionName)' uses \(provider.rawValue)")
        }
        return connection
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == 95 || (65...90).contains(first) || (97...122).contains(first), name.utf8.count <= 128 else {
            return false
        }
        return name.utf8.allSatisfy { $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    static func seconds(_ node: ConfigNode, _ range: ClosedRange<Int64>) throws -> Int64 {
        let span = try node.duration()
        guard range.contains(span.seconds) else {
            throw node.error("must be from \(TimeSpan(seconds: range.lowerBound)) to \(TimeSpan(seconds: range.upperBound)), not \(span)")
        }
        return span.seconds
    }

    private static func method(_ node: ConfigNode) throws -> String {
        let method = try node.string().uppercased()
        guard ["GET", "POST", "PUT", "PATCH"].contains(method) else { throw node.error("'method' must be GET, POST, PUT or PATCH") }
        return method
    }

    private static func headers(_ node: ConfigNode, namespaces: Set<String> = RequestTemplate.callNamespaces) throws -> [(String, RequestTemplate)] {
        try node.freeMapping().map { name, value in
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != 58 }) else { throw value.error("'\(name)' is not a header name") }
            return (name, try RequestTemplate(value, namespaces: namespaces))
        }
    }

    /// `messages: { url, method, headers, body, message_id_path }`.
    private static func parseMessages(_ node: ConfigNode) throws -> MessagePreset {
        var url: RequestTemplate?
        var preset = MessagePreset(url: try RequestTemplate(parsing: ""))
        for (k, v) in try node.mapping(allowed: ["url", "method", "headers", "body", "message_id_path"]) {
            switch k {
            case "url": url = try RequestTemplate(v, namespaces: RequestTemplate.messageNamespaces)
            case "method": preset.method = try Self.method(v)
            case "headers": preset.headers = try Self.headers(v, namespaces: RequestTemplate.messageNamespaces)
            case "body": preset.body = try RequestTemplate.Body(v, namespaces: RequestTemplate.messageNamespaces)
            default: preset.messageIDPath = try v.string()
            }
        }
        guard let url else { throw node.error("'messages' needs a 'url' to send each message to") }
        preset.url = url
        return preset
    }

    private static func parseStatus(_ node: ConfigNode) throws -> HTTPPreset.StatusSpec {
        var url: RequestTemplate?
        var method = "GET"
        var headers: [(String, RequestTemplate)] = []
        var ended: (String, [String])?
        var outcomeField = "outcome"
        var outcomes: [String: CallOutcome] = [:]
        var fields: [String: String] = [:]
        for (k, v) in try node.mapping(allowed: ["url", "method", "headers", "ended_when", "outcome", "fields"]) {
            switch k {
            case "url": url = try RequestTemplate(v)
            case "method": method = try Self.method(v)
            case "headers": headers = try Self.headers(v)
            case "ended_when":
                var field: String?
                var values: [String] = []
                for (ek, ev) in try v.mapping(allowed: ["field", "in"]) {
                    if ek == "field" { field = try ev.string() } else { values = try ev.list().map { try $0.string() } }
                }
                guard let field, !values.isEmpty else { throw v.error("'ended_when' needs a 'field' and the values ('in') that mean the call ended") }
                ended = (field, values)
            case "outcome":
                for (ok, ov) in try v.mapping(allowed: ["field", "map"]) {
                    if ok == "field" {
                        outcomeField = try ov.string()
                    } else {
                        for (theirs, ours) in try ov.freeMapping() {
                            let name = try ours.string()
                            guard let outcome = CallOutcome(rawValue: name) else {
                                throw ours.error("'\(name)' is not an outcome (\(CallOutcome.allCases.map(\.rawValue).joined(separator: ", ")))")
                            }
                            outcomes[theirs] = outcome
                        }
                    }
                }
            default:
                for (column, path) in try v.freeMapping() {
                    guard HTTPPreset.readableFields.contains(column) else {
                        throw path.error("'\(column)' is not a call field status can fill (\(HTTPPreset.readableFields.joined(separator: ", ")))")
                    }
                    fields[column] = try path.string()
                }
            }
        }
        guard let url else { throw node.error("'status' needs a 'url' (with {{call.provider_call_id}})") }
        guard let ended else { throw node.error("'status' needs 'ended_when' (field and in)") }
        return HTTPPreset.StatusSpec(
            url: url, method: method, headers: headers, endedField: ended.0, endedValues: ended.1, outcomeField: outcomeField, outcomes: outcomes,
            fields: fields)
    }
}
