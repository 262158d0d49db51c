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
    /// Writes text for a person to read: control characters that came with
    /// the data (ESC, OSC, a carriage return, C1 codes) are shown escaped
    /// (`\x1b`), never sent raw to the terminal; newlines and tabs stay.
    public static func write(_ text: String, to stream: Stream) { writeRaw(escapingControls(text), to: stream) }

    /// `text` with every control character but newline and tab written as `\xHH` (C0, DEL) or `\u{HHHH}` (C1).
    public static func escapingControls(_ text: String) -> String {
        // The common case, megabytes of clean text, is one pass over the bytes.
        let clean =
            text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                var previous: UInt8 = 0
                for byte in bytes {
                    if byte < 0x20 ? byte != 10 && byte != 9 : byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) { return false }
                    previous = byte
                }
                return true
            } ?? false
        if clean { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (v < 0x20 && v != 10 && v != 9) || v == 0x7F {
                out += "\\x" + (v < 16 ? "0" : "") + String(v, radix: 16)
            } else if (0x80...0x9F).contains(v) {
                out += "\\u{00" + String(v, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Writes outdial's own bytes as they are (colour codes, the progress bar).
    public static func writeRaw(_ text: String, to stream: Stream) {
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
