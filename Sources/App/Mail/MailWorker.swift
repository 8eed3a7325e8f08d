import Fluent
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// The server's mail work, in the background while it serves: every `interval` it sends the
/// messages due, and every hour from 07:00 (London) it queues the reminders. Logs say how
/// many, never to whom or what.
struct MailWorker: LifecycleHandler {
    let queue: MailQueue
    let notifications: Notifications
    let settings: MailSettings
    var interval: TimeAmount = .seconds(20)
    let task = TaskBox()

    final class TaskBox: @unchecked Sendable {
        private let lock = NIOLock()
        private var task: Task<Void, Never>?
        func set(_ t: Task<Void, Never>?) { lock.withLock { task = t } }
        func cancel() { lock.withLock { task?.cancel() } }
    }

    func didBootAsync(_ app: Application) async throws {
        let transport = settings.makeTransport()
        if transport == nil {
            app.logger.notice("e-mail is not configured (SAFERSTREETS_MAIL): messages are queued, not sent")
        }
        let (queue, notifications, settings, interval) = (self.queue, self.notifications, self.settings, self.interval)
        let logger = app.logger, db = app.db
        task.set(
            Task {
                var lastReminders: Date?
                while !Task.isCancelled {
                    do {
                        let now = Date()
                        let t = Int(now.timeIntervalSince1970)
                        let hour = (t + CalendarDay.londonOffset(utc: t)).floorDivided(by: 3600) % 24
                        if hour >= 7, lastReminders.map({ now.timeIntervalSince($0) >= 3600 }) ?? true {
                            let n = try await notifications.run(settings: settings, on: db)
                            if n > 0 { logger.info("reminders: \(n) messages queued") }
                            lastReminders = now
                        }
                        if let transport {
                            let o = try await queue.deliverDue(through: transport, settings: settings, on: db)
                            if o.sent + o.retrying + o.givenUp > 0 {
                                logger.info(
                                    "mail: \(o.sent) sent, \(o.retrying) to try again, \(o.givenUp) given up (see /admin/mail)"
                                )
                            }
                        }
                    } catch {
                        logger.warning(
                            "mail: the queue could not be worked this time: \(String(describing: error).prefix(200))")
                    }
                    try? await Task.sleep(nanoseconds: UInt64(interval.nanoseconds))
                }
            })
    }

    func shutdownAsync(_ app: Application) async { task.cancel() }
}
