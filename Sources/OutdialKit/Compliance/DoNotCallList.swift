/// One do-not-call entry: a number, or a whole NANP area code (`201XXXXXXX`).
public enum DoNotCallEntry: Hashable, Sendable {
    case number(PhoneNumber)
    case areaCode(Int)

    /// The `dnc.pattern` text: E.164, or `+1201XXXXXXX`.
    public var pattern: String {
        switch self {
        case .number(let n): return n.e164
        case .areaCode(let npa): return "+1\(npa)XXXXXXX"
        }
    }

    var kind: String {
        if case .number = self { return "number" } else { return "area_code" }
    }

    /// Reads an entry as a user writes it: any phone format, or an area code
    /// followed by seven `X`s (`201XXXXXXX`, `+1 201-XXX-XXXX`).
    public static func parse(_ text: String, normalizer: PhoneNormalizer) throws(PhoneNumberError) -> DoNotCallEntry {
        let upper = text.uppercased()
        if upper.contains("X"), !upper.contains("EXT") {
            var digits: [Int] = []
            var xs = 0
            for ch in upper {
                if let d = ch.wholeNumberValue, xs == 0 {
                    digits.append(d)
                } else if ch == "X" {
                    xs += 1
                } else if ch.isNumber || !(" -.()+".contains(ch)) {
                    throw PhoneNumberError("is not a number or an area-code wildcard such as 201XXXXXXX")
                }
            }
            if digits.count == 4, digits[0] == 1 { digits.removeFirst() }
            guard xs == 7, digits.count == 3, digits[0] >= 2 else {
                throw PhoneNumberError("is not a number or an area-code wildcard such as 201XXXXXXX")
            }
            return .areaCode(digits[0] * 100 + digits[1] * 10 + digits[2])
        }
        return .number(try normalizer.normalize(text).number)
    }
}

/// The do-not-call list in memory: numbers are never dialled or messaged,
/// area-code wildcards block every number of the area code (SPEC §2.3).
public struct DoNotCallList: Sendable {
    private var numbers: Set<UInt64> = []
    private var areaCodes: Set<Int> = []

    public init() {}

    public init(_ entries: [DoNotCallEntry]) {
        for entry in entries { insert(entry) }
    }

    public mutating func insert(_ entry: DoNotCallEntry) {
        switch entry {
        case .number(let n): numbers.insert(n.key)
        case .areaCode(let npa): areaCodes.insert(npa)
        }
    }

    /// Whether a number may not be called or messaged.
    public func contains(_ number: PhoneNumber) -> Bool {
        if let npa = number.areaCode, areaCodes.contains(npa) { return true }
        return numbers.contains(number.key)
    }

    public var count: Int { numbers.count + areaCodes.count }
}
