/// Turns a phone number written by a human (or damaged by a spreadsheet) into
/// E.164, or says precisely why it cannot.
///
/// Works on UTF-8 bytes and integers; it is on the import's hot path.
public struct PhoneNormalizer: Sendable {
    /// The default region for numbers written without a country code.
    public let region: CountryInfo
    private let plan: NumberingPlan

    /// A normaliser for a default region (`US`, `CA`, `GB` …).
    public init?(region code: String, plan: NumberingPlan = .shared) {
        guard let region = plan.country(region: code) else { return nil }
        self.region = region
        self.plan = plan
    }

    /// Normalises a string.
    public func normalize(_ text: String) throws(PhoneNumberError) -> NormalizedPhone {
        var text = text
        let result = text.withUTF8 { buffer in Result { () throws(PhoneNumberError) in try normalize(bytes: buffer) } }
        return try result.get()
    }

    /// Normalises UTF-8 bytes.
    public func normalize(bytes raw: UnsafeBufferPointer<UInt8>) throws(PhoneNumberError) -> NormalizedPhone {
        var start = 0
        var end = raw.count
        while start < end, Self.isSpace(raw[start]) { start += 1 }
        while end > start, Self.isSpace(raw[end - 1]) { end -= 1 }
        guard start < end else { throw PhoneNumberError("is empty") }
        let bytes = UnsafeBufferPointer(rebasing: raw[start..<end])

        if let repaired = try Self.repairSpreadsheetNumber(bytes) {
            var result = try repaired.withUnsafeBufferPointer { buffer in
                Result { () throws(PhoneNumberError) in try normalizeDigits(international: false, digits: buffer) }
            }.get()
            result.repair = "spreadsheet number format"
            return result
        }

        // Split off an extension: `x12`, `ext 12`, `ext. 12`, `extension 12`, `#12`.
        var body = bytes.count
        var droppedExtension: String?
        if let (cut, ext) = Self.extensionSplit(bytes) {
            body = cut
            droppedExtension = ext
        }

        // Up to 24 digits in a fixed buffer on the stack: no allocation per number.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &scratch) { digits -> Result<NormalizedPhone, PhoneNumberError> in
            var count = 0
            var plus = false
            var sawDigit = false
            for i in 0..<body {
                let c = bytes[i]
                switch c {
                case 48...57:
                    guard count < digits.count else { return .failure(PhoneNumberError("has too many digits to be a phone number")) }
                    digits[count] = c - 48
                    count += 1
                    sawDigit = true
                case UInt8(ascii: "+"):
                    guard !sawDigit, !plus else { return .failure(PhoneNumberError("has a '+' that is not at the start")) }
                    plus = true
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "/"), 9:
                    continue
                case 0xC2 where i + 1 < body && bytes[i + 1] == 0xA0:  // no-break space
                    continue
                case 0xA0 where i > 0 && bytes[i - 1] == 0xC2:
                    continue
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                    return .failure(PhoneNumberError("contains letters; keypad words such as 1-800-FLOWERS are not dialled"))
                default:
                    return .failure(PhoneNumberError("contains '\(Self.character(bytes, at: i))', which is not part of a phone number"))
                }
            }
            guard count > 0 else { return .failure(PhoneNumberError("has no digits")) }
            var international = plus
            var offset = 0
            if !plus {
                // International call prefixes written instead of '+': 011 (NANP) and 00 (most of the world).
                if count > 3, digits[0] == 0, digits[1] == 1, digits[2] == 1, region.callingCode == 1 {
                    international = true
                    offset = 3
                } else if count > 2, digits[0] == 0, digits[1] == 0 {
                    international = true
                    offset = 2
                }
            }
            let span = UnsafeBufferPointer<UInt8>(start: digits.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, count: count - offset)
            return Result { () throws(PhoneNumberError) in try normalizeDigits(international: international, digits: span) }
        }
        var result = try parsed.get()
        result.droppedExtension = droppedExtension
        return result
    }

    private func normalizeDigits(international: Bool, digits: UnsafeBufferPointer<UInt8>) throws(PhoneNumberError) -> NormalizedPhone {
        let count = digits.count
        var callingCode = region.callingCode
        var start = 0
        if international {
            var found = false
            for length in 1...3 where count > length {
                var cc = 0
                for k in 0..<length { cc = cc * 10 + Int(digits[k]) }
                if plan.isCallingCode(cc) {
                    callingCode = cc
                    start = length
                    found = true
                    break
                }
            }
            guard found else { throw PhoneNumberError("does not start with a known country code") }
        } else if callingCode == 1 {
            if count == 11, digits[0] == 1 { start = 1 }
        } else if let prefix = region.nationalPrefix.utf8.first, count > 1, digits[0] == prefix - 48 {
            start = 1
        }
        var length = count - start
        if callingCode == 1 {
            guard length == 10 else {
                if international { throw PhoneNumberError("has \(length) digits after +1; a NANP number has 10") }
                throw PhoneNumberError("has \(count) digits; a \(region.region) number has 10 (or 11 starting with 1)")
            }
            let a = digits[start], b = digits[start + 1], c = digits[start + 2]
            guard a >= 2 else { throw PhoneNumberError("has an area code starting with \(a)") }
            guard !(b == 1 && c == 1) else { throw PhoneNumberError("has \(a)11 as its area code, which is a service code, not an area code") }
            guard digits[start + 3] >= 2 else { throw PhoneNumberError("has an exchange starting with \(digits[start + 3])") }
        } else {
            let countries = plan.countries(callingCode: callingCode)
            let allowed = Set(countries.flatMap(\.lengths))
            // `+44 (0)20 …`: a trunk prefix written after the country code.
            if international, !allowed.contains(length), allowed.contains(length - 1),
                let prefix = countries.first?.nationalPrefix.utf8.first, digits[start] == prefix - 48
            {
                start += 1
                length -= 1
            }
            guard allowed.isEmpty || allowed.contains(length) else {
                let name = countries.first?.region ?? "+\(callingCode)"
                let list = allowed.sorted().map(String.init).joined(separator: ", ")
                throw PhoneNumberError("has \(length) digits after +\(callingCode); a \(name) number has \(list)")
            }
        }
        var national: UInt64 = 0
        for k in start..<count { national = national * 10 + UInt64(digits[k]) }
        return NormalizedPhone(number: PhoneNumber(countryCode: callingCode, national: national, nationalLength: length), droppedExtension: nil, repair: nil)
    }

    // MARK: - Helpers

    @inline(__always)
    private static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 34 || c == 39 || c == 61 }

    private static func character(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> String {
        var end = i + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self)
    }

    private static let extensionWords: [[UInt8]] = ["extension", "ext", "x", "#"].map { Array($0.utf8) }

    /// `x12`, `ext12`, `ext. 12`, `extension 12`, `#12` at the end: where the
    /// number ends and the extension's digits.
    private static func extensionSplit(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, String)? {
        var i = bytes.count
        while i > 0, bytes[i - 1] >= 48, bytes[i - 1] <= 57 { i -= 1 }
        let digitsStart = i
        guard digitsStart < bytes.count, digitsStart > 0 else { return nil }
        while i > 0, bytes[i - 1] == 32 || bytes[i - 1] == UInt8(ascii: ".") || bytes[i - 1] == UInt8(ascii: ":") { i -= 1 }
        for w in Self.extensionWords {
            guard i >= w.count else { continue }
            var match = true
            for k in 0..<w.count where bytes[i - w.count + k] | 0x20 != w[k] | (w[k] == 35 ? 0 : 0x20) {
                match = false
                break
            }
            // The word must not be glued to letters before it.
            if match, i - w.count > 0, bytes[i - w.count - 1] | 0x20 >= 97, bytes[i - w.count - 1] | 0x20 <= 122 { match = false }
            if match {
                let ext = String(decoding: UnsafeBufferPointer(rebasing: bytes[digitsStart..<bytes.count]), as: UTF8.self)
                return (i - w.count, ext)
            }
        }
        return nil
    }

    /// Repairs what spreadsheets do to numbers: `4155550123.0` and
    /// `4.155550123E+09`. Returns nil when the text is not of that form;
    /// throws when the spreadsheet lost digits.
    private static func repairSpreadsheetNumber(_ bytes: UnsafeBufferPointer<UInt8>) throws(PhoneNumberError) -> [UInt8]? {
        // Quick reject: must be digits, at most one '.', optional E/e exponent.
        var dot = -1
        var exp = -1
        for (i, c) in bytes.enumerated() {
            switch c {
            case 48...57: continue
            case UInt8(ascii: "."): if dot >= 0 || exp >= 0 { return nil } else { dot = i }
            case UInt8(ascii: "E"), UInt8(ascii: "e"): if exp >= 0 || dot < 0 { return nil } else { exp = i }
            case UInt8(ascii: "+"): if exp < 0 || i != exp + 1 { return nil }
            default: return nil
            }
        }
        guard dot > 0 else { return nil }
        let mantissaEnd = exp >= 0 ? exp : bytes.count
        let intPart = Array(bytes[0..<dot]).map { $0 - 48 }
        var fraction = Array(bytes[(dot + 1)..<mantissaEnd]).map { $0 - 48 }
        if exp < 0 {
            // `4155550123.0`: only zeros may follow the point.
            guard fraction.allSatisfy({ $0 == 0 }), intPart.count >= 7 else { return nil }
            return intPart
        }
        var exponent = 0
        for c in bytes[(exp + 1)..<bytes.count] where c != UInt8(ascii: "+") { exponent = exponent * 10 + Int(c - 48) }
        while let last = fraction.last, last == 0, fraction.count > exponent { fraction.removeLast() }
        guard intPart.count == 1, exponent >= 6 else { return nil }
        guard fraction.count <= exponent else { return nil }
        if fraction.count < exponent {
            // 4.16E+09: the spreadsheet rounded the number; its last digits may be gone.
            throw PhoneNumberError("was turned into scientific notation by a spreadsheet and may have lost digits; re-export the column as text")
        }
        return intPart + fraction
    }
}
