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
    /// Checkpoints run on the thread and by the writer itself (what the tests look at).
    private var counts = (background: 0, writer: 0)

    init(path: String, pages: Int32, limit: Int32) throws(StoreError) {
        database = try Database(path: path)
        self.pages = pages
        self.limit = limit
        let thread = Thread { [self] in loop() }
        thread.name = "outdial.checkpoint"
        thread.start()
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    /// Background and writer checkpoints so far.
    var checkpoints: (background: Int, writer: Int) { locked { counts } }

    /// Whether the thread has ended (`stop()`).
    var hasStopped: Bool { locked { finished } }

    /// Waits until the thread has run `count` checkpoints, or `timeout` seconds passed; true if it had.
    func waitForBackground(_ count: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return locked {
            while counts.background < count, condition.wait(until: deadline) {}
            return counts.background >= count
        }
    }

    /// Called by the writer's connection after each commit, with the pages in the log.
    fileprivate func committed(_ writer: OpaquePointer?, framesInLog: Int32) {
        if framesInLog >= limit {
            sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            locked { counts.writer += 1 }
        } else if framesInLog >= pages {
            locked {
                due = true
                condition.signal()
            }
        }
    }

    private func loop() {
        while true {
            let stop = locked {
                while !due && !stopping { condition.wait() }
                due = false
                return stopping
            }
            if stop { break }
            let rc = sqlite3_wal_checkpoint_v2(database.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            locked {
                if rc == SQLITE_OK { counts.background += 1 }
                condition.broadcast()
            }
        }
        locked {
            finished = true
            condition.broadcast()
        }
    }

    /// Ends the thread, after the checkpoint it may be running.
    func stop() {
        locked {
            stopping = true
            condition.broadcast()
            while !finished { condition.wait() }
        }
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
