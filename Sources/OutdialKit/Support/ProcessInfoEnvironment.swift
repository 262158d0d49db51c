import Foundation

/// The process environment as a plain dictionary, so parsing stays testable.
public enum ProcessInfoEnvironment {
    public static var current: [String: String] { ProcessInfo.processInfo.environment }
}
