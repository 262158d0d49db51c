import Foundation

/// A country column as people write it (`UNITED STATES`, `U.S.A.`, `Canada`,
/// `us`) to its ISO 3166 code; CRMs export names, outdial stores codes.
enum CountryNames {
    /// Every ISO region's code and English name (Foundation's locale data), and the
    /// forms CRMs use for the countries outdial calls most.
    static let codes: [String: String] = {
        var table: [String: String] = [:]
        let english = Locale(identifier: "en_US")
        for region in Locale.Region.isoRegions where region.identifier.count == 2 {
            table[region.identifier.lowercased()] = region.identifier
            if let name = english.localizedString(forRegionCode: region.identifier) { table[fold(name)] = region.identifier }
        }
        for (alias, code) in [
            ("usa", "US"), ("unitedstatesofamerica", "US"), ("america", "US"), ("can", "CA"), ("mex", "MX"), ("uk", "GB"),
            ("greatbritain", "GB"), ("england", "GB"), ("gbr", "GB"), ("pri", "PR"),
        ] {
            table[alias] = code
        }
        return table
    }()

    /// The ISO code of a country written any of these ways; nil when unknown.
    static func code(_ text: String) -> String? { codes[fold(text)] }

    private static func fold(_ text: String) -> String { String(text.lowercased().filter(\.isLetter)) }
}
