// `make fuzz`: seeded mutational fuzzing of outdial's parsers for a time
// budget (docs/cli.md, "Fuzzing"). An input that traps or runs past the
// per-input limit is written to the corpus directory as
// `crash-TARGET-N` or `hang-TARGET-N`, and the process exits 1.
import Foundation
import OutdialKit

#if canImport(Glibc)
    import Glibc
#endif

var seconds = 60.0
var seed: UInt64 = 1
var corpus = "Tests/Fuzz/Corpus"
var targets = FuzzTarget.allCases
var arguments = Array(CommandLine.arguments.dropFirst())[...]
while let argument = arguments.popFirst() {
    switch argument {
    case "--seconds": seconds = Double(arguments.popFirst() ?? "") ?? seconds
    case "--seed": seed = UInt64(arguments.popFirst() ?? "") ?? seed
    case "--corpus": corpus = arguments.popFirst() ?? corpus
    default:
        guard let target = FuzzTarget(rawValue: argument) else {
            FileHandle.standardError.write(Data("usage: outdial-fuzz [--seconds N] [--seed N] [--corpus DIR] [TARGET …]\n".utf8))
            exit(64)
        }
        if targets.count == FuzzTarget.allCases.count { targets = [] }
        targets.append(target)
    }
}

// What the signal handler writes: the input in hand and where it goes.
nonisolated(unsafe) var current: UnsafeMutableBufferPointer<UInt8> = .allocate(capacity: 1 << 20)
nonisolated(unsafe) var currentCount = 0
nonisolated(unsafe) var crashPath: UnsafeMutablePointer<CChar> = strdup("")!
nonisolated(unsafe) var hangPath: UnsafeMutablePointer<CChar> = strdup("")!

func save(to path: UnsafeMutablePointer<CChar>, _ message: StaticString) {
    let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
    if fd >= 0 {
        _ = write(fd, current.baseAddress!, currentCount)
        close(fd)
    }
    _ = message.withUTF8Buffer { write(2, $0.baseAddress!, $0.count) }
    _ = write(2, path, strlen(path))
    _ = write(2, "\n", 1)
}

for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT] {
    Glibc.signal(signal) { _ in
        save(to: crashPath, "outdial-fuzz: an input crashed the parser; it is in ")
        _exit(1)
    }
}
Glibc.signal(SIGALRM) { _ in
    save(to: hangPath, "outdial-fuzz: an input ran past 10 seconds; it is in ")
    _exit(1)
}

let scratch = try FuzzTarget.Scratch(directory: NSTemporaryDirectory() + "outdial-fuzz-\(getpid())")
defer { try? FileManager.default.removeItem(atPath: scratch.directory) }
try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
let files = (try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []
var rng = SplitMix64(seed: seed)
let tokens: [[UInt8]] = [
    "\"", ",", "\n", "\r\n", "\0", ":", "*a", "&a ", "- ", "[", "{", "}", "]", "999999999", "-1", ".inf", "nan", "9223372036854775807",
    "0x", "e308", "XXXXXXX", "+1", "T", "Z", ".123456789", "w", "\u{FEFF}", "\u{1B}[2J", "é", "\u{FFFF}", "#",
].map { Array($0.utf8) }

func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
    var bytes = input
    for _ in 0...(rng.next() % 4) {
        let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count + 1))
        switch rng.next() % 7 {
        case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] ^= UInt8(1 << (rng.next() % 8))
        case 1: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
        case 2 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(rng.next() % 16)))
        case 3: bytes.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: at)
        case 4 where !bytes.isEmpty:
            let end = min(bytes.count, at + 1 + Int(rng.next() % 64))
            if at < end { bytes.insert(contentsOf: bytes[at..<end], at: at) }
        case 5: bytes = Array(bytes.prefix(at))
        default: bytes.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: bytes.count)
        }
    }
    return Array(bytes.prefix(1 << 20))
}

var pools: [FuzzTarget: [[UInt8]]] = [:]
for target in targets {
    var pool = target.seeds.map { Array($0.utf8) }
    for name in files where name.hasPrefix(target.rawValue + "-") || name.hasPrefix("crash-\(target.rawValue)-") {
        if let data = FileManager.default.contents(atPath: corpus + "/" + name) { pool.append(Array(data)) }
    }
    pools[target] = pool
}

let deadline = Date().addingTimeInterval(seconds)
var tried: [FuzzTarget: Int] = [:]
var round = 0
while Date() < deadline {
    for target in targets {
        let pool = pools[target]!
        let input = mutate(pool[Int(rng.next() % UInt64(pool.count))], &rng)
        round += 1
        free(crashPath)
        free(hangPath)
        crashPath = strdup("\(corpus)/crash-\(target.rawValue)-\(seed)-\(round)")!
        hangPath = strdup("\(corpus)/hang-\(target.rawValue)-\(seed)-\(round)")!
        _ = input.withUnsafeBufferPointer { memcpy(current.baseAddress!, $0.baseAddress!, $0.count) }
        currentCount = input.count
        alarm(10)
        target.run(input, in: scratch)
        alarm(0)
        tried[target, default: 0] += 1
        // Inputs that still parse are worth mutating further.
        if rng.next() % 16 == 0, pools[target]!.count < 256 { pools[target]!.append(input) }
    }
}
let total = tried.values.reduce(0, +)
print(
    "outdial-fuzz: \(total) inputs over \(Int(seconds)) s (seed \(seed)), no crash or hang: "
        + targets.map { "\($0.rawValue) \(tried[$0] ?? 0)" }.joined(separator: ", "))
