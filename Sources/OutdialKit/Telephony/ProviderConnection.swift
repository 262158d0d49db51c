import Synchronization

/// How one provider's API is spoken: the requests it takes and what its
/// answers mean. No I/O: `ProviderConnection` sends what these build.
protocol ProviderAPI: Sendable {
    /// The create-call request.
    func create(_ call: CallRequest) -> HTTPRequest
    /// The provider's call id in a 2xx answer to create, or why there is none.
    func created(_ body: JSONValue) -> Result<String, CreateRefusal>
    /// The get-call request.
    func poll(_ call: PolledCall) -> HTTPRequest
    /// What a 2xx answer to a poll says.
    /// `raw` is the body as received, kept with an ended call.
    func polled(_ body: JSONValue, raw: [UInt8], call: PolledCall, now ms: Int64) -> PollResult
}

/// A 2xx answer to create that placed no call.
enum CreateRefusal: Error {
    /// No line free at the provider (Vapi's `subscriptionLimits.concurrencyBlocked`).
    case concurrency(String)
    case malformed(String)
}

/// A connection to a real provider: each request through the transport,
/// each answer read by the provider's API, with the status codes told apart
/// as at-most-once needs (docs/connections.md, "Errors and retries").
public final class ProviderConnection: Connection {
    public let name: String
    public let provider: ProviderKind
    public var hasOutsideEffects: Bool { true }
    public let pollInterval: Int64
    let api: any ProviderAPI
    let transport: any HTTPTransport
    let timeout: Double
    let configuredLimit: Int?
    /// After a concurrency refusal: the in-flight limit held, and until when.
    private let slowdown = Mutex<(limit: Int, until: Int64)?>(nil)
    /// How long a lowered limit holds (seconds).
    static let slowdownLength: Int64 = 60

    init(name: String, provider: ProviderKind, api: any ProviderAPI, transport: any HTTPTransport, spec: Campaign.ConnectionSpec) {
        self.name = name
        self.provider = provider
        self.api = api
        self.transport = transport
        timeout = Double(spec.timeout)
        pollInterval = spec.pollInterval
        configuredLimit = spec.concurrentCalls
    }

    /// The connection a campaign entry describes, its key read from the
    /// environment now (`environment`, for tests; the process's by default).
    public static func make(
        name: String, spec: Campaign.ConnectionSpec, environment: [String: String], transport: (any HTTPTransport)? = nil
    ) throws -> ProviderConnection {
        var key = ""
        if let variable = spec.apiKeyEnv {
            guard let value = environment[variable], !value.isEmpty else { throw ConnectionError.missingKey(connection: name, variable: variable) }
            key = value
        } else if spec.provider != .http {
            throw ConnectionError.noKeyVariable(connection: name, provider: spec.provider)
        }
        for variable in spec.http?.environmentVariables ?? [] where (environment[variable] ?? "").isEmpty {
            throw ConnectionError.missingKey(connection: name, variable: variable)
        }
        let api: any ProviderAPI
        switch spec.provider {
        case .retell: api = RetellAPI(base: spec.base, key: key, agent: spec.agent)
        case .vapi: api = VapiAPI(base: spec.base, key: key, agent: spec.agent)
        case .http: api = HTTPPresetAPI(preset: spec.http!, environment: environment)
        case .simulated, .twilio: throw ConnectionError.unsupported(connection: name, provider: spec.provider)
        }
        return ProviderConnection(
            name: name, provider: spec.provider, api: api, transport: transport ?? AsyncHTTPTransport(connectTimeout: Double(spec.connectTimeout)),
            spec: spec)
    }

    public func place(_ request: CallRequest) async -> Placement {
        let result = await transport.send(api.create(request), timeout: timeout)
        switch result {
        case .notSent(let reason): return .refused(reason: reason)
        case .mayHaveBeenSent(let reason): return .ambiguous(reason: reason)
        case .response(let status, _, let body):
            let message = Self.message(body)
            switch status {
            case 200..<300:
                guard let json = try? JSONParser.parse(body) else { return .ambiguous(reason: "HTTP \(status) with an answer that is not JSON") }
                switch api.created(json) {
                case .success(let id): return .accepted(providerCallID: id, events: [])
                case .failure(.concurrency(let why)): return .throttled(reason: why, retryAfter: nil)
                case .failure(.malformed(let why)): return .ambiguous(reason: "HTTP \(status), but \(why)")
                }
            case 429, 503:
                return .throttled(reason: "HTTP \(status)\(message.map { ": \($0)" } ?? "")", retryAfter: Self.retryAfter(result.header("Retry-After")))
            case 401: return .unauthorized(reason: "HTTP 401\(message.map { ": \($0)" } ?? "")")
            case 400, 402, 403, 404, 409, 422:
                if let message, Self.isConcurrencyRefusal(message) { return .throttled(reason: "HTTP \(status): \(message)", retryAfter: nil) }
                return .rejected(reason: "HTTP \(status)\(message.map { ": \($0)" } ?? "")")
            default: return .ambiguous(reason: "HTTP \(status)\(message.map { ": \($0)" } ?? "")")
            }
        }
    }

    public func poll(_ call: PolledCall) async -> PollResult { read(await transport.send(api.poll(call), timeout: timeout), call) }

    public func poll(all calls: [PolledCall]) async -> [PollResult] {
        zip(await transport.send(all: calls.map(api.poll), timeout: timeout), calls).map { read($0, $1) }
    }

    /// What an answer to a poll says.
    private func read(_ result: HTTPResult, _ call: PolledCall) -> PollResult {
        switch result {
        case .notSent(let reason), .mayHaveBeenSent(let reason): return .failed(reason: reason)
        case .response(let status, _, let body):
            switch status {
            case 200..<300:
                guard let json = try? JSONParser.parse(body) else { return .failed(reason: "HTTP \(status) with an answer that is not JSON") }
                return api.polled(json, raw: body, call: call, now: Instant.now.milliseconds)
            case 401: return .unauthorized(reason: "HTTP 401\(Self.message(body).map { ": \($0)" } ?? "")")
            case 404: return .notFound(reason: "HTTP 404\(Self.message(body).map { ": \($0)" } ?? "")")
            default: return .failed(reason: "HTTP \(status)\(Self.message(body).map { ": \($0)" } ?? "")")
            }
        }
    }

    public func inFlightLimit(at now: Int64) -> Int? {
        let lowered = slowdown.withLock { state -> Int? in
            guard let held = state else { return nil }
            if now >= held.until {
                state = nil
                return nil
            }
            return held.limit
        }
        switch (lowered, configuredLimit) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b): return b
        }
    }

    public func throttle(inFlight: Int, at now: Int64) {
        slowdown.withLock { state in
            let limit = max(1, min(inFlight, state?.limit ?? Int.max))
            state = (limit, now + Self.slowdownLength)
        }
    }

    public func shutdown() async { await transport.shutdown() }

    /// The provider's words in an error answer: `message`, `error`, `error_message` or `detail`, at most 300 bytes.
    static func message(_ body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        var text: String?
        if let json = try? JSONParser.parse(body) {
            for key in ["message", "error_message", "error", "detail"] {
                if let value = json[key] {
                    if let t = value.text {
                        text = t
                    } else if case .array(let items) = value {
                        text = items.compactMap(\.text).joined(separator: "; ")
                    } else if let inner = value["message"]?.text {
                        text = inner
                    }
                    if text != nil { break }
                }
            }
        } else {
            text = String(decoding: body.prefix(300), as: UTF8.self)
        }
        guard var found = text.map(Terminal.escapingControls), !found.isEmpty else { return nil }
        if found.utf8.count > 300 { found = String(found.prefix(300)) + "…" }
        return found
    }

    static func isConcurrencyRefusal(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("concurrency") || lower.contains(ProviderOutcomes.vapiConcurrency)
    }

    /// `Retry-After` in seconds (a date form is taken as 30 s), at most an hour.
    static func retryAfter(_ header: String?) -> Int64? {
        guard let header else { return nil }
        if let seconds = Int64(header.trimmingSpaces()) { return min(max(seconds, 0), 3600) }
        return 30
    }
}
