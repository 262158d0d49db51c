import Foundation

/// The voice providers a campaign's connections can name.
public enum ProviderKind: String, Sendable, CaseIterable {
    case simulated, retell, vapi, http
    /// Messaging only (SMS through Twilio's Messages API); never dials.
    case twilio
}

/// What the runner asks a connection to dial: one call, already committed as
/// an intent (its `calls` row), so `callID` is the idempotency key a provider
/// can use to recognise a request it has seen.
public struct CallRequest: Sendable, Equatable {
    public var callID: Int64
    public var leadID: Int64
    public var attempt: Int
    /// E.164 caller ID and destination.
    public var from: String
    public var to: String
    public var agent: String?
    /// Values the agent's prompt may use (`first_name`, `lead_id` …).
    public var variables: [String: String]
    /// UTC seconds: when the call is dialled (the virtual clock in a simulation).
    public var dialAt: Int64
    /// The zone the lead's local time is read in (the first zone it is gated in).
    public var leadTimeZone: String?
    public var campaign: String = ""
    /// The lead's name as a provider shows it ("Ana Diaz").
    public var leadName: String?
    /// The provider's id of the caller ID (Vapi's `phoneNumberId`), from the numbers CSV.
    public var fromNumberID: String?

    /// The key sent with the request, the same however often it is built.
    public var idempotencyKey: String { "outdial-call-\(callID)" }
}

/// What became of a request.
public enum Placement: Sendable, Equatable {
    /// The provider took the call; `events` are outcomes it already knows (a
    /// simulator's), the others arrive later (polled, or through the event recorder).
    case accepted(providerCallID: String, events: [CallEvent])
    /// The request never left (connection refused, a DNS failure): the call
    /// may be requested again.
    case refused(reason: String)
    /// The provider had no line for it (HTTP 429 or 503, a concurrency
    /// refusal): nothing was placed; it is sent again after `retryAfter`
    /// seconds (nil: the runner backs off) and the connection slows down.
    case throttled(reason: String, retryAfter: Int64?)
    /// The provider refused this call (400, 403, 404, 422): the call fails with its message.
    case rejected(reason: String)
    /// The provider refused the key (401): every later call would fail too, so the run stops.
    case unauthorized(reason: String)
    /// It may have been placed (a timeout after sending, a reset, a 5xx): the
    /// call becomes `unknown` and is never requested again.
    case ambiguous(reason: String)
}

/// A call in flight, as a connection is asked about it.
public struct PolledCall: Sendable {
    public var providerCallID: String
    public var request: CallRequest
    /// How many polls in a row found it ended with its analysis still to come.
    public var endedPolls = 0

    public init(providerCallID: String, request: CallRequest, endedPolls: Int = 0) {
        self.providerCallID = providerCallID
        self.request = request
        self.endedPolls = endedPolls
    }
}

/// What a poll found.
public enum PollResult: Sendable, Equatable {
    case ended(CallEvent)
    case ongoing
    /// Ended, with the provider's analysis not in yet: asked again.
    case awaitingAnalysis
    /// The provider never placed it because it had no line free: it may be dialled again.
    case throttled(reason: String)
    /// The poll failed (a timeout, a 5xx, a 429): asked again later, with backoff.
    case failed(reason: String)
    /// The provider does not know the call (404): after a few, the call is `unknown`.
    case notFound(reason: String)
    case unauthorized(reason: String)
}

/// A way to place calls: a provider's API or the simulator. The runner knows
/// no provider; it hands each committed intent to the call's connection and
/// records what comes back.
public protocol Connection: AnyObject, Sendable {
    /// The connection's name in the campaign file.
    var name: String { get }
    var provider: ProviderKind { get }
    /// A request has an effect outside outdial (a real call). When false (the
    /// simulator) a request can never be ambiguous: the call needs no `dialing`
    /// mark before it is sent, and one found `queued` after a crash is sent again.
    var hasOutsideEffects: Bool { get }

    /// Places one call. Never called inside a database transaction.
    func place(_ request: CallRequest) async -> Placement

    /// The answer without waiting, from a connection with no outside effects
    /// that knows it at once (the simulator): the runner then holds the line
    /// for exactly as long as the call lasts. Nil for connections that must be asked.
    func placeImmediately(_ request: CallRequest) -> Placement?

    /// Asks the provider what became of a call it accepted.
    func poll(_ call: PolledCall) async -> PollResult

    /// Polls several calls at once, the answers in the calls' order.
    func poll(all calls: [PolledCall]) async -> [PollResult]

    /// Seconds between polls of one call in flight.
    var pollInterval: Int64 { get }

    /// How many of this connection's calls may be in flight at once now
    /// (lowered for a while after the provider refused for want of lines); nil: no limit of its own.
    func inFlightLimit(at now: Int64) -> Int?

    /// The provider had no line free at `now`: hold the in-flight limit at `inFlight` for a while.
    func throttle(inFlight: Int, at now: Int64)

    /// Closes what the connection holds open (its HTTP client).
    func shutdown() async
}

extension Connection {
    public func placeImmediately(_ request: CallRequest) -> Placement? { nil }
    public func poll(_ call: PolledCall) async -> PollResult { .ongoing }
    public func poll(all calls: [PolledCall]) async -> [PollResult] {
        await withTaskGroup(of: (Int, PollResult).self) { group in
            for (index, call) in calls.enumerated() { group.addTask { (index, await self.poll(call)) } }
            var answers = [PollResult?](repeating: nil, count: calls.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers.map { $0! }
        }
    }
    public var pollInterval: Int64 { 5 }
    public func inFlightLimit(at now: Int64) -> Int? { nil }
    public func throttle(inFlight: Int, at now: Int64) {}
    public func shutdown() async {}
}

/// The campaign's connections by name, each made once for a run.
public struct ConnectionSet {
    public private(set) var byName: [String: any Connection]
    /// Connections switched off (`enabled: false`): followed for the calls
    /// already in flight through them, never chosen for a new call.
    public private(set) var disabled: Set<String> = []

    public init(_ connections: [any Connection], disabled: Set<String> = []) {
        byName = Dictionary(connections.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.disabled = disabled
        fallback = byName.keys.filter { !disabled.contains($0) }.min()
    }

    /// The campaign's first enabled connection by name.
    private let fallback: String?

    /// The connections a campaign names. Every simulated connection gets its own
    /// seed (default 1); `make` builds the others (the real providers, by
    /// default from their keys in the process's environment).
    public static func forCampaign(
        _ campaign: Campaign,
        make: (String, Campaign.ConnectionSpec) throws -> (any Connection)? = { name, spec in
            spec.provider == .simulated ? nil : try ProviderConnection.make(name: name, spec: spec, environment: ProcessEnvironment.current)
        }
    ) throws -> ConnectionSet {
        var connections: [any Connection] = []
        var disabled: Set<String> = []
        for name in campaign.connections.keys.sorted() {
            let spec = campaign.connections[name]!
            if !spec.placesCalls { continue }  // a messaging connection: the outbox sender's
            if !spec.enabled {
                disabled.insert(name)
                // Built when it can be, for the calls in flight through it; its key is not needed to place none.
                if let made = try? make(name, spec) { connections.append(made) }
                continue
            }
            if let made = try make(name, spec) {
                connections.append(made)
            } else if spec.provider == .simulated {
                connections.append(SimulatedConnection(name: name, seed: UInt64(spec.seed ?? 1)))
            } else {
                throw ConnectionError.unsupported(connection: name, provider: spec.provider)
            }
        }
        // A campaign without connections dials through a simulator named `simulated`.
        if connections.isEmpty, disabled.isEmpty { connections.append(SimulatedConnection(name: "simulated", seed: 1)) }
        return ConnectionSet(connections, disabled: disabled)
    }

    /// The campaign's connections by name, every one the simulator (`run --simulate`).
    public static func simulated(_ campaign: Campaign) throws -> ConnectionSet {
        try forCampaign(campaign) { name, spec in SimulatedConnection(name: name, seed: UInt64(spec.seed ?? 1)) }
    }

    /// The connection of that name (the campaign's choice, `Campaign.callConnection`),
    /// else the first enabled one by name: a set made without a campaign, or
    /// a campaign without connections, dials through what it has.
    public func resolve(_ name: String?) -> (any Connection)? {
        if let name, let found = byName[name] { return found }
        return fallback.flatMap { byName[$0] }
    }
}

/// A connection that cannot be used.
public enum ConnectionError: Error, Equatable, CustomStringConvertible {
    case unsupported(connection: String, provider: ProviderKind)
    case none(campaign: String)
    /// The environment variable the campaign names for a key is not set.
    case missingKey(connection: String, variable: String)
    case noKeyVariable(connection: String, provider: ProviderKind)
    /// The provider refused the key: the run stops.
    case unauthorized(connection: String, reason: String)

    public var description: String {
        switch self {
        case .none(let campaign): return "campaign '\(campaign)' has no connection to place calls through"
        case .unsupported(let connection, let provider):
            return "connection '\(connection)' uses provider \(provider.rawValue), which cannot place calls here"
        case .missingKey(let connection, let variable):
            return "connection '\(connection)' reads its key from the environment variable \(variable), which is not set; export it and run again"
        case .noKeyVariable(let connection, let provider):
            return "connection '\(connection)' (\(provider.rawValue)) needs 'api_key_env': the environment variable holding its API key (docs/connections.md)"
        case .unauthorized(let connection, let reason):
            return
                "the provider refused connection '\(connection)''s key (\(reason)); check the key in its api_key_env variable. Stopped: every later call would fail too"
        }
    }
}

extension ConnectionError: CommandError {
    public var exitCode: ExitCode { isUnauthorized ? .failure : .usage }
    private var isUnauthorized: Bool { if case .unauthorized = self { return true } else { return false } }
}

/// The process's environment variables, read once.
public enum ProcessEnvironment {
    public static var current: [String: String] { ProcessInfo.processInfo.environment }
}
