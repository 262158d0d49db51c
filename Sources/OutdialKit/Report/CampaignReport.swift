/// Answered calls out of the calls that came to an outcome.
public struct AnswerTally: Sendable, Equatable {
    /// Calls with an outcome (calls still in flight or `unknown` are not counted).
    public var calls = 0
    public var answered = 0

    public init(calls: Int = 0, answered: Int = 0) {
        self.calls = calls
        self.answered = answered
    }

    /// answered / calls, nil when no call came to an outcome.
    public var rate: Double? { calls == 0 ? nil : Double(answered) / Double(calls) }

    mutating func add(answered isAnswered: Bool) {
        calls += 1
        if isAnswered { answered += 1 }
    }
}

/// What a campaign did, read from the database (`outdial report`): one model
/// rendered as terminal tables, JSON and an HTML page (docs/report.md).
public struct CampaignReport: Sendable {
    public var campaign: String
    /// Every call of the report was placed by the simulator.
    public var simulated: Bool
    public var since: Instant?
    public var until: Instant?
    /// The instant "now" is read at: the wall clock, or a simulation's virtual clock.
    public var now: Instant
    /// Whether the campaign file was given (window figures need it).
    public var hasCampaignFile: Bool

    public var funnel = Funnel()
    /// Calls of the campaign in the period, every status.
    public var calls = 0
    /// Outcome → calls, in `CallOutcome` order, outcomes with no call left out.
    public var outcomes: [(outcome: String, count: Int)] = []
    /// Calls without an outcome, by status (`queued`, `dialing`, `in_progress`, `unknown` …).
    public var pending: [(status: String, count: Int)] = []
    /// Number of attempts → leads dialled that many times.
    public var attemptsPerLead: [(attempts: Int, leads: Int)] = []
    /// Index = the lead's local hour (0–23) at the call.
    public var byLocalHour = [AnswerTally](repeating: AnswerTally(), count: 24)
    /// [weekday 0 = Monday][local hour].
    public var byWeekdayHour = [[AnswerTally]](repeating: [AnswerTally](repeating: AnswerTally(), count: 24), count: 7)
    public var tiers: [(tier: String, tally: AnswerTally)] = []
    public var numbers: [NumberLine] = []
    public var states: [(state: String, tally: AnswerTally)] = []
    public var areaCodes: [(areaCode: String, tally: AnswerTally)] = []
    /// One line per UTC day with a call.
    public var days: [DayLine] = []
    public var cost = Cost()
    /// Duration buckets of answered calls.
    public var durations: [(label: String, calls: Int)] = []
    public var waiting = Waiting()
    public var compliance = Compliance()

    public struct Funnel: Sendable, Equatable {
        /// Leads the campaign may call: every lead of the database not on the DNC list.
        public var audience = 0
        /// Leads with a workflow run of the campaign.
        public var enrolled = 0
        /// Leads with at least one call that left (any status but `queued`).
        public var dialled = 0
        public var answered = 0
        /// Leads with a call whose sentiment was positive.
        public var positive = 0
        /// Leads with a call the provider's analysis judged successful.
        public var successful = 0

        /// The stages in order, with their names as the JSON writes them and
        /// the stage each is a share of (positive and successful are both shares of answered).
        public var stages: [(name: String, leads: Int, parent: Int?)] {
            [
                ("audience", audience, nil), ("enrolled", enrolled, audience), ("dialled", dialled, enrolled), ("answered", answered, dialled),
                ("positive", positive, answered), ("successful", successful, answered),
            ]
        }
    }

    public struct NumberLine: Sendable, Equatable {
        public var number: String
        public var label: String?
        public var enabled: Bool
        public var tally = AnswerTally()
        /// Calls placed from it in the period, every status.
        public var placed = 0
        public var spamBlocked = 0
        public var restingUntil: Instant?
        public var restingReason: String?

        /// Spam-blocked calls or a rest for its answer rate: a number to replace.
        public var retire: Bool { spamBlocked > 0 || restingReason != nil }
    }

    public struct DayLine: Sendable, Equatable {
        /// `YYYY-MM-DD`, UTC.
        public var day: String
        public var calls = 0
        public var answered = 0
        public var positive = 0
        public var neutral = 0
        public var negative = 0
        /// Calls the analysis judged, and of those the successful ones.
        public var judged = 0
        public var successful = 0
    }

    public struct Cost: Sendable, Equatable {
        public var totalCents: Int64 = 0
        /// Calls that carry a cost.
        public var pricedCalls = 0
        public var answeredCalls = 0

        public var perCallCents: Double? { pricedCalls == 0 ? nil : Double(totalCents) / Double(pricedCalls) }
        public var perAnsweredCents: Double? { answeredCalls == 0 ? nil : Double(totalCents) / Double(answeredCalls) }
    }

    public struct Waiting: Sendable {
        /// Waiting workflow runs by what they wait at (the step's name).
        public var runs: [(reason: String, runs: Int)] = []
        /// Stopped runs by their code (`attempts-exhausted`, `dnc` …).
        public var stopped: [(code: String, runs: Int)] = []
        /// The earliest wake-up of a waiting run.
        public var nextWake: Instant?
        /// When the calling window next opens for a lead with a waiting run
        /// (now, when one's is open); nil without the campaign file or a waiting run.
        public var nextWindowOpen: Instant?
        /// Calls whose fate is not known: check each on the provider's dashboard.
        public var unknownCalls = 0
        public var inFlight = 0
        /// Outbox rows by kind and status that are not `sent`.
        public var outbox: [(kind: String, status: String, rows: Int)] = []
    }

    public struct Compliance: Sendable {
        /// Zone → calls by the local hour in that zone, for every zone a called lead was gated on.
        public var byZone: [(zone: String, hours: [Int])] = []
        /// Calls placed while the campaign's window was closed in one of the
        /// lead's zones; nil without the campaign file.
        public var outsideWindow: Int?
        /// The first few of them, call ids.
        public var outsideWindowCalls: [Int64] = []
        public var dncEntries = 0
        public var dncLeads = 0
        /// DNC entries added by an opt-out message.
        public var optOuts = 0
    }
}
