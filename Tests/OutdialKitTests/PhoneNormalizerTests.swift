import Testing

@testable import OutdialKit

private let us = PhoneNormalizer(region: "US")!

@Suite struct PhoneNormalizerTests {
    @Test(arguments: [
        "(415) 555-0123", "+1 415-555-0123", "4155550123", "1-415-555-0123", "415.555.0123", "+14155550123",
        " 415 555 0123 ", "011 1 415 555 0123", "001 415 555 0123", "4155550123.0", "4.155550123E+09", "4.155550123E9",
        "'4155550123", "=\"4155550123\"", "415/555-0123", "+1 (415) 555\u{00A0}0123",
    ])
    func humanFormatsBecomeE164(text: String) throws {
        #expect(try us.normalize(text).number.e164 == "+14155550123")
    }

    @Test(arguments: [("415.555.0123 x12", "12"), ("415-555-0123 ext. 7", "7"), ("(415) 555-0123 extension 3301", "3301"), ("4155550123#44", "44")])
    func extensionsAreDroppedAndReported(text: String, ext: String) throws {
        let result = try us.normalize(text)
        #expect(result.number.e164 == "+14155550123")
        #expect(result.droppedExtension == ext)
    }

    @Test func spreadsheetRepairIsReported() throws {
        #expect(try us.normalize("4.155550123E+09").repair == "spreadsheet number format")
        #expect(try us.normalize("4155550123").repair == nil)
    }

    @Test(arguments: [
        ("(123) 456-0100", "has an area code starting with 1"),
        ("023-456-0100", "has an area code starting with 0"),
        ("411-555-0100", "has 411 as its area code, which is a service code, not an area code"),
        ("415-055-0123", "has an exchange starting with 0"),
        ("1-800-FLOWERS", "contains letters; keypad words such as 1-800-FLOWERS are not dialled"),
        ("415555012", "has 9 digits; a US number has 10 (or 11 starting with 1)"),
        ("415555012.0", "has 9 digits; a US number has 10 (or 11 starting with 1)"),
        ("4.16E+09", "was turned into scientific notation by a spreadsheet and may have lost digits; re-export the column as text"),
        ("", "is empty"),
        ("  ", "is empty"),
        ("()-", "has no digits"),
        ("415*555*0123", "contains '*', which is not part of a phone number"),
        ("415 555 0123 ☎", "contains '☎', which is not part of a phone number"),
        ("+999 1234 5678", "does not start with a known country code"),
        ("+1 415 555 012", "has 9 digits after +1; a NANP number has 10"),
        ("415+5550123", "has a '+' that is not at the start"),
        ("+44 20 79", "has 4 digits after +44; a GB number has 7, 9, 10"),
    ])
    func invalidNumbersSayWhy(text: String, reason: String) {
        #expect(throws: PhoneNumberError(reason)) { try us.normalize(text) }
    }

    @Test func nationalFormatInAnotherRegionDropsTheTrunkPrefix() throws {
        let gb = try #require(PhoneNormalizer(region: "GB"))
        #expect(try gb.normalize("020 7946 0958").number.e164 == "+442079460958")
        #expect(try gb.normalize("+44 (0)20 7946 0958").number.e164 == "+442079460958")
        let de = try #require(PhoneNormalizer(region: "DE"))
        #expect(try de.normalize("030 1234567").number.e164 == "+49301234567")
    }

    @Test func canadianNumbersAreNANP() throws {
        let number = try us.normalize("306-525-1234").number
        #expect(number.countryCode == 1)
        #expect(number.areaCode == 306)
    }

    @Test func e164RoundTrips() throws {
        for text in ["+14155550123", "+442079460958", "+33142685300"] {
            #expect(PhoneNumber(e164: text)?.e164 == text)
        }
        #expect(PhoneNumber(e164: "4155550123") == nil)
    }
}
