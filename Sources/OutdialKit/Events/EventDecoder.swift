/// Tells what an incoming payload is — a Retell webhook body, a Vapi server
/// message, a Twilio inbound SMS (form-encoded or its JSON form), or one of
/// outdial's own normalised events (docs/events.md) — and reads it into the
/// event it carries. No I/O: `EventIngester` and the webhook receiver record
/// what this returns.
public enum EventDecoder {
    /// A provider's word about one call.
    public struct CallUpdate: Sendable, Equatable {
        public var provider: ProviderKind
        public var providerCallID: String
        /// outdial's id, when the payload echoes the request's metadata.
        public var callID: Int64?
        /// The provider's event kind (`call_analyzed`, `end-of-call-report`, `call_completed` …).
        public var kind: String
        public var report: CallReport
        /// The record is complete: its post-call workflows may start. A Retell
        /// `call_ended` is not (its analysis comes in `call_analyzed`).
        public var complete: Bool
        public var raw: String
    }

    /// A lead asked for a person.
    public struct Handoff: Sendable, Equatable {
        public var from: String
        public var reason: String
        public var at: Int64
    }

    public enum Decoded: Sendable, Equatable {
        case call(CallUpdate)
        case message(InboundEvent)
        case handoff(Handoff)
        /// A kind outdial takes no action on (`call_started`, a Vapi `status-update` before the end …).
        case ignored(kind: String)
        case invalid(reason: String)
    }

    /// One payload, as text (a JSON object, or `From=…&Body=…` form fields).
    /// One payload as bytes (a line of a file): read without copying it to text first.
    public static func decode(bytes: ArraySlice<UInt8>, receivedAt ms: Int64) -> Decoded {
        var slice = bytes
        while let first = slice.first, first == 32 || first == 9 || first == 13 || first == 10 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 || last == 13 || last == 10 { slice = slice.dropLast() }
        guard slice.first == UInt8(ascii: "{") else { return decode(text: String(decoding: slice, as: UTF8.self), receivedAt: ms) }
        let array = Array(slice)
        do { return decode(try JSONParser.parse(array), raw: String(decoding: array, as: UTF8.self), receivedAt: ms) } catch {
            return .invalid(reason: error.description)
        }
    }

    public static func decode(text: String, receivedAt ms: Int64) -> Decoded {
        let trimmed = text.trimmingSpaces()
        if trimmed.hasPrefix("{") {
            do { return decode(try JSONParser.parse(trimmed), raw: trimmed, receivedAt: ms) } catch { return .invalid(reason: error.description) }
        }
        if trimmed.contains("="), trimmed.contains("MessageSid") || trimmed.contains("SmsSid") {
            return twilio(form(trimmed), raw: trimmed, receivedAt: ms)
        }
        return .invalid(reason: "expected a JSON object or Twilio form fields")
    }

    public static func decode(_ json: JSONValue, raw: String, receivedAt ms: Int64) -> Decoded {
        guard case .object = json else { return .invalid(reason: "expected a JSON object") }
        if let event = json["event"]?.text, let call = json["call"] { return retell(event, call, raw: raw, receivedAt: ms) }
        if let message = json["message"], case .object = message { return vapi(message, raw: raw, receivedAt: ms) }
        if json["MessageSid"] != nil || json["SmsSid"] != nil {
            var fields: [String: String] = [:]
            if case .object(let pairs) = json { for (k, v) in pairs { fields[k] = v.text ?? "" } }
            return twilio(fields, raw: raw, receivedAt: ms)
        }
        if let type = json["type"]?.text { return outdial(type, json, raw: raw, receivedAt: ms) }
        return .invalid(reason: "not a Retell webhook (event, call), a Vapi message (message.type), a Twilio SMS (MessageSid) or an outdial event (type)")
    }

    static func retell(_ event: String, _ call: JSONValue, raw: String, receivedAt ms: Int64) -> Decoded {
        guard event == "call_ended" || event == "call_analyzed" else { return .ignored(kind: "retell \(event)") }
        guard let id = call["call_id"]?.text, !id.isEmpty else { return .invalid(reason: "a Retell \(event) without call.call_id") }
        var report = RetellAPI.report(call, now: ms)
        if report.disconnectionReason.isEmpty { report.disconnectionReason = "call_status_ended" }
        return .call(
            CallUpdate(
                provider: .retell, providerCallID: id, callID: call[path: "metadata.outdial_call_id"]?.text.flatMap { Int64($0) }, kind: event,
                report: report, complete: event == "call_analyzed", raw: raw))
    }

    static func vapi(_ message: JSONValue, raw: String, receivedAt ms: Int64) -> Decoded {
        let type = message["type"]?.text ?? ""
        let call = message["call"] ?? .object([])
        guard let id = call["id"]?.text, !id.isEmpty else {
            return type == "end-of-call-report" || type == "status-update"
                ? .invalid(reason: "a Vapi \(type) without message.call.id") : .ignored(kind: "vapi \(type)")
        }
        let callID =
            call[path: "metadata.outdial_call_id"]?.text.flatMap { Int64($0) }
            ?? call[path: "assistantOverrides.metadata.outdial_call_id"]?.text.flatMap { Int64($0) }
        switch type {
        case "end-of-call-report":
            // The report's fields sit beside its call: read them as one ended call.
            guard case .object(var pairs) = message else { return .invalid(reason: "a Vapi message that is not an object") }
            if case .object(let callPairs) = call { for (k, v) in callPairs where !pairs.contains(where: { $0.0 == k }) { pairs.append((k, v)) } }
            let merged = JSONValue.object(pairs)
            return .call(
                CallUpdate(provider: .vapi, providerCallID: id, callID: callID, kind: type, report: VapiAPI.report(merged, now: ms), complete: true, raw: raw))
        case "status-update":
            guard message["status"]?.text == "ended" else { return .ignored(kind: "vapi status-update \(message["status"]?.text ?? "")") }
            return .call(
                CallUpdate(provider: .vapi, providerCallID: id, callID: callID, kind: type, report: VapiAPI.report(message, now: ms), complete: false, raw: raw)
            )
        default: return .ignored(kind: "vapi \(type)")
        }
    }

    static func twilio(_ fields: [String: String], raw: String, receivedAt ms: Int64) -> Decoded {
        guard let from = fields["From"], let to = fields["To"], let sid = fields["MessageSid"] ?? fields["SmsSid"] else {
            return .invalid(reason: "a Twilio message needs From, To and MessageSid")
        }
        let channel = from.hasPrefix("whatsapp:") ? "whatsapp" : "sms"
        func bare(_ n: String) -> String { n.hasPrefix("whatsapp:") ? String(n.dropFirst(9)) : n }
        return .message(
            InboundEvent(channel: channel, from: bare(from), to: bare(to), text: fields["Body"] ?? "", providerMessageID: sid, occurredAt: ms))
    }

    static func outdial(_ type: String, _ json: JSONValue, raw: String, receivedAt ms: Int64) -> Decoded {
        func time(_ key: String) -> Int64? { json[key]?.text.flatMap { try? Instant(iso8601: $0) }?.milliseconds }
        switch type {
        case "message_received":
            guard let from = json["from"]?.text, let to = json["to"]?.text, let id = json["provider_message_id"]?.text else {
                return .invalid(reason: "message_received needs from, to and provider_message_id")
            }
            return .message(
                InboundEvent(
                    channel: json["channel"]?.text ?? "sms", from: from, to: to, text: json["text"]?.text ?? "", providerMessageID: id,
                    occurredAt: time("received_at") ?? ms))
        case "handoff_requested":
            guard let from = json["from"]?.text else { return .invalid(reason: "handoff_requested needs from") }
            return .handoff(Handoff(from: from, reason: json["reason"]?.text ?? "", at: time("at") ?? ms))
        case "call_completed":
            guard let providerName = json["provider"]?.text, let provider = ProviderKind(rawValue: providerName) else {
                return .invalid(reason: "call_completed needs provider (\(ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let id = json["provider_call_id"]?.text, !id.isEmpty else { return .invalid(reason: "call_completed needs provider_call_id") }
            guard let outcomeName = json["outcome"]?.text, let outcome = CallOutcome(rawValue: outcomeName) else {
                return .invalid(reason: "call_completed needs outcome (\(CallOutcome.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let end = time("ended_at") ?? ms
            var report = CallReport(
                status: ProviderOutcomes.status(for: outcome), outcome: outcome, disconnectionReason: json["disconnection_reason"]?.text ?? outcomeName,
                startedAt: time("started_at"), endedAt: end, durationMs: json["duration_ms"]?.number.map { Int64($0) } ?? 0)
            report.summary = json["summary"]?.text
            report.transcript = json["transcript"]?.text
            report.sentiment = json["sentiment"]?.text.flatMap(Sentiment.init(rawValue:))
            report.callSuccessful = json["call_successful"]?.bool ?? false
            report.inVoicemail = json["in_voicemail"]?.bool ?? (outcome == .voicemail)
            report.userSpoke = json["user_spoke"]?.bool ?? (outcome == .answered)
            if let custom = json["custom_analysis"], custom != .null { report.customAnalysis = custom.rendered }
            report.costCents = json["cost_cents"]?.number.map { Int64($0) } ?? 0
            report.extras.recordingURL = json["recording_url"]?.text
            return .call(
                CallUpdate(
                    provider: provider, providerCallID: id, callID: json["call_id"]?.number.map { Int64($0) }, kind: type, report: report, complete: true,
                    raw: raw))
        default: return .ignored(kind: "outdial \(type)")
        }
    }

    /// `a=1&b=x+y%21` as fields (`+` is a space, `%XX` a byte).
    static func form(_ text: String) -> [String: String] { Dictionary(formPairs(text), uniquingKeysWith: { $1 }) }

    /// The fields in the order they came (a Twilio signature is over every one).
    static func formPairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecoded(parts[0]), parts.count > 1 ? percentDecoded(parts[1]) : "")
        }
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i != utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "+") {
                bytes.append(32)
            } else if byte == UInt8(ascii: "%"), let a = utf8.index(i, offsetBy: 1, limitedBy: utf8.endIndex), a != utf8.endIndex,
                let b = utf8.index(a, offsetBy: 1, limitedBy: utf8.endIndex), b != utf8.endIndex,
                let value = UInt8(String(decoding: [utf8[a], utf8[b]], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                i = b
            } else {
                bytes.append(byte)
            }
            i = utf8.index(after: i)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
