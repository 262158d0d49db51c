/// The voice providers a campaign's connections can name.
public enum ProviderKind: String, Sendable, CaseIterable {
    case simulated, retell, vapi, http
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

    /// The key sent with the request, the same however often it is built.
    public var idempotencyKey: String { "outdial-call-\(callID)" }
}

/// What became of a request.
public enum Placement: Sendable, Equatable {
    /// The provider took the call; `events` are outcomes it already knows (a
    /// simulator's), the others arrive later through the event recorder.
    case accepted(providerCallID: String, events: [CallEvent])
    /// Refused before it reached the provider (a connection error before
    /// sending, a 4xx that placed nothing): the call may be requested again.
    case refused(reason: String)
    /// It may have been placed (a timeout after sending, a 5xx): the call
    /// becomes `unknown` and is never requested again.
    case ambiguous(reason: String)
}

/// A way to place calls: a provider's API or the simulator. The runner knows
/// no provider; it hands each committed intent to the call's connection and
/// records what comes back.
public protocol Connection: AnyObject {
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
}

extension Connection {
    public func placeImmediately(_ request: CallRequest) -> Placement? { nil }
}

/// The campaign's connections by name, each made once for a run.
public struct ConnectionSet {
    public private(set) var byName: [String: any Connection]

    public init(_ connections: [any Connection]) {
        byName = Dictionary(connections.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The connections a campaign names. Every simulated connection gets its own
    /// seed (default 1); `make` builds the others (the real providers), and a
    /// provider it does not build is an error naming it.
    public static func forCampaign(
        _ campaign: Campaign, make: (String, Campaign.ConnectionSpec) throws -> (any Connection)? = { _, _ in nil }
    ) throws -> ConnectionSet {
        var connections: [any Connection] = []
        for name in campaign.connections.keys.sorted() {
            let spec = campaign.connections[name]!
            if let made = try make(name, spec) {
                connections.append(made)
            } else if spec.provider == .simulated {
                connections.append(SimulatedConnection(name: name, seed: UInt64(spec.seed ?? 1)))
            } else {
                throw ConnectionError.unsupported(connection: name, provider: spec.provider)
            }
        }
        // A campaign without connections dials through a simulator named `simulated`.
        if connections.isEmpty { connections.append(SimulatedConnection(name: "simulated", seed: 1)) }
        return ConnectionSet(connections)
    }

    /// The connection for a call: the step's, else the caller ID's, else the
    /// campaign's first by name.
    public func resolve(_ names: String?...) -> (any Connection)? {
        for case let name? in names { if let found = byName[name] { return found } }
        return byName.keys.min().flatMap { byName[$0] }
    }
}

/// A connection that cannot be used.
public enum ConnectionError: Error, Equatable, CustomStringConvertible {
    case unsupported(connection: String, provider: ProviderKind)
    case none(campaign: String)

    public var description: String {
        switch self {
        case .none(let campaign): return "campaign '\(campaign)' has no connection to place calls through"
        case .unsupported(let connection, let provider):
            return "connection '\(connection)' uses provider \(provider.rawValue), which this version cannot dial yet; run with --simulate"
        }
    }
}
