/// A provider's word that a call ended, however it arrived: returned by a
/// connection at placement (the simulator), posted to the webhook receiver,
/// read from a file by `ingest`, or polled. The event recorder applies it.
public struct CallEvent: Sendable, Equatable {
    /// Which call: outdial's id (echoed back from the request's metadata), or the provider's.
    public enum Reference: Sendable, Equatable {
        case callID(Int64)
        case provider(ProviderKind, callID: String)
    }

    public var call: Reference
    /// The provider's id for the call, when the event carries it.
    public var providerCallID: String?
    public var report: CallReport
    /// The payload as the provider sent it (JSON text), kept in `calls.raw` and `events.payload`.
    public var raw: String

    public init(call: Reference, providerCallID: String? = nil, report: CallReport, raw: String) {
        self.call = call
        self.providerCallID = providerCallID
        self.report = report
        self.raw = raw
    }
}

/// A message that came in (SMS, chat): the start of the messaging workflows.
public struct InboundEvent: Sendable, Equatable {
    public var channel: String
    /// E.164 of the sender (the lead) and of the number written to.
    public var from: String
    public var to: String
    public var text: String
    /// The provider's id of the message: the same message delivered twice has the same id.
    public var providerMessageID: String
    /// UTC milliseconds.
    public var occurredAt: Int64

    public init(channel: String, from: String, to: String, text: String, providerMessageID: String, occurredAt: Int64) {
        self.channel = channel
        self.from = from
        self.to = to
        self.text = text
        self.providerMessageID = providerMessageID
        self.occurredAt = occurredAt
    }
}
