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

    static let leadsSQL = "SELECT id, phone, zone_set_id, state, state_source, dnc FROM leads ORDER BY id"
    static let callsSQL = "SELECT lead_id, queued_at FROM calls WHERE lead_id IS NOT NULL AND campaign = ? ORDER BY lead_id, queued_at"

    /// Plans every lead at `at`, handing each entry to `each` in lead order.
    public func run(at: Instant, each: (PlanEntry) throws -> Void) throws -> PlanSummary {
        let now = at.seconds
        let policy = try campaign.windowPolicy()
        var zoneSets = try ZoneSetStore.zones(database)
        if let fallback = campaign.defaults.timezone { zoneSets[-1] = [fallback] }
        let sweep = WindowSweep(policy: policy, zoneSets: zoneSets, plan: plan)

        // A plan works through the ready leads at one instant, as fast as a run
        // may dial them: the cooldown is pacing, not a reason to skip a number here.
        var settings = campaign.numbers?.settings ?? SelectionSettings()
        settings.cooldown = 0
        let store = NumberStore(database: database, plan: plan)
        let (selector, _) = try store.selector(settings: settings, health: campaign.numbers?.health ?? NumberStore.Health(), at: at)
        let lastFrom = try store.lastFromByLead()
        var history: [Int64: [Int64]] = [:]
        for (lead, when) in try database.query(Self.callsSQL, [.text(campaign.name)], { ($0.int64(0), $0.int64(1) / 1000) }) where when <= now {
            history[lead, default: []].append(when)
        }
        let limits = FrequencyLimits(maxAttempts: campaign.limits.maxAttempts, minimumGap: campaign.limits.minimumGap?.seconds)

        var summary = PlanSummary()
        var regions = AddressRegions(plan: plan)
        var capped = Set<Int>()
        // Within a plan, at one instant, uses only grow: once selection fails
        // for a lead's area code and state (or, with fallback any, at all) it
        // fails for every later lead like it.
        var failures: [String: String] = [:]
        let statement = try database.prepare(Self.leadsSQL)
        defer { statement.reset() }
        while try statement.step() {
            let id = statement.int64(0)
            let phone = statement.string(1) ?? ""
            let number = PhoneNumber(e164: phone)
            var zoneSet = statement.isNull(2) ? 0 : statement.int64(2)
            if zoneSet == 0, campaign.defaults.timezone != nil { zoneSet = -1 }
            let region = regions.index(state: statement.string(3), source: statement.string(4))
            let zones = zoneSets[zoneSet] ?? []
            var entry = PlanEntry(leadID: id, phone: phone, zones: zones, status: .blocked, nextOpen: nil, number: nil, tier: nil, code: "", reason: "")
            defer {
                summary.leads += 1
                summary.byStatus[entry.status, default: 0] += 1
                summary.byCode[entry.code, default: 0] += 1
                if let tier = entry.tier { summary.byTier[tier.rawValue, default: 0] += 1 }
            }
            if statement.int64(5) != 0 {
                (entry.code, entry.reason) = ("dnc", "on the do-not-call list")
                try each(entry)
                continue
            }
            if zones.isEmpty {
                (entry.code, entry.reason) = ("no-timezone", "no time zone is known and defaults.timezone is skip")
                try each(entry)
                continue
            }
            let areaCode = Int16(number?.areaCode ?? 0)
            let row = GateRow(zoneSet: Int32(truncatingIfNeeded: zoneSet), addressRegion: region, areaCode: areaCode)
            var notBefore = now
            if let calls = history[id] {
                let area = areaCode > 0 ? plan.areaCode(Int(areaCode)) : nil
                let subject = WindowSubject(
                    zones: zones, addressState: region >= 0 ? plan.region(index: region).code : nil, phoneState: area?.state, phoneCountry: area?.country)
                switch limits.check(calls: calls, rules: policy.rules(for: subject), at: now) {
                case .allowed: break
                case .exhausted(let reason):
                    (entry.code, entry.reason) = ("attempts-exhausted", reason)
                    try each(entry)
                    continue
                case .wait(let until, let reason):
                    if reason.contains("calls in 24 hours") {
                        (entry.code, entry.reason, entry.nextOpen) = ("state-24h-cap", reason, until)
                        try each(entry)
                        continue
                    }
                    notBefore = until
                    (entry.code, entry.reason) = ("minimum-gap", reason)
                }
            }
            let answer = sweep.answer(row, at: Instant(seconds: notBefore))
            guard answer.open, notBefore == now else {
                entry.status = .waiting
                entry.nextOpen = answer.nextOpen
                if entry.code.isEmpty { (entry.code, entry.reason) = ("window-closed", "outside the calling window in \(zones.joined(separator: ", "))") }
                if answer.nextOpen == nil {
                    entry.status = .blocked
                    (entry.code, entry.reason) = ("window-never-opens", "the calling window does not open within 14 days")
                }
                try each(entry)
                continue
            }
            let lead = NumberSelector.Lead(
                // "Local-looking" is about the phone the person holds: its area code's state first.
                areaCode: Int(areaCode), state: plan.areaCode(Int(areaCode))?.state ?? (region >= 0 ? plan.region(index: region).code : nil),
                position: number.flatMap { plan.locate($0).position }, lastFrom: lastFrom[id])
            let failureKey = settings.fallback == "none" ? "\(lead.areaCode) \(lead.state ?? "")" : "*"
            if let reason = failures[failureKey] ?? failures["*"] {
                (entry.code, entry.reason) = ("no-eligible-number", reason)
                if settings.fallback == "none" { entry.status = .waiting }
                try each(entry)
                continue
            }
            let choice = selector.select(lead, at: now)
            guard let index = choice.index else {
                failures[failureKey] = choice.reason
                (entry.code, entry.reason) = ("no-eligible-number", choice.reason)
                if settings.fallback == "none" { entry.status = .waiting }
                try each(entry)
                continue
            }
            selector.recordUse(index, at: now)
            if selector.usesToday(index, at: now) >= selector.cap(index) { capped.insert(index) }
            entry.status = .ready
            entry.nextOpen = now
            entry.number = selector.numbers[index].e164
            entry.tier = choice.tier
            (entry.code, entry.reason) = ("ready", choice.reason)
            try each(entry)
        }
        summary.cappedNumbers = capped.sorted().map { (selector.numbers[$0].e164, selector.cap($0)) }
        return summary
    }
}
