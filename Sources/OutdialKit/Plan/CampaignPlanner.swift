/// One lead's line of a plan (`plan --json`, SPEC §3.1).
public struct PlanEntry: Sendable {
    public enum Status: String, Sendable { case ready, waiting, blocked }

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

    static let leadsSQL = "SELECT id, phone, zone_set_id, state, state_source, dnc, zip FROM leads ORDER BY id"

    /// Plans every lead at `at`, handing each entry to `each` in lead order.
    /// Each lead's first call is decided by the runner's own dial gate, at one
    /// instant: no pacing, no cooldown, the day's caps consumed in lead order.
    public func run(at: Instant, each: (PlanEntry) throws -> Void) throws -> PlanSummary {
        let now = at.seconds
        let gate = try DialGate(database: database, campaign: campaign, plan: plan, mode: .plan, at: now)
        let zoneSets = try ZoneSetStore.zones(database)
        var summary = PlanSummary()
        var capped = Set<Int>()
        let audience = try campaign.audience.map { Set(try $0.select(in: database)) }
        if audience != nil { summary.outOf = Int(try database.scalar("SELECT count(*) FROM leads") ?? 0) }
        let statement = try database.prepare(Self.leadsSQL)
        defer { statement.reset() }
        while try statement.step() {
            if let audience, !audience.contains(statement.int64(0)) { continue }
            let lead = DialLead(
                id: statement.int64(0), phone: statement.string(1) ?? "", zones: statement.isNull(2) ? [] : zoneSets[statement.int64(2)] ?? [],
                state: statement.string(3), stateSource: statement.string(4), dnc: statement.int64(5) != 0, zip: statement.string(6))
            let decision = gate.decide(lead, at: now)
            if case .dial(let choice) = decision {
                gate.record(choice, leadID: lead.id)
                if gate.selector.usesToday(choice.index, at: now) >= gate.selector.cap(choice.index) { capped.insert(choice.index) }
            }
            var zones = lead.zones
            if zones.isEmpty, let fallback = campaign.defaults.timezone { zones = [fallback] }
            let entry = PlanEntry(lead: lead, zones: zones, decision: decision, fallbackNone: gate.selector.settings.fallback == "none")
            summary.leads += 1
            summary.byStatus[entry.status, default: 0] += 1
            summary.byCode[entry.code, default: 0] += 1
            if let tier = entry.tier { summary.byTier[tier.rawValue, default: 0] += 1 }
            try each(entry)
        }
        summary.cappedNumbers = capped.sorted().map { (gate.selector.numbers[$0].e164, gate.selector.cap($0)) }
        return summary
    }
}

extension PlanEntry {
    /// A lead's line for the gate's decision.
    init(lead: DialLead, zones: [String], decision: DialDecision, fallbackNone: Bool) {
        self.init(leadID: lead.id, phone: lead.phone, zones: zones, status: .blocked, nextOpen: nil, number: nil, tier: nil, code: "", reason: "")
        switch decision {
        case .dial(let choice):
            (status, nextOpen, number, tier, code, reason) = (.ready, choice.dialAt, choice.from, choice.tier, "ready", choice.reason)
        case .wait(let until, let why, let text):
            (status, nextOpen, code, reason) = (.waiting, until, why.rawValue, text)
            // With fallback any a lead no number can take now is blocked for this plan.
            if why == .callerID, !fallbackNone { status = .blocked }
            // A lead no number of the pool can take waits for the operator: blocked, with no time.
            if why == .pool { (status, nextOpen) = (.blocked, nil) }
        case .stop(let stop, let text):
            (code, reason) = (stop.rawValue, text)
        }
    }
}
