/// A lead column outdial understands (SPEC §2.1); anything else is a custom field.
public enum LeadField: String, CaseIterable, Sendable {
    case phone, id, firstName = "first_name", lastName = "last_name", name, email, state, zip, country, timezone, tags

    /// Header spellings, compared after folding (lowercase, no spaces, `_` or `-`).
    static let aliases: [String: LeadField] = {
        var table: [String: LeadField] = [:]
        let words: [LeadField: [String]] = [
            .phone: [
                "phone", "phonenumber", "mobile", "cell", "cellphone", "mobilephone", "mobilenumber", "telephone", "tel", "phoneno", "number",
                "mobilephonenumber", "cellphonenumber", "cellnumber", "primaryphone", "workphone", "homephone", "businessphone",
                // Pipedrive's typed phones (`Person - Phone - Mobile`).
                "phonemobile", "phonework", "phonehome", "phoneother",
            ],
            .id: ["id", "externalid", "contactid", "leadid", "customerid", "recordid", "hubspotid", "ghlcontactid"],
            .firstName: ["firstname", "first", "givenname", "fname"],
            .lastName: ["lastname", "last", "surname", "familyname", "lname"],
            .name: ["name", "fullname", "contactname"],
            .email: ["email", "emailaddress", "mail", "primaryemail", "emailwork", "emailhome"],
            .state: ["state", "province", "region", "stateprovince", "st", "state/region", "stateregion", "state/province"],
            .zip: ["zip", "zipcode", "postalcode", "postcode", "postal", "zip/postalcode", "zippostalcode"],
            .country: ["country", "countrycode", "country/region", "countryregion"],
            .timezone: ["timezone", "tz", "timezoneid", "zone"],
            .tags: ["tags", "tag", "labels"],
        ]
        for (field, list) in words { for word in list { table[word] = field } }
        return table
    }()

    /// The field a header names, if any: one of the spellings above, or one
    /// behind a CRM's object prefix (Salesforce `Mailing State/Province`,
    /// Pipedrive `Person - Phone - Mobile`, Close `primary_contact_primary_phone`).
    public static func matching(header: String) -> LeadField? {
        let folded = fold(header)
        if let field = aliases[folded] { return field }
        for prefix in objectPrefixes where folded.hasPrefix(prefix) {
            if let field = aliases[String(folded.dropFirst(prefix.count))] { return field }
        }
        return nil
    }

    /// Prefixes CRM exports put before a field's name, folded. Not `lead`:
    /// Close's `Lead Name` is the company's name, not the person's.
    static let objectPrefixes = ["primarycontact", "primaryaddress", "person", "contact", "mailing"]

    /// The field a `--map` target names (`phone`, `first_name`, `first-name` …).
    public static func named(_ text: String) -> LeadField? {
        let folded = fold(text)
        return allCases.first { fold($0.rawValue) == folded }
    }

    /// Lowercase with spaces, `_`, `-` and `.` removed.
    static func fold(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" && $0 != "." && $0 != "\u{FEFF}" }.map(Character.init))
    }
}

/// How the columns of one CSV map to lead fields.
public struct ColumnMapping: Sendable, Equatable {
    /// Column index of each known field present.
    public var columns: [LeadField: Int]
    /// Custom columns: index and header.
    public var custom: [(index: Int, name: String)]

    public static func == (a: ColumnMapping, b: ColumnMapping) -> Bool {
        a.columns == b.columns && a.custom.map(\.index) == b.custom.map(\.index) && a.custom.map(\.name) == b.custom.map(\.name)
    }

    /// Matches headers to fields; `overrides` (from `--map COLUMN=field`) win.
    /// The first column matching a field takes it; later ones stay custom.
    public init(headers: [String], overrides: [String: LeadField] = [:]) {
        var columns: [LeadField: Int] = [:]
        var custom: [(Int, String)] = []
        let foldedOverrides = Dictionary(overrides.map { (LeadField.fold($0.key), $0.value) }, uniquingKeysWith: { $1 })
        for (index, header) in headers.enumerated() {
            if let field = overrides[header] ?? foldedOverrides[LeadField.fold(header)] {
                columns[field] = index
            }
        }
        for (index, header) in headers.enumerated() where !columns.values.contains(index) {
            if let field = LeadField.matching(header: header), columns[field] == nil, overrides.values.contains(field) == false {
                columns[field] = index
            } else {
                custom.append((index, header.trimmingSpaces()))
            }
        }
        self.columns = columns
        self.custom = custom
    }
}
