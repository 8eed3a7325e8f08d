import CrimeData
import Foundation
import Vapor

/// A case's criminal justice events and clocks: an event recorded, the victim marked told, a
/// running clock marked not applicable.
extension VictimController {
    @Sendable func addEvent(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        struct Form: Decodable { var kind: String?; var occurredOn: String?; var occurredAt: String? }
        let f = try req.content.decode(Form.self)
        let time = (f.occurredAt ?? "").isEmpty ? "09:00" : (f.occurredAt ?? "")
        guard let kind = VictimStore.EventKind(rawValue: f.kind ?? ""), let day = CalendarDay(f.occurredOn ?? ""),
            let at = Self.moment(day, time), at <= now()
        else {
            throw Abort(
                .unprocessableEntity,
                reason: "Choose what happened and give its date (YYYY-MM-DD, not in the future) and time (HH:MM).")
        }
        guard
            try await store.addEvent(toCase: id, kind: kind, occurredAt: at, informedAt: nil, viewer: user, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such case.") }
        return req.redirect(to: SiteURL.victimCase.with(query: "purpose=case-work", id) + "#clocks")
    }

    /// A running clock marked not applicable, with a reason from the list.
    @Sendable func markNotApplicable(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        struct Form: Decodable { var clock: String?; var reason: String? }
        let f = try req.content.decode(Form.self)
        guard let clock = VictimStore.ClockRef(f.clock ?? "") else {
            throw Abort(.unprocessableEntity, reason: "clock: choose the clock that does not apply.")
        }
        guard let reason = Victims.NotApplicable(rawValue: f.reason ?? "") else {
            throw Abort(
                .unprocessableEntity,
                reason: "reason: one of \(Victims.NotApplicable.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard try await store.markNotApplicable(clock, ofCase: id, reason: reason, viewer: user, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such running clock on this case.")
        }
        return req.redirect(to: SiteURL.victimCase.with(query: "purpose=case-work", id) + "#clocks")
    }

    @Sendable func markInformed(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        guard let event = req.parameters.get("event", as: Int.self),
            try await store.markInformed(event: event, ofCase: id, at: now(), viewer: user, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such event waiting on this case.") }
        return req.redirect(to: SiteURL.victimCase.with(query: "purpose=case-work", id) + "#clocks")
    }

    /// A UK civil date and `HH:MM` as a moment.
    static func moment(_ day: CalendarDay, _ time: String) -> Date? {
        let parts = time.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        return CalendarDay.calendar.date(byAdding: .minute, value: h * 60 + m, to: day.date)
    }
}
