/// Why a run stops for good: nothing an operator does within the campaign changes it.
public enum StopCode: String, Sendable, CaseIterable, Comparable {
    case dnc
    case invalidNumber = "invalid-number"
    case noTimezone = "no-timezone"
    case attemptsExhausted = "attempts-exhausted"
    case windowNeverOpens = "window-never-opens"
    case workflowLoop = "workflow-loop"

    public static func < (a: StopCode, b: StopCode) -> Bool { a.rawValue < b.rawValue }
}

/// What the calling window says for a run's lead at a time.
enum WindowCheck: Equatable {
    case open
    case closed(nextOpen: Int64)
    /// The rules never open within the window horizon (14 days).
    case neverOpens
    case noTimezone
}

/// What a run's steps need from outside: the time, the calling window, and
/// the run's subject, read only when a step needs it (a run that only waits
/// again is decided without reading its lead).
protocol WorkflowEnvironment {
    /// UTC seconds.
    var clock: Int64 { get }
    mutating func window() throws -> WindowCheck
    mutating func subject() throws -> RunSubject
    mutating func setTags(_ tags: [String]) throws
}

/// A step's effect on the CRM side, in the order the steps ran; the runner
/// writes them (`ActionWriter`) in the transaction that saves the run.
enum Effect {
    /// A step `ActionWriter` performs, with the subject as it was at that step.
    case action(Step, RunSubject)
    /// `add_to_workflow`: a new run of the workflow, due after `delay` seconds.
    case addToWorkflow(String, delay: Int64)
}

/// Where a run's steps got to.
struct StepResult {
    enum Next: Equatable {
        /// Waiting (a window, a `wait`); the run wakes at this UTC second.
        case wait(until: Int64)
        /// At a `place_call`: the runner asks the dial gate, then resumes past it or waits.
        case dial
        /// After a step that changes the lead (a field, the owner): write the effects,
        /// read the lead again and resume.
        case resume
        case done
        case stopped(StopCode, String)
        case failed(String)
    }

    var next: Next
    var state: RunState
    var effects: [Effect]
    /// Every step from the run's saved position to here was a window check that
    /// passed: waiting here is the same as waiting at the saved position.
    var rewindable: Bool
}

/// Runs a workflow's steps from a run's state: pure, given an environment;
/// it writes nothing and asks nothing of a database.
struct WorkflowInterpreter {
    static let stepLimit = 1000

    /// Advances from `state` until a step blocks or the run ends. `isNew`: a
    /// run started while its call is recorded; it does not dial in that
    /// transaction (its `place_call` waits for the next batch, due now).
    static func advance<E: WorkflowEnvironment>(
        _ workflow: Workflow, from start: RunState, isNew: Bool, environment env: inout E, steps: inout Int
    ) throws -> StepResult {
        var state = start
        var effects: [Effect] = []
        var onlyChecks = true
        var lastWasCheck = true
        func result(_ next: StepResult.Next) -> StepResult { StepResult(next: next, state: state, effects: effects, rewindable: onlyChecks) }
        while true {
            steps += 1
            if steps > stepLimit { return result(.failed("more than \(stepLimit) steps without waiting")) }
            guard let step = Step.at(state.position, in: workflow.steps) else {
                if state.leaveBranch() { continue }
                return result(.done)
            }
            onlyChecks = onlyChecks && lastWasCheck
            if case .waitUntilCallingWindow = step { lastWasCheck = true } else { lastWasCheck = false }
            switch step {
            case .waitUntilCallingWindow:
                switch try env.window() {
                case .open: state.next()
                case .closed(let next): return result(.wait(until: next))
                case .neverOpens:
                    // Rules that never open for this lead (a Sunday-only campaign and a Utah
                    // lead): waiting would never end, so the run stops and says why.
                    return result(.stopped(.windowNeverOpens, "the calling window does not open within 14 days"))
                case .noTimezone: return result(.stopped(.noTimezone, "no time zone is known for the lead"))
                }
            case .wait(let seconds):
                if let until = state.context["wait_until"] {
                    guard env.clock >= until else { return result(.wait(until: until)) }
                    state.context["wait_until"] = nil
                    state.next()
                } else {
                    let (until, overflow) = env.clock.addingReportingOverflow(seconds)
                    state.context["wait_until"] = overflow ? .max : until
                    return result(.wait(until: overflow ? .max : until))
                }
            case .waitUntil(let instant):
                guard env.clock >= instant.seconds else { return result(.wait(until: instant.seconds)) }
                state.next()
            case .placeCall:
                if isNew { return result(.wait(until: env.clock)) }
                return result(.dial)
            case .sendAIMessage(let settings) where !settings.replyAnytime:
                // Quiet hours: a reply to a message that came outside the lead's window waits for it.
                if case .closed(let next) = try env.window() { return result(.wait(until: next)) }
                effects.append(.action(step, try env.subject()))
                state.next()
            case .ifThen(let condition, _, _):
                let subject = try env.subject()
                state.enter(branch: condition.evaluate { subject.value($0) } ? 0 : 1)
            case .stop:
                return result(.done)
            case .addTag, .removeTag:
                let tags = try env.subject().lead.tags
                let changed = ActionWriter.tags(step, applyingTo: tags)
                if changed != tags { try env.setTags(changed) }
                state.next()
            case .addToWorkflow(let name, let delay):
                effects.append(.addToWorkflow(name, delay: delay))
                state.next()
            default:
                effects.append(.action(step, try env.subject()))
                state.next()
                if step.changesLead { return result(.resume) }
            }
        }
    }
}
