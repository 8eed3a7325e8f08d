@testable import App
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// The durable import queue: claims with a lease, a dead instance's job taken over or failed,
/// and two app instances on one database (run on PostgreSQL in CI with TEST_DATABASE_URL).
@Suite("import queue")
struct ImportQueueTests {
    /// A clock the test moves.
    final class Clock: Sendable {
        private let t = NIOLockedValueBox(Date(timeIntervalSince1970: 1_780_000_000))
        var now: Date { t.withLockedValue { $0 } }
        func advance(_ s: TimeInterval) { t.withLockedValue { $0 = $0.addingTimeInterval(s) } }
    }

    @Test("one claim at a time; a lapsed lease is taken over; after three deaths the job fails saying why")
    func leases() async throws {
        try await withTestApp { app in
            let clock = Clock()
            var queue = ImportQueue(now: { clock.now })
            queue.sqliteLease = queue.lease  // the same lease on both databases, for the test
            for (n, id) in ["a", "b"].enumerated() {
                try await queue.enqueue(
                    id: id, fileName: "\(id).csv", storedPath: "\(id)/\(id).csv", startedBy: "x@opcc.example",
                    origin: "web: X", on: app.db)
                clock.advance(Double(n + 1))
            }
            let first = try #require(try await queue.claim(owner: "h:1:one", on: app.db))
            #expect(first.id == "a" && first.state == .running && first.attempts == 1)
            let whileRunning = try await queue.claim(owner: "h:2:two", on: app.db)
            #expect(whileRunning == nil, "one import at a time across instances")
            #expect(try await queue.heartbeat("a", owner: "h:1:one", bytesDone: 5, bytesTotal: 10, rows: 3, on: app.db))

            clock.advance(59)
            #expect(try await queue.claim(owner: "h:2:two", on: app.db) == nil, "the heartbeat renewed the lease")
            clock.advance(2)
            let taken = try #require(try await queue.claim(owner: "h:2:two", on: app.db))
            #expect(taken.id == "a" && taken.attempts == 2 && taken.rowsRead == 3, "taken over once the lease lapsed")
            let lost = try await queue.heartbeat(
                "a", owner: "h:1:one", bytesDone: 9, bytesTotal: 10, rows: 9, on: app.db)
            #expect(!lost, "the first instance's lease is gone")
            // Its late result is not written over the new owner's work.
            try await queue.finish(
                "a", owner: "h:1:one", state: .finished, rows: 9, summary: "late", rejects: [], on: app.db)
            #expect(try await queue.job("a", on: app.db)?.state == .running)

            clock.advance(61)
            #expect(try await queue.claim(owner: "h:3:three", on: app.db)?.attempts == 3)
            clock.advance(61)
            // "a" has had its three attempts: the next claim takes "b", and "a" is failed.
            let next = try #require(try await queue.claim(owner: "h:4:four", on: app.db))
            #expect(next.id == "b")
            #expect(try await queue.failAbandoned(on: app.db) == ["a/a.csv"])
            let failed = try #require(try await queue.job("a", on: app.db))
            #expect(failed.state == .failed && failed.summary.contains("stopped 3 times"))

            // A server shutting down gives its job back without spending an attempt.
            try await queue.release("b", owner: "h:4:four", on: app.db)
            let released = try #require(try await queue.job("b", on: app.db))
            #expect(released.state == .queued && released.attempts == 0)
            #expect(try await queue.claim(owner: "h:5:five", on: app.db)?.id == "b")
        }
    }

    @Test("a lease owner is dead only when it names this machine and a process that has ended")
    func deadOwners() async throws {
        let done = try Process.run(URL(fileURLWithPath: "/bin/true"), arguments: [])
        done.waitUntilExit()
        #expect(ImportWorker.isDead("\(ImportWorker.host):\(done.processIdentifier):x"))
        #expect(!ImportWorker.isDead("\(ImportWorker.host):\(getpid()):x"), "this process runs")
        #expect(
            !ImportWorker.isDead("elsewhere.example:\(done.processIdentifier):x"), "another machine: the lease decides")
        #expect(!ImportWorker.isDead("nonsense"))
    }

    @Test(
        "two instances on one database: an upload on one is seen on the other, with the same session; a killed instance's job is taken over by the other"
    )
    func twoInstances() async throws {
        try await withTestApps(2) { apps in
            let (first, second) = (apps[0], apps[1])
            _ = try await first.makeUser("analyst@opcc.example", role: .opccStaff)
            let analyst = try await first.signIn("analyst@opcc.example")
            let rows = (4096..<4196).map { PoliceCSV.crime($0) }
            let response = try await ImportJobTests().upload(
                first, name: "2024-06-norfolk-street.csv", body: PoliceCSV.file(PoliceCSV.street, rows), as: analyst)
            let href = try #require(try JSONValue.parse(Data(buffer: response.body))["href"]?.string)
            // Followed on the other instance, signed in by the session made on the first.
            let job = try await ImportJobTests().finished(second, href, as: analyst)
            #expect(job["state"] == .string("finished") && job["rows"] == .integer(100))
            #expect(try await second.scalar("SELECT COUNT(*) AS n FROM incidents") == 100)

            // An instance claims a job and is killed mid-import: its pid has ended.
            let dead = try Process.run(URL(fileURLWithPath: "/bin/true"), arguments: [])
            dead.waitUntilExit()
            let folder = URL(fileURLWithPath: first.appConfig.uploadDirectory)
            let id = UUID().uuidString.lowercased()
            let upload = folder.appendingPathComponent(id)
            try FileManager.default.createDirectory(at: upload, withIntermediateDirectories: true)
            let more = (4196..<4246).map { PoliceCSV.crime($0) }
            try PoliceCSV.file(PoliceCSV.street, rows + more).write(
                to: upload.appendingPathComponent("2024-06-norfolk-street.csv"), atomically: true, encoding: .utf8)
            let queue = ImportQueue()
            let killed = "\(ImportWorker.host):\(dead.processIdentifier):killed"
            // Queued and claimed in one transaction, so no running worker sees the job queued
            // and takes it first.
            let claimed = try await first.db.transaction { tx in
                try await queue.enqueue(
                    id: id, fileName: "2024-06-norfolk-street.csv", storedPath: "\(id)/2024-06-norfolk-street.csv",
                    startedBy: "analyst@opcc.example", origin: "web: Analyst", on: tx)
                return try await queue.claim(owner: killed, on: tx)
            }
            #expect(claimed?.id == id && claimed?.attempts == 1)

            // The second instance's worker finds the job's process gone and imports the file.
            let worker = ImportWorker(queue: queue, folder: folder)
            await worker.work(second)
            let taken = try await ImportJobTests().finished(first, "/imports/\(id)", as: analyst)
            #expect(taken["state"] == .string("finished") && taken["attempts"] == .integer(2), "\(taken)")
            #expect(taken["summary"]?.string?.contains("50 inserted") == true, "\(taken)")
            #expect(try await first.scalar("SELECT COUNT(*) AS n FROM incidents") == 150)
            #expect(try await first.get("/imports/\(id)", as: analyst).body.string.contains("another took it up"))
            #expect(!FileManager.default.fileExists(atPath: upload.path), "the upload is removed once imported")
        }
    }
}
