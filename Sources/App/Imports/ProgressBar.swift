import Foundation

/// A one-line terminal progress bar: percentage, rows per second and time left.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let start = Date()
    private var lastDraw = Date.distantPast

    func update(done: UInt64, total: UInt64, rows: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Double(rows) / elapsed
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = String(
            format: "\r%@ %5.1f%%  %@ rows/s  ETA %@ ", bar, fraction * 100, Self.compact(rate), Self.clock(eta))
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    func finish() { FileHandle.standardOutput.write(Data("\n".utf8)) }

    static func compact(_ v: Double) -> String {
        v >= 1_000_000
            ? String(format: "%.2fM", v / 1_000_000)
            : v >= 1000 ? String(format: "%.0fk", v / 1000) : String(format: "%.0f", v)
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
