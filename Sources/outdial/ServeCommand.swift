import Logging
import OutdialKit

/// `outdial serve`.
enum ServeCommand {
    static let command: Command = Command(
        name: "serve",
        abstract: "Receive provider webhooks (Retell, Vapi, Twilio SMS, outdial's own) into the database.",
        discussion:
            "Routes: POST /webhooks/retell, /webhooks/vapi, /webhooks/twilio/sms, /webhooks/outdial; GET /healthz. Every request is verified as its provider signs it (401 and nothing recorded otherwise) and answered 2xx only after its event is committed. Runs beside `outdial run` on the same database: the workflows an event starts are picked up by the running run. Ctrl-C finishes the requests in hand and stops. Setup per provider: docs/events.md.",
        options: [
            .value(.campaign, "file", .path, help: "The campaign the events belong to (its workflows start)."),
            .value(.host, "address", help: "The address to listen on.", default: "127.0.0.1"),
            .value(.port, "n", .integer(0...65535), help: "The port to listen on (0: any free port).", default: "8080"),
            .value(.publicURL, "url", help: "The base URL providers call (Twilio signs it), e.g. https://hooks.example.com."),
            .value(.retellKeyEnv, "name", help: "The variable with the Retell API key Retell signs with.", default: "RETELL_API_KEY"),
            .value(.vapiSecretEnv, "name", help: "The variable with Vapi's server secret or HMAC key.", default: "VAPI_WEBHOOK_SECRET"),
            .value(.twilioTokenEnv, "name", help: "The variable with the Twilio auth token.", default: "TWILIO_AUTH_TOKEN"),
            .value(.outdialSecretEnv, "name", help: "The variable with the secret of /webhooks/outdial.", default: "OUTDIAL_WEBHOOK_SECRET"),
            .flag(.insecureNoVerify, help: "Accept requests without checking their signatures (testing only)."),
            .flag(.jsonLogs, help: "Log one JSON object a line on stderr."),
            .flag(.commitEachRequest, help: "One transaction per request instead of one per burst (to measure what grouping buys)."),
        ],
        run: { invocation in
            guard let campaignPath = invocation.string(.campaign) else {
                throw invocation.usageError("Missing '--campaign <file>': the campaign whose calls and workflows the events belong to.")
            }
            let campaign = try Campaign.load(path: campaignPath)
            let path = try CommonOptions.databasePath(invocation)
            _ = try CommonOptions.existingDatabase(invocation)
            let environment = ProcessEnvironment.current
            func secret(_ option: OptionKey) -> String? {
                let name = invocation.string(option) ?? ""
                return environment[name].flatMap { $0.isEmpty ? nil : $0 }
            }
            var settings = WebhookServer.Settings()
            settings.host = invocation.string(.host) ?? "127.0.0.1"
            settings.port = invocation.int(.port) ?? 8080
            settings.publicURL = invocation.string(.publicURL)
            settings.retellKey = secret(.retellKeyEnv)
            settings.vapiSecret = secret(.vapiSecretEnv)
            settings.twilioToken = secret(.twilioTokenEnv)
            settings.outdialSecret = secret(.outdialSecretEnv)
            settings.verify = !invocation.flag(.insecureNoVerify)
            settings.groupCommits = !invocation.flag(.commitEachRequest)
            let output = invocation.output
            if !settings.verify {
                output.warning("--insecure-no-verify: signatures are NOT checked; anyone who can reach this port can record events")
            } else {
                let unset = [
                    ("retell", OptionKey.retellKeyEnv, settings.retellKey), ("vapi", OptionKey.vapiSecretEnv, settings.vapiSecret),
                    ("twilio/sms", OptionKey.twilioTokenEnv, settings.twilioToken), ("outdial", OptionKey.outdialSecretEnv, settings.outdialSecret),
                ].filter { $0.2 == nil }
                for (route, option, _) in unset {
                    output.warning("/webhooks/\(route) refuses every request: \(invocation.string(option) ?? "") is not set")
                }
                if settings.twilioToken != nil, settings.publicURL == nil {
                    output.warning("--public-url is not given: Twilio signatures are checked against http://\(settings.host):\(settings.port)")
                }
            }
            let json = invocation.flag(.jsonLogs)
            var logger = Logger(label: "outdial.serve") { label in
                json ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
            }
            logger.logLevel = output.quiet ? .warning : .info
            let server = try WebhookServer(databasePath: path, campaign: campaign, settings: settings, logger: logger)
            let host = settings.host
            let name = campaign.name
            // The outbox (AI replies, opt-out confirmations, notifications) goes out every few seconds while serve runs.
            let sending = Task {
                guard let database = try? Store.open(path) else { return }
                try? await OutboxSender(database: database, campaign: campaign).whileOpen { sender in
                    try sender.recover()
                    while !Task.isCancelled {
                        do { try await sender.sendDue(at: Instant.now.milliseconds) } catch { output.warning("the outbox could not be sent: \(error)") }
                        try? await Task.sleep(for: .seconds(5))
                    }
                }
            }
            defer { sending.cancel() }
            try await server.run(signals: true) { port in
                output.info("Listening on http://\(host):\(port) for campaign '\(name)' (Ctrl-C to stop).")
            }
        }
    )
}
