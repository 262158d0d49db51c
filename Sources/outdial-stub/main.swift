// `make bench`'s stub provider: a Retell-shaped API on 127.0.0.1 that
// answers create-phone-call at once and ends each call `--call-seconds`
// after it was created (get-call says `ongoing` until then). `GET /stats`
// gives the requests it has answered and the calls in flight now. It prints its port, then serves until
// killed. Nothing here is used by outdial itself.
import Foundation
import Synchronization
import TestSupport

let arguments = CommandLine.arguments
let callSeconds = arguments.firstIndex(of: "--call-seconds").flatMap { Double(arguments[$0 + 1]) } ?? 1

final class Calls: Sendable {
    /// Each call's creation time, by id and in order.
    let state = Mutex<(created: [String: Double], times: [Double], creates: Int, polls: Int)>(([:], [], 0, 0))
}
let calls = Calls()

func now() -> Double { Date().timeIntervalSince1970 }

let server = try await StubServer.start(recording: false) { request in
    if request.method == "POST", request.uri == "/v2/create-phone-call" {
        let id = calls.state.withLock { state -> String in
            state.creates += 1
            let id = "stub-\(state.creates)"
            let time = now()
            state.created[id] = time
            state.times.append(time)
            return id
        }
        return .json(#"{"call_id":"\#(id)","call_status":"registered"}"#, status: 201)
    }
    if request.uri == "/stats" {
        let (creates, polls, inFlight) = calls.state.withLock { state in
            let ended = now() - callSeconds
            // The first call created after `ended`: it and every later one are in flight.
            var low = 0
            var high = state.times.count
            while low < high {
                let middle = (low + high) / 2
                if state.times[middle] <= ended { low = middle + 1 } else { high = middle }
            }
            return (state.creates, state.polls, state.times.count - low)
        }
        return .json(#"{"creates":\#(creates),"polls":\#(polls),"in_flight":\#(inFlight)}"#)
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
