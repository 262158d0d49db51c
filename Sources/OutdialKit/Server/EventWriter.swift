/// The webhook receiver's one writer: events that arrive together are
/// recorded in one transaction (one commit for the group, not one fsync per
/// request), and each request is answered only after the commit that holds
/// its event.
actor EventWriter {
    private let database: Database
    private let recorder: EventRecorder
    private var pending: [(event: EventDecoder.Decoded, ms: Int64, done: CheckedContinuation<Result<EventRecorder.Recorded, any Error>, Never>)] = []
    private var flushing = false
    /// False: one commit per request (what `make bench` compares grouping with).
    let groupCommits: Bool
    /// Commits made, and events in them.
    private(set) var commits = 0

    init(path: String, campaign: Campaign, groupCommits: Bool = true) throws {
        database = try Store.open(path)
        // A commit answers requests: it must not wait for a checkpoint's syncs.
        try database.checkpointInBackground()
        recorder = try EventRecorder(database: database, campaign: campaign)
        self.groupCommits = groupCommits
    }

    /// Records the event; returns once its transaction has committed.
    func submit(_ event: EventDecoder.Decoded, receivedAt ms: Int64) async throws -> EventRecorder.Recorded {
        let result = await withCheckedContinuation { done in
            pending.append((event, ms, done))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
        return try result.get()
    }

    private func flush() {
        while !pending.isEmpty {
            let count = groupCommits ? pending.count : 1
            let group = Array(pending.prefix(count))
            pending.removeFirst(count)
            do {
                let results = try database.transaction { try group.map { try record($0.event, receivedAt: $0.ms) } }
                commits += 1
                for (item, result) in zip(group, results) { item.done.resume(returning: .success(result)) }
            } catch {
                for item in group { item.done.resume(returning: .failure(error)) }
            }
        }
        flushing = false
    }

    private func record(_ event: EventDecoder.Decoded, receivedAt ms: Int64) throws -> EventRecorder.Recorded {
        switch event {
        case .call(let update): return try recorder.record(update, receivedAt: ms)
        case .message(let message): return try recorder.record(message, receivedAt: ms)
        case .handoff(let handoff): return try recorder.record(handoff, receivedAt: ms)
        case .ignored, .invalid: return .rejected("not an event to record")
        }
    }

    func close() { try? database.execute("PRAGMA optimize") }
}
