/// A live run's calls between their intent and their outcome: those waiting
/// for their send time, and those in flight (accepted by the provider, the
/// outcome awaited), with each connection's count in flight.
struct LiveCalls {
    /// Waiting to be sent, by send time (then call id).
    private(set) var scheduled: [PendingDial] = []
    private(set) var flights: [Int64: Flight] = [:]
    /// Each flight's `nextEvent`, by call id: what is due is found without
    /// copying every flight (tens of thousands in flight, looked at every second).
    private var nextEvents: [Int64: Int64] = [:]
    private var perConnection: [String: Int] = [:]
    /// A provider refused a connection's key: the run stops with this.
    var unauthorized: ConnectionError?

    struct Flight {
        var dial: PendingDial
        var providerCallID: String
        /// The outcome, when the connection knew it at once (the simulator): recorded at the call's end.
        var known: CallEvent?
        var nextPoll: Int64
        var failures = 0
        var endedPolls = 0
        var notFound = 0
        var lastError: String?

        /// When something is next done with it (UTC seconds).
        var nextEvent: Int64 { known.map { ($0.report.endedAt + 999) / 1000 } ?? nextPoll }
    }

    var isEmpty: Bool { scheduled.isEmpty && flights.isEmpty }

    mutating func schedule(_ dials: [PendingDial]) {
        guard !dials.isEmpty else { return }
        scheduled += dials
        scheduled.sort { ($0.sendAt, $0.callID) < ($1.sendAt, $1.callID) }
    }

    /// Takes the scheduled calls `take` accepts (in send order); the others
    /// stay, `take` may move their send time.
    mutating func takeDue(_ take: (inout PendingDial) -> Bool) -> [PendingDial] {
        var taken: [PendingDial] = []
        var kept: [PendingDial] = []
        for var dial in scheduled {
            if take(&dial) { taken.append(dial) } else { kept.append(dial) }
        }
        scheduled = []
        schedule(kept)
        return taken
    }

    func inFlight(_ connection: String) -> Int { perConnection[connection, default: 0] }

    /// Calls in flight by connection name.
    var inFlightCounts: [String: Int] { perConnection }

    mutating func fly(_ dial: PendingDial, providerCallID: String, known: CallEvent?, at now: Int64) {
        if flights[dial.callID] == nil { perConnection[dial.connection.name, default: 0] += 1 }
        let flight = Flight(dial: dial, providerCallID: providerCallID, known: known, nextPoll: now + dial.connection.pollInterval)
        flights[dial.callID] = flight
        nextEvents[dial.callID] = flight.nextEvent
    }

    mutating func update(_ flight: Flight) {
        flights[flight.dial.callID] = flight
        nextEvents[flight.dial.callID] = flight.nextEvent
    }

    /// The calls in flight due by `now`, by call id.
    func due(by now: Int64) -> [Int64] { nextEvents.compactMap { $0.value <= now ? $0.key : nil }.sorted() }

    /// The call is no longer in flight.
    @discardableResult
    mutating func land(_ callID: Int64) -> Flight? {
        guard let flight = flights.removeValue(forKey: callID) else { return nil }
        nextEvents[callID] = nil
        perConnection[flight.dial.connection.name, default: 1] -= 1
        return flight
    }

    /// When the next call is due to be sent or polled (UTC seconds); `sending: false` looks at flights only.
    func nextEvent(sending: Bool = true) -> Int64? {
        let flight = nextEvents.values.min()
        let send = sending ? scheduled.first?.sendAt : nil
        return [flight, send].compactMap { $0 }.min()
    }

    var nextEvent: Int64? { nextEvent() }

    /// Seconds before a call the provider had no line for is sent again: doubling from 2 s to 5 minutes, with jitter.
    static func backoff(_ times: Int) -> Int64 {
        let base = Int64(1) << Int64(min(max(times, 1), 8))
        let capped = min(base, 300)
        return capped + Int64.random(in: 0...max(1, capped / 2))
    }
}
