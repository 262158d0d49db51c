import Foundation
import TestSupport
import Testing

@testable import OutdialKit

private func at(_ text: String) -> Instant { try! Instant(iso8601: text) }

private func iso(_ seconds: Int64?) -> String? { seconds.map { Instant(seconds: $0).iso8601 } }

/// A campaign window with the same hours every day.
private func campaign(_ hours: String, closedOn: [String] = []) throws -> WindowRule {
    WindowRule(
        id: "campaign", hours: .every(try MinuteRange(parsing: hours)),
        closedOn: closedOn.compactMap { ComplianceRules.bundled.holidaySets[$0] })
}

private func report(_ phone: String, state: String? = nil, at time: String, policy: CallingWindowPolicy = CallingWindowPolicy()) throws -> WindowReport {
    let number = try PhoneNormalizer(region: "US")!.normalize(phone).number
    return try WindowReport.make(number: number, state: state, zip: nil, timezone: nil, at: at(time), gate: WindowGate(policy: policy))
}

@Suite struct CallingWindowNamedCases {
    @Test func an850NumberAt0830EasternOnAWeekdayIsClosedBecauseItIs0730Central() throws {
        // A Pensacola exchange, and any 850 number with a Florida address (both zones).
        for (phone, state) in [("850-432-1234", nil), ("850-224-1234", "FL")] as [(String, String?)] {
            let r = try report(phone, state: state, at: "2026-11-25T13:30:00Z")  // Wednesday 08:30 EST
            #expect(r.subject.zones.contains("America/Chicago"))
            #expect(!r.answer.open)
            #expect(iso(r.answer.nextOpen) == "2026-11-25T14:00:00Z")
        }
    }

    @Test func springForwardSundayOpensAtTheRightInstantInNewYorkAndPhoenix() throws {
        let gate = WindowGate(policy: CallingWindowPolicy(campaign: try campaign("09:00-20:00"), layers: []))
        let newYork = gate.answer(zones: ["America/New_York"], rules: gate.policy.rules(for: WindowSubject(zones: [])), at: at("2026-03-08T05:00:00Z"))
        #expect(iso(newYork.nextOpen) == "2026-03-08T13:00:00Z")  // 09:00 EDT, the clocks went forward at 02:00
        let phoenix = gate.answer(zones: ["America/Phoenix"], rules: gate.policy.rules(for: WindowSubject(zones: [])), at: at("2026-03-08T05:00:00Z"))
        #expect(iso(phoenix.nextOpen) == "2026-03-08T16:00:00Z")  // 09:00 MST, no daylight time
    }

    @Test func aWindowStartingInTheSpringGapOpensAtTheFirstInstantAfterIt() throws {
        let gate = WindowGate(policy: CallingWindowPolicy(campaign: try campaign("02:30-05:00"), layers: []))
        let answer = gate.answer(zones: ["America/New_York"], rules: [try campaign("02:30-05:00")], at: at("2026-03-08T05:00:00Z"))
        #expect(iso(answer.nextOpen) == "2026-03-08T07:00:00Z")  // 03:00 EDT
    }

    @Test func anAmbiguousFallBackTimeIsItsFirstOccurrence() throws {
        let rule = try campaign("01:30-05:00")
        let gate = WindowGate(policy: CallingWindowPolicy(campaign: rule, layers: []))
        let answer = gate.answer(zones: ["America/New_York"], rules: [rule], at: at("2026-11-01T04:00:00Z"))
        #expect(iso(answer.nextOpen) == "2026-11-01T05:30:00Z")  // 01:30 EDT, not 01:30 EST
    }

    @Test func aTexasLeadOnSundayOpensAtNoon() throws {
        let r = try report("512-555-0123", at: "2026-11-29T15:00:00Z")  // Sunday 09:00 CST
        #expect(!r.answer.open)
        #expect(iso(r.answer.nextOpen) == "2026-11-29T18:00:00Z")
    }

    @Test func aUtahLeadOnSundayNeverOpensThatDay() throws {
        let r = try report("801-555-0123", at: "2026-11-29T16:00:00Z")  // Sunday 09:00 MST
        #expect(!r.answer.open)
        #expect(iso(r.answer.nextOpen) == "2026-11-30T15:00:00Z")  // Monday 08:00
    }

    @Test func thanksgivingUnderUSFederalHolidaysIsClosed() throws {
        let rule = try campaign("09:00-20:00", closedOn: ["us-federal"])
        let policy = CallingWindowPolicy(campaign: rule)
        let r = try report("212-555-0123", at: "2026-11-26T16:00:00Z", policy: policy)  // Thursday 11:00 EST
        #expect(!r.answer.open)
        #expect(iso(r.answer.nextOpen) == "2026-11-27T14:00:00Z")
        #expect(CallingWindowPolicy.ids(of: r.rules) == ["campaign", "us-federal", "holiday:us-federal"])
    }

    @Test func aCanadianNumberOnSaturdayAt0930LocalIsClosed() throws {
        let r = try report("416-555-0123", at: "2026-11-28T14:30:00Z")  // Saturday 09:30 EST in Toronto
        #expect(r.rules.map(\.id) == ["ca"])
        #expect(!r.answer.open)
        #expect(iso(r.answer.nextOpen) == "2026-11-28T15:00:00Z")
    }

    @Test func aFloridaLeadWithThreeCallsInTwentyFourHoursWaitsForTheOldestToAge() throws {
        let florida = try #require(ComplianceRules.bundled.state("FL"))
        let now = at("2026-11-25T18:00:00Z").seconds
        let calls = [now - 20 * 3600, now - 10 * 3600, now - 3600]
        let decision = FrequencyLimits().check(calls: calls, rules: [florida], at: now)
        #expect(decision == .wait(until: now - 20 * 3600 + 86_400, reason: "us-FL: at most 3 calls in 24 hours"))
        #expect(FrequencyLimits().check(calls: calls, rules: [florida], at: now + 4 * 3600) == .allowed)
    }

    @Test func maxAttemptsAndTheMinimumGap() {
        let now: Int64 = 1_800_000_000
        let limits = FrequencyLimits(maxAttempts: 3, minimumGap: 4 * 3600)
        #expect(limits.check(calls: [now - 3600], rules: [], at: now) == .wait(until: now + 3 * 3600, reason: "minimum gap of 4h since the last attempt"))
        #expect(limits.check(calls: [now - 5 * 3600], rules: [], at: now) == .allowed)
        #expect(limits.check(calls: [1, 2, 3], rules: [], at: now) == .exhausted(reason: "max_attempts: 3 of 3 attempts made"))
    }

    @Test func louisianaIsClosedOnMardiGras() throws {
        let r = try report("504-555-0123", at: "2026-02-17T16:00:00Z")  // Mardi Gras 2026, 10:00 CST
        #expect(!r.answer.open)
        #expect(CallingWindowPolicy.ids(of: r.rules).contains("holiday:us-LA"))
    }

    @Test func pennsylvaniaSundaysOpenAtHalfPastOne() throws {
        let r = try report("215-555-0123", at: "2026-11-29T14:00:00Z")
        #expect(iso(r.answer.nextOpen) == "2026-11-29T18:30:00Z")
    }

    @Test func anAreaCodeStatesRuleAppliesBesideTheAddressState() throws {
        // A Texas mobile number for someone living in Utah: both states' rules.
        let r = try report("512-555-0123", state: "UT", at: "2026-11-29T19:00:00Z")
        #expect(r.rules.map(\.id) == ["us-federal", "us-TX", "us-UT"])
        #expect(!r.answer.open)  // Utah: no Sunday calls
    }

    @Test func aNumberWithNoZoneIsNeverOpen() throws {
        let r = try report("+1 999 234 5678", at: "2026-11-25T18:00:00Z")
        #expect(r.subject.zones.isEmpty)
        #expect(r.answer == WindowAnswer(open: false, closesAt: nil, nextOpen: nil))
    }

    @Test(arguments: [
        (2026, 1, 1), (2026, 1, 19), (2026, 2, 16), (2026, 5, 25), (2026, 6, 19), (2026, 7, 3), (2026, 9, 7), (2026, 10, 12),
        (2026, 11, 11), (2026, 11, 26), (2026, 12, 25), (2027, 12, 31), (2027, 7, 5), (2027, 6, 18),
    ])
    func federalHolidaysWithObservedDays(year: Int, month: Int, day: Int) throws {
        let set = try #require(ComplianceRules.bundled.holidaySets["us-federal"])
        #expect(set.holiday(on: CivilDate.days(year: year, month: month, day: day)) != nil)
    }

    @Test func easterIsRightForKnownYears() {
        #expect(CivilDate.isoDate(HolidayDate.easterSunday(2026)) == "2026-04-05")
        #expect(CivilDate.isoDate(HolidayDate.easterSunday(2027)) == "2027-03-28")
        #expect(CivilDate.isoDate(HolidayDate.easterSunday(2000)) == "2000-04-23")
    }

    @Test func aRulesFileReplacesTheTable() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "rules.json", #"{"rules": [{"id": "us-federal", "country": "US", "hours": {"mon-fri": "10:00-16:00"}, "source": "house policy"}]}"#)
        let rules = try ComplianceRules.load(path: path)
        let r = try report("212-555-0123", at: "2026-11-25T14:30:00Z", policy: CallingWindowPolicy(rules: rules))
        #expect(!r.answer.open)
        #expect(iso(r.answer.nextOpen) == "2026-11-25T15:00:00Z")
        let bad = try dir.write("bad.json", #"{"rules": [{"id": "x", "hours": {"funday": "10:00-16:00"}}]}"#)
        #expect(throws: WindowSpecError.self) { try ComplianceRules.load(path: bad) }
    }

    /// Values that trapped in the gate later, or made no sense, are refused when the file is read.
    @Test(arguments: [
        (#"{"holiday_sets": {"h": {"holidays": [{"name": "e", "easter": 9223372036854775807}]}}, "rules": []}"#, "'easter' is an offset in days"),
        (#"{"holiday_sets": {"h": {"holidays": [{"name": "d", "month": 2, "day": 99}]}}, "rules": []}"#, "month 2 has no day 99"),
        (#"{"rules": [{"id": "x", "hours": {"mon-fri": "10:00-16:00"}, "max_calls_per_24h": -1}]}"#, "'max_calls_per_24h' must be from 1 to 1000"),
    ])
    func aRulesFileWithValuesOutOfRangeIsRefused(json: String, message: String) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("rules.json", json)
        #expect {
            try ComplianceRules.load(path: path)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}

/// The reference: is a subject open at an instant, by Foundation's Calendar in
/// each zone, rule by rule — no schedules, no offset arithmetic of ours.
private func naiveOpen(zones: [String], rules: [WindowRule], at seconds: Int64) -> Bool {
    guard !zones.isEmpty else { return false }
    for zone in zones {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let day = CivilDate.days(year: c.year!, month: c.month!, day: c.day!)
        let minute = c.hour! * 60 + c.minute!
        for rule in rules {
            guard let hours = rule.hours(onDay: day), hours.contains(minute) else { return false }
        }
    }
    return true
}

@Suite struct CallingWindowProperties {
    static let zones = [
        "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "America/Adak",
        "Pacific/Honolulu", "America/Indiana/Indianapolis", "America/Indiana/Knox", "America/Indiana/Tell_City", "America/North_Dakota/Center",
        "America/North_Dakota/Beulah", "America/Boise", "America/Puerto_Rico", "America/Regina", "America/St_Johns", "America/Halifax",
        "America/Toronto", "America/Winnipeg",
    ]
    static let states = ["FL", "TX", "UT", "PA", "RI", "LA", "AL", "CA", "NY", "SK", "NL", "ON", "WA", "KY"]

    /// For thousands of random subjects and instants across 2026–2027: when the
    /// answer is open, every zone's local time is inside every rule; when
    /// closed, it is not; `next_open` is open and no minute before it is.
    @Test func answersAgreeWithAMinuteByMinuteReference() throws {
        let seed: UInt64 = 20_261_125
        var random = SplitMix64(seed: seed)
        let rules = ComplianceRules.bundled
        let start = Instant(seconds: 1_767_225_600).seconds  // 2026-01-01
        let span: Int64 = 2 * 365 * 86_400
        let campaigns: [WindowRule?] = [
            nil, try campaign("09:00-20:00"), try campaign("08:30-17:15", closedOn: ["us-federal"]),
            WindowRule(
                id: "campaign",
                hours: WeeklyHours(days: [nil, try MinuteRange(parsing: "10:00-16:00"), nil, nil, nil, nil, try MinuteRange(parsing: "02:30-23:00")])),
        ]
        var checkedMinutes = 0
        for index in 0..<2000 {
            let zoneCount = Int(random.next() % 3) + 1
            let zones = Array(Set((0..<zoneCount).map { _ in Self.zones[Int(random.next() % UInt64(Self.zones.count))] })).sorted()
            let state = random.next() % 4 == 0 ? nil : Self.states[Int(random.next() % UInt64(Self.states.count))]
            let country = state.flatMap { NumberingPlan.shared.region($0)?.country } ?? "US"
            let policy = CallingWindowPolicy(campaign: campaigns[Int(random.next() % UInt64(campaigns.count))], rules: rules)
            let subject = WindowSubject(zones: zones, addressState: state, phoneState: nil, phoneCountry: country)
            let applied = policy.rules(for: subject)
            let t = start + Int64(random.next() % UInt64(span)) / 60 * 60
            let answer = WindowGate(policy: policy).answer(subject, at: Instant(seconds: t))
            let context = "seed \(seed) case \(index): zones \(zones) state \(state ?? "-") rules \(applied.map(\.id)) at \(Instant(seconds: t).iso8601)"
            #expect(answer.open == naiveOpen(zones: zones, rules: applied, at: t), "\(context)")
            if answer.open, let closes = answer.closesAt {
                #expect(naiveOpen(zones: zones, rules: applied, at: closes - 60), "\(context): open just before closes_at")
                #expect(!naiveOpen(zones: zones, rules: applied, at: closes), "\(context): closed at closes_at")
            }
            if !answer.open, let next = answer.nextOpen {
                #expect(naiveOpen(zones: zones, rules: applied, at: next), "\(context): open at next_open \(Instant(seconds: next).iso8601)")
                // Every minute before next_open is closed (minute resolution, up to three days).
                var m = t + 60
                while m < next && m < t + 3 * 86_400 {
                    if naiveOpen(zones: zones, rules: applied, at: m) {
                        Issue.record("\(context): open at \(Instant(seconds: m).iso8601), before next_open \(Instant(seconds: next).iso8601)")
                        break
                    }
                    m += 60
                    checkedMinutes += 1
                }
            }
            if !answer.open, answer.nextOpen == nil {
                // Never opens within 14 days: check a sample of instants.
                for k in stride(from: Int64(0), to: WindowSchedule.lookahead, by: 1800) {
                    #expect(!naiveOpen(zones: zones, rules: applied, at: t + k), "\(context): opens at +\(k)s")
                }
            }
        }
        #expect(checkedMinutes > 10_000)
    }
}
