import CSQLite
import Foundation

/// Copies a database's write-ahead log back into the file from a thread and a
/// connection of its own, so that a writer answering requests (`serve`) does
/// not wait for checkpoints.
///
/// SQLite's own checkpoint runs inside the commit that takes the log past
/// 1,000 pages: it copies the pages and syncs the log and the file, and the
/// commit waits for both syncs. Under `serve`'s grouped commits that is every
/// few hundred milliseconds, and every request of the group waits with it; on a
/// disk busy with other writes one sync can take tens of milliseconds. Here the
/// writer's commits only signal: past `pages` pages in the log, this thread
/// runs a passive checkpoint (which never blocks the writer). A writer that
/// outruns it checkpoints itself once the log reaches `limit` pages, so the log
/// stays bounded; by then most of it is copied, and what is left is short.
final class Checkpointer: @unchecked Sendable {
    /// The checkpointer's own connection, used only on its thread.
    private let database: Database
    let pages: Int32
    let limit: Int32
    private let condition = NSCondition()
    private var due = false
    private var stopping = false
    private var finished = false
    /// Checkpoints run on the thread and by the writer itself (for tests and the bench).
    private var counts = (background: 0, writer: 0)

    init(path: String, pages: Int32, limit: Int32) throws(StoreError) {
        database = try Database(path: path)
        self.pages = pages
        self.limit = limit
        let thread = Thread { [self] in loop() }
        thread.name = "outdial.checkpoint"
        thread.start()
    }

    /// Background and writer checkpoints so far.
    var checkpoints: (background: Int, writer: Int) {
        condition.lock()
        defer { condition.unlock() }
        return counts
    }

    /// Whether the thread has ended (`stop()`).
    var hasStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return finished
    }

    /// Waits until the thread has run `count` checkpoints, or `timeout` seconds passed; true if it had.
    func waitForBackground(_ count: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while counts.background < count {
            if !condition.wait(until: deadline) { return counts.background >= count }
        }
        return true
    }

    /// Called by the writer's connection after each commit, with the pages in the log.
    fileprivate func committed(_ writer: OpaquePointer?, framesInLog: Int32) {
        if framesInLog >= limit {
            sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            condition.lock()
            counts.writer += 1
            condition.unlock()
        } else if framesInLog >= pages {
            condition.lock()
            due = true
            condition.signal()
            condition.unlock()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while !due && !stopping { condition.wait() }
            if stopping {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            due = false
            condition.unlock()
            let rc = sqlite3_wal_checkpoint_v2(database.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            condition.lock()
            if rc == SQLITE_OK { counts.background += 1 }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Ends the thread, after the checkpoint it may be running.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        while !finished { condition.wait() }
        condition.unlock()
    }
}

extension Database {
    /// Moves this connection's checkpoints to a thread of their own
    /// (`Checkpointer`), for a writer whose commits answer requests. It lasts
    /// as long as the connection.
    func checkpointInBackground(pages: Int32 = 1000, limit: Int32 = 8000) throws(StoreError) {
        let checkpointer = try Checkpointer(path: path, pages: pages, limit: limit)
        background = checkpointer
        // Replaces SQLite's own hook (wal_autocheckpoint): the commit no longer checkpoints.
        sqlite3_wal_hook(
            handle,
            { context, writer, _, frames in
                guard let context else { return SQLITE_OK }
                Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().committed(writer, framesInLog: frames)
                return SQLITE_OK
            }, Unmanaged.passUnretained(checkpointer).toOpaque())
    }
}
