import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A request the stub server received.
public struct StubRequest: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// What the stub answers.
public enum StubResponse: Sendable {
    case respond(status: Int, headers: [(String, String)] = [], body: String = "")
    /// Reads the request and never answers (a client timeout after sending).
    case hang

    public static func json(_ body: String, status: Int = 200) -> StubResponse {
        .respond(status: status, headers: [("Content-Type", "application/json")], body: body)
    }
}

/// An HTTP/1.1 server on 127.0.0.1 (a port the system picks) that answers
/// every request with `handler` and keeps what it received: the providers
/// a test talks to. Nothing leaves the machine.
public final class StubServer: Sendable {
    public let port: Int
    private let channel: any Channel
    private let received: Mutex<[StubRequest]>
    private let tls: Bool

    public var baseURL: String { "\(tls ? "https" : "http")://127.0.0.1:\(port)" }
    public var requests: [StubRequest] { received.withLock { $0 } }

    private init(port: Int, channel: any Channel, tls: Bool) {
        self.port = port
        self.channel = channel
        self.tls = tls
        received = Mutex([])
    }

    /// With `tls`, it speaks HTTPS with that configuration (a certificate and
    /// key). With `recording: false` it keeps no request (`make bench`'s
    /// stub answers millions).
    public static func start(
        tls: TLSConfiguration? = nil, recording: Bool = true, _ handler: @escaping @Sendable (StubRequest) -> StubResponse
    ) async throws -> StubServer {
        let log = Box()
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(StubHandler(handler: handler, log: log, recording: recording))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = StubServer(port: channel.localAddress?.port ?? 0, channel: channel, tls: tls != nil)
        log.server.withLock { $0 = server }
        return server
    }

    func record(_ request: StubRequest) { received.withLock { $0.append(request) } }

    public func stop() async { try? await channel.close() }

    /// Where the handler finds the server to log into (set once it is bound).
    final class Box: Sendable {
        let server = Mutex<StubServer?>(nil)
    }
}

private final class StubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let handler: @Sendable (StubRequest) -> StubResponse
    let log: StubServer.Box
    let recording: Bool
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(handler: @escaping @Sendable (StubRequest) -> StubResponse, log: StubServer.Box, recording: Bool) {
        self.handler = handler
        self.log = log
        self.recording = recording
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(let buffer): body += buffer.readableBytesView
        case .end:
            guard let head else { return }
            let request = StubRequest(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body)
            if recording { log.server.withLock { $0?.record(request) } }
            switch handler(request) {
            case .hang: break
            case .respond(let status, let headers, let text):
                var responseHeaders = HTTPHeaders(headers)
                responseHeaders.replaceOrAdd(name: "Content-Length", value: String(text.utf8.count))
                let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: responseHeaders)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                // An answer that says `Connection: close` is the connection's last.
                if !responseHead.isKeepAlive { context.close(promise: nil) }
            }
            self.head = nil
        }
    }
}
