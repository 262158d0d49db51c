import Crypto
import Foundation

/// Each provider's webhook signature, checked as the provider specifies,
/// with HMAC through swift-crypto and constant-time comparison
/// (docs/events.md, "Signatures").
public enum WebhookSignature {
    public enum Verdict: Sendable, Equatable {
        case valid
        case missing
        case invalid
        /// Signed, but outside the time window (a replay, or a clock far off).
        case stale
    }

    /// How far a signed timestamp may be from now (Retell's window; outdial's own too).
    public static let window: Int64 = 5 * 60 * 1000

    /// Retell: `x-retell-signature: v=<unix ms>,d=<hex HMAC-SHA256(API key, raw body + v)>`.
    public static func retell(body: [UInt8], header: String?, key: String, now ms: Int64) -> Verdict {
        guard let header, !header.isEmpty else { return .missing }
        let parts = fields(header)
        guard let v = parts["v"], let time = Int64(v), let d = parts["d"], d.utf8.count == 64, let digest = hex(d) else { return .invalid }
        guard equal(retellDigest(body: body, v: v, key: key), digest) else { return .invalid }
        return abs(ms - time) <= window ? .valid : .stale
    }

    /// Retell's MAC: HMAC-SHA256(API key, raw body + v).
    public static func retellDigest(body: [UInt8], v: String, key: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: body + Array(v.utf8), using: SymmetricKey(data: Array(key.utf8))))
    }

    /// Vapi's legacy server secret: the `X-Vapi-Secret` header equals the secret.
    public static func vapiSecret(header: String?, secret: String) -> Verdict {
        guard let header, !header.isEmpty else { return .missing }
        return equal(Array(header.utf8), Array(secret.utf8)) ? .valid : .invalid
    }

    /// Vapi's HMAC credential (defaults): `x-signature: <hex HMAC-SHA256(secret, "{timestamp}.{body}")>`
    /// with `x-timestamp` (ms or s since 1970), an optional `sha256=` prefix.
    public static func vapiHMAC(body: [UInt8], signature: String?, timestamp: String?, secret: String, now ms: Int64) -> Verdict {
        guard let signature, !signature.isEmpty, let timestamp, let t = Int64(timestamp) else { return .missing }
        let text = signature.hasPrefix("sha256=") ? String(signature.dropFirst(7)) : signature
        guard let digest = hex(text) ?? Data(base64Encoded: text).map(Array.init) else { return .invalid }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        guard equal(Array(mac), digest) else { return .invalid }
        let signedMs = t < 100_000_000_000 ? t * 1000 : t
        return abs(ms - signedMs) <= window ? .valid : .stale
    }

    /// Twilio: `X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + each
    /// parameter's name and value, sorted by name))`, the URL as Twilio calls it.
    public static func twilio(url: String, parameters: [(String, String)], header: String?, token: String) -> Verdict {
        guard let header, !header.isEmpty else { return .missing }
        guard let given = Data(base64Encoded: header) else { return .invalid }
        return equal(Array(given), twilioDigest(url: url, parameters: parameters, token: token)) ? .valid : .invalid
    }

    static func twilioDigest(url: String, parameters: [(String, String)], token: String) -> [UInt8] {
        var text = url
        for (name, value) in parameters.sorted(by: { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }) { text += name + value }
        return Array(HMAC<Insecure.SHA1>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: Array(token.utf8))))
    }

    /// outdial's own route: `X-Outdial-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
    public static func outdial(body: [UInt8], header: String?, secret: String, now ms: Int64) -> Verdict {
        guard let header, !header.isEmpty else { return .missing }
        let parts = fields(header)
        guard let t = parts["t"], let seconds = Int64(t), let v1 = parts["v1"], let digest = hex(v1) else { return .invalid }
        guard equal(Array(sign(body: body, timestamp: t, secret: secret)), digest) else { return .invalid }
        return abs(ms - seconds * 1000) <= window ? .valid : .stale
    }

    /// The MAC of outdial's own scheme (for senders and tests).
    public static func sign(body: [UInt8], timestamp: String, secret: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array(secret.utf8))))
    }

    public static func hexString(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// `a=1,b=2` as fields.
    static func fields(_ header: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in header.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { out[String(kv[0]).trimmingSpaces()] = String(kv[1]).trimmingSpaces() }
        }
        return out
    }

    static func hex(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0, !utf8.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// Equal, in time that depends only on the lengths.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
