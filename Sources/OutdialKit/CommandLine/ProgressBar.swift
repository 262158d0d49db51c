/// A one-line progress bar on stderr, redrawn at most ten times a second.
///
/// It draws nothing unless enabled, so callers can update it unconditionally.
public final class ProgressBar {
    private let label: String
    private let total: Int64
    private let enabled: Bool
    private var lastDraw: Int64 = 0
    private var drawn = false

    public init(label: String, total: Int64, enabled: Bool) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = enabled
    }

    /// Reports how far along the work is, in the same unit as `total`.
    public func update(_ done: Int64) {
        guard enabled else { return }
        let now = Instant.now.milliseconds
        guard now - lastDraw >= 100 else { return }
        lastDraw = now
        draw(done)
    }

    /// Clears the bar.
    public func finish() {
        guard enabled, drawn else { return }
        Terminal.writeRaw("\r\u{1B}[K", to: .standardError)
    }

    private func draw(_ done: Int64) {
        let fraction = Double(min(done, total)) / Double(total)
        let cells = 30
        let filled = Int(fraction * Double(cells))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: cells - filled)
        let percent = Int(fraction * 100)
        Terminal.writeRaw("\r\(label) [\(bar)] \(percent)%\u{1B}[K", to: .standardError)
        drawn = true
    }
}
