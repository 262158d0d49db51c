import Foundation
import TestSupport
import Testing

@testable import OutdialKit

private let us = PhoneNormalizer(region: "US")!

private func pool(_ numbers: [String], cap: Int? = nil, weight: [String: Int] = [:]) throws -> [PoolNumber] {
    try numbers.enumerated().map { i, text in
        var n = PoolNumber.placed(id: Int64(i + 1), number: try us.normalize(text).number)
        n.dailyCap = cap
        n.weight = weight[text] ?? 1
        return n
    }
}

private func lead(_ text: String, lastFrom: String? = nil) throws -> NumberSelector.Lead {
    .placed(try us.normalize(text).number, lastFrom: try lastFrom.map { try us.normalize($0).number.key })
}

private let wednesday: Int64 = 1_795_622_400  // 2026-11-25T16:00:00Z, a Wednesday

@Suite struct NumberSelectorTests {
    @Test func sameAreaCodeWins() throws {
        let s = NumberSelector(numbers: try pool(["212-555-0001", "646-555-0001", "415-555-0001"]), settings: SelectionSettings())
        let choice = s.select(try lead("212-555-9999"), at: wednesday)
        #expect(choice.tier == .areaCode)
        #expect(s.numbers[choice.index!].e164 == "+12125550001")
    }

    @Test func aManhattanLeadGetsA646NumberAsNearby() throws {
        let s = NumberSelector(numbers: try pool(["646-555-0001", "415-555-0001"]), settings: SelectionSettings())
        let choice = s.select(try lead("212-555-9999"), at: wednesday)
        #expect(choice.tier == .nearby)
        #expect(s.numbers[choice.index!].e164 == "+16465550001")
    }

    @Test func aBoiseLeadWithOnlySaltLakeAndPortlandNumbersGetsTheNearer() throws {
        let s = NumberSelector(numbers: try pool(["801-555-0001", "503-555-0001"]), settings: SelectionSettings())
        let choice = s.select(try lead("208-345-9999"), at: wednesday)
        #expect(choice.tier == .nearest)
        #expect(s.numbers[choice.index!].e164 == "+18015550001")
        #expect((choice.distanceKilometres ?? 0) > 300)
    }

    @Test func sameStateBeatsNearest() throws {
        let s = NumberSelector(numbers: try pool(["214-555-0001", "504-555-0001"]), settings: SelectionSettings())
        let choice = s.select(try lead("915-555-9999"), at: wednesday)  // El Paso: a Dallas number is in the same state
        #expect(choice.tier == .state)
        #expect(s.numbers[choice.index!].e164 == "+12145550001")
    }

    @Test func withFallbackNoneAndNoLocalNumberTheLeadWaits() throws {
        let s = NumberSelector(numbers: try pool(["415-555-0001"]), settings: SelectionSettings(fallback: "none"))
        let choice = s.select(try lead("212-555-9999"), at: wednesday)
        #expect(choice.index == nil)
        #expect(choice.reason.contains("fallback is none"))
    }

    @Test func aLocalStickyNumberComesFirstWhileEligible() throws {
        let s = NumberSelector(numbers: try pool(["212-555-0001", "212-555-0002", "415-555-0001"]), settings: SelectionSettings())
        let choice = s.select(try lead("212-555-9999", lastFrom: "212-555-0002"), at: wednesday)
        #expect(choice.tier == .sticky)
        #expect(s.numbers[choice.index!].e164 == "+12125550002")
    }

    @Test func aStickyDistantNumberDoesNotBeatALocalOne() throws {
        // A Rhode Island lead last called from Seattle: its own 401 number wins, and so does a nearby one.
        let s = NumberSelector(numbers: try pool(["206-555-0001", "401-555-0001"]), settings: SelectionSettings())
        let local = s.select(try lead("401-555-9999", lastFrom: "206-555-0001"), at: wednesday)
        #expect(local.tier == .areaCode)
        #expect(s.numbers[local.index!].e164 == "+14015550001")
        // A sticky number of the state still beats a fresh pick of the same state tier.
        let texas = NumberSelector(numbers: try pool(["214-555-0001", "713-555-0001"]), settings: SelectionSettings())
        let state = texas.select(try lead("915-555-9999", lastFrom: "713-555-0001"), at: wednesday)
        #expect(state.tier == .sticky)
        #expect(texas.numbers[state.index!].e164 == "+17135550001")
    }

    @Test func a401LeadWaitsForIts401NumberCoolingDownRatherThanTakeADistantOne() throws {
        let s = NumberSelector(numbers: try pool(["206-555-0001", "401-555-0001"]), settings: SelectionSettings(cooldown: 600))
        let rhodeIsland = s.index(of: try us.normalize("401-555-0001").number.key)!
        s.recordUse(rhodeIsland, at: wednesday - 60)
        let choice = s.select(try lead("401-555-9999"), at: wednesday)
        #expect(choice.index == nil)
        #expect(choice.waitFor == rhodeIsland)
        #expect(choice.waitUntil == wednesday + 540)
        #expect(choice.reason.contains("+14015550001"))
        // When the wait is longer than local_wait, fallback any takes the distant number.
        let impatient = NumberSelector(numbers: try pool(["206-555-0001", "401-555-0001"]), settings: SelectionSettings(cooldown: 600, localWait: 300))
        impatient.recordUse(rhodeIsland, at: wednesday - 60)
        let distant = impatient.select(try lead("401-555-9999"), at: wednesday)
        #expect(distant.tier == .nearest)
        #expect(impatient.numbers[distant.index!].e164 == "+12065550001")
        // local_wait 0: never wait.
        let never = NumberSelector(numbers: try pool(["206-555-0001", "401-555-0001"]), settings: SelectionSettings(cooldown: 600, localWait: 0))
        never.recordUse(rhodeIsland, at: wednesday - 60)
        #expect(never.select(try lead("401-555-9999"), at: wednesday).tier == .nearest)
    }

    @Test func leadsWaitingForOneNumberTakeTurnsAndTheTurnIsKeptForThem() throws {
        let s = NumberSelector(numbers: try pool(["206-555-0001", "401-555-0001"], cap: 3), settings: SelectionSettings(cooldown: 600))
        let local = s.index(of: try us.normalize("401-555-0001").number.key)!
        s.recordUse(local, at: wednesday)  // one use of three today
        let first = s.select(try lead("401-555-1111"), at: wednesday + 10)
        #expect(first.waitUntil == wednesday + 600)
        s.promise(local, at: first.waitUntil!)
        // The second waits a cooldown after the first: they are woken one at a time.
        let second = s.select(try lead("401-555-2222"), at: wednesday + 20)
        #expect(second.waitUntil == wednesday + 1200)
        s.promise(local, at: second.waitUntil!)
        // A third would need a fourth use today: the cap is 3, so it is called from the distant number now.
        let third = s.select(try lead("401-555-3333"), at: wednesday + 30)
        #expect(third.tier == .nearest)
        // At its turn the number is kept for the lead promised it, not taken by a newcomer.
        #expect(s.select(try lead("401-555-4444"), at: wednesday + 600).index.map { s.numbers[$0].areaCode } == 206)
        let turn = s.select(try lead("401-555-1111"), at: wednesday + 600, promised: local)
        #expect(turn.index == local)
        #expect(turn.tier == .areaCode)
    }

    @Test func withFallbackNoneALeadWaitsForItsLocalNumberHoweverLong() throws {
        let s = NumberSelector(numbers: try pool(["206-555-0001", "401-555-0001"]), settings: SelectionSettings(fallback: "none"))
        let local = s.index(of: try us.normalize("401-555-0001").number.key)!
        s.rest(local, until: wednesday + 86_400, reason: "a carrier complaint")
        let choice = s.select(try lead("401-555-9999"), at: wednesday)
        #expect(choice.index == nil)
        #expect(choice.waitUntil == wednesday + 86_400)
        #expect(choice.reason.contains("fallback: none"))
    }

    @Test func theAnswerRateIsWorkedOutAgainAsEachCallEnds() throws {
        let s = NumberSelector(numbers: try pool(["212-555-0001", "212-555-0002"]), settings: SelectionSettings())
        var health = NumberStore.Health()
        health.window = 4
        health.minimumAnswerRate = 0.2
        health.rest = 3600
        // Three calls from the history (one answered), then one more unanswered in the run: 1 of 4, 25 %.
        s.seedAnswers(0, [true, false, false])
        s.recordOutcome(0, .noAnswer, endedAt: wednesday, health: health)
        #expect(s.ineligibility(0, at: wednesday + 1) == nil)
        s.recordOutcome(0, .voicemail, endedAt: wednesday + 60, health: health)
        // The answered call has left the window: 0 of the last 4.
        #expect(s.ineligibility(0, at: wednesday + 61) == "resting until \(Instant(seconds: wednesday + 3660).iso8601) (answer rate 0% over its last 4 calls)")
        #expect(s.numbers[s.select(try lead("212-555-9999"), at: wednesday + 61).index!].e164 == "+12125550002")
        #expect(s.ineligibility(0, at: wednesday + 3660) == nil)
        // A spam block rests for rest_after_spam from the call's end.
        s.recordOutcome(1, .spamBlocked, endedAt: wednesday + 100, health: health)
        #expect(s.ineligibility(1, at: wednesday + 101)?.hasSuffix("(its last call was blocked as spam)") == true)
    }

    @Test func theDailyCapResetsAtTheNumbersLocalMidnight() throws {
        let s = NumberSelector(numbers: try pool(["212-555-0001"], cap: 2), settings: SelectionSettings())
        let evening = try Instant(iso8601: "2026-11-25T23:00:00-05:00").seconds
        s.recordUse(0, at: evening - 60)
        s.recordUse(0, at: evening - 30)
        #expect(s.select(try lead("212-555-9999"), at: evening).index == nil)
        #expect(s.ineligibility(0, at: evening) == "at its daily cap of 2")
        let afterMidnight = try Instant(iso8601: "2026-11-26T00:00:00-05:00").seconds
        #expect(s.select(try lead("212-555-9999"), at: afterMidnight - 1).index == nil)
        #expect(s.select(try lead("212-555-9999"), at: afterMidnight).index == 0)
        // Looking at the next day (as a run does to see when the pool frees) forgets nothing of today's:
        // the number is still capped this evening, and frees at midnight.
        #expect(s.firstFree(at: afterMidnight) == afterMidnight)
        #expect(s.select(try lead("212-555-9999"), at: evening + 60).index == nil)
        #expect(s.usesToday(0, at: evening + 60) == 2)
        #expect(s.firstFree(at: evening + 60) == afterMidnight)
        // A use the next day starts that day's count.
        s.recordUse(0, at: afterMidnight + 10)
        #expect(s.usesToday(0, at: afterMidnight + 20) == 1)
    }

    @Test func cooldownIsHonoured() throws {
        let s = NumberSelector(numbers: try pool(["212-555-0001"]), settings: SelectionSettings(cooldown: 600))
        s.recordUse(0, at: wednesday)
        #expect(s.select(try lead("212-555-9999"), at: wednesday + 599).index == nil)
        #expect(s.select(try lead("212-555-9999"), at: wednesday + 600).index == 0)
    }

    @Test func tiesAreBrokenByUsesThenWeightThenLeastRecentThenNumber() throws {
        let s = NumberSelector(
            numbers: try pool(["212-555-0003", "212-555-0001", "212-555-0002"], weight: ["212-555-0002": 5]), settings: SelectionSettings())
        #expect(s.numbers[s.select(try lead("212-555-9999"), at: wednesday).index!].e164 == "+12125550002")  // weight
        let plain = NumberSelector(numbers: try pool(["212-555-0003", "212-555-0001", "212-555-0002"]), settings: SelectionSettings())
        #expect(plain.numbers[plain.select(try lead("212-555-9999"), at: wednesday).index!].e164 == "+12125550001")  // the number
        plain.recordUse(0, at: wednesday - 100)
        plain.recordUse(1, at: wednesday - 50)
        plain.recordUse(2, at: wednesday - 10)
        #expect(plain.numbers[plain.select(try lead("212-555-9999"), at: wednesday).index!].e164 == "+12125550001")  // least recently used
    }

    @Test func aRestingNumberIsSkippedWithItsReason() throws {
        var numbers = try pool(["212-555-0001", "212-555-0002"])
        numbers[0].restingUntil = wednesday + 3600
        numbers[0].restingReason = "its last call was blocked as spam"
        let s = NumberSelector(numbers: numbers, settings: SelectionSettings())
        #expect(s.numbers[s.select(try lead("212-555-9999"), at: wednesday).index!].e164 == "+12125550002")
        #expect(s.ineligibility(0, at: wednesday)?.hasSuffix("(its last call was blocked as spam)") == true)
    }

    @Test func rotationSpreadsSelectionsEvenly() throws {
        let s = NumberSelector(numbers: try pool((1...7).map { "212-555-000\($0)" }, cap: 1000), settings: SelectionSettings())
        for k in 0..<1000 {
            let choice = s.select(try lead("212-555-9999"), at: wednesday + Int64(k))
            s.recordUse(choice.index!, at: wednesday + Int64(k))
        }
        let uses = s.numbers.indices.map { s.usesToday($0, at: wednesday + 1000) }
        #expect(uses.max()! - uses.min()! <= 1, "\(uses)")
        #expect(uses.reduce(0, +) == 1000)
    }

    @Test func fixedModeSkipsTiersButNotTheCap() throws {
        let s = NumberSelector(numbers: try pool(["415-555-0001"], cap: 1), settings: SelectionSettings())
        let key = try us.normalize("415-555-0001").number.key
        #expect(s.fixed(key, at: wednesday).tier == .fixed)
        s.recordUse(0, at: wednesday)
        #expect(s.fixed(key, at: wednesday + 1).index == nil)
    }

    @Test func healthRestsANumberWhoseLastCallWasSpamBlocked() throws {
        let dir = try TemporaryDirectory()
        let db = try Store.open(dir.path("t.db"))
        let csv = try dir.write("n.csv", "number\n212-555-0001\n212-555-0002\n")
        _ = try NumberStore(database: db).importCSV(path: csv)
        try db.run(
            "INSERT INTO calls (provider, to_number, from_number, queued_at, status, outcome) VALUES ('simulated', '+14155550000', '+12125550001', ?, 'completed', 'spam_blocked')",
            [.integer((wednesday - 60) * 1000)])
        let (s, _) = try NumberStore(database: db).selector(settings: SelectionSettings(), at: Instant(seconds: wednesday))
        let i = try #require(s.index(of: try us.normalize("212-555-0001").number.key))
        #expect(s.ineligibility(i, at: wednesday)?.contains("its last call was blocked as spam") == true)
        #expect(s.usesToday(i, at: wednesday) == 1)
    }
}

@Suite struct NumberImportTests {
    @Test func aRowTooLongToReadWholeOrACapOfZeroIsRejectedNotImported() throws {
        let dir = try TemporaryDirectory()
        let db = try Store.open(dir.path("t.db"))
        let huge = String(repeating: "x", count: 300 * 1024)
        let csv = try dir.write("numbers.csv", "number,label,daily_cap\n+14155550101,\(huge),10\n+12125550102,ok,0\n+13125550103,fine,5\n")
        let summary = try NumberStore(database: db).importCSV(path: csv)
        #expect(summary.rows == 3)
        #expect(summary.errors.map(\.line) == [2, 3])
        #expect(summary.errors[0].reason.contains("longer than 256 KiB") && summary.errors[1].reason.contains("1 or more"))
        #expect(
            try db.query("SELECT number, label, daily_cap FROM numbers") { "\($0.string(0) ?? "")|\($0.string(1) ?? "")|\($0.int64(2))" } == [
                "+13125550103|fine|5"
            ])
    }
}
