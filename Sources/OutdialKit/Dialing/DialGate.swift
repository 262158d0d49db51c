/// Why a call must wait.
public enum WaitReason: String, Sendable, CaseIterable {
    /// Outside the calling window in one of the lead's zones.
    case window = "window-closed"
    /// `min_gap` since the lead's last attempt.
    case minimumGap = "minimum-gap"
    /// A state's cap on calls in any 24 hours.
    case stateCap = "state-24h-cap"
    /// No caller ID is free now (caps, cooldowns, rests).
    case callerID = "no-eligible-number"
    /// No local caller ID is free now, but one frees within `local_wait` (or
    /// at all, with `fallback: none`): the lead waits for it rather than being
    /// shown a distant number.
    case localNumber = "local-number"
    /// No number of the pool can ever be used for the lead as the pool stands
    /// (empty, every number disabled, no local number with `fallback: none`):
    /// the lead waits for the operator (`numbers import`, `numbers enable`) and
    /// is looked at again by the next `run`.
    case pool = "no-caller-id"
    /// The connection the call would go through is switched off
    /// (`enabled: false` in the campaign file): the lead waits for the operator.
    case connectionDisabled = "connection-disabled"
    /// The window is open now, but every line and pacing slot, or every caller
    /// ID, is taken until it closes: the lead waits for capacity, not for a time.
    case lines = "lines-busy"
}

/// The dial decision for a lead at a time.
public enum DialDecision: Sendable, Equatable {
    case dial(DialChoice)
    case wait(until: Int64, WaitReason, String)
    case stop(StopCode, String)
}

/// A call the gate allows: from which number, when, and why that number.
public struct DialChoice: Sendable, Equatable {
    /// Index into the pool (`DialGate.selector.numbers`).
    public var index: Int
    public var from: String
    public var tier: NumberSelector.Tier?
    /// UTC seconds.
    public var dialAt: Int64
    public var attempt: Int
    /// The lead's zones as gated, space-separated.
    public var zones: String
    /// The zone its local time is read in.
    public var localZone: String?
    public var reason: String
}

/// Everything that decides whether a lead is dialled, when and from which
/// number: DNC, attempts and frequency caps, the calling window at the dial
/// time, pacing and lines, and caller-ID selection. The runner and `plan`
/// both decide through it.
final class DialGate {
    enum Mode {
        /// A run: calls are paced and lines held; selection keeps the cooldown.
        case run
        /// A plan at one instant: no pacing or lines, each number used as a call would use it.
        case plan
    }

    let campaign: Campaign
    let plan: NumberingPlan
    let policy: CallingWindowPolicy
    let limits: FrequencyLimits
    private(set) var selector: NumberSelector
    private let gate: WindowGate
    /// What the selector was built with, to build it again (`reloadPool`).
    private let selection: (store: NumberStore, settings: SelectionSettings, health: NumberStore.Health, includingLater: Bool)
    let dnc: DoNotCallList
    var pacer: Pacer
    /// Each lead's calls in this campaign (dial times, oldest first) and the
    /// key of the number it was last called from (0: none).
    private var history = LeadIndexed<[Int64]>(absent: [])
    private var lastFrom = LeadIndexed<UInt64>(absent: 0)
    /// The number each lead waiting for a local number was promised a turn at (-1: none).
    private var promisedTo = LeadIndexed<Int32>(absent: -1)
    /// The distinct window subjects of the leads seen, numbered; and each lead's number.
    private var slots: [SubjectSlot] = []
    private var slotBySubject: [WindowSubject: Int32] = [:]
    private var slotByLead = LeadIndexed<Int32>(absent: -1)
    private var areaCodes = LeadIndexed<Int16>(absent: 0)
    /// What selection reads of each lead decided on (its `NumberSelector.Lead`
    /// but the number last called from), numbered: leads share a few thousand.
    private var places: [NumberSelector.Lead] = []
    private var placeNumbers: [NumberSelector.Lead: Int32] = [:]
    private var placeByLead = LeadIndexed<Int32>(absent: -1)
    /// The `DialLead.digest` of each lead decided on: a lead changed since
    /// (a step, an import) is decided again from its row.
    private var digests = LeadIndexed<Int>(absent: 0)
    /// In a plan (one instant, uses only grow) a selection that failed for a
    /// lead's area code and state (with fallback `any`, at all) fails for every
    /// later lead like it: the answer is kept.
    private var planFailures: [String: DialDecision] = [:]

    /// A distinct window subject: its rules are worked out once, the gate keeps
    /// its schedule by the slot's number.
    struct SubjectSlot {
        let subject: WindowSubject
        let rules: [WindowRule]
    }

    /// The gate for a campaign on a database at `at` (UTC seconds): its pool,
    /// the numbers' use and health, the DNC list and the campaign's calls so far.
    init(database: Database, campaign: Campaign, plan: NumberingPlan, mode: Mode, at: Int64) throws {
        self.campaign = campaign
        self.plan = plan
        policy = try campaign.windowPolicy()
        gate = WindowGate(policy: policy)
        limits = FrequencyLimits(maxAttempts: campaign.limits.maxAttempts, minimumGap: campaign.limits.minimumGap?.seconds)
        dnc = try DoNotCallStore(database: database).load()
        let settings = campaign.numbers?.settings ?? SelectionSettings()
        let store = NumberStore(database: database, plan: plan)
        selection = (store, settings, campaign.numbers?.health ?? NumberStore.Health(), mode == .run)
        selector = try store.selector(settings: settings, health: selection.health, at: Instant(seconds: at), includingLater: mode == .run).0
        pacer = Pacer(lines: campaign.limits.concurrentCalls, callsPerSecond: campaign.limits.callsPerSecond, enabled: mode == .run)
        if let low = try database.scalar("SELECT min(id) FROM leads"), let high = try database.scalar("SELECT max(id) FROM leads") {
            history.reserve(low...high)
            lastFrom.reserve(low...high)
            slotByLead.reserve(low...high)
            areaCodes.reserve(low...high)
            placeByLead.reserve(low...high)
            digests.reserve(low...high)
        }
        for (lead, key) in try store.lastFromByLead() { lastFrom[lead] = key }
        for (lead, when) in try CallStore(database: database).history(campaign: campaign.name) where mode == .run || when <= at {
            history.update(lead) { $0.append(when) }
        }
    }

    /// Builds the pool again from the database, as a run starting at `at`
    /// would: the numbers imported, enabled, disabled or rested since, each
    /// with its uses and health from the calls recorded (this run's included).
    /// Turns promised at the old pool's numbers are dropped: the leads that
    /// held them choose again when they wake.
    func reloadPool(at: Int64) throws {
        selector = try selection.store.selector(
            settings: selection.settings, health: selection.health, at: Instant(seconds: at), includingLater: selection.includingLater
        ).0
        promisedTo = LeadIndexed<Int32>(absent: -1)
        planFailures = [:]
    }

    /// The calls made to a lead so far (dial times, oldest first).
    func calls(of leadID: Int64) -> [Int64] { history[leadID] }

    // MARK: - Windows

    /// The lead's subject slot (remembered for the lead, so a run that only has
    /// to wait again can be told so without reading the lead).
    func slot(for lead: DialLead) -> Int32 {
        let subject = WindowSubject(lead: lead, defaultZone: campaign.defaults.timezone, plan: plan)
        let slot: Int32
        if let known = slotBySubject[subject] {
            slot = known
        } else {
            slot = Int32(slots.count)
            slots.append(SubjectSlot(subject: subject, rules: policy.rules(for: subject)))
            slotBySubject[subject] = slot
        }
        slotByLead[lead.id] = slot
        return slot
    }

    /// The area code of a lead seen before (its phone's), or nil.
    func areaCode(of leadID: Int64) -> Int? { areaCodes[leadID] == 0 ? nil : Int(areaCodes[leadID]) }

    /// The slot of a lead seen before, or nil.
    func knownSlot(_ leadID: Int64) -> Int32? {
        let slot = slotByLead[leadID]
        return slot >= 0 ? slot : nil
    }

    func zones(of slot: Int32) -> [String] { slots[Int(slot)].subject.zones }

    /// The calling window for a slot at `t`.
    func window(slot: Int32, at t: Int64) -> WindowCheck {
        let s = slots[Int(slot)]
        guard !s.subject.zones.isEmpty else { return .noTimezone }
        let answer = gate.answer(slot: Int(slot), zones: s.subject.zones, rules: s.rules, at: Instant(seconds: t))
        if answer.open { return .open }
        return answer.nextOpen.map { .closed(nextOpen: $0) } ?? .neverOpens
    }

    // MARK: - Deciding

    /// Attempts, gaps and caps, then the window, at the dial time; nil when all
    /// allow it. `clock`: when the lead is looked at (the dial time is later
    /// when the lines are busy).
    private func check(leadID: Int64, slot: Int32, at dialAt: Int64, clock: Int64) -> DialDecision? {
        switch limits.check(calls: history[leadID], rules: slots[Int(slot)].rules, at: dialAt) {
        case .allowed: break
        case .wait(let until, let reason): return .wait(until: until, reason.contains("calls in 24 hours") ? .stateCap : .minimumGap, reason)
        case .exhausted(let reason): return .stop(.attemptsExhausted, reason)
        }
        switch window(slot: slot, at: dialAt) {
        case .open: return nil
        case .closed(let next):
            if dialAt > clock, window(slot: slot, at: clock) == .open {
                return .wait(until: next, .lines, "every line or caller ID is taken until the calling window closes")
            }
            return .wait(until: next, .window, "outside the calling window in \(slots[Int(slot)].subject.zones.joined(separator: ", "))")
        case .neverOpens: return .stop(.windowNeverOpens, "the calling window does not open within 14 days")
        case .noTimezone: return .stop(.noTimezone, "no time zone is known for the lead")
        }
    }

    /// Remembers what the decision reads of a lead not seen yet, as its first
    /// decision would, so that a run that only has to wait is told so without
    /// its lead being read. A lead the gate stops is left to be read and stopped.
    func learn(_ lead: DialLead) {
        if slotByLead[lead.id] < 0 { _ = admit(lead) }
    }

    /// A lead the gate can call at all (a valid number, not on the DNC list,
    /// a zone): its slot and selection inputs, remembered; or why it stops.
    private func admit(_ lead: DialLead) -> Result<(slot: Int32, place: NumberSelector.Lead), Stopped> {
        guard let number = PhoneNumber(e164: lead.phone) else {
            return .failure(
                Stopped(
                    code: .invalidNumber,
                    reason: lead.phone.isEmpty ? "the lead has no phone number (a contact who wrote by email or a handle)" : "'\(lead.phone)' is not E.164"))
        }
        if lead.dnc || dnc.contains(number) { return .failure(Stopped(code: .dnc, reason: "on the do-not-call list")) }
        let slot = slot(for: lead)
        if slots[Int(slot)].subject.zones.isEmpty { return .failure(Stopped(code: .noTimezone, reason: "no time zone is known for the lead")) }
        return .success((slot, remember(lead, number: number)))
    }

    /// Why `admit` stops a lead.
    private struct Stopped: Error {
        let code: StopCode
        let reason: String
    }

    /// The lead's selection inputs but the number last called from; a run's
    /// gate keeps them with the lead's digest (see `decideKnown`), a plan's
    /// (each lead decided once) does not.
    private func remember(_ lead: DialLead, number: PhoneNumber) -> NumberSelector.Lead {
        let location = plan.locate(number)
        areaCodes[lead.id] = Int16(number.areaCode ?? 0)
        let place = NumberSelector.Lead(
            areaCode: number.areaCode ?? 0, state: location.state ?? lead.state,
            position: lead.zip.flatMap { plan.place(forZIP: $0)?.position } ?? location.position)
        guard pacer.enabled else { return place }
        let known = placeNumbers[place] ?? Int32(places.count)
        if known == places.count {
            places.append(place)
            placeNumbers[place] = known
        }
        placeByLead[lead.id] = known
        digests[lead.id] = lead.digest
        return place
    }

    /// The decision for a lead decided on (or learnt) before, from what the
    /// gate kept of it, without reading it; nil for a lead it does not know.
    /// A wait or a stop is final. A dial holds for the lead as it was: once
    /// the lead is read, `stillAsDecided` says whether it still is.
    func decideKnown(_ leadID: Int64, number fixedNumber: String? = nil, at clock: Int64) -> DialDecision? {
        let slot = slotByLead[leadID]
        let place = placeByLead[leadID]
        guard slot >= 0, place >= 0 else { return nil }
        return decide(leadID: leadID, slot: slot, place: places[Int(place)], number: fixedNumber, at: clock)
    }

    /// Whether the lead as read now gives the decision `decideKnown` made for
    /// it: the fields it was decided on are unchanged (the DNC list is the
    /// gate's own, unchanged through a run).
    func stillAsDecided(_ lead: DialLead) -> Bool { digests[lead.id] == lead.digest }

    /// The decision for the lead's next call at `clock` (nothing is recorded:
    /// `record` does that once the intent is written).
    func decide(_ lead: DialLead, number fixedNumber: String? = nil, at clock: Int64) -> DialDecision {
        switch admit(lead) {
        case .failure(let stopped): return .stop(stopped.code, stopped.reason)
        case .success(let admitted): return decide(leadID: lead.id, slot: admitted.slot, place: admitted.place, number: fixedNumber, at: clock)
        }
    }

    /// The decision for a lead that can be called at all, from its slot and selection inputs.
    private func decide(leadID: Int64, slot: Int32, place: NumberSelector.Lead, number fixedNumber: String?, at clock: Int64) -> DialDecision {
        let subject = slots[Int(slot)].subject
        var dialAt = pacer.dialTime(clock)
        var wanted = place
        let last = lastFrom[leadID]
        wanted.lastFrom = last == 0 ? nil : last
        // Gate and select at the dial time; when no caller ID is free, wait for
        // the next one that frees (a cooldown, a cap's local midnight).
        var rounds = 0
        let failureKey = pacer.enabled ? "" : selector.settings.fallback == "none" ? "\(wanted.areaCode) \(wanted.state ?? "")" : "*"
        while true {
            // A window open now that closes before a line or a caller ID frees is a
            // wait for capacity (`lines`): the runner parks the lead until one frees.
            if let decision = check(leadID: leadID, slot: slot, at: dialAt, clock: clock) { return decision }
            if !pacer.enabled, fixedNumber == nil, let failed = planFailures[failureKey] ?? planFailures["*"] { return failed }
            let choice: NumberSelector.Choice
            if let fixedNumber, let key = PhoneNumber(e164: fixedNumber)?.key {
                choice = selector.fixed(key, at: dialAt)
            } else {
                let mine = promisedTo[leadID]
                choice = selector.select(wanted, at: dialAt, promised: mine < 0 ? nil : Int(mine), explain: !pacer.enabled)
            }
            if let until = choice.waitUntil, let number = choice.waitFor {
                // A local number frees soon: the lead waits for its turn at it; others go on meanwhile.
                if pacer.enabled {
                    selector.promise(number, at: until)
                    promisedTo[leadID] = Int32(number)
                }
                return .wait(until: until, .localNumber, choice.reason)
            }
            if let index = choice.index {
                return .dial(
                    DialChoice(
                        index: index, from: selector.numbers[index].e164, tier: choice.tier, dialAt: dialAt, attempt: history[leadID].count + 1,
                        zones: subject.zones.joined(separator: " "), localZone: subject.zones.first, reason: choice.reason))
            }
            rounds += 1
            // With fallback none and no local number that can ever be used, other numbers freeing changes nothing.
            let never = fixedNumber == nil && selector.settings.fallback == "none"
            guard !never, let next = selector.nextChange(after: dialAt) else {
                // No caller ID will ever be free as the pool stands: a wait for the operator, not a dead end.
                let what =
                    selector.numbers.isEmpty
                    ? "the pool is empty"
                    : selector.settings.fallback == "none"
                        ? "no number of the pool is local to area code \(wanted.areaCode) (fallback: none)" : "no number of the pool can be used"
                let wait = DialDecision.wait(until: clock, .pool, "\(what); import or enable numbers and run again")
                if !pacer.enabled, fixedNumber == nil { planFailures[failureKey] = wait }
                return wait
            }
            // A plan answers at its instant; a run looks ahead for the next number to free.
            guard pacer.enabled, rounds < 64 else {
                let wait = DialDecision.wait(until: next, .callerID, choice.reason)
                if !pacer.enabled, fixedNumber == nil { planFailures[failureKey] = wait }
                return wait
            }
            dialAt = next
            pacer.hold(until: dialAt)
        }
    }

    /// Counts a call the gate allowed: the number's use, the lead's attempt and
    /// sticky number, the pacing slot.
    func record(_ choice: DialChoice, leadID: Int64) {
        selector.recordUse(choice.index, at: choice.dialAt)
        history.update(leadID) { $0.append(choice.dialAt) }
        lastFrom[leadID] = selector.numbers[choice.index].key
        if promisedTo[leadID] >= 0 { promisedTo[leadID] = -1 }
        pacer.dialled(at: choice.dialAt)
    }
}
