import AsyncHTTPClient
import Foundation
import NIOCore
import OutdialKit
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the load's workers saw.
final class Tally: Sendable {
    let acknowledged = Mutex<Set<Int>>([])
    let killed = Mutex(false)
}

/// `outdial serve` as a process: killed with SIGKILL under load, every event
/// it acknowledged is in the database.
@Suite(.serialized) struct ServeCLITests {
    /// Starts `serve` on a free port; returns the process and the port it printed.
    static func startServe(db: String, campaign: String) throws -> (Process, Int) {
        let process = Process()
        process.executableURL = Outdial.binary
        process.arguments = ["--db", db, "serve", "--campaign", campaign, "--port", "0", "--insecure-no-verify"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let handle = err.fileHandleForReading
        while !seen.contains("Listening on http://127.0.0.1:") || !seen.contains(" for campaign") {
            let data = handle.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        // Its request log goes on: keep reading it, or a full pipe would stall the server.
        handle.readabilityHandler = { _ = $0.availableData }
        let port = seen.components(separatedBy: "Listening on http://127.0.0.1:").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        return (process, port)
    }

    @Test func killedUnderLoadEveryAcknowledgedEventIsKept() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("serve.db")
        #expect(try Outdial.run(["--db", db, "init"]).status == 0)
        let campaign = try dir.write(
            "c.yml", "version: 1\nname: serve-kill\ncalling_window: { days: [mon], hours: \"09:00-17:00\", compliance: [us] }\nworkflows: []\n")
        let (process, port) = try Self.startServe(db: db, campaign: campaign)
        #expect(port > 0)
        let pid = process.processIdentifier
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for i in stride(from: worker, to: 100_000, by: 16) {
                        if tally.killed.withLock({ $0 }) { return }
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/retell")
                        request.method = .POST
                        request.body = .bytes(
                            ByteBuffer(
                                string: #"{"event":"call_analyzed","call":{"call_id":"k-\#(i)","call_status":"ended","disconnection_reason":"user_hangup"}}"#))
                        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) else { return }
                        _ = try? await response.body.collect(upTo: 1 << 16)
                        if (200..<300).contains(Int(response.status.code)) {
                            let count = tally.acknowledged.withLock {
                                $0.insert(i)
                                return $0.count
                            }
                            // Mid-load, without warning.
                            if count == 1500 {
                                kill(pid, SIGKILL)
                                tally.killed.withLock { $0 = true }
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let kept = Set(try Database(path: db).query("SELECT dedupe_key FROM events") { $0.string(0) ?? "" })
        let ids = tally.acknowledged.withLock { $0 }
        #expect(ids.count >= 1500)
        let lost = ids.filter { !kept.contains("retell:k-\($0):call_analyzed") }
        #expect(lost.isEmpty, "\(lost.count) acknowledged events are not in the database")
    }
}
