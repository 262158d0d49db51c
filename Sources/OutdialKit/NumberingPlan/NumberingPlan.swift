import Foundation

/// A point on the Earth in degrees.
public struct Coordinate: Hashable, Sendable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Great-circle distance in kilometres (haversine, mean Earth radius).
    public func distanceKilometres(to other: Coordinate) -> Double {
        let r = 6371.0088
        let toRadians = Double.pi / 180
        let dLat = (other.latitude - latitude) * toRadians
        let dLon = (other.longitude - longitude) * toRadians
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(latitude * toRadians) * cos(other.latitude * toRadians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, a.squareRoot()))
    }
}

/// A NANP area code: where it is and which zones its exchanges are in.
public struct AreaCode: Sendable {
    public var code: Int
    /// Two-letter state, province or territory, when the area code has one.
    public var state: String?
    /// ISO country of the area code (US, CA, PR, JM …).
    public var country: String
    /// The centre of its exchanges, weighted by exchange.
    public var centre: Coordinate?
    /// Zones of a number whose exchange the data does not list.
    public var defaultZones: [Int16]
    /// Every zone any of its exchanges is in.
    public var zones: [Int16]
}

/// A state, province or territory.
public struct Region: Sendable {
    public var code: String
    public var country: String
    public var name: String
    public var zones: [Int16]
}

/// What the data knows of one US ZIP code: its own zone and position.
public struct ZIPPlace: Sendable, Equatable {
    /// The ZIP's value (2108 for `02108`).
    public var code: Int32
    /// The state of the ZIP, as an index of `NumberingPlan.region(index:)`.
    public var region: Int16?
    /// The ZIP's zone, an index into `NumberingPlan.zoneNames`.
    public var zone: Int16
    public var position: Coordinate?

    /// The ZIP as five digits (`02108`).
    public var zip: String {
        let digits = String(code)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}

/// Dialling facts of one country or territory (ITU region).
public struct CountryInfo: Sendable {
    /// ISO region code (`GB`).
    public var region: String
    /// The calling code (`44`).
    public var callingCode: Int
    /// The trunk prefix dropped from national format (`0`), or empty.
    public var nationalPrefix: String
    /// Possible lengths of the national significant number.
    public var lengths: [Int]
}

/// Phone prefix → zones, NANP area code and exchange → place, ZIP → state,
/// state → zones (SPEC §10): pure data, generated from pinned packages and
/// loaded once, in milliseconds.
public final class NumberingPlan: Sendable {
    /// The plan compiled into this binary.
    public static let shared = NumberingPlan()

    /// IANA zone ids; zone sets elsewhere are indices into this list.
    public let zoneNames: [String]
    private let zoneIndex: [String: Int16]
    /// Non-NANP prefixes, keyed by `prefixKey`.
    private let prefixes: [UInt64: [Int16]]
    private let longestPrefix: Int
    /// Indexed by the three-digit area code.
    private let areaCodes: [AreaCode?]
    /// Distinct zone sets of the plan; `PhoneLocation.zoneSet` indexes this.
    public let zoneSets: [[Int16]]
    private let areaZoneSets: [Int32]
    private let prefixZoneSets: [UInt64: Int32]
    private let exchanges: [Int32: Exchange]
    private let zip3: [Int16: String]
    private let zipExceptions: [Int32: String]
    /// ZIP5 → its place, state included (ZIPs without a real zone are absent).
    private let zipPlaces: [Int32: ZIPPlace]
    private let regions: [String: Region]
    private let regionList: [Region]
    /// Two-letter codes (`AA` = 0 … `ZZ` = 675) to an index into `regionList`.
    private let regionByLetters: [Int16]
    private let regionNames: [String: String]
    private let countriesByRegion: [String: CountryInfo]
    private let countriesByCode: [Int: [CountryInfo]]

    /// An exchange the data knows: its place and, when they differ from its
    /// area code's default, its zones.
    struct Exchange: Sendable {
        var state: String?
        var position: Coordinate?
        var zones: [Int16]?
        var zoneSet: Int32 = -1
    }

    init() {
        zoneNames = NumberingPlanData.zones.split(separator: "\n").map(String.init)
        var zoneIndex: [String: Int16] = [:]
        for (i, name) in zoneNames.enumerated() { zoneIndex[name] = Int16(i) }
        self.zoneIndex = zoneIndex

        var prefixes: [UInt64: [Int16]] = [:]
        var longest = 0
        NumberingPlanData.forEachRow(NumberingPlanData.prefixes) { f in
            guard f.count == 2 else { return }
            prefixes[Self.prefixKey(digits: f[0])] = NumberingPlanData.indices(f[1])
            longest = max(longest, f[0].count)
        }
        self.prefixes = prefixes
        self.longestPrefix = longest

        var areaCodes = [AreaCode?](repeating: nil, count: 1000)
        NumberingPlanData.forEachRow(NumberingPlanData.areaCodes) { f in
            guard f.count == 7, let npa = NumberingPlanData.int(f[0]) else { return }
            let centre = NumberingPlanData.double(f[3]).flatMap { lat in NumberingPlanData.double(f[4]).map { Coordinate(latitude: lat, longitude: $0) } }
            areaCodes[npa] = AreaCode(
                code: npa, state: NumberingPlanData.text(f[1]), country: NumberingPlanData.text(f[2]) ?? "US", centre: centre,
                defaultZones: NumberingPlanData.indices(f[5]), zones: NumberingPlanData.indices(f[6]))
        }
        self.areaCodes = areaCodes

        var exchanges: [Int32: Exchange] = [:]
        exchanges.reserveCapacity(40_000)
        NumberingPlanData.forEachRow(NumberingPlanData.exchanges) { f in
            guard f.count == 5, let key = NumberingPlanData.int(f[0]) else { return }
            let position = NumberingPlanData.double(f[2]).flatMap { lat in NumberingPlanData.double(f[3]).map { Coordinate(latitude: lat, longitude: $0) } }
            let zones: [Int16]? = f[4].isEmpty ? nil : (f[4].elementsEqual("-".utf8) ? [] : NumberingPlanData.indices(f[4]))
            exchanges[Int32(key)] = Exchange(state: NumberingPlanData.text(f[1]), position: position, zones: zones)
        }

        var zip3: [Int16: String] = [:]
        var zipExceptions: [Int32: String] = [:]
        NumberingPlanData.forEachRow(NumberingPlanData.zIP3) { f in
            guard f.count == 2, let key = NumberingPlanData.int(f[0]), let state = NumberingPlanData.text(f[1]) else { return }
            if f[0].count == 3 { zip3[Int16(key)] = state } else { zipExceptions[Int32(key)] = state }
        }
        self.zip3 = zip3
        self.zipExceptions = zipExceptions

        var zipPlaces: [Int32: ZIPPlace] = [:]
        zipPlaces.reserveCapacity(42_000)
        NumberingPlanData.forEachRow(NumberingPlanData.zIPs) { f in
            guard f.count == 4, let key = NumberingPlanData.int(f[0]), let zone = NumberingPlanData.int(f[1]) else { return }
            let position = NumberingPlanData.double(f[2]).flatMap { lat in NumberingPlanData.double(f[3]).map { Coordinate(latitude: lat, longitude: $0) } }
            zipPlaces[Int32(key)] = ZIPPlace(code: Int32(key), region: nil, zone: Int16(zone), position: position)
        }

        // Intern every zone list so a lead's phone zones are one small integer.
        var sets: [[Int16]] = [[]]
        var setIndex: [[Int16]: Int32] = [[]: 0]
        func intern(_ zones: [Int16]) -> Int32 {
            let sorted = zones.sorted()
            if let id = setIndex[sorted] { return id }
            let id = Int32(sets.count)
            sets.append(sorted)
            setIndex[sorted] = id
            return id
        }
        var areaZoneSets = [Int32](repeating: 0, count: 1000)
        for case let area? in areaCodes { areaZoneSets[area.code] = intern(area.defaultZones) }
        for (key, exchange) in exchanges {
            if let zones = exchange.zones { exchanges[key]!.zoneSet = intern(zones) }
        }
        var prefixZoneSets: [UInt64: Int32] = [:]
        for (key, zones) in prefixes { prefixZoneSets[key] = intern(zones) }
        self.exchanges = exchanges
        self.zoneSets = sets
        self.areaZoneSets = areaZoneSets
        self.prefixZoneSets = prefixZoneSets

        var regions: [String: Region] = [:]
        var regionNames: [String: String] = [:]
        NumberingPlanData.forEachRow(NumberingPlanData.regions) { f in
            guard f.count == 4, let code = NumberingPlanData.text(f[0]) else { return }
            let name = NumberingPlanData.text(f[2]) ?? code
            regions[code] = Region(code: code, country: NumberingPlanData.text(f[1]) ?? code, name: name, zones: NumberingPlanData.indices(f[3]))
            regionNames[Self.foldName(name)] = code
        }
        for (alias, code) in [("washington dc", "DC"), ("washington d c", "DC"), ("newfoundland and labrador", "NL"), ("yukon territory", "YT")] {
            regionNames[alias] = code
        }
        self.regions = regions
        self.regionNames = regionNames
        let list = regions.values.sorted { $0.code < $1.code }
        var byLetters = [Int16](repeating: -1, count: 676)
        for (i, region) in list.enumerated() {
            let u = Array(region.code.utf8)
            if u.count == 2 { byLetters[Int(u[0] - 65) * 26 + Int(u[1] - 65)] = Int16(i) }
        }
        self.regionList = list
        self.regionByLetters = byLetters
        // Each ZIP's state as a region index, worked out once here rather than at each look-up.
        for key in Array(zipPlaces.keys) {
            let letters = Array((zipExceptions[key] ?? zip3[Int16(key / 100)] ?? "").utf8)
            guard letters.count == 2, letters.allSatisfy({ $0 >= 65 && $0 <= 90 }) else { continue }
            let index = byLetters[Int(letters[0] - 65) * 26 + Int(letters[1] - 65)]
            if index >= 0 { zipPlaces[key]!.region = index }
        }
        self.zipPlaces = zipPlaces

        var byRegion: [String: CountryInfo] = [:]
        var byCode: [Int: [CountryInfo]] = [:]
        NumberingPlanData.forEachRow(NumberingPlanData.countries) { f in
            guard f.count == 4, let region = NumberingPlanData.text(f[0]), let cc = NumberingPlanData.int(f[1]) else { return }
            let lengths = f[3].split(separator: UInt8(ascii: ",")).compactMap { NumberingPlanData.int(Substring($0).utf8) }
            let info = CountryInfo(region: region, callingCode: cc, nationalPrefix: NumberingPlanData.text(f[2]) ?? "", lengths: lengths)
            byRegion[region] = info
            byCode[cc, default: []].append(info)
        }
        self.countriesByRegion = byRegion
        self.countriesByCode = byCode
    }

    /// A key for a digit prefix that keeps its length (so `44` and `044` differ).
    private static func prefixKey(digits: some Sequence<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        var count: UInt64 = 0
        for d in digits {
            value = value * 10 + UInt64(d - 48)
            count += 1
        }
        return count << 56 | value
    }

    private static func foldName(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter ? $0 : " " }).split(separator: " ").joined(separator: " ")
    }

    // MARK: - Look-ups

    /// The index of an IANA zone id, if the plan knows it.
    public func zoneIndex(of name: String) -> Int16? { zoneIndex[name] }

    /// Zone ids for indices.
    public func zoneNames(_ indices: [Int16]) -> [String] { indices.map { zoneNames[Int($0)] } }

    /// The area code's data, if it is a known NANP area code.
    public func areaCode(_ npa: Int) -> AreaCode? {
        guard npa >= 0, npa < 1000 else { return nil }
        return areaCodes[npa]
    }

    /// Facts of a country by ISO region code (`GB`).
    public func country(region: String) -> CountryInfo? { countriesByRegion[region.uppercased()] }

    /// The regions that use a calling code, the main one first.
    public func countries(callingCode: Int) -> [CountryInfo] { countriesByCode[callingCode] ?? [] }

    /// Whether a calling code exists.
    public func isCallingCode(_ code: Int) -> Bool { countriesByCode[code] != nil }

    /// A state, province or territory by its two-letter code.
    public func region(_ code: String) -> Region? { regions[code.uppercased()] }

    /// The index of a state written as two letters (any case), or a full name.
    public func regionIndex(bytes: UnsafeBufferPointer<UInt8>) -> Int16? {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 32 { start += 1 }
        while end > start, bytes[end - 1] == 32 { end -= 1 }
        if end - start == 2 {
            let a = bytes[start] & 0xDF, b = bytes[start + 1] & 0xDF
            if a >= 65, a <= 90, b >= 65, b <= 90 {
                let index = regionByLetters[Int(a - 65) * 26 + Int(b - 65)]
                return index >= 0 ? index : nil
            }
        }
        guard let code = regionCode(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)) else { return nil }
        return regionIndex(code: code)
    }

    /// The index of a two-letter region code.
    public func regionIndex(code: String) -> Int16? {
        let u = Array(code.utf8)
        guard u.count == 2, u[0] >= 65, u[0] <= 90, u[1] >= 65, u[1] <= 90 else { return nil }
        let index = regionByLetters[Int(u[0] - 65) * 26 + Int(u[1] - 65)]
        return index >= 0 ? index : nil
    }

    /// The region at an index.
    public func region(index: Int16) -> Region { regionList[Int(index)] }

    /// The zones of the region at an index.
    func regionZones(index: Int16) -> [Int16] { regionList[Int(index)].zones }

    /// The two-letter code for a state written as a code or a full name
    /// (`FL`, `fl`, `Florida`, `New Hampshire`).
    public func regionCode(_ text: String) -> String? {
        let trimmed = text.trimmingSpaces()
        if trimmed.count == 2, regions[trimmed.uppercased()] != nil { return trimmed.uppercased() }
        if let code = regionNames[Self.foldName(trimmed)] { return code }
        // `N.Y.`, `D.C.`, `Fla.`, `Tex`, `Ont`: the letters alone, as a code or a traditional abbreviation.
        let letters = String(trimmed.filter(\.isLetter)).lowercased()
        if letters.count == 2, regions[letters.uppercased()] != nil { return letters.uppercased() }
        return Self.abbreviations[letters]
    }

    /// The traditional (AP and GPO style) abbreviations of US states and
    /// Canadian provinces that are not their two-letter codes, without dots.
    static let abbreviations: [String: String] = [
        "ala": "AL", "alas": "AK", "ariz": "AZ", "ark": "AR", "calif": "CA", "cal": "CA", "colo": "CO", "conn": "CT", "del": "DE", "fla": "FL",
        "flor": "FL", "ill": "IL", "ind": "IN", "kan": "KS", "kans": "KS", "mass": "MA", "mich": "MI", "minn": "MN", "miss": "MS", "mont": "MT",
        "neb": "NE", "nebr": "NE", "nev": "NV", "nmex": "NM", "ndak": "ND", "sdak": "SD", "okla": "OK", "ore": "OR", "oreg": "OR", "penn": "PA",
        "penna": "PA", "tenn": "TN", "tex": "TX", "wash": "WA", "wva": "WV", "wis": "WI", "wisc": "WI", "wyo": "WY", "alta": "AB", "man": "MB",
        "nfld": "NL", "ont": "ON", "pei": "PE", "que": "QC", "pq": "QC", "sask": "SK", "yuk": "YT", "nwt": "NT", "nvt": "NU",
    ]

    /// The state of a US ZIP code (`33101`, `33101-1234`, `2108` for `02108`), from USPS facts.
    public func state(forZIP zip: String) -> String? {
        var zip = zip
        return zip.withUTF8 { state(forZIPBytes: $0) }
    }

    /// The state of a US ZIP code written as UTF-8 bytes.
    public func state(forZIPBytes bytes: UnsafeBufferPointer<UInt8>) -> String? {
        zip5(bytes).flatMap(state(forZIP5:))
    }

    /// The ZIP code's own zone and position, when the data knows the ZIP.
    public func place(forZIP zip: String) -> ZIPPlace? {
        var zip = zip
        return zip.withUTF8 { place(forZIPBytes: $0) }
    }

    /// The ZIP code's own zone and position, from UTF-8 bytes.
    public func place(forZIPBytes bytes: UnsafeBufferPointer<UInt8>) -> ZIPPlace? {
        zip5(bytes).flatMap { zipPlaces[Int32($0)] }
    }

    /// Whether a ZIP is written as one (five digits, ZIP+4, or four digits
    /// that lost their leading zero) even when the data does not know it.
    public func looksLikeZIP(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { digitsOfZIP(bytes) != nil }

    private func state(forZIP5 zip5: Int) -> String? {
        if let state = zipExceptions[Int32(zip5)] { return state }
        return zip3[Int16(zip5 / 100)]
    }

    /// The five-digit value of a ZIP, ZIP+4 (`-` or space), or of a ZIP that
    /// lost its leading zero in a spreadsheet (`2108` → 02108: a ZIP starting
    /// with 0 is the only way to get four digits, so it is unambiguous when
    /// the padded ZIP exists).
    private func zip5(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let (value, count) = digitsOfZIP(bytes) else { return nil }
        if count == 4 { return zip3[Int16(value / 100)] != nil || zipPlaces[Int32(value)] != nil ? value : nil }
        return value
    }

    /// The ZIP part of `NNNNN`, `NNNN`, `NNNNN-NNNN`, `NNNNN NNNN`, `NNNN-NNNN`
    /// or `NNNNNNNNN`, spaces around it ignored: its value and digit count.
    private func digitsOfZIP(_ bytes: UnsafeBufferPointer<UInt8>) -> (value: Int, count: Int)? {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 32 { start += 1 }
        while end > start, bytes[end - 1] == 32 { end -= 1 }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        var head = text.count
        if let separator = text.firstIndex(where: { $0 == UInt8(ascii: "-") || $0 == 32 }) {
            guard text.count - separator - 1 == 4, text[(separator + 1)...].allSatisfy(isDigit) else { return nil }
            head = separator
        } else if text.count == 9 {
            head = 5
        }
        guard head == 5 || head == 4, text[..<head].allSatisfy(isDigit), text.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "-") || $0 == 32 })
        else { return nil }
        let value = text[..<head].reduce(0) { $0 * 10 + Int($1 - 48) }
        return (value, head)
    }

    /// The province of a Canadian postal code (`K1A 0B1`), from its first
    /// letter (the forward sortation area's district; X0A–X0C is Nunavut).
    public func province(forPostalCode text: String) -> String? {
        let letters = Array(text.uppercased().utf8.filter { $0 != 32 && $0 != UInt8(ascii: "-") })
        guard letters.count == 6 || letters.count == 3 else { return nil }
        for (i, c) in letters.enumerated() {
            let isLetter = c >= 65 && c <= 90, isDigit = c >= 48 && c <= 57
            guard i % 2 == 0 ? isLetter : isDigit else { return nil }
        }
        switch letters[0] {
        case UInt8(ascii: "A"): return "NL"
        case UInt8(ascii: "B"): return "NS"
        case UInt8(ascii: "C"): return "PE"
        case UInt8(ascii: "E"): return "NB"
        case UInt8(ascii: "G"), UInt8(ascii: "H"), UInt8(ascii: "J"): return "QC"
        case UInt8(ascii: "K"), UInt8(ascii: "L"), UInt8(ascii: "M"), UInt8(ascii: "N"), UInt8(ascii: "P"): return "ON"
        case UInt8(ascii: "R"): return "MB"
        case UInt8(ascii: "S"): return "SK"
        case UInt8(ascii: "T"): return "AB"
        case UInt8(ascii: "V"): return "BC"
        case UInt8(ascii: "X"):
            return letters[1] == UInt8(ascii: "0") && [UInt8(ascii: "A"), UInt8(ascii: "B"), UInt8(ascii: "C")].contains(letters[2]) ? "NU" : "NT"
        case UInt8(ascii: "Y"): return "YT"
        default: return nil
        }
    }

    /// Where a phone number is, from its digits alone.
    public func locate(_ number: PhoneNumber) -> PhoneLocation {
        if number.countryCode == 1 {
            let npa = Int(number.national / 10_000_000)
            let npanxx = Int32(number.national / 10_000)
            guard let area = areaCode(npa) else { return PhoneLocation(zones: [], zoneSet: 0, state: nil, country: nil, position: nil) }
            let exchange = exchanges[npanxx]
            let own = exchange?.zones != nil
            return PhoneLocation(
                zones: exchange?.zones ?? area.defaultZones,
                zoneSet: own ? exchange!.zoneSet : areaZoneSets[npa],
                state: exchange?.state ?? area.state,
                country: area.country,
                position: exchange?.position ?? area.centre)
        }
        // Longest prefix over the E.164 digits.
        let country = countries(callingCode: number.countryCode).first?.region
        let digits = Array(number.e164.utf8.dropFirst())
        var n = min(digits.count, longestPrefix)
        while n > 0 {
            let key = Self.prefixKey(digits: digits[0..<n])
            if let zones = prefixes[key] {
                return PhoneLocation(zones: zones, zoneSet: prefixZoneSets[key] ?? 0, state: nil, country: country, position: nil)
            }
            n -= 1
        }
        return PhoneLocation(zones: [], zoneSet: 0, state: nil, country: country, position: nil)
    }
}

/// What the numbering plan says about one phone number.
public struct PhoneLocation: Sendable, Equatable {
    /// Zone indices (sorted); empty when the data does not place the number.
    public var zones: [Int16]
    /// The id of `zones` in `NumberingPlan.zoneSets` (0 for none).
    public var zoneSet: Int32
    /// The state or province of the exchange or area code.
    public var state: String?
    /// ISO country.
    public var country: String?
    /// The exchange's place, or the area code's centre.
    public var position: Coordinate?
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
