import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `outdial serve`: the webhook receiver (docs/events.md, "serve"). Routes
/// `POST /webhooks/retell`, `/webhooks/vapi`, `/webhooks/twilio/sms`,
/// `/webhooks/outdial` and `GET /healthz`. Every request is verified as its
/// provider signs it (401, nothing changed, when it fails), decoded as
/// `ingest` decodes a line, and answered 2xx only once its event is committed.
public struct WebhookServer: Sendable {
    public struct Settings: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// The base URL providers call (Twilio signs the URL it calls).
        public var publicURL: String?
        public var retellKey: String?
        public var vapiSecret: String?
        public var twilioToken: String?
        public var outdialSecret: String?
        /// False only with `--insecure-no-verify`.
        public var verify = true
        public var bodyLimit = 1 << 20
        public var groupCommits = true
        public init() {}
    }

    public enum Route: String, Sendable, CaseIterable {
        case retell = "/webhooks/retell"
        case vapi = "/webhooks/vapi"
        case twilio = "/webhooks/twilio/sms"
        case outdial = "/webhooks/outdial"
    }

    let settings: Settings
    let writer: EventWriter
    let logger: Logger

    public init(databasePath: String, campaign: Campaign, settings: Settings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        writer = try EventWriter(path: databasePath, campaign: campaign, groupCommits: settings.groupCommits)
    }

    /// Serves until the task is cancelled or (with `signals`) SIGINT/SIGTERM
    /// arrives; in-flight requests are drained first. `onRunning` gets the bound port.
    public func run(signals: Bool, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        router.get("healthz") { _, _ in Self.json(.ok, #"{"ok":true}"#) }
        for route in Route.allCases {
            router.post(RouterPath(route.rawValue)) { request, context in
                await self.handle(route, request, logger: context.logger)
            }
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
        if signals { try await app.runService() } else { try await app.run() }
        await writer.close()
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func reply(_ status: HTTPResponse.Status, _ result: String, _ detail: String? = nil) -> Response {
        json(status, JSONObject(["result": .string(result), "detail": .optional(detail)]).rendered)
    }

    func handle(_ route: Route, _ incoming: Request, logger: Logger) async -> Response {
        var request = incoming
        let started = Instant.now.milliseconds
        func done(_ response: Response, _ result: String, kind: String? = nil) -> Response {
            logger.info(
                "webhook",
                metadata: [
                    "route": .string(route.rawValue), "status": .stringConvertible(response.status.code), "result": .string(result),
                    "kind": .string(kind ?? "-"), "ms": .stringConvertible(Instant.now.milliseconds - started),
                ])
            return response
        }
        let body: [UInt8]
        do {
            let buffer = try await request.collectBody(upTo: settings.bodyLimit)
            body = Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            return done(Self.reply(.contentTooLarge, "too_large", "the body is over \(settings.bodyLimit >> 10) KiB"), "too_large")
        } catch {
            return done(Self.reply(.badRequest, "unreadable", "the body could not be read"), "unreadable")
        }
        let now = Instant.now.milliseconds
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { request.headers[$0] } }
        let text = String(decoding: body, as: UTF8.self)
        let formFields = route == .twilio ? EventDecoder.formPairs(text) : []
        if settings.verify {
            let verdict: WebhookSignature.Verdict
            switch route {
            case .retell:
                verdict = settings.retellKey.map { WebhookSignature.retell(body: body, header: header("x-retell-signature"), key: $0, now: now) } ?? .missing
            case .vapi:
                if let secret = settings.vapiSecret {
                    verdict =
                        header("x-signature") != nil
                        ? WebhookSignature.vapiHMAC(body: body, signature: header("x-signature"), timestamp: header("x-timestamp"), secret: secret, now: now)
                        : WebhookSignature.vapiSecret(header: header("x-vapi-secret"), secret: secret)
                } else {
                    verdict = .missing
                }
            case .twilio:
                let base = (settings.publicURL ?? "http://\(settings.host):\(settings.port)").trimmingSuffix("/")
                let query = request.uri.query.map { "?" + $0 } ?? ""
                verdict =
                    settings.twilioToken.map {
                        WebhookSignature.twilio(url: base + route.rawValue + query, parameters: formFields, header: header("x-twilio-signature"), token: $0)
                    } ?? .missing
            case .outdial:
                verdict =
                    settings.outdialSecret.map { WebhookSignature.outdial(body: body, header: header("x-outdial-signature"), secret: $0, now: now) } ?? .missing
            }
            guard verdict == .valid else {
                return done(
                    Self.reply(.unauthorized, "signature_\(verdict)", "the request's signature did not verify; nothing was recorded"), "signature_\(verdict)")
            }
        }
        let decoded: EventDecoder.Decoded
        if route == .twilio {
            decoded = EventDecoder.twilio(Dictionary(formFields, uniquingKeysWith: { first, _ in first }), raw: text, receivedAt: now)
        } else {
            decoded = EventDecoder.decode(text: text, receivedAt: now)
        }
        switch decoded {
        case .invalid(let reason): return done(Self.reply(.badRequest, "invalid", reason), "invalid")
        case .ignored(let kind): return done(Self.reply(.accepted, "ignored", kind), "ignored", kind: kind)
        default: break
        }
        let kind: String
        switch decoded {
        case .call(let update): kind = "\(update.provider.rawValue).\(update.kind)"
        case .message: kind = "message_received"
        default: kind = "handoff_requested"
        }
        do {
            switch try await writer.submit(decoded, receivedAt: now) {
            case .new: return done(Self.reply(.ok, "new"), "new", kind: kind)
            case .duplicate: return done(Self.reply(.ok, "duplicate"), "duplicate", kind: kind)
            case .unknownCall: return done(Self.reply(.accepted, "unknown", "kept; no call or lead outdial knows matches it yet"), "unknown", kind: kind)
            case .rejected(let reason): return done(Self.reply(.unprocessableContent, "rejected", reason), "rejected", kind: kind)
            }
        } catch {
            // Not committed: never a 2xx, so the provider sends it again.
            return done(Self.reply(.serviceUnavailable, "not_recorded", "the event could not be written (\(error)); send it again"), "error", kind: kind)
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
