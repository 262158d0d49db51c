/// A binary min-heap: `push` and `popFirst` in O(log n).
struct MinHeap<Element: Comparable> {
    private var items: [Element] = []

    var first: Element? { items.first }
    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    /// The elements in no particular order.
    var unordered: [Element] { items }

    mutating func push(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> Element? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if left + 1 < items.count, items[left + 1] < items[smallest] { smallest = left + 1 }
            guard smallest != parent else { return first }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
