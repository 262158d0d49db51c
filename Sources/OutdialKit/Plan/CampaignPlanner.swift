/// One lead's line of a plan (`plan --json`, SPEC §3.1).
public struct PlanEntry: Sendable {
    /// `done`: the lead's workflow runs in the campaign have all ended (the
    /// reason says how); `run` will not call it again.
    public enum Status: String, Sendable { case ready, waiting, blocked, done }

    public var leadID: Int64
    public var phone: String
    public var zones: [String]
    public var status: Status
    /// UTC seconds.
    public var nextOpen: Int64?
    public var number: String?
    public var tier: NumberSelector.Tier?
    /// A short code (`dnc`, `no-timezone`, `window-closed` …) for tallies.
    public var code: String
    /// A sentence for people.
    public var reason: String

    /// One JSON line, written straight to bytes (a plan may have a million).
    public func writeJSON(to out: inout [UInt8]) {
        out += Array(#"{"lead_id":"#.utf8) + Array(String(leadID).utf8)
        out += Array(#","phone":"#.utf8)
        JSONValue.writeString(phone, to: &out)
        out += Array(#","zones":["#.utf8)
        for (i, zone) in zones.enumerated() {
            if i > 0 { out.append(44) }
            JSONValue.writeString(zone, to: &out)
        }
        out += Array(#"],"status":""#.utf8) + Array(status.rawValue.utf8) + Array(#"","next_open":"#.utf8)
        if let nextOpen { JSONValue.writeString(Instant(seconds: nextOpen).iso8601, to: &out) } else { out += Array("null".utf8) }
        out += Array(#","number":"#.utf8)
        if let number { JSONValue.writeString(number, to: &out) } else { out += Array("null".utf8) }
        out += Array(#","tier":"#.utf8)
        if let tier { JSONValue.writeString(tier.rawValue, to: &out) } else { out += Array("null".utf8) }
        out += Array(#","reason":"#.utf8)
        JSONValue.writeString(reason, to: &out)
        out += [125, 10]
    }
}

/// What a plan found, in totals.
public struct PlanSummary: Sendable {
    public var leads = 0
    /// Leads in the database, when the campaign's audience selected fewer (nil: no audience).
    public var outOf: Int?
    public var byStatus: [PlanEntry.Status: Int] = [:]
    public var byCode: [String: Int] = [:]
    public var byTier: [String: Int] = [:]
    /// Numbers that reach their daily cap in the plan, and how many leads they took.
    public var cappedNumbers: [(number: String, cap: Int)] = []
}

/// Dry-runs a campaign over every lead (SPEC §3 `plan`): whether it is ready,
/// waiting for its window, or blocked, and the number it would get —
/// consuming the day's caps in lead order as a run would. Writes nothing.
public final class CampaignPlanner {
    let database: Database
    let campaign: Campaign
    let plan: NumberingPlan

    public init(database: Database, campaign: Campaign, plan: NumberingPlan = .shared) {
        self.database = database
        self.campaign = campaign
        self.plan = plan
    }

    /// Plans every lead at `at`, handing each entry to `each` in lead order.
    /// A lead whose runs have ended is `done`; one whose run waits past `at`
    /// is `waiting` until then. The others are decided by the runner's own
    /// dial gate at one instant, in the order a run started then would take
    /// them — the due runs by wake-up, then the leads it would enrol, by id —
    /// with the cooldown and the day's caps consumed as they go, no pacing.
    public func run(at: Instant, each: (PlanEntry) throws -> Void) throws -> PlanSummary {
        let now = at.seconds
        let gate = try DialGate(database: database, campaign: campaign, plan: plan, mode: .plan, at: now)
        let history = try RunHistory(database: database, campaign: campaign, at: now)
        let zoneSets = try ZoneSetStore.zones(database)
        var summary = PlanSummary()
        var capped = Set<Int>()
        let audience = try campaign.audience.map { Set(try $0.select(in: database)) }
        if audience != nil { summary.outOf = Int(try database.scalar("SELECT count(*) FROM leads") ?? 0) }
        func read(_ statement: Statement) -> DialLead { DialLead(row: statement, zoneSets: zoneSets) }
        // The first call step of the workflows leads are added to, for the connection it names.
        let step = campaign.workflows.lazy.filter { $0.trigger == .leadAdded }.compactMap { Step.firstPlaceCall($0.steps) }.first
        let anyDisabled = campaign.hasDisabledConnection
        func decide(_ lead: DialLead) -> DialDecision {
            let decision = gate.decide(lead, number: step?.number, at: now)
            if case .dial(let choice) = decision, anyDisabled,
                let off = campaign.disabledConnection(step: step?.connection, callerID: gate.selector.numbers[choice.index].connection)
            {
                return .wait(until: now, .connectionDisabled, "connection '\(off)' is disabled (enabled: false in the campaign file)")
            }
            if case .dial(let choice) = decision {
                gate.record(choice, leadID: lead.id)
                if gate.selector.usesToday(choice.index, at: now) >= gate.selector.cap(choice.index) { capped.insert(choice.index) }
            }
            return decision
        }
        // The due runs first, in wake-up order, as the run's queue takes them.
        var decided: [Int64: DialDecision] = [:]
        let one = try database.prepare(DialLead.byIDSQL)
        defer { one.reset() }
        for leadID in history.due where audience?.contains(leadID) ?? true {
            one.rewind()
            try one.bind([.integer(leadID)])
            if try one.step() { decided[leadID] = decide(read(one)) }
        }
        let statement = try database.prepare(DialLead.allSQL)
        defer { statement.reset() }
        while try statement.step() {
            if let audience, !audience.contains(statement.int64(0)) { continue }
            let lead = read(statement)
            var zones = lead.zones
            if zones.isEmpty, let fallback = campaign.defaults.timezone { zones = [fallback] }
            if let (status, error) = history.ended[lead.id] {
                let how = status == RunStatus.done.rawValue ? "finished" : status
                let reason = "its workflow runs have ended; the last \(how)" + (error.map { ": \($0)" } ?? "")
                try each(summary.add(PlanEntry(lead: lead, zones: zones, status: .done, code: "done", reason: reason)))
                continue
            }
            if let wake = history.wakes[lead.id], wake > now {
                let reason = "its workflow waits until then (a retry's delay, a wait step)"
                try each(summary.add(PlanEntry(lead: lead, zones: zones, status: .waiting, nextOpen: wake, code: "workflow-wait", reason: reason)))
                continue
            }
            let decision = decided[lead.id] ?? decide(lead)
            try each(summary.add(PlanEntry(lead: lead, zones: zones, decision: decision)))
        }
        summary.cappedNumbers = capped.sorted().map { (gate.selector.numbers[$0].e164, gate.selector.cap($0)) }
        return summary
    }
}

extension PlanSummary {
    /// Counts an entry and hands it back.
    mutating func add(_ entry: PlanEntry) -> PlanEntry {
        leads += 1
        byStatus[entry.status, default: 0] += 1
        byCode[entry.code, default: 0] += 1
        if let tier = entry.tier { byTier[tier.rawValue, default: 0] += 1 }
        return entry
    }
}

/// What the campaign's workflow runs say about each lead, for `plan`: the
/// earliest wake-up of a waiting run that may place a call, or — when the lead
/// was enrolled and no run of it waits any more — how its last run ended.
/// A lead with neither is new: `run` would enrol it.
struct RunHistory {
    /// UTC seconds.
    var wakes: [Int64: Int64] = [:]
    /// How the last run of a lead with no waiting run ended: its status and error.
    var ended: [Int64: (status: String, error: String?)] = [:]
    /// The leads with a run due at `at`, in the order the run's queue takes them (wake-up, then run id).
    var due: [Int64] = []

    init(database: Database, campaign: Campaign, at: Int64) throws {
        // Workflows with a place_call step: a waiting run of another (a post-call wait) dials nothing.
        let dialling = Set(campaign.workflows.filter { Step.anyPlacesCall($0.steps) }.map(\.name))
        let sql = """
            SELECT lead_id, workflow, status, wake_at, error, id FROM workflow_runs
            WHERE campaign_id = \(Schema.campaignID()) ORDER BY lead_id, updated_at, id
            """
        var waiting = Set<Int64>()
        var queue: [(wakeMs: Int64, id: Int64, lead: Int64)] = []
        let statement = try database.prepare(sql)
        defer { statement.reset() }
        try statement.bind([.text(campaign.name)])
        while try statement.step() {
            let lead = statement.int64(0)
            let status = statement.string(2) ?? ""
            if status == RunStatus.waiting.rawValue {
                guard dialling.contains(statement.string(1) ?? "") else { continue }
                waiting.insert(lead)
                ended[lead] = nil
                let wakeMs = statement.isNull(3) ? 0 : statement.int64(3)
                let wake = wakeMs / 1000 + (wakeMs % 1000 > 0 ? 1 : 0)
                wakes[lead] = min(wakes[lead] ?? .max, wake)
                if wake <= at { queue.append((wakeMs, statement.int64(5), lead)) }
            } else if !waiting.contains(lead) {
                ended[lead] = (status, statement.string(4))
            }
        }
        var seen = Set<Int64>()
        due = queue.sorted { $0.wakeMs != $1.wakeMs ? $0.wakeMs < $1.wakeMs : $0.id < $1.id }.map(\.lead).filter { seen.insert($0).inserted }
    }
}

extension Step {
    /// The first `place_call` of the steps, at any depth.
    static func firstPlaceCall(_ steps: [Step]) -> PlaceCall? {
        for step in steps {
            switch step {
            case .placeCall(let settings): return settings
            case .ifThen(_, let then, let otherwise): if let found = firstPlaceCall(then) ?? firstPlaceCall(otherwise) { return found }
            default: continue
            }
        }
        return nil
    }

    /// Whether any of the steps, at any depth, places a call.
    static func anyPlacesCall(_ steps: [Step]) -> Bool { firstPlaceCall(steps) != nil }
}

extension PlanEntry {
    /// A lead's line without a dial decision (its runs have ended, or wait).
    init(lead: DialLead, zones: [String], status: Status, nextOpen: Int64? = nil, code: String, reason: String) {
        self.init(leadID: lead.id, phone: lead.phone, zones: zones, status: status, nextOpen: nextOpen, number: nil, tier: nil, code: code, reason: reason)
    }

    /// A lead's line for the gate's decision.
    init(lead: DialLead, zones: [String], decision: DialDecision) {
        self.init(leadID: lead.id, phone: lead.phone, zones: zones, status: .blocked, nextOpen: nil, number: nil, tier: nil, code: "", reason: "")
        switch decision {
        case .dial(let choice):
            (status, nextOpen, number, tier, code, reason) = (.ready, choice.dialAt, choice.from, choice.tier, "ready", choice.reason)
        case .wait(let until, let why, let text):
            (status, nextOpen, code, reason) = (.waiting, until, why.rawValue, text)
            // A lead no number of the pool can take waits for the operator: blocked, with no time.
            if why == .pool { (status, nextOpen) = (.blocked, nil) }
        case .stop(let stop, let text):
            (code, reason) = (stop.rawValue, text)
        }
    }
}
