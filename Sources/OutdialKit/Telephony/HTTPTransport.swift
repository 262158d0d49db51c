import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP request a connection makes (a create-call, a poll).
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    /// Header names and values; values may be secrets and are never logged.
    public var headers: [Header]
    public var body: [UInt8]?

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(method: String, url: String, headers: [Header] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came of a request, told apart the way at-most-once needs: a request
/// that never left can be sent again; one that may have reached the server cannot.
public enum HTTPResult: Sendable, Equatable {
    case response(status: Int, headers: [HTTPRequest.Header], body: [UInt8])
    /// Failed before any byte of the request was written (connection refused,
    /// a DNS failure, a connect timeout).
    case notSent(reason: String)
    /// Failed after the request started to go out (a timeout, a reset): the
    /// server may have acted on it.
    case mayHaveBeenSent(reason: String)

    public func header(_ name: String) -> String? {
        guard case .response(_, let headers, _) = self else { return nil }
        return headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Sends requests. `AsyncHTTPTransport` is the real one; tests may give a
/// connection any other (they use the real one against a stub server).
public protocol HTTPTransport: Sendable {
    /// `timeout` bounds the whole request (seconds).
    func send(_ request: HTTPRequest, timeout: Double) async -> HTTPResult
    /// Sends requests together; the results in the requests' order.
    func send(all requests: [HTTPRequest], timeout: Double) async -> [HTTPResult]
    func shutdown() async
}

extension HTTPTransport {
    public func send(all requests: [HTTPRequest], timeout: Double) async -> [HTTPResult] {
        await withTaskGroup(of: (Int, HTTPResult).self) { group in
            for (index, request) in requests.enumerated() { group.addTask { (index, await self.send(request, timeout: timeout)) } }
            var results = [HTTPResult?](repeating: nil, count: requests.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }
}

/// AsyncHTTPClient, one client per connection (its connect timeout is the
/// client's), watching whether the request head was written. Batches of
/// plain `http` GETs (a live run's polls) go pipelined instead (`PipelinedHTTPClient`).
public final class AsyncHTTPTransport: HTTPTransport {
    let client: HTTPClient
    let pipeline: PipelinedHTTPClient
    /// The largest response body read (bytes); a longer one fails the request.
    static let largestBody = 8 << 20

    public init(connectTimeout: Double) {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1000))), connectionPool: .init(idleTimeout: .seconds(60)))
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .automatic
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        pipeline = PipelinedHTTPClient(connectTimeout: connectTimeout)
    }

    public func shutdown() async {
        await pipeline.shutdown()
        try? await client.shutdown()
    }

    public func send(_ request: HTTPRequest, timeout: Double) async -> HTTPResult {
        switch start(request, timeout: timeout) {
        case .failure(let refused): return refused.result
        case .success(let (task, collector)):
            do {
                let response = try await task.futureResult.get()
                return .response(status: response.status, headers: response.headers, body: response.body)
            } catch {
                return Self.failed(error, collector, timeout: timeout)
            }
        }
    }

    /// All at once, and one wait for them all: no task and no thread hop per
    /// request (a live run polls thousands of calls a second this way).
    public func send(all requests: [HTTPRequest], timeout: Double) async -> [HTTPResult] {
        var builder = PipelinedHTTPClient.Target.Builder()
        let targets = requests.map { builder.target($0) }
        let piped = targets.indices.filter { targets[$0] != nil }
        guard !piped.isEmpty else { return await sendEach(requests, timeout: timeout) }
        if piped.count == requests.count { return await pipeline.send(all: targets.map { $0! }, timeout: timeout) }
        let others = targets.indices.filter { targets[$0] == nil }
        async let pipedResults = pipeline.send(all: piped.map { targets[$0]! }, timeout: timeout)
        let otherResults = await sendEach(others.map { requests[$0] }, timeout: timeout)
        var results = [HTTPResult](repeating: .notSent(reason: "not sent"), count: requests.count)
        for (index, result) in zip(others, otherResults) { results[index] = result }
        for (index, result) in zip(piped, await pipedResults) { results[index] = result }
        return results
    }

    /// Each through AsyncHTTPClient, started together.
    private func sendEach(_ requests: [HTTPRequest], timeout: Double) async -> [HTTPResult] {
        let started = requests.map { start($0, timeout: timeout) }
        let futures = started.compactMap { try? $0.get().0.futureResult }
        guard !futures.isEmpty else { return started.map(Self.refusal) }
        let answers = (try? await EventLoopFuture.whenAllComplete(futures, on: client.eventLoopGroup.any()).get()) ?? []
        var next = answers.makeIterator()
        return started.map { startedOne in
            guard case .success(let (_, collector)) = startedOne else { return Self.refusal(startedOne) }
            switch next.next() {
            case .success(let response)?: return .response(status: response.status, headers: response.headers, body: response.body)
            case .failure(let error)?: return Self.failed(error, collector, timeout: timeout)
            case nil: return .mayHaveBeenSent(reason: "no answer")
            }
        }
    }

    struct Refused: Error { let result: HTTPResult }

    private static func refusal(_ started: Result<(HTTPClient.Task<ResponseCollector.Response>, ResponseCollector), Refused>) -> HTTPResult {
        if case .failure(let refused) = started { return refused.result }
        return .notSent(reason: "not sent")
    }

    private static func failed(_ error: any Error, _ collector: ResponseCollector, timeout: Double) -> HTTPResult {
        let reason = describe(error, timeout: timeout)
        return collector.requestStarted ? .mayHaveBeenSent(reason: reason) : .notSent(reason: reason)
    }

    /// The request under way, or why it could not start.
    private func start(_ request: HTTPRequest, timeout: Double) -> Result<(HTTPClient.Task<ResponseCollector.Response>, ResponseCollector), Refused> {
        let built: HTTPClient.Request
        do {
            var headers = HTTPHeaders()
            for header in request.headers { headers.add(name: header.name, value: header.value) }
            built = try HTTPClient.Request(
                url: request.url, method: HTTPMethod(rawValue: request.method), headers: headers, body: request.body.map { .bytes($0) })
        } catch {
            return .failure(Refused(result: .notSent(reason: "the URL \(Self.withoutQuery(request.url)) cannot be requested (\(error))")))
        }
        let collector = ResponseCollector()
        return .success((client.execute(request: built, delegate: collector, deadline: .now() + .milliseconds(Int64(timeout * 1000))), collector))
    }

    /// A URL as it may be shown: without its query, where a key could be.
    static func withoutQuery(_ url: String) -> String { String(url.prefix { $0 != "?" }) }

    static func describe(_ error: any Error, timeout: Double) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout: return "no answer within \(TimeSpan(seconds: Int64(timeout.rounded(.up))))"
            case .connectTimeout: return "could not connect in time"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return String(describing: client)
            }
        }
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}

/// Collects a response, and whether any of the request was written before it failed.
final class ResponseCollector: HTTPClientResponseDelegate, Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [HTTPRequest.Header]
        var body: [UInt8]
    }

    private struct State {
        var started = false
        var response = Response(status: 0, headers: [], body: [])
        var tooLong = false
    }

    private let state = Mutex(State())

    var requestStarted: Bool { state.withLock { $0.started } }

    func didSendRequestHead(task: HTTPClient.Task<Response>, _ head: HTTPRequestHead) { state.withLock { $0.started = true } }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock {
            $0.started = true
            $0.response.status = Int(head.status.code)
            $0.response.headers = head.headers.map { HTTPRequest.Header($0.name, $0.value) }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        state.withLock {
            if $0.response.body.count + buffer.readableBytes > AsyncHTTPTransport.largestBody {
                $0.tooLong = true
            } else {
                $0.response.body += buffer.readableBytesView
            }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        try state.withLock {
            if $0.tooLong { throw ResponseTooLong() }
            return $0.response
        }
    }

    struct ResponseTooLong: Error, CustomStringConvertible {
        var description: String { "the answer was longer than \(AsyncHTTPTransport.largestBody >> 20) MiB" }
    }
}
