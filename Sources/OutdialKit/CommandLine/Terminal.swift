#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Facts about the terminal the tool runs in.
public enum Terminal {
    /// A standard stream.
    public enum Stream: Sendable {
        case standardOutput, standardError

        var descriptor: Int32 { self == .standardOutput ? 1 : 2 }
    }

    /// Whether the stream is a terminal (progress bars and colour only then).
    public static func isTerminal(_ stream: Stream) -> Bool { isatty(stream.descriptor) == 1 }

    /// The width to wrap help to: `$COLUMNS`, else the terminal's, else 80.
    public static var columns: Int {
        if let text = getenv("COLUMNS"), let value = Int(String(cString: text)), value >= 40 { return value }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) }
        return 80
    }

    /// Writes bytes to a stream, retrying short writes.
    public static func write(_ text: String, to stream: Stream) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(stream.descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 {
                    if n < 0, errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}
