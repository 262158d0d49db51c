/// A batch of parsed rows on their way from the parsing thread to the writer.
/// Text values live in one byte arena; rows refer to them by offset.
struct LeadBatch {
    /// Text values per row, in the insert statement's parameter order, then tags.
    static let textColumns = 12  // external_id phone first last email state zip country timezone state_source fields tags

    struct TextRef {
        var start: Int32
        /// -1 for NULL.
        var count: Int32
    }

    struct Row {
        var existing: Bool
        var zoneSet: Int64
        var dnc: Bool
        var line: Int32
        /// The column the phone came from when it was not the phone column (a
        /// second phone such as `Mobile Phone`); -1 for the phone column.
        var phoneSource: Int32 = -1
    }

    var arena: [UInt8] = []
    var texts: [TextRef] = []
    var rows: [Row] = []
    var zoneSets: [ZoneSetRow] = []
    var bytesRead = 0
    /// With `--list`: the E.164 of every lead of the batch's rows, including
    /// rows skipped as already stored, for the list's members.
    var listPhones: [String] = []
    /// The file's header names, for a row's `phoneSource`.
    var headers: [String] = []

    init(capacity: Int) {
        arena.reserveCapacity(capacity * 160)
        texts.reserveCapacity(capacity * Self.textColumns)
        rows.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        texts.append(TextRef(start: Int32(arena.count), count: Int32(bytes.count)))
        arena.append(contentsOf: bytes)
    }

    /// Adds a value with surrounding spaces trimmed; empty becomes NULL.
    @inline(__always)
    mutating func addTrimmed(_ bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
        while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
        if start == end { addNull() } else { add(UnsafeBufferPointer(rebasing: bytes[start..<end])) }
    }

    mutating func add(_ text: String?) {
        guard var text else { return addNull() }
        text.withUTF8 { add($0) }
    }

    @inline(__always)
    mutating func addNull() { texts.append(TextRef(start: 0, count: -1)) }

    func text(_ index: Int) -> String {
        let ref = texts[index]
        guard ref.count >= 0 else { return "" }
        return String(decoding: arena[Int(ref.start)..<Int(ref.start + ref.count)], as: UTF8.self)
    }
}

/// The parsing half of a lead import: reads rows, normalises phones, resolves
/// state and zones, weeds out rejects and duplicates, and hands the rest on in
/// batches. Runs on its own thread; touches no database.
final class LeadRowParser {
    let reader: CSVReader
    let normalizer: PhoneNormalizer
    let plan: NumberingPlan
    let resolver: LeadZoneResolver
    let dnc: DoNotCallList
    let existing: PhoneKeySet
    let rejects: RejectsWriter
    let warnings: RejectsWriter
    /// Whether the import puts its leads in a list (`--list`).
    private let listing: Bool
    let onDuplicate: DuplicatePolicy
    let headers: [String]
    let mapping: ColumnMapping
    let phoneColumn: Int
    /// Other columns whose header names a phone, read in order when the phone column is empty.
    let phoneFallbacks: [Int]
    // Column indices of the known fields, looked up once rather than per row.
    private let idColumn, firstNameColumn, lastNameColumn, nameColumn, emailColumn, stateColumn, zipColumn: Int?
    private let countryColumn, timezoneColumn, tagsColumn: Int?
    private var seen: PhoneKeySet
    private var customKeys: [[UInt8]]
    private var regionText: [String: Int16?] = [:]
    private var timezoneText: [String: [String]?] = [:]
    private var reasonCounts: [String: Int] = [:]
    private(set) var summary = LeadImportSummary()

    init(
        reader: CSVReader, normalizer: PhoneNormalizer, plan: NumberingPlan, options: LeadImportOptions, resolver: LeadZoneResolver,
        dnc: DoNotCallList, existing: PhoneKeySet, rejects: RejectsWriter, warnings: RejectsWriter
    ) throws {
        self.reader = reader
        self.normalizer = normalizer
        self.plan = plan
        self.resolver = resolver
        self.dnc = dnc
        self.existing = existing
        self.rejects = rejects
        self.warnings = warnings
        self.onDuplicate = options.onDuplicate
        self.listing = options.list != nil
        // Sized from the file (about 100 bytes a row) so the set need not grow.
        seen = PhoneKeySet(capacity: (FileSize.of(reader.file) ?? 0) / 60)
        guard try reader.nextHeader() else { throw CSVError(file: reader.file, line: 1, kind: .empty) }
        headers = (0..<reader.fieldCount).map { reader.string($0) ?? "" }
        if reader.invalidUTF8Offset() != nil {
            throw CSVError(file: reader.file, line: reader.line, kind: .badHeader("the header is not valid UTF-8; for a Latin-1 file use --encoding latin1"))
        }
        mapping = ColumnMapping(headers: headers, overrides: options.mappings)
        guard let phone = mapping.columns[.phone] else {
            throw CSVError(file: reader.file, line: reader.line, kind: .missingColumn("phone", found: headers))
        }
        phoneColumn = phone
        phoneFallbacks = mapping.custom.filter { LeadField.matching(header: $0.name) == .phone }.map(\.index)
        let columns = mapping.columns
        (idColumn, firstNameColumn, lastNameColumn, nameColumn) = (columns[.id], columns[.firstName], columns[.lastName], columns[.name])
        (emailColumn, stateColumn, zipColumn) = (columns[.email], columns[.state], columns[.zip])
        (countryColumn, timezoneColumn, tagsColumn) = (columns[.country], columns[.timezone], columns[.tags])
        customKeys = mapping.custom.map { column in
            var key: [UInt8] = []
            JSONValue.writeString(column.name, to: &key)
            key.append(58)
            return key
        }
    }

    private var finished = false

    /// The next batch of rows to write (possibly empty: all rejects), or nil
    /// once the file is done.
    func nextBatch(size: Int = 2048) throws -> LeadBatch? {
        guard !finished else { return nil }
        var batch = LeadBatch(capacity: size)
        batch.headers = headers
        while batch.rows.count < size {
            guard try reader.next() else {
                finished = true
                summary.reasons = reasonCounts.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
                break
            }
            try parseRow(into: &batch)
        }
        batch.zoneSets = resolver.takeNew()
        batch.bytesRead = reader.bytesRead
        return batch
    }

    private func reject(_ reason: String) throws {
        summary.rejected += 1
        reasonCounts[LeadImporter.reasonKind(reason), default: 0] += 1
        try rejects.write(line: reader.line, reason: reason, raw: reader.raw)
    }

    /// A row kept with a warning: counted, the first few in the summary, all in the warnings file.
    private func warn(_ text: String) throws {
        if summary.warnings.count < 10 { summary.warnings.append((reader.line, text)) }
        summary.warningCount += 1
        try warnings.write(line: reader.line, reason: text, raw: reader.raw)
    }

    private func parseRow(into batch: inout LeadBatch) throws {
        summary.rows += 1
        if reader.oversized {
            return try reject("has a field longer than \(reader.maxRecordBytes / 1024) KiB")
        }
        if let offset = reader.invalidUTF8Offset() {
            return try reject("is not valid UTF-8 (byte offset \(offset)); for a Latin-1 file use --encoding latin1")
        }
        guard reader.fieldCount == headers.count else {
            return try reject("has \(reader.fieldCount) field\(reader.fieldCount == 1 ? "" : "s"); the header has \(headers.count)")
        }
        try reader.withRecord { record in try parseFields(record, into: &batch) }
    }

    /// The rest of a row's work, on its fields as pointers.
    private func parseFields(_ record: CSVRecord, into batch: inout LeadBatch) throws {
        let normalized: NormalizedPhone
        var phoneSource: Int32 = -1
        do {
            normalized = try normalizer.normalize(bytes: record.field(phoneColumn))
        } catch {
            // An empty or unusable phone gives way to the next phone-like column that holds a number (`Mobile Phone`).
            guard
                let (column, other) = phoneFallbacks.lazy.compactMap({ c in (try? self.normalizer.normalize(bytes: record.field(c))).map { (c, $0) } })
                    .first
            else {
                return try reject("phone '\(record.string(phoneColumn))' \(error.reason)")
            }
            normalized = other
            phoneSource = Int32(column)
        }
        let number = normalized.number
        let key = number.key
        guard seen.insert(key) else {
            summary.duplicates += 1
            return try rejects.write(line: reader.line, reason: "duplicate of an earlier row (\(number.e164))", raw: reader.raw)
        }
        let isExisting = existing.contains(key)
        if isExisting, onDuplicate == .skip {
            summary.duplicates += 1
            if listing { batch.listPhones.append(number.e164) }
            return
        }
        // State: the address (state column, else ZIP or postal code), else the phone's area code.
        var address = LeadAddress()
        var stateSource: String?
        if let c = stateColumn {
            let bytes = record.field(c)
            let found: Int16?? =
                bytes.isEmpty || bytes.allSatisfy({ $0 == 32 }) ? .some(nil) : plan.regionIndex(bytes: bytes).map { .some($0) } ?? nil
            switch found {
            case .none:
                // Only an unusable phone rejects a row: the lead is kept, gated on its ZIP's and phone's zones.
                try warn(
                    "state '\(Terminal.escapingControls(String(record.string(c).prefix(60))))' is not a US state or Canadian province; it is left out and the lead gated on its ZIP's and phone's zones"
                )
            case .some(let index):
                if let index {
                    address.region = index
                    stateSource = "state"
                }
            }
        }
        var repairedZIP: ZIPPlace?
        if let c = zipColumn, case let bytes = record.field(c), !bytes.allSatisfy({ $0 == 32 }) {
            if let place = plan.place(forZIPBytes: bytes) {
                // The ZIP's own zone replaces its state's zones.
                address.zip = place
                // ZIP+4, a lost leading zero, spaces: stored as the five digits (five bytes without spaces are them).
                if bytes.count != 5 || bytes[0] == 32 || bytes[4] == 32 { repairedZIP = place }
                if address.region == nil, let region = place.region {
                    address.region = region
                    stateSource = "zip"
                }
            } else {
                let text = record.string(c)
                let province = plan.province(forPostalCode: text)
                if address.region == nil, let code = plan.state(forZIPBytes: bytes) ?? province, let index = plan.regionIndex(code: code) {
                    address.region = index
                    stateSource = "zip"
                }
                if province == nil {
                    summary.zipsNotUnderstood += 1
                    let what = plan.looksLikeZIP(bytes) ? "a ZIP code" : "a US ZIP code or Canadian postal code"
                    let gated = address.region.map { "the zones of \(plan.region(index: $0).code)" } ?? "the phone's zones"
                    try warn("zip '\(String(text.prefix(40)))' is not \(what) outdial knows; gated on \(gated)")
                }
            }
        }
        let location = plan.locate(number)
        var state = address.region.map { plan.region(index: $0).code }
        if state == nil, let phoneState = location.state {
            state = phoneState
            stateSource = "phone"
        }

        // Zones: prefix ∪ address, and the explicit timezone with them (never instead).
        var explicitZone: String?
        let zoneSet: Int64?
        if let c = timezoneColumn, !record.field(c).isEmpty, case let text = record.string(c),
            !text.trimmingSpaces().isEmpty
        {
            let zones: [String]?
            if let cached = timezoneText[text] {
                zones = cached
            } else {
                zones = LeadZoneResolver.zones(forTimezone: text)
                timezoneText[text] = zones
            }
            if let zones {
                explicitZone = text.trimmingSpaces()
                let resolved = resolver.explicitWithConflict(zones, phoneZoneSet: location.zoneSet, address: address)
                zoneSet = resolved.id
                if resolved.conflict {
                    summary.zoneConflicts += 1
                    try warn("timezone '\(explicitZone!)' agrees with neither the phone nor the address; the lead is gated on all of their zones")
                }
            } else {
                // Never a reject for that alone: the lead keeps its phone's and address's zones, and the summary says so.
                summary.timezonesNotUnderstood += 1
                try warn("timezone '\(String(text.prefix(200)))' is not understood; the lead is kept and gated on its phone's and address's zones")
                zoneSet = resolver.resolve(phoneZoneSet: location.zoneSet, address: address)
            }
        } else {
            zoneSet = resolver.resolve(phoneZoneSet: location.zoneSet, address: address)
        }

        let onDNC = dnc.contains(number)
        if onDNC { summary.dnc += 1 }
        if normalized.droppedExtension != nil { summary.extensionsDropped += 1 }
        if normalized.repair != nil { summary.repaired += 1 }

        // Texts, in the statement's parameter order.
        textColumn(idColumn, record, &batch)
        batch.texts.append(LeadBatch.TextRef(start: Int32(batch.arena.count), count: 0))
        number.appendE164(to: &batch.arena)
        batch.texts[batch.texts.count - 1].count = Int32(batch.arena.count) - batch.texts[batch.texts.count - 1].start
        if firstNameColumn == nil, lastNameColumn == nil, let c = nameColumn {
            let (first, last) = LeadImporter.split(name: record.string(c))
            batch.add(first)
            batch.add(last)
        } else {
            textColumn(firstNameColumn, record, &batch)
            textColumn(lastNameColumn, record, &batch)
        }
        textColumn(emailColumn, record, &batch)
        batch.add(state)
        if let repairedZIP { batch.add(repairedZIP.zip) } else { textColumn(zipColumn, record, &batch) }
        if let c = countryColumn, case let text = record.string(c).trimmingSpaces(), !text.isEmpty {
            batch.add(CountryNames.code(text) ?? text.uppercased())
        } else {
            batch.add(location.country)
        }
        batch.add(explicitZone)
        batch.add(stateSource)
        // Written straight into the batch (a parameter, so no dynamic exclusivity check per byte).
        let fieldsStart = batch.arena.count
        batch.arena.append(123)
        for (i, custom) in mapping.custom.enumerated() {
            if i > 0 { batch.arena.append(44) }
            batch.arena.append(contentsOf: customKeys[i])
            JSONValue.writeString(bytes: record.field(custom.index), to: &batch.arena)
        }
        batch.arena.append(125)
        batch.texts.append(LeadBatch.TextRef(start: Int32(fieldsStart), count: Int32(batch.arena.count - fieldsStart)))
        let tagsStart = batch.arena.count
        if let c = tagsColumn {
            Self.appendTagsJSON(record.field(c), to: &batch.arena)
        } else {
            batch.arena.append(contentsOf: [91, 93])
        }
        batch.texts.append(LeadBatch.TextRef(start: Int32(tagsStart), count: Int32(batch.arena.count - tagsStart)))
        batch.rows.append(LeadBatch.Row(existing: isExisting, zoneSet: zoneSet ?? 0, dnc: onDNC, line: Int32(reader.line), phoneSource: phoneSource))
        if listing { batch.listPhones.append(number.e164) }
    }

    /// `hot; new,hot` → `["hot","new"]`: split on `;` or `,`, trimmed, sorted
    /// by bytes, without repeats. Works on bytes: most rows have a tag or two.
    static func appendTagsJSON(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var tags: [UnsafeBufferPointer<UInt8>] = []
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 59 || bytes[i] == 44 {
            var s = start
            var e = i
            while s < e, bytes[s] == 32 || bytes[s] == 9 { s += 1 }
            while e > s, bytes[e - 1] == 32 || bytes[e - 1] == 9 { e -= 1 }
            if e > s { tags.append(UnsafeBufferPointer(rebasing: bytes[s..<e])) }
            start = i + 1
        }
        if tags.count > 1 { tags.sort { $0.lexicographicallyPrecedes($1) } }
        out.append(91)
        var previous: UnsafeBufferPointer<UInt8>?
        for tag in tags {
            if let previous, previous.elementsEqual(tag) { continue }
            if previous != nil { out.append(44) }
            JSONValue.writeString(bytes: tag, to: &out)
            previous = tag
        }
        out.append(93)
    }

    @inline(__always)
    private func textColumn(_ column: Int?, _ record: CSVRecord, _ batch: inout LeadBatch) {
        guard let column else { return batch.addNull() }
        batch.addTrimmed(record.field(column))
    }
}
