import Foundation
import OutdialKit
import TestSupport
import Testing

/// Where headless Chromium is, if anywhere.
private let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// `.ci/run` installs Chromium and sets this, so the page test cannot be skipped there.
private let chromiumRequired = ProcessInfo.processInfo.environment["OUTDIAL_REQUIRE_CHROMIUM"] == "1"

/// `outdial report` through the binary, and its page in a real browser engine.
@Suite(.serialized) struct ReportCLITests {
    private var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")
    }

    /// The example campaign simulated from a new database, as `make demo` does: the simulation's copy.
    private func simulated(_ dir: TemporaryDirectory) throws -> String {
        let db = dir.path("r.db")
        #expect(try Outdial.run(["--db", db, "numbers", "import", examples.appendingPathComponent("numbers.csv").path]).status == 0)
        #expect(
            try Outdial.run(["--db", db, "leads", "import", examples.appendingPathComponent("leads.csv").path, "--rejects", dir.path("x.csv")]).status == 0)
        let run = try Outdial.run(["--db", db, "run", examples.appendingPathComponent("campaign.yml").path, "--simulate", "--start", "2026-11-23T13:00:00Z"])
        #expect(run.status == 0, "\(run.stderr)")
        return dir.path("r.simulated.db")
    }

    /// Runs Chromium headless with arguments; its own chatter on stderr is ignored.
    private func browser(_ arguments: [String]) throws -> (status: Int32, stdout: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    @Test func theReportNamesTheCampaignByFileOrNameAndPrintsTheSameFiguresAsJSON() throws {
        let dir = try TemporaryDirectory()
        let db = try simulated(dir)
        let campaign = examples.appendingPathComponent("campaign.yml").path
        let text = try Outdial.run(["--db", db, "report", campaign])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("SIMULATED — Campaign spring-solar"))
        #expect(text.stdout.contains("calls placed outside the campaign's calling window: 0"))
        // The database holds one campaign: the argument may be left out; --json is accepted after it.
        let json = try Outdial.run(["--db", db, "report", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let value = try JSONParser.parse(Array(json.stdout.utf8))
        let answered = try Database(path: db).scalar("SELECT count(*) FROM calls WHERE outcome = 'answered'")
        #expect(value[path: "outcomes.answered.count"] == .int(answered ?? -1))
        #expect(value[path: "simulated"] == .bool(true))

        let unknown = try Outdial.run(["--db", db, "report", "spring-solr"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("did you mean 'spring-solar'?"))
        let empty = dir.path("empty.db")
        #expect(try Outdial.run(["--db", empty, "init"]).status == 0)
        let none = try Outdial.run(["--db", empty, "report"])
        #expect(none.status == 64 && none.stderr.contains("holds no campaign yet"))
        // The HTML file is not written over without --force.
        let page = dir.path("report.html")
        #expect(try Outdial.run(["--db", db, "report", campaign, "--html", page]).status == 0)
        let again = try Outdial.run(["--db", db, "report", campaign, "--html", page])
        #expect(again.status != 0 && again.stderr.contains("--force"))
    }

    @Test(.enabled(if: chromium != nil || chromiumRequired, "headless Chromium is not installed (apt-get install chromium)"))
    func thePageRendersInHeadlessChromiumWithEveryChart() throws {
        #expect(chromium != nil, "OUTDIAL_REQUIRE_CHROMIUM is set but no Chromium was found")
        guard chromium != nil else { return }
        let dir = try TemporaryDirectory()
        let db = try simulated(dir)
        let page = dir.path("report.html")
        let report = try Outdial.run(["--db", db, "report", examples.appendingPathComponent("campaign.yml").path, "--html", page])
        #expect(report.status == 0, "\(report.stderr)")

        // The DOM after the browser has parsed and laid out the page: every chart is an SVG in it.
        let dom = String(decoding: try browser(["--dump-dom", "file://" + page]).stdout, as: UTF8.self)
        #expect(dom.contains("SIMULATED"))
        for chart in ReportPage.charts { #expect(dom.contains("data-chart=\"\(chart)\""), "no chart \(chart) in the rendered page") }

        // The screenshot is not blank: a blank page of the same size, shot in the same run, compresses to far less.
        let blank = try dir.write("blank.html", "<!doctype html><html><body></body></html>")
        let shot = dir.path("report.png"), empty = dir.path("blank.png")
        #expect(try browser(["--screenshot=" + shot, "--window-size=1200,2400", "file://" + page]).status == 0)
        #expect(try browser(["--screenshot=" + empty, "--window-size=1200,2400", "file://" + blank]).status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int ?? 0
        let blankSize = try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int ?? 0
        #expect(blankSize > 0 && size > blankSize * 10, "report \(size) bytes, blank \(blankSize) bytes")
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}

/// `status --watch` reads the database again at each redraw, until Ctrl-C.
@Suite struct StatusWatchCLITests {
    @Test func watchRedrawsWithWhatChangedUntilCtrlC() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples")
        let campaign = examples.appendingPathComponent("campaign.yml").path
        let dir = try TemporaryDirectory()
        let db = dir.path("w.db")
        #expect(try Outdial.run(["--db", db, "init"]).status == 0)
        // The campaign names its leads and numbers files: the simulation imports them into its copy.
        #expect(try Outdial.run(["--db", db, "run", campaign, "--simulate", "--start", "2026-11-23T13:00:00Z", "--max-calls", "5"]).status == 0)
        let copy = dir.path("w.simulated.db")

        let process = Process()
        process.executableURL = Outdial.binary
        process.arguments = ["--db", copy, "status", "spring-solar", "--watch", "--interval", "1"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A watch that never draws what is awaited is ended, so the test fails instead of hanging.
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        var seen = ""
        /// Reads what the watch prints until `text` appears; false if it ended first.
        func read(until text: String) -> Bool {
            while !seen.contains(text) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { return false }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            return true
        }
        #expect(read(until: "all calls: 5\n"))
        // Five more calls while it watches: a later redraw shows them.
        #expect(try Outdial.run(["--db", copy, "run", campaign, "--simulate", "--max-calls", "5"]).status == 0)
        #expect(read(until: "all calls: 10\n"))
        process.interrupt()
        process.waitUntilExit()
        watchdog.cancel()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
        #expect(seen.components(separatedBy: "Campaign spring-solar").count >= 3)
    }
}
