// `make bench`'s stub provider: a Retell-shaped API on 127.0.0.1 that
// answers create-phone-call at once and ends each call `--call-seconds`
// after it was created (get-call says `ongoing` until then). `GET /stats`
// gives the requests it has answered. It prints its port, then serves until
// killed. Nothing here is used by outdial itself.
import Foundation
import Synchronization
import TestSupport

let arguments = CommandLine.arguments
let callSeconds = arguments.firstIndex(of: "--call-seconds").flatMap { Double(arguments[$0 + 1]) } ?? 1

final class Calls: Sendable {
    let state = Mutex<(created: [String: Double], creates: Int, polls: Int)>(([:], 0, 0))
}
let calls = Calls()

func now() -> Double { Date().timeIntervalSince1970 }

let server = try await StubServer.start { request in
    if request.method == "POST", request.uri == "/v2/create-phone-call" {
        let id = calls.state.withLock { state -> String in
            state.creates += 1
            let id = "stub-\(state.creates)"
            state.created[id] = now()
            return id
        }
        return .json(#"{"call_id":"\#(id)","call_status":"registered"}"#, status: 201)
    }
    if request.uri == "/stats" {
        let (creates, polls) = calls.state.withLock { ($0.creates, $0.polls) }
        return .json(#"{"creates":\#(creates),"polls":\#(polls)}"#)
    }
    guard request.uri.hasPrefix("/v2/get-call/") else { return .respond(status: 404) }
    let id = String(request.uri.dropFirst("/v2/get-call/".count))
    let created = calls.state.withLock { state -> Double? in
        state.polls += 1
        return state.created[id]
    }
    guard let created else { return .respond(status: 404, body: #"{"message":"no such call"}"#) }
    let ms = Int64(created * 1000)
    if now() - created < callSeconds { return .json(#"{"call_id":"\#(id)","call_status":"ongoing"}"#) }
    return .json(
        #"{"call_id":"\#(id)","call_status":"ended","disconnection_reason":"user_hangup","start_timestamp":\#(ms),"end_timestamp":\#(ms + Int64(callSeconds * 1000)),"call_analysis":{"call_summary":"stub","user_sentiment":"Neutral","call_successful":true,"in_voicemail":false}}"#
    )
}
FileHandle.standardOutput.write(Data("listening 127.0.0.1:\(server.port)\n".utf8))
while true { try await Task.sleep(for: .seconds(3600)) }
