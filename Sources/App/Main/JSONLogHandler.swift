import Foundation
import Logging
import NIOConcurrencyHelpers

/// One JSON object per line on standard error (`SAFERSTREETS_LOG_FORMAT=json`), for log
/// collectors: `time`, `level`, `label`, `message` and the metadata (e.g. `request-id`). What is
/// logged is the same as in the plain format: counts, routes and errors, never a person.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    /// Lines are written whole, one at a time.
    private static let lock = NIOLock()

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let line = Self.line(
            time: Date(), level: event.level, label: label, message: event.message.description,
            metadata: metadata.merging(event.metadata ?? [:]) { _, new in new })
        Self.lock.withLock { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// The JSON text of one entry, keys sorted so lines compare and diff well.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata)
        -> String
    {
        var fields: [String: String] = [
            "time": time.stored, "level": level.rawValue, "label": label, "message": message,
        ]
        for (key, value) in metadata where fields[key] == nil { fields[key] = value.description }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
