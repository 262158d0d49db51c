/// Opt-out and re-subscribe messages, as the FCC's consent-revocation rule
/// (47 CFR 64.1200(a)(10), in force 2025-04-11) and the carriers' keyword
/// rules (CTIA Messaging Principles) read them: a message whose whole text is
/// a keyword or phrase, after trimming, case-folding and dropping punctuation.
/// A keyword inside other text ("stopwatch", "please don't stop") is not one.
public struct OptOutRules: Sendable, Equatable {
    /// The carriers' opt-out keywords and the FCC rule's examples.
    public static let keywords = ["stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "opt out", "optout"]
    /// Phrases that also revoke consent by default (a campaign may replace the list).
    public static let defaultPhrases = [
        "wrong number", "do not call", "dont call", "remove me", "take me off your list", "stop texting me", "stop texting", "stop calling me", "stop calling",
    ]
    public static let resubscribeKeywords = ["start", "unstop", "yes"]
    public static let defaultConfirmation = "You have been unsubscribed and will get no more calls or messages from us. Reply START to subscribe again."

    /// Opt-out phrases besides the keywords, normalised.
    public var phrases: [String]
    /// START / UNSTOP take a number off the list again (only when the campaign allows it).
    public var allowResubscribe: Bool
    /// The one confirmation sent after an opt-out.
    public var confirmation: String

    public init(phrases: [String] = OptOutRules.defaultPhrases, allowResubscribe: Bool = false, confirmation: String = OptOutRules.defaultConfirmation) {
        self.phrases = phrases.map(Self.normalise)
        self.allowResubscribe = allowResubscribe
        self.confirmation = confirmation
    }

    public enum Verdict: Equatable, Sendable {
        /// The message revokes consent; the matched keyword or phrase.
        case optOut(String)
        case resubscribe(String)
        case none
    }

    /// What a message's text says about consent.
    public func verdict(_ text: String) -> Verdict {
        let normal = Self.normalise(text)
        guard !normal.isEmpty else { return .none }
        if Self.keywords.contains(normal) || phrases.contains(normal) { return .optOut(normal) }
        if allowResubscribe, Self.resubscribeKeywords.contains(normal) { return .resubscribe(normal) }
        return .none
    }

    /// Lower case, punctuation and emoji dropped, runs of spaces made one:
    /// "STOP!!", " Stop. ", "opt-out" → "stop", "stop", "opt out".
    public static func normalise(_ text: String) -> String {
        var out = ""
        var space = false
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if space, !out.isEmpty { out.append(" ") }
                space = false
                out.unicodeScalars.append(scalar)
            } else if scalar == "'" || scalar == "’" {
                continue  // "don't" reads as "dont"
            } else {
                space = true
            }
        }
        return out
    }
}
