import Foundation
import TestSupport
import Testing

@testable import OutdialKit

@Suite struct DoNotCallImporterTests {
    static func importing(_ bytes: [UInt8], skipInvalid: Bool = false) throws -> (Result<DoNotCallImporter.Result, any Error>, [String]) {
        let dir = try TemporaryDirectory()
        let path = dir.path("dnc.txt")
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let db = try Store.open(dir.path("t.db"))
        let result = Result { try DoNotCallImporter(database: db).run(path: path, region: "US", skipInvalid: skipInvalid) }
        return (result, try db.query("SELECT pattern FROM dnc ORDER BY pattern") { $0.string(0) ?? "" })
    }

    static func importing(_ text: String, skipInvalid: Bool = false) throws -> (Result<DoNotCallImporter.Result, any Error>, [String]) {
        try importing(Array(text.utf8), skipInvalid: skipInvalid)
    }

    @Test func aStrayQuoteFailsTheImportWithItsLinesAndImportsNothing() throws {
        let (result, stored) = try Self.importing("\"4155550101\n4155550102\n4155550103\"\n")
        #expect(stored.isEmpty)
        let error = try #require(fileError(result))
        #expect(error.count == 2 && error.errors.map(\.line) == [1, 3])
        #expect(error.exitCode == .dataError)
        // With --skip-invalid the readable line is imported and the others listed.
        let (skipped, kept) = try Self.importing("\"4155550101\n4155550102\n4155550103\"\n", skipInvalid: true)
        #expect(try skipped.get().errorCount == 2)
        #expect(kept == ["+14155550102"])
    }

    @Test func plainListsInEachEncodingAreDecoded() throws {
        let text = "# our list\n4155550101\r\n(212) 555-0102\n201XXXXXXX\n"
        var le: [UInt8] = [0xFF, 0xFE]
        var be: [UInt8] = [0xFE, 0xFF]
        for unit in text.utf16 {
            le += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            be += [UInt8(unit >> 8), UInt8(unit & 0xFF)]
        }
        for bytes in [Array(text.utf8), [0xEF, 0xBB, 0xBF] + Array(text.utf8), le, be] {
            let (result, stored) = try Self.importing(bytes)
            #expect(try result.get().entries == 3)
            #expect(stored == ["+1201XXXXXXX", "+12125550102", "+14155550101"], "\(bytes.prefix(2))")
        }
    }

    @Test func aCSVNeedsItsPhoneColumnAndKeepsItsQuoting() throws {
        let (ok, stored) = try Self.importing("name,Phone Number\n\"Doe, Ann\",\"(415) 555-0101\"\nBo,212.555.0102\n")
        #expect(try ok.get().entries == 2 && stored == ["+12125550102", "+14155550101"])
        let (noColumn, none) = try Self.importing("name,email\nAnn,a@example.com\n")
        #expect(none.isEmpty)
        #expect(try #require(fileError(noColumn)).errors.first?.reason.contains("names no phone column") == true)
    }

    @Test func junkNULsAndEndlessLinesAreErrorsWithBoundedMemory() throws {
        var rng = SplitMix64(seed: 5)
        let junk = (0..<50_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let (binary, _) = try Self.importing(junk)
        #expect(fileError(binary) != nil)
        let (nuls, _) = try Self.importing([UInt8](repeating: 0, count: 3_000_000))
        let error = try #require(fileError(nuls))
        #expect(error.count == 1 && error.errors[0].reason.contains("longer than 1024") && error.errors[0].text.utf8.count <= 203)
    }

    @Test func aFIFOIsRefusedInsteadOfWaitedOn() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.path("dnc.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let db = try Store.open(dir.path("t.db"))
        #expect(throws: InputFileError(path: fifo, reason: "not a regular file")) { try DoNotCallImporter(database: db).run(path: fifo, region: "US") }
    }
}

private func fileError(_ result: Result<DoNotCallImporter.Result, any Error>) -> DoNotCallFileError? {
    if case .failure(let error) = result { return error as? DoNotCallFileError }
    return nil
}
