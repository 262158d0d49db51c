import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// GETs without a body, written several at a time on a few kept-alive
/// HTTP/1.1 connections per origin and their answers read in order: HTTP/1.1
/// pipelining, which a server must answer in the order it was sent (RFC 9112,
/// section 9.3.2) and which a client may use for safe methods. A live run
/// polls thousands of calls a second this way; AsyncHTTPClient spends most of
/// a core's time on 10,000 polls a second (a request, a task, timers, a write
/// and a read each), where this writes a batch in one call and reads many
/// answers per read (docs/performance.md).
///
/// Only polls come here: a GET asks and changes nothing, so one that failed
/// on a closed connection is simply asked again at the next poll. A create
/// goes through AsyncHTTPClient, whose delegate tells a request that left
/// from one that did not. `http` and `https` (TLS through swift-nio-ssl,
/// the system's trust roots, the host name checked).
final class PipelinedHTTPClient: Sendable {
    /// A request as it goes on the wire, and where.
    struct Target: Sendable {
        var origin: Origin
        var head: HTTPRequestHead

        /// Makes targets, and reuses the previous request's origin and headers
        /// when they are the same: a batch of polls shares both.
        struct Builder {
            private var last: (prefix: String, origin: Origin, headers: [HTTPRequest.Header], built: HTTPHeaders)?

            /// `nil` when the request is not one this client sends: not a GET, a
            /// body, not `http`, a URL or header it does not read simply.
            mutating func target(_ request: HTTPRequest) -> Target? {
                guard request.method == "GET", request.body == nil else { return nil }
                if let last, request.headers == last.headers, let path = Target.path(of: request.url, after: last.prefix) {
                    return Target(origin: last.origin, head: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: last.built))
                }
                guard let (origin, authority, path) = Target.split(request.url) else { return nil }
                var headers = HTTPHeaders()
                headers.reserveCapacity(request.headers.count + 1)
                headers.add(name: "Host", value: authority)
                for header in request.headers {
                    guard Target.isToken(header.name), !header.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else { return nil }
                    headers.add(name: header.name, value: header.value)
                }
                last = ((origin.tls ? "https://" : "http://") + authority, origin, request.headers, headers)
                return Target(origin: origin, head: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers))
            }
        }

        /// The request target of `url` when it begins with `prefix` (the scheme
        /// and an authority), `nil` when it does not or is not simple.
        static func path(of url: String, after prefix: String) -> String? {
            let bytes = url.utf8
            guard bytes.starts(with: prefix.utf8) else { return nil }
            let rest = bytes.dropFirst(prefix.utf8.count)
            guard let first = rest.first else { return "/" }
            guard first == UInt8(ascii: "/") || first == UInt8(ascii: "?"), rest.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "#") }) else {
                return nil
            }
            let path = String(Substring(rest))
            return first == UInt8(ascii: "?") ? "/" + path : path
        }

        /// `http[s]://host[:port]/path?query` into where to connect, the Host
        /// header and the request target; nothing else is read here.
        static func split(_ url: String) -> (Origin, authority: String, path: String)? {
            let bytes = url.utf8
            let tls = bytes.starts(with: "https://".utf8)
            guard tls || bytes.starts(with: "http://".utf8) else { return nil }
            var index = bytes.index(bytes.startIndex, offsetBy: tls ? 8 : 7)
            let authorityStart = index
            var colon: String.Index?
            var bracketed = false
            while index != bytes.endIndex {
                let byte = bytes[index]
                if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") { break }
                // No user info, no fragment, nothing that would need escaping.
                guard byte > 32, byte < 127, byte != UInt8(ascii: "@"), byte != UInt8(ascii: "#") else { return nil }
                if byte == UInt8(ascii: "[") { bracketed = true }
                if byte == UInt8(ascii: "]") { bracketed = false }
                if byte == UInt8(ascii: ":"), !bracketed { colon = index }
                index = bytes.index(after: index)
            }
            let authorityEnd = index
            while index != bytes.endIndex {
                let byte = bytes[index]
                guard byte > 32, byte < 127, byte != UInt8(ascii: "#") else { return nil }
                index = bytes.index(after: index)
            }
            guard authorityStart != authorityEnd else { return nil }
            var port = tls ? 443 : 80
            var hostEnd = authorityEnd
            if let colon {
                guard let value = Int(Substring(bytes[bytes.index(after: colon)..<authorityEnd])), (1...65535).contains(value) else { return nil }
                port = value
                hostEnd = colon
            }
            var host = Substring(bytes[authorityStart..<hostEnd])
            if host.first == "[" {
                guard host.last == "]", host.count > 2 else { return nil }
                host = host.dropFirst().dropLast()
            }
            guard !host.isEmpty, !host.contains("[") && !host.contains("]") else { return nil }
            var path = String(Substring(bytes[authorityEnd...]))
            if path.isEmpty || path.first == "?" { path = "/" + path }
            return (Origin(tls: tls, host: String(host), port: port), String(Substring(bytes[authorityStart..<authorityEnd])), path)
        }

        static func isToken(_ name: String) -> Bool {
            !name.isEmpty && name.utf8.allSatisfy { $0 > 32 && $0 < 127 && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }
        }
    }

    struct Origin: Hashable, Sendable {
        var tls = false
        var host: String
        var port: Int
    }

    let loop: any EventLoop
    let connectTimeout: TimeAmount
    /// Connections kept per origin, and the requests written ahead on each.
    let connectionsPerOrigin: Int
    let depth: Int
    /// Connections kept per origin once pipelining failed there (one request at a time on each).
    static let unpipelinedConnections = 16
    private let pool: NIOLoopBoundBox<[Origin: Hosted]>

    /// An origin's connections, and whether pipelining still works there.
    struct Hosted {
        var handlers: [PipelineHandler] = []
        var pipelining = true
    }
    private let tlsConfiguration: TLSConfiguration
    /// Made at the first `https` connection (it reads the system's trust
    /// roots); a failure fails each `https` request as not sent.
    private let tls: NIOLoopBoundBox<Result<NIOSSLContext, any Error>?>

    init(
        connectTimeout: Double, connectionsPerOrigin: Int = 4, depth: Int = 64, tls configuration: TLSConfiguration = .makeClientConfiguration(),
        loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()
    ) {
        self.loop = loop
        tlsConfiguration = configuration
        tls = .makeBoxSendingValue(nil, eventLoop: loop)
        self.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        self.connectionsPerOrigin = connectionsPerOrigin
        self.depth = depth
        pool = .makeBoxSendingValue([:], eventLoop: loop)
    }

    /// The answers in the targets' order. A request still unanswered after
    /// `timeout` (seconds) fails, and its connection is closed: the answers
    /// behind it on that connection could no longer be told apart.
    func send(all targets: [Target], timeout: Double) async -> [HTTPResult] {
        guard !targets.isEmpty else { return [] }
        let promises = targets.map { _ in loop.makePromise(of: HTTPResult.self) }
        let reason = "no answer within \(TimeSpan(seconds: Int64(timeout.rounded(.up))))"
        loop.execute { [self] in
            var used: [ObjectIdentifier: PipelineHandler] = [:]
            for (target, promise) in zip(targets, promises) {
                let handler = connection(to: target.origin)
                handler.enqueue(target.head, promise)
                used[ObjectIdentifier(handler)] = handler
            }
            for handler in used.values { handler.flush() }
            let handlers = NIOLoopBound(Array(used.values), eventLoop: loop)
            let timer = loop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
                for handler in handlers.value where handler.hasOutstanding { handler.close(reason) }
            }
            EventLoopFuture.andAllComplete(promises.map(\.futureResult), on: loop).whenComplete { _ in timer.cancel() }
        }
        // One wait for them all: each `get()` alone would cost two thread hops.
        let all = EventLoopFuture.whenAllSucceed(promises.map(\.futureResult), on: loop)
        return (try? await all.get()) ?? targets.map { _ in .notSent(reason: "not sent") }
    }

    /// The origin's least loaded open connection, or a new one while there
    /// are fewer than `connectionsPerOrigin` and every open one is `depth` ahead.
    private func connection(to origin: Origin) -> PipelineHandler {
        loop.assertInEventLoop()
        let hosted = pool.value[origin, default: Hosted()]
        let (depth, most) = hosted.pipelining ? (depth, connectionsPerOrigin) : (1, Self.unpipelinedConnections)
        if let least = hosted.handlers.min(by: { $0.load < $1.load }), least.load < depth || hosted.handlers.count >= most { return least }
        let handler = PipelineHandler(depth: depth, largestBody: AsyncHTTPTransport.largestBody)
        // By identity: the closure must not keep its own handler alive.
        let id = ObjectIdentifier(handler)
        handler.onClose = { [pool] in pool.value[origin]?.handlers.removeAll { ObjectIdentifier($0) == id } }
        // A server (or a proxy before it) that answered and then lost the
        // requests written behind: it does not pipeline. Its connections take
        // one request at a time from now on, which every HTTP/1.1 server serves.
        handler.onPipeliningFailed = { [pool] in
            pool.value[origin]?.pipelining = false
            for other in pool.value[origin]?.handlers ?? [] { other.depth = 1 }
        }
        pool.value[origin, default: Hosted()].handlers.append(handler)
        let bound = NIOLoopBound(handler, eventLoop: loop)
        if origin.tls, tls.value == nil { tls.value = Result { [tlsConfiguration] in try NIOSSLContext(configuration: tlsConfiguration) } }
        let context = tls.value
        ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if origin.tls {
                        // SNI names a host, never an address; an address is checked against the certificate's IP names.
                        let name =
                            origin.host.contains(":") || origin.host.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || ($0 >= 48 && $0 <= 57) }) ? nil : origin.host
                        guard let context else { throw NIOSSLError.noCertificateToValidate }
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context.get(), serverHostname: name))
                    }
                    // Headers were checked when the target was made (`Target.Builder`).
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(leftOverBytesStrategy: .dropBytes, enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(bound.value)
                }
            }
            .connect(host: origin.host, port: origin.port)
            .whenFailure { error in bound.value.connectFailed(AsyncHTTPTransport.describe(error, timeout: 0)) }
        return handler
    }

    func shutdown() async {
        let closed = loop.submit { [pool] in
            for handler in pool.value.values.flatMap(\.handlers) {
                handler.closedOnPurpose = true
                handler.close("the client was shut down")
            }
            pool.value = [:]
        }
        try? await closed.get()
    }
}

/// One pipelined connection: requests wait until it is open, at most `depth`
/// are written ahead, and each answer goes to the oldest request unanswered.
/// Used on its event loop only.
final class PipelineHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    var depth: Int
    let largestBody: Int
    var onClose: () -> Void = {}
    var onPipeliningFailed: () -> Void = {}
    /// Answers read on this connection.
    private var answered = 0
    /// Closed by the client (shut down), not by what the server did.
    var closedOnPurpose = false
    private var context: ChannelHandlerContext?
    private var waiting = CircularBuffer<(HTTPRequestHead, EventLoopPromise<HTTPResult>)>()
    private var outstanding = CircularBuffer<EventLoopPromise<HTTPResult>>()
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    private var closeReason: String?
    private var finished = false

    init(depth: Int, largestBody: Int) {
        self.depth = depth
        self.largestBody = largestBody
    }

    /// Requests written or waiting: how busy the connection is.
    var load: Int { waiting.count + outstanding.count }
    var hasOutstanding: Bool { !outstanding.isEmpty || !waiting.isEmpty }

    func enqueue(_ head: HTTPRequestHead, _ promise: EventLoopPromise<HTTPResult>) {
        guard !finished else { return promise.succeed(.notSent(reason: closeReason ?? "the connection was closed")) }
        waiting.append((head, promise))
        pump()
    }

    func flush() { context?.flush() }

    /// Writes waiting requests while fewer than `depth` are unanswered.
    private func pump() {
        guard let context, !finished else { return }
        while outstanding.count < depth, let (head, promise) = waiting.popFirst() {
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            outstanding.append(promise)
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.context = context }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        // Closed (shut down, timed out) while it was connecting.
        guard !finished else { return context.close(promise: nil) }
        pump()
        context.flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            // The server closes after this answer: nothing more goes on this connection.
            if !head.isKeepAlive { retire() }
        case .body(var part):
            if body.readableBytes + part.readableBytes > largestBody {
                close("the answer was longer than \(largestBody >> 20) MiB")
                return
            }
            body.writeBuffer(&part)
        case .end:
            guard let head, let promise = outstanding.popFirst() else {
                close("the server sent an answer to no request")
                return
            }
            self.head = nil
            answered += 1
            let last = !head.isKeepAlive
            defer { if last { close("the server closed the connection") } }
            promise.succeed(
                .response(
                    status: Int(head.status.code), headers: head.headers.map { HTTPRequest.Header($0.name, $0.value) },
                    body: Array(body.readableBytesView)))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        pump()
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(AsyncHTTPTransport.describe(error, timeout: 0))
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(closeReason ?? "the server closed the connection")
        context.fireChannelInactive()
    }

    func connectFailed(_ reason: String) {
        closeReason = closeReason ?? reason
        fail(reason)
    }

    /// Closes the connection; what is unanswered fails with `reason`.
    func close(_ reason: String) {
        closeReason = closeReason ?? reason
        retire()
        if let context { context.close(promise: nil) } else { fail(reason) }
    }

    /// Takes no more requests; the pool forgets it.
    private func retire() {
        guard !finished else { return }
        finished = true
        onClose()
    }

    private func fail(_ reason: String) {
        retire()
        if answered > 0, outstanding.count > 1, !closedOnPurpose { onPipeliningFailed() }
        // Written requests may have been read by the server; waiting ones never left.
        while let promise = outstanding.popFirst() { promise.succeed(.mayHaveBeenSent(reason: reason)) }
        while let (_, promise) = waiting.popFirst() { promise.succeed(.notSent(reason: reason)) }
    }
}
