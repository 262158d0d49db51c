import Foundation

/// A blocking queue of bounded length between one producer thread and one
/// consumer: the producer waits when the consumer falls behind, so memory
/// stays flat.
final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private let capacity: Int
    private var closed = false

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an element, waiting for room. Returns false when the consumer has gone.
    @discardableResult
    func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// Takes the next element, waiting for one.
    func take() -> Element {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let element = items.removeFirst()
        condition.broadcast()
        return element
    }

    /// Tells a waiting producer to stop (the consumer failed).
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Moves a value to another thread whose only user it becomes.
struct Handoff<Value>: @unchecked Sendable {
    var value: Value
}
