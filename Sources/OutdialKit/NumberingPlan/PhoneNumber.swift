/// A phone number in E.164: a calling code and a national significant number.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// The country calling code (1 for the NANP).
    public var countryCode: Int
    /// The national significant number as an integer (for the NANP, 10 digits:
    /// area code, exchange, line).
    public var national: UInt64
    /// How many digits the national number has (keeps leading zeros).
    public var nationalLength: Int

    public init(countryCode: Int, national: UInt64, nationalLength: Int) {
        self.countryCode = countryCode
        self.national = national
        self.nationalLength = nationalLength
    }

    /// `+14155550123`.
    public var e164: String {
        let n = String(national)
        return "+\(countryCode)" + String(repeating: "0", count: max(0, nationalLength - n.count)) + n
    }

    public var description: String { e164 }

    /// Appends `+14155550123` as UTF-8 to a byte buffer, without a `String`.
    @inline(__always)
    public func appendE164(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "+"))
        var digits: (UInt64, UInt64) = (0, 0)  // 16 bytes of scratch, enough for 15 digits
        withUnsafeMutableBytes(of: &digits) { scratch in
            var value = key
            var n = 0
            repeat {
                scratch[15 - n] = UInt8(value % 10) + 48
                value /= 10
                n += 1
            } while value > 0 && n < 16
            out.append(contentsOf: scratch[(16 - n)...])
        }
    }

    /// The NANP area code, for a NANP number.
    public var areaCode: Int? { countryCode == 1 ? Int(national / 10_000_000) : nil }

    /// Parses an E.164 string as stored in the database (`+14155550123`).
    public init?(e164 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, bytes.count <= 16, bytes[0] == UInt8(ascii: "+") else { return nil }
        let digits = bytes.dropFirst()
        guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let plan = NumberingPlan.shared
        for length in 1...3 where digits.count > length {
            let cc = digits.prefix(length).reduce(0) { $0 * 10 + Int($1 - 48) }
            if plan.isCallingCode(cc) {
                let rest = digits.dropFirst(length)
                self.init(countryCode: cc, national: rest.reduce(0) { $0 * 10 + UInt64($1 - 48) }, nationalLength: rest.count)
                return
            }
        }
        return nil
    }
}

/// Why a phone number could not be normalised, in words for the user.
public struct PhoneNumberError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The sentence fragment after the number: `has an area code starting with 1`.
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A normalised number and what normalising it noticed.
public struct NormalizedPhone: Equatable, Sendable {
    public var number: PhoneNumber
    /// An extension that was dropped (`12` from `x12`).
    public var droppedExtension: String?
    /// A repair that was made (`spreadsheet number format`).
    public var repair: String?
}

extension PhoneNumber {
    /// The E.164 digits as one integer: a compact, unique key for sets.
    public var key: UInt64 {
        var scale: UInt64 = 1
        for _ in 0..<nationalLength { scale &*= 10 }
        return UInt64(countryCode) &* scale &+ national
    }
}
