import Foundation
import Testing

@testable import OutdialKit

@Suite struct InstantTests {
    /// The ISO 8601 text agrees with Foundation's over a seeded spread of instants, with and without milliseconds.
    @Test func iso8601AgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var random = SplitMix64(seed: 29)
        for _ in 0..<2000 {
            let ms = Int64(random.next() % 4_102_444_800_000)  // 1970 to 2100
            let instant = Instant(milliseconds: ms)
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            #expect(instant.iso8601 == (ms % 1000 == 0 ? formatter : fractional).string(from: date))
            #expect(Instant(seconds: ms / 1000).iso8601 == formatter.string(from: Date(timeIntervalSince1970: Double(ms / 1000))))
        }
    }

    @Test(arguments: [
        ("2026-11-25T14:00:00Z", "2026-11-25T14:00:00Z"),
        ("2026-11-25T09:00:00-05:00", "2026-11-25T14:00:00Z"),
        ("2026-11-25T09:00-0500", "2026-11-25T14:00:00Z"),
        ("2026-03-08T02:30:00+05:30", "2026-03-07T21:00:00Z"),
        ("2024-02-29T23:59:59.5Z", "2024-02-29T23:59:59.500Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        // Any number of fractional digits, kept to milliseconds (four or more trapped before).
        ("2026-03-08T10:00:00.1234Z", "2026-03-08T10:00:00.123Z"),
        ("2026-03-08T10:00:00.999999999999999999999Z", "2026-03-08T10:00:00.999Z"),
        ("2026-03-08T10:00:00,25+01:00", "2026-03-08T09:00:00.250Z"),
    ])
    func parsesAndPrintsUTC(text: String, expected: String) throws {
        #expect(try Instant(iso8601: text).iso8601 == expected)
    }

    @Test(arguments: [
        ("2026-02-29T10:00:00Z", "2026-02 has no day 29"),
        ("2026-13-01T10:00:00Z", "months run 01–12"),
        ("2026-11-25T10:60:00Z", "minutes run 00–59"),
        ("2026-11-25 10:00", "the time needs an offset or 'Z' (outdial never guesses a zone)"),
        ("tomorrow", "use ISO 8601 with an offset, like 2026-11-25T14:00:00Z"),
        ("2026-11-25T10:00:00Zjunk", "unexpected text after the offset at position 21"),
    ])
    func rejectsWithAReason(text: String, reason: String) {
        #expect(throws: TimeParseError(reason)) { try Instant(iso8601: text) }
    }

    @Test func civilDateRoundTripsOverFourCenturies() {
        var days = CivilDate.days(year: 1800, month: 1, day: 1)
        let end = CivilDate.days(year: 2200, month: 1, day: 1)
        var previous = CivilDate.fromDays(days - 1)
        while days < end {
            let date = CivilDate.fromDays(days)
            #expect(CivilDate.days(year: date.year, month: date.month, day: date.day) == days)
            let advanced = date.day == 1 ? (previous.day == CivilDate.daysInMonth(year: previous.year, month: previous.month)) : (date.day == previous.day + 1)
            if !advanced { Issue.record("\(previous) -> \(date)") }
            previous = date
            days += 1
        }
    }

    @Test func weekdayOfKnownDates() {
        #expect(CivilDate.weekday(CivilDate.days(year: 2026, month: 11, day: 26)) == 4)  // Thanksgiving, a Thursday
        #expect(CivilDate.weekday(0) == 4)  // 1970-01-01 was a Thursday
    }
}

@Suite struct TimeSpanTests {
    @Test(arguments: [("90s", 90), ("10m", 600), ("4h", 14_400), ("2d", 172_800), ("1h30m", 5400), ("1w", 604_800)])
    func parses(text: String, seconds: Int64) throws {
        #expect(try TimeSpan(parsing: text).seconds == seconds)
        #expect(try TimeSpan(parsing: TimeSpan(seconds: seconds).description).seconds == seconds)
    }

    @Test(arguments: ["", "h", "10", "10x", "-5m"])
    func rejects(text: String) {
        #expect(throws: TimeParseError.self) { try TimeSpan(parsing: text) }
    }

    @Test(arguments: ["3651d", "999999999w", String(repeating: "999999999w", count: 40), "521w4d"])
    func refusesMoreThanTenYearsWithoutOverflow(text: String) {
        #expect(throws: TimeParseError("a duration can be at most 10 years (3650d)")) { try TimeSpan(parsing: text) }
    }

    @Test func tenYearsIsTheLongest() throws { #expect(try TimeSpan(parsing: "3650d") == TimeSpan.longest) }
}

@Suite struct CommandLineInstantTests {
    @Test func aDateAloneIsItsMidnightUTC() throws {
        #expect(try Instant(commandLine: "2026-12-03") == Instant(iso8601: "2026-12-03T00:00:00Z"))
        #expect(try Instant(commandLine: "2026-12-03T14:00:00-05:00") == Instant(iso8601: "2026-12-03T19:00:00Z"))
    }

    @Test func aBadDateSaysBothFormsAreTaken() {
        #expect(throws: TimeParseError.self) { try Instant(commandLine: "2026-13-03") }
        do {
            _ = try Instant(commandLine: "yesterday")
            Issue.record("a time without an offset was taken")
        } catch { #expect(error.reason.contains("or a date alone")) }
    }
}
