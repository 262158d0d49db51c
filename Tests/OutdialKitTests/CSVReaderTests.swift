import Foundation
import TestSupport
import Testing

@testable import OutdialKit

/// Reads every record of a text through the reader.
private func records(_ text: String, delimiter: UInt8? = nil, latin1: Bool = false, chunkTest: Bool = false, maxRecordBytes: Int = 1 << 20) throws -> [[String]]
{
    let dir = try TemporaryDirectory()
    let path = dir.path("t.csv")
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return try readAll(path: path, delimiter: delimiter, latin1: latin1, maxRecordBytes: maxRecordBytes)
}

private func readAll(path: String, delimiter: UInt8? = nil, latin1: Bool = false, maxRecordBytes: Int = 1 << 20) throws -> [[String]] {
    let reader = try CSVReader(path: path, delimiter: delimiter, latin1: latin1, maxRecordBytes: maxRecordBytes)
    var rows: [[String]] = []
    while try reader.next() { rows.append((0..<reader.fieldCount).map { reader.string($0)! }) }
    return rows
}

@Suite struct CSVReaderTests {
    @Test func quotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let rows = try records("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\n")
        #expect(rows == [["a", "b", "c"], ["x, y", "say \"hi\"", "line1\nline2"]])
    }

    @Test func crlfAndLfAndMissingFinalNewline() throws {
        #expect(try records("a,b\r\n1,2\r\n3,4") == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(try records("a,b\r1,2\r") == [["a", "b"], ["1", "2"]])
    }

    @Test func emptyFieldsAndBlankLines() throws {
        #expect(try records("a,b,c\n,,\n\n1,,3\n") == [["a", "b", "c"], ["", "", ""], ["1", "", "3"]])
    }

    @Test func byteOrderMarkIsDropped() throws {
        #expect(try records("\u{FEFF}phone,name\n1,2\n").first == ["phone", "name"])
    }

    @Test(arguments: [("a;b;c\n1;2;3\n", UInt8(ascii: ";")), ("a\tb\n1\t2\n", 9), ("a,b;c\n", UInt8(ascii: ",")), ("\"x;y\",b\n", UInt8(ascii: ","))])
    func delimiterIsDetectedFromTheHeader(text: String, expected: UInt8) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("t.csv", text)
        #expect(try CSVReader(path: path).delimiter == expected)
    }

    @Test func lineNumbersCountNewlinesInsideQuotes() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("t.csv", "h1,h2\n\"a\nb\",c\nd,e\n")
        let reader = try CSVReader(path: path)
        var lines: [Int] = []
        while try reader.next() { lines.append(reader.line) }
        #expect(lines == [1, 2, 4])
    }

    @Test func unterminatedQuoteNamesTheLineItOpenedOn() throws {
        let error = try #require(throws: CSVError.self) { try records("a,b\n1,2\n\"open,3\n4,5\n") }
        #expect(error.line == 3)
        #expect(error.kind == .unterminatedQuote)
        #expect(error.description.hasSuffix("t.csv:3: a quoted field opened on this line never closes (is a closing '\"' missing?)"))
    }

    @Test func rawKeepsTheRowAsWritten() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("t.csv", "a,b\n\"x \"\"q\"\"\",2\n")
        let reader = try CSVReader(path: path)
        _ = try reader.next()
        _ = try reader.next()
        #expect(String(decoding: reader.raw, as: UTF8.self) == "\"x \"\"q\"\"\",2")
    }

    @Test func invalidUTF8IsFoundAtItsOffset() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("t.csv")
        _ = FileManager.default.createFile(atPath: path, contents: Data([0x61, 0x0A, 0x62, 0xE9, 0x63, 0x0A]))  // "a\nb\xE9c\n"
        let reader = try CSVReader(path: path)
        _ = try reader.next()
        #expect(reader.invalidUTF8Offset() == nil)
        _ = try reader.next()
        #expect(reader.invalidUTF8Offset() == 3)
    }

    @Test func latin1IsTranscoded() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("t.csv")
        _ = FileManager.default.createFile(atPath: path, contents: Data([0x5A, 0x6F, 0xEB, 0x2C, 0x31, 0x0A]))  // "Zo\xEB,1\n"
        #expect(try readAll(path: path, latin1: true) == [["Zoë", "1"]])
    }

    @Test func anOversizedRecordIsFlaggedNotKept() throws {
        let big = String(repeating: "x", count: 5000)
        let dir = try TemporaryDirectory()
        let path = try dir.write("t.csv", "a,b\n1,\(big)\n2,3\n")
        let reader = try CSVReader(path: path, maxRecordBytes: 1000)
        var flags: [Bool] = []
        while try reader.next() { flags.append(reader.oversized) }
        #expect(flags == [false, true, false])
    }

    /// A header row may be up to 1 MiB whatever the record limit (a wide export
    /// is read whole, not cut into a wrong header); a longer one is an error.
    @Test func aHeaderIsReadWholeUpTo1MiBAndRefusedBeyond() throws {
        let dir = try TemporaryDirectory()
        let columns = (0..<30_000).map { "column\($0)" }
        let wide = try dir.write("wide.csv", "phone," + columns.joined(separator: ",") + "\n1,2\n")
        let reader = try CSVReader(path: wide, maxRecordBytes: 1000)
        #expect(try reader.nextHeader())
        #expect(!reader.oversized && reader.fieldCount == 30_001 && reader.string(30_000) == "column29999")
        #expect(try reader.next() && reader.string(0) == "1")
        #expect(reader.maxRecordBytes == 1000)

        let huge = try dir.write("huge.csv", "phone," + String(repeating: "x", count: CSVReader.maxHeaderBytes) + "\n4155550101,a\n")
        #expect {
            _ = try CSVReader(path: huge).nextHeader()
        } throws: { error in
            guard let error = error as? CSVError, case .badHeader(let why) = error.kind else { return false }
            return error.line == 1 && why.contains("over 1 MiB")
        }
        // The imports refuse it whole: nothing goes in.
        let database = try Store.open(dir.path("t.db"))
        var options = LeadImportOptions()
        options.rejectsPath = dir.path("r.csv")
        #expect(throws: CSVError.self) { try LeadImporter(database: database).run(path: huge, options: options) }
        #expect(throws: CSVError.self) { try NumberStore(database: database).importCSV(path: huge) }
        #expect(try database.scalar("SELECT count(*) FROM leads") == 0)
        #expect(try database.scalar("SELECT count(*) FROM numbers") == 0)
    }

    /// Records that straddle chunk boundaries read the same as small ones.
    @Test func recordsAcrossChunkBoundaries() throws {
        var text = "id,text\n"
        var expected = [["id", "text"]]
        var generator = SplitMix64(seed: 42)
        for i in 0..<40_000 {
            let kind = generator.next() % 4
            let value: String
            switch kind {
            case 0: value = "plain\(i)"
            case 1: value = "with, comma \(i)"
            case 2: value = "quote \"\(i)\" and\nnewline"
            default: value = String(repeating: "y", count: Int(generator.next() % 200))
            }
            expected.append(["\(i)", value])
            let quoted = value.contains(",") || value.contains("\"") || value.contains("\n")
            text += "\(i)," + (quoted ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value) + (i % 2 == 0 ? "\r\n" : "\n")
        }
        #expect(try records(text) == expected, "seed 42")
    }
}

@Suite struct CSVReaderInputTests {
    @Test func aFIFOOrDeviceIsRefusedBeforeItIsOpened() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.path("leads.csv")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: InputFileError(path: fifo, reason: "not a regular file")) { try CSVReader(path: fifo) }
        #expect(throws: InputFileError(path: "/dev/zero", reason: "not a regular file")) { try CSVReader(path: "/dev/zero") }
    }

    @Test func utf16AndBinaryFilesAreNamedForWhatTheyAre() throws {
        let dir = try TemporaryDirectory()
        let utf16 = dir.path("u.csv")
        FileManager.default.createFile(atPath: utf16, contents: Data([0xFF, 0xFE] + Array("phone\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        #expect(throws: InputFileError(path: utf16, reason: "the file is UTF-16 text; save it as UTF-8 (in Excel: CSV UTF-8)")) { try CSVReader(path: utf16) }
        let nuls = dir.path("n.csv")
        FileManager.default.createFile(atPath: nuls, contents: Data(count: 100_000))
        #expect(throws: InputFileError.self) { try CSVReader(path: nuls) }
    }
}
