import Foundation
import Logging

/// `serve --json-logs`: one JSON object a line on stderr (`time`, `level`,
/// `message`, then the metadata, the request id among it).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var pairs: [(String, JSONValue)] = [
            ("time", .string(Instant.now.iso8601)), ("level", .string(event.level.rawValue)), ("message", .string(event.message.description)),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { pairs.append((key, .string(value.description))) }
        Terminal.writeRaw(JSONValue.object(pairs).rendered + "\n", to: .standardError)
    }
}
