import Foundation
import TestSupport
import Testing

@testable import OutdialKit

/// A lead for a run subject, with its fields and tags.
private func lead(tags: [String] = [], fields: String = "{}", state: String? = "TX") -> LeadRecord {
    LeadRecord(
        id: 7, externalID: "X-7", phone: "+15125550117", firstName: "Ann", lastName: "Lee", email: nil, state: state, stateSource: "state", zip: nil,
        country: "US", timezone: nil, zones: ["America/Chicago"], zoneSources: "{}", status: "new", dnc: false, fields: fields, tags: tags,
        sourceLine: 2, createdAt: Instant(seconds: 0), updatedAt: Instant(seconds: 0))
}

/// Conditions: each operator, the lenient matching of text and numbers, and the combinators.
@Suite struct ConditionTests {
    static let values: [String: ConditionValue] = [
        "call.outcome": .text("Answered"), "call.duration_ms": .number(42_000), "lead.tags": .list([.text("hot"), .text("solar")]),
        "lead.fields.roof": .text("south"), "call.call_successful": .bool(true), "lead.fields.count": .text("3"), "call.summary": .null,
    ]
    static func check(_ condition: Condition) -> Bool { condition.evaluate { values[$0] } }

    @Test(arguments: [
        (Condition.Operator.is, ConditionValue.text("answered"), true), (.is, .text("voicemail"), false),
        (.isNot, .text("voicemail"), true), (.isNot, .text("ANSWERED"), false),
        (.in, .list([.text("busy"), .text("answered")]), true), (.in, .list([.text("busy")]), false), (.in, .text("answered"), false),
        (.contains, .text("SWER"), true), (.contains, .text("mail"), false),
        (.exists, .bool(true), true), (.exists, .bool(false), false),
    ])
    func onText(op: Condition.Operator, value: ConditionValue, expected: Bool) {
        #expect(Self.check(.compare(field: "call.outcome", op: op, value: value)) == expected)
    }

    @Test func numbersCompareAsNumbersAndTextThatIsANumberMatchesOne() {
        #expect(Self.check(.compare(field: "call.duration_ms", op: .gt, value: .number(30_000))))
        #expect(!Self.check(.compare(field: "call.duration_ms", op: .lt, value: .number(30_000))))
        #expect(Self.check(.compare(field: "call.duration_ms", op: .gte, value: .number(42_000))))
        #expect(Self.check(.compare(field: "call.duration_ms", op: .lte, value: .text("42000"))))
        #expect(Self.check(.compare(field: "lead.fields.count", op: .is, value: .number(3))))
        #expect(!Self.check(.compare(field: "call.outcome", op: .gt, value: .number(1))))  // text that is no number never compares
    }

    @Test func listsContainTheirItemsAndMissingOrNullValuesAreNotThere() {
        #expect(Self.check(.compare(field: "lead.tags", op: .contains, value: .text("HOT"))))
        #expect(!Self.check(.compare(field: "lead.tags", op: .contains, value: .text("ho"))))  // an item, not a substring
        #expect(!Self.check(.compare(field: "call.summary", op: .exists, value: .bool(true))))
        #expect(Self.check(.compare(field: "call.summary", op: .is, value: .null)))
        #expect(Self.check(.compare(field: "lead.fields.nothing", op: .is, value: .null)))
        #expect(!Self.check(.compare(field: "lead.fields.nothing", op: .in, value: .list([.null]))))
        #expect(Self.check(.compare(field: "call.call_successful", op: .is, value: ConditionValue(scalar: "TRUE"))))
    }

    @Test func allAnyAndNotCombine() {
        let yes = Condition.compare(field: "lead.fields.roof", op: .is, value: .text("south"))
        let no = Condition.compare(field: "lead.fields.roof", op: .is, value: .text("north"))
        #expect(Self.check(.all([yes, .not(no)])) && !Self.check(.all([yes, no])))
        #expect(Self.check(.any([no, yes])) && !Self.check(.any([no, .not(yes)])))
        #expect(Self.check(.all([])) && !Self.check(.any([])))
        #expect(
            Condition.all([yes, .any([no, .not(.compare(field: "call.outcome", op: .exists, value: .bool(true)))])]).fields == [
                "lead.fields.roof", "lead.fields.roof", "call.outcome",
            ])
    }

    @Test(arguments: [
        ("true", ConditionValue.bool(true)), ("No", .bool(false)), ("~", .null), ("12.5", .number(12.5)), ("positive", .text("positive")),
    ])
    func scalarsAreReadAsWhatTheySay(text: String, value: ConditionValue) {
        #expect(ConditionValue(scalar: text) == value)
    }
}

/// Templates: holes, fallbacks, and every way a template can be wrong.
@Suite struct TemplateTests {
    @Test func holesAreFilledAndMissingValuesFallBack() throws {
        let template = try Template(parsing: "Hi {{lead.first_name}}, about {{ lead.fields.roof | default: \"your roof\" }}{{call.summary}}!")
        #expect(template.variables == ["lead.first_name", "lead.fields.roof", "call.summary"])
        #expect(template.render { ["lead.first_name": "Ann", "lead.fields.roof": "the south roof"][$0] } == "Hi Ann, about the south roof!")
        #expect(template.render { ["lead.first_name": "Ann", "lead.fields.roof": ""][$0] } == "Hi Ann, about your roof!")
        #expect(try Template(parsing: "plain text").render { _ in "x" } == "plain text")
        #expect(try Template(parsing: "{{lead.phone|default:'none'}}").render { _ in nil } == "none")
    }

    @Test(arguments: [
        ("Hi {{lead.first_name", "without a closing"), ("{{lead.shoe_size}}", "is not a lead field"), ("{{lead.fields}}", "needs a field name"),
        ("{{call.custom}}", "needs a name"), ("{{message.body}}", "is not a message field"), ("{{owner}}", "is not a variable"),
        ("{{env.SECRET}}", "variables start with lead., call. or message."), ("{{lead.phone | upper}}", "is not a filter"),
    ])
    func badTemplatesAreRefusedWithTheReason(text: String, reason: String) {
        #expect {
            _ = try Template(parsing: text)
        } throws: { error in
            (error as? WorkflowError)?.message.contains(reason) == true
        }
    }
}

/// A run's position through nested `if` branches, and its saved form.
@Suite struct RunStateTests {
    @Test func positionsMoveThroughBranchesAndBack() {
        var state = RunState(position: [0], context: [:])
        state.next()
        state.enter(branch: 1)
        #expect(state.position == [1, 1, 0])
        state.next()
        state.enter(branch: 0)
        #expect(state.position == [1, 1, 1, 0, 0])
        #expect(state.leaveBranch() && state.position == [1, 1, 2])
        #expect(state.leaveBranch() && state.position == [2])
        #expect(!state.leaveBranch() && state.position == [2])
    }

    @Test func positionAndContextSurviveTheirTextForm() {
        let state = RunState(position: [3, 0, 12], context: ["wait_until": 1_795_622_400, "call_id": -4])
        #expect(state.positionJSON == "[3,0,12]")
        #expect(state.contextJSON == #"{"call_id":-4,"wait_until":1795622400}"#)
        #expect(RunState.path(state.positionJSON) == state.position)
        #expect(RunState.context(state.contextJSON) == state.context)
        #expect(RunState.path("[]") == [0] && RunState.context("{}").isEmpty)
    }
}

/// The interpreter on its own: no database, a scripted environment.
@Suite struct WorkflowInterpreterTests {
    struct Environment: WorkflowEnvironment {
        var clock: Int64
        var windows: [WindowCheck] = [.open]
        var current = RunSubject(lead: lead(tags: ["solar"], fields: #"{"roof":"south"}"#))
        var windowAsks = 0
        var subjectReads = 0
        var tagsSet: [[String]] = []

        mutating func window() throws -> WindowCheck {
            windowAsks += 1
            return windows.count > 1 ? windows.removeFirst() : windows[0]
        }
        mutating func subject() throws -> RunSubject {
            subjectReads += 1
            return current
        }
        mutating func setTags(_ tags: [String]) throws {
            tagsSet.append(tags)
            current.lead.tags = tags
        }
    }

    static func workflow(_ steps: [Step]) -> Workflow { Workflow(name: "w", trigger: .leadAdded, steps: steps, line: 1, column: 1) }

    static func advance(_ steps: [Step], from state: RunState = RunState(position: [0], context: [:]), env: inout Environment, isNew: Bool = false)
        throws -> StepResult
    {
        var count = 0
        return try WorkflowInterpreter.advance(workflow(steps), from: state, isNew: isNew, environment: &env, steps: &count)
    }

    @Test func aClosedWindowWaitsUntilItOpensAndThenTheRunDials() throws {
        var env = Environment(clock: 1000, windows: [.closed(nextOpen: 5000)])
        let steps: [Step] = [.waitUntilCallingWindow, .placeCall(Step.PlaceCall())]
        let waiting = try Self.advance(steps, env: &env)
        #expect(waiting.next == .wait(until: 5000) && waiting.state.position == [0] && waiting.rewindable)
        env.clock = 5000
        env.windows = [.open]
        let dialing = try Self.advance(steps, from: waiting.state, env: &env)
        #expect(dialing.next == .dial && dialing.state.position == [1])
        #expect(env.subjectReads == 0)  // neither step needed the lead
        // A run started while its call is recorded waits for the next batch instead of dialling.
        #expect(try Self.advance(steps, from: waiting.state, env: &env, isNew: true).next == .wait(until: 5000))
    }

    @Test func aWaitRemembersWhenItEndsAndGoesOnOnlyThen() throws {
        var env = Environment(clock: 100)
        let steps: [Step] = [.wait(seconds: 3600), .addTag("called")]
        let first = try Self.advance(steps, env: &env)
        #expect(first.next == .wait(until: 3700) && first.state.context["wait_until"] == 3700)
        env.clock = 3699
        #expect(try Self.advance(steps, from: first.state, env: &env).next == .wait(until: 3700))
        env.clock = 3700
        let done = try Self.advance(steps, from: first.state, env: &env)
        #expect(done.next == .done && done.state.context["wait_until"] == nil && env.tagsSet == [["called", "solar"]])
        // A wait that would pass the end of time waits for ever instead of overflowing.
        var late = Environment(clock: .max - 10)
        #expect(try Self.advance([.wait(seconds: 3600)], env: &late).next == .wait(until: .max))
    }

    @Test func ifTakesTheBranchItsConditionSaysAndComesBackAfterIt() throws {
        let condition = Condition.compare(field: "lead.fields.roof", op: .is, value: .text("south"))
        let steps: [Step] = [.ifThen(condition, then: [.addTag("south")], else: [.addTag("other")]), .sendSMS(try Template(parsing: "hi"))]
        var env = Environment(clock: 0)
        let result = try Self.advance(steps, env: &env)
        #expect(result.next == .done)
        #expect(env.current.lead.tags == ["solar", "south"])
        #expect(result.effects.count == 1)
        if case .action(.sendSMS, let subject)? = result.effects.first { #expect(subject.lead.tags == ["solar", "south"]) } else { Issue.record("no SMS") }
        env.current.lead.fields = #"{"roof":"north"}"#
        env.current.lead.tags = []
        _ = try Self.advance(steps, env: &env)
        #expect(env.current.lead.tags == ["other"])
    }

    @Test func leadChangingStepsResumeAndStopsEndTheRun() throws {
        var env = Environment(clock: 0)
        let steps: [Step] = [.updateField(name: "stage", value: try Template(parsing: "called")), .stop, .addTag("never")]
        let first = try Self.advance(steps, env: &env)
        #expect(first.next == .resume && first.state.position == [1] && first.effects.count == 1)
        let second = try Self.advance(steps, from: first.state, env: &env)
        #expect(second.next == .done && env.tagsSet.isEmpty)
        let added = try Self.advance([.addToWorkflow(workflow: "retry", delay: 14_400)], env: &env)
        guard case .addToWorkflow("retry", 14_400)? = added.effects.first else {
            Issue.record("add_to_workflow wrote \(added.effects)")
            return
        }
    }

    @Test func windowsThatNeverOpenOrLeadsWithNoZoneStopWithTheirCode() throws {
        var never = Environment(clock: 0, windows: [.neverOpens])
        #expect(try Self.advance([.waitUntilCallingWindow], env: &never).next == .stopped(.windowNeverOpens, "the calling window does not open within 14 days"))
        var none = Environment(clock: 0, windows: [.noTimezone])
        #expect(try Self.advance([.waitUntilCallingWindow], env: &none).next == .stopped(.noTimezone, "no time zone is known for the lead"))
    }

    @Test func aReplyOutsideTheWindowWaitsUnlessItMayGoAnytime() throws {
        var env = Environment(clock: 0, windows: [.closed(nextOpen: 900)])
        let quiet = Step.sendAIMessage(Step.AIMessage(responder: "rules", via: nil, replyAnytime: false))
        #expect(try Self.advance([quiet], env: &env).next == .wait(until: 900))
        let anytime = Step.sendAIMessage(Step.AIMessage(responder: "rules", via: nil, replyAnytime: true))
        let sent = try Self.advance([anytime], env: &env)
        #expect(sent.next == .done && sent.effects.count == 1)
    }

    @Test func aRunThatNeverBlocksFailsAfterTheStepLimit() throws {
        var env = Environment(clock: 0)
        var count = WorkflowInterpreter.stepLimit - 1
        let result = try WorkflowInterpreter.advance(
            Self.workflow([.addTag("a"), .addTag("b"), .addTag("c")]), from: RunState(position: [0], context: [:]), isNew: false, environment: &env,
            steps: &count)
        #expect(result.next == .failed("more than \(WorkflowInterpreter.stepLimit) steps without waiting"))
    }
}

/// The workflow list of a campaign file read into steps.
@Suite struct WorkflowParserTests {
    static func workflows(_ yaml: String) throws -> [Workflow] {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "w.yml", "version: 1\nname: w\nconnections: { main: { provider: simulated } }\nworkflows:\n" + yaml)
        return try Campaign.load(path: path).workflows
    }

    @Test func stepsTriggersAndBranchesAreReadIntoTypes() throws {
        let workflows = try Self.workflows(
            """
              - name: out
                trigger: lead_added
                steps:
                  - wait_until_calling_window: {}
                  - place_call: { connection: main, agent: a1, variables: { offer: spring } }
              - name: after
                trigger: { call_completed: { outcome: [voicemail, no_answer] } }
                steps:
                  - if: { field: call.outcome, is: voicemail }
                    then: [ { send_sms: "Sorry we missed you, {{lead.first_name}}" }, { add_to_workflow: { workflow: out, delay: 4h } } ]
                    else: [ { add_tag: unreached } ]
                  - create_task: { title: "Call {{lead.phone}}", due: 1d, assignee: sam }
                  - wait: 30m
            """)
        #expect(workflows.map(\.name) == ["out", "after"])
        #expect(workflows[0].trigger == .leadAdded)
        guard case .placeCall(let call) = workflows[0].steps[1] else {
            Issue.record("step 2 is \(workflows[0].steps[1].name)")
            return
        }
        #expect(call.connection == "main" && call.agent == "a1" && call.variables == ["offer": "spring"])
        #expect(workflows[1].trigger == .callCompleted(outcomes: ["voicemail", "no_answer"], sentiments: [], connections: []))
        guard case .ifThen(let condition, let then, let other) = workflows[1].steps[0] else {
            Issue.record("no if")
            return
        }
        #expect(condition == .compare(field: "call.outcome", op: .is, value: .text("voicemail")))
        #expect(then.map(\.name) == ["send_sms", "add_to_workflow"] && other.map(\.name) == ["add_tag"])
        // Each step is the kind it should be (a step of another kind fails here, not silently).
        guard case .addToWorkflow(let name, let delay) = then[1], case .createTask(_, let due, let assignee) = workflows[1].steps[1],
            case .wait(let seconds) = workflows[1].steps[2]
        else {
            Issue.record("steps read as \(then.map(\.name)) and \(workflows[1].steps.map(\.name))")
            return
        }
        #expect(name == "out" && delay == 4 * 3600)
        #expect(due == 86_400 && assignee == "sam")
        #expect(seconds == 1800)
        #expect(Step.at([0, 0, 1], in: workflows[1].steps)?.name == "add_to_workflow")
        #expect(Step.at([0, 1, 0], in: workflows[1].steps)?.name == "add_tag")
        #expect(Step.at([0, 1, 1], in: workflows[1].steps) == nil)
    }

    @Test(arguments: [
        ("  - name: a\n    steps: []\n", "workflow 'a' needs a trigger"),
        ("  - trigger: lead_added\n    steps: []\n", "workflow 1 needs a name"),
        ("  - { name: a, trigger: lead_added, steps: [] }\n  - { name: a, trigger: lead_added, steps: [] }\n", "two workflows are named 'a'"),
        ("  - { name: a, trigger: lead_added, steps: [ { sleep: 1h } ] }\n", "unknown key 'sleep'"),
        ("  - { name: a, trigger: message_received: {}, steps: [] }\n", "not valid YAML"),
        ("  - { name: a, trigger: { message_received: { channels: [sms, smoke] } }, steps: [] }\n", "channel 'smoke' is not one of"),
        ("  - { name: a, trigger: lead_added, steps: [ { send_sms: \"{{lead.nope}}\" } ] }\n", "is not a lead field"),
    ])
    func badWorkflowsSayWhatIsWrong(yaml: String, message: String) {
        #expect {
            _ = try Self.workflows(yaml)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}

/// The import's set of phone keys behaves as `Set<UInt64>` does, through growth.
@Suite struct PhoneKeySetTests {
    @Test(arguments: [1, 2, 3])
    func behavesAsASetOfTheSameKeys(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var keys = PhoneKeySet(capacity: 16)
        var reference = Set<UInt64>()
        for _ in 0..<20_000 {
            // Keys close together (consecutive numbers of one exchange) and far apart.
            let key =
                Bool.random(using: &generator)
                ? 1_512_555_0000 + UInt64.random(in: 0..<5000, using: &generator) : UInt64.random(in: 1...UInt64.max, using: &generator)
            #expect(keys.insert(key) == reference.insert(key).inserted)
            let probe = 1_512_555_0000 + UInt64.random(in: 0..<10_000, using: &generator)
            #expect(keys.contains(probe) == reference.contains(probe))
        }
        #expect(keys.count == reference.count)
        #expect(reference.allSatisfy(keys.contains))
    }
}
