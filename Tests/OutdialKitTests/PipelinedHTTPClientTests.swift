import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import TestSupport
import Testing

@testable import OutdialKit

/// Polls sent pipelined (`PipelinedHTTPClient`), against stub servers this
/// test starts on 127.0.0.1: every answer goes to its own request, and a
/// connection that closes or stops answering fails only what it held.
@Suite struct PipelinedHTTPClientTests {
    static func gets(_ base: String, _ count: Int, headers: [HTTPRequest.Header] = [.init("Authorization", "Bearer k")]) -> [HTTPRequest] {
        (0..<count).map { HTTPRequest(method: "GET", url: "\(base)/v2/get-call/c\($0)", headers: headers) }
    }

    static func targets(_ requests: [HTTPRequest]) -> [PipelinedHTTPClient.Target] {
        var builder = PipelinedHTTPClient.Target.Builder()
        return requests.map { builder.target($0)! }
    }

    static func body(_ result: HTTPResult) -> String? {
        guard case .response(200, _, let body) = result else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    @Test func aBatchOfGetsGetsEachItsOwnAnswerInOrder() async throws {
        let stub = try await StubServer.start { request in .json(#"{"asked":"\#(request.uri)","auth":"\#(request.header("Authorization") ?? "")"}"#) }
        let client = PipelinedHTTPClient(connectTimeout: 2, connectionsPerOrigin: 3, depth: 16)
        let requests = Self.gets(stub.baseURL, 700)
        let first = await client.send(all: Self.targets(requests), timeout: 10)
        // A second batch goes on the connections the first one opened.
        let second = await client.send(all: Self.targets(Array(requests.reversed())), timeout: 10)
        await client.shutdown()
        await stub.stop()
        #expect(first.count == 700 && second.count == 700)
        for (index, result) in first.enumerated() { #expect(Self.body(result) == #"{"asked":"/v2/get-call/c\#(index)","auth":"Bearer k"}"#) }
        for (index, result) in second.enumerated() { #expect(Self.body(result) == #"{"asked":"/v2/get-call/c\#(699 - index)","auth":"Bearer k"}"#) }
        let asked = stub.requests.map(\.uri)
        #expect(asked.count == 1400)
        #expect(Set(asked).count == 700)
        #expect(stub.requests.allSatisfy { $0.header("Host") == "127.0.0.1:\(stub.port)" && $0.method == "GET" })
    }

    @Test func aServerThatClosesAfterEachAnswerNeverGetsAnAnswerMixedUp() async throws {
        let stub = try await StubServer.start { request in
            .respond(status: 200, headers: [("Connection", "close")], body: request.uri)
        }
        let client = PipelinedHTTPClient(connectTimeout: 2, connectionsPerOrigin: 2, depth: 8)
        let requests = Self.gets(stub.baseURL, 40)
        var answered = Set<Int>()
        // Each round, what failed is asked again, as the poller does at the next poll.
        for _ in 0..<40 where answered.count < 40 {
            let left = (0..<40).filter { !answered.contains($0) }
            let results = await client.send(all: Self.targets(left.map { requests[$0] }), timeout: 5)
            for (index, result) in zip(left, results) {
                switch result {
                case .response(200, _, let body):
                    #expect(String(decoding: body, as: UTF8.self) == "/v2/get-call/c\(index)")
                    answered.insert(index)
                case .mayHaveBeenSent, .notSent: break
                default: Issue.record("unexpected \(result)")
                }
            }
        }
        await client.shutdown()
        await stub.stop()
        #expect(answered.count == 40)
    }

    @Test func aRequestUnansweredInTimeFailsAndItsConnectionIsNotUsedAgain() async throws {
        let stub = try await StubServer.start { request in
            request.uri.hasSuffix("/c3") ? .hang : .json(#"{"asked":"\#(request.uri)"}"#)
        }
        let client = PipelinedHTTPClient(connectTimeout: 2, connectionsPerOrigin: 1, depth: 64)
        let results = await client.send(all: Self.targets(Self.gets(stub.baseURL, 6)), timeout: 1)
        let after = await client.send(all: Self.targets([Self.gets(stub.baseURL, 1)[0]]), timeout: 5)
        await client.shutdown()
        await stub.stop()
        for index in 0..<3 { #expect(Self.body(results[index]) == #"{"asked":"/v2/get-call/c\#(index)"}"#) }
        // c3 hangs; the answers behind it on the one connection never come.
        for index in 3..<6 { #expect(results[index] == .mayHaveBeenSent(reason: "no answer within 1s")) }
        #expect(Self.body(after[0]) == #"{"asked":"/v2/get-call/c0"}"#)
    }

    @Test func nothingListeningFailsEveryRequestAsNotSent() async throws {
        let stub = try await StubServer.start { _ in .json("{}") }
        let base = stub.baseURL
        await stub.stop()
        let client = PipelinedHTTPClient(connectTimeout: 2)
        let results = await client.send(all: Self.targets(Self.gets(base, 5)), timeout: 5)
        await client.shutdown()
        #expect(results.count == 5)
        for result in results {
            guard case .notSent = result else {
                Issue.record("expected not sent, got \(result)")
                continue
            }
        }
    }

    @Test func onlySimpleHTTPGetsArePipelined() {
        var builder = PipelinedHTTPClient.Target.Builder()
        func target(_ url: String, method: String = "GET", headers: [HTTPRequest.Header] = [], body: [UInt8]? = nil) -> PipelinedHTTPClient.Target? {
            builder.target(HTTPRequest(method: method, url: url, headers: headers, body: body))
        }
        let plain = target("http://127.0.0.1:8080/v2/get-call/abc?x=1")
        #expect(plain?.origin == .init(host: "127.0.0.1", port: 8080))
        #expect(plain?.head.uri == "/v2/get-call/abc?x=1")
        #expect(plain?.head.headers["Host"] == ["127.0.0.1:8080"])
        #expect(target("http://example.com")?.head.uri == "/")
        #expect(target("http://example.com?a=b")?.head.uri == "/?a=b")
        #expect(target("http://example.com/p")?.origin == .init(host: "example.com", port: 80))
        #expect(target("http://[::1]:9000/p")?.origin == .init(host: "::1", port: 9000))
        #expect(target("http://[::1]/p")?.head.headers["Host"] == ["[::1]"])
        // The previous request's origin is reused only for the same prefix.
        #expect(target("http://example.com:81/p")?.origin == .init(host: "example.com", port: 81))
        #expect(target("http://example.com:8123/p")?.origin == .init(host: "example.com", port: 8123))
        #expect(target("http://example.com:8123.evil/p") == nil)
        #expect(target("http://example.com/p")?.origin == .init(host: "example.com", port: 80))
        #expect(target("https://api.retellai.com/v2/get-call/a")?.origin == .init(tls: true, host: "api.retellai.com", port: 443))
        #expect(target("https://api.retellai.com/v2/get-call/b")?.head.headers["Host"] == ["api.retellai.com"])
        #expect(target("http://api.retellai.com/v2/get-call/b")?.origin == .init(tls: false, host: "api.retellai.com", port: 80))
        for refused in [
            target("ftp://example.com/a"), target("http://example.com/p", method: "POST"),
            target("http://example.com/p", body: []), target("http://user:pw@example.com/p"), target("http://example.com/p#frag"),
            target("http://example.com:0/p"), target("http://example.com:99999/p"), target("http://example.com/a b"),
            target("http://:80/p"), target("http://[::1/p"), target("http://example.com/p", headers: [.init("X-A", "one\r\nX-B: two")]),
            target("http://example.com/p", headers: [.init("Bad Name", "v")]),
        ] {
            #expect(refused == nil)
        }
    }

    @Test func aTransportBatchSendsGetsPipelinedAndTheRestAsBeforeInTheirOrder() async throws {
        let stub = try await StubServer.start { request in .respond(status: 200, body: "\(request.method) \(request.uri)") }
        let transport = AsyncHTTPTransport(connectTimeout: 2)
        let requests = [
            HTTPRequest(method: "GET", url: "\(stub.baseURL)/a"), HTTPRequest(method: "POST", url: "\(stub.baseURL)/b", body: Array("{}".utf8)),
            HTTPRequest(method: "GET", url: "\(stub.baseURL)/c"), HTTPRequest(method: "GET", url: "\(stub.baseURL)/d?q=1"),
        ]
        let results = await transport.send(all: requests, timeout: 5)
        await transport.shutdown()
        await stub.stop()
        #expect(results.map(Self.body) == ["GET /a", "POST /b", "GET /c", "GET /d?q=1"])
    }

    @Test func aServerThatDoesNotPipelineIsAskedOneRequestAtATimeOnceItLosesSome() async throws {
        let server = try await OneRequestPerReadServer.start()
        let client = PipelinedHTTPClient(connectTimeout: 2, connectionsPerOrigin: 2, depth: 32)
        let requests = Self.gets("http://127.0.0.1:\(server.port)", 40)
        // Written together, all but the first of each connection are lost.
        let first = await client.send(all: Self.targets(requests), timeout: 5)
        let second = await client.send(all: Self.targets(requests), timeout: 5)
        await client.shutdown()
        await server.stop()
        #expect(first.filter { Self.body($0) != nil }.count < 40)
        for (index, result) in first.enumerated() where Self.body(result) != nil { #expect(Self.body(result) == "/v2/get-call/c\(index)") }
        for (index, result) in second.enumerated() { #expect(Self.body(result) == "/v2/get-call/c\(index)") }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tls")

    @Test func httpsPollsArePipelinedOverTLSWithTheCertificateChecked() async throws {
        let certificate = try NIOSSLCertificate.fromPEMFile(Self.fixtures.appendingPathComponent("cert.pem").path)
        let key = try NIOSSLPrivateKey(file: Self.fixtures.appendingPathComponent("key.pem").path, format: .pem)
        let server = TLSConfiguration.makeServerConfiguration(certificateChain: certificate.map { .certificate($0) }, privateKey: .privateKey(key))
        let stub = try await StubServer.start(tls: server) { request in .json(#"{"asked":"\#(request.uri)"}"#) }
        #expect(stub.baseURL.hasPrefix("https://127.0.0.1:"))
        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .certificates(certificate)
        let client = PipelinedHTTPClient(connectTimeout: 2, connectionsPerOrigin: 2, depth: 16, tls: trusting)
        let results = await client.send(all: Self.targets(Self.gets(stub.baseURL, 300)), timeout: 10)
        await client.shutdown()
        // The system's trust roots do not know the test's certificate: nothing is answered.
        let untrusting = PipelinedHTTPClient(connectTimeout: 2)
        let refused = await untrusting.send(all: Self.targets(Self.gets(stub.baseURL, 3)), timeout: 10)
        await untrusting.shutdown()
        await stub.stop()
        for (index, result) in results.enumerated() { #expect(Self.body(result) == #"{"asked":"/v2/get-call/c\#(index)"}"#) }
        #expect(stub.requests.count == 300)
        for result in refused {
            switch result {
            case .response: Issue.record("an untrusted certificate was accepted")
            case .notSent, .mayHaveBeenSent: break
            }
        }
    }
}

/// A server that does not pipeline: it answers the first request of each
/// read, and when more came with it, drops them and closes the connection.
final class OneRequestPerReadServer: Sendable {
    let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    static func start() async throws -> OneRequestPerReadServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler()) } }
            .bind(host: "127.0.0.1", port: 0).get()
        return OneRequestPerReadServer(port: channel.localAddress?.port ?? 0, channel: channel)
    }

    func stop() async { try? await channel.close() }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            guard text.hasPrefix("GET "), let end = text.firstIndex(of: " ", after: 4) else { return }
            let path = text[text.index(text.startIndex, offsetBy: 4)..<end]
            let answer = "HTTP/1.1 200 OK\r\nContent-Length: \(path.utf8.count)\r\n\r\n\(path)"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
            if !text.hasSuffix("\r\n\r\n") || text.components(separatedBy: "\r\n\r\n").count > 2 { context.close(promise: nil) }
        }
    }
}

extension String {
    fileprivate func firstIndex(of character: Character, after offset: Int) -> Index? {
        guard offset < count else { return nil }
        return self[index(startIndex, offsetBy: offset)...].firstIndex(of: character)
    }
}
