import Foundation
import SQLKit
import Vapor

/// Builds the ``ImportStore`` for the configured database, and records runs.
enum ImportStores {
    static func make(_ config: AppConfig) throws -> any ImportStore {
        switch config.database {
        case .sqlite(let path): try SQLiteImportStore(path: path)
        case .postgres(let url): try PostgresImportStore(url: url)
        }
    }

    /// Runs an import off the event loops and records it in `imports`.
    static func runImport(
        app: Application, paths: [String], origin: String,
        progress: (@Sendable (UInt64, UInt64, Int) -> Void)? = nil
    ) async throws -> ImportReport {
        let config = app.appConfig
        let started = Date()
        let report: ImportReport
        do {
            report = try await importOffLoop(app: app, config: config, paths: paths, progress: progress)
        } catch {
            AppMetrics.imported(rows: 0, seconds: Date().timeIntervalSince(started), failed: true)
            throw error
        }
        AppMetrics.imported(rows: report.rowsRead, seconds: Date().timeIntervalSince(started), failed: false)
        try await record(report, origin: origin, started: started, on: app.db.sql)
        // Boundary areas count incidents by point in polygon: recount them now that the
        // data may have changed, rather than on some later page request.
        try await AreaStore().refreshCounts(on: app.db)
        // The plan's computed measures follow the data.
        try await PlanService(plans: PlanStore(audit: AuditLog()), measures: MeasureStore(audit: AuditLog()))
            .refresh(on: app.db)
        return report
    }

    /// The import itself, on the thread pool.
    private static func importOffLoop(
        app: Application, config: AppConfig, paths: [String], progress: (@Sendable (UInt64, UInt64, Int) -> Void)?
    ) async throws -> ImportReport {
        try await app.threadPool.runIfActive {
            let store = try make(config)
            defer {
                (store as? SQLiteImportStore)?.checkpoint()
                let (busy, cpu, waited) = store.writerSeconds
                app.logger.debug(
                    "import writer thread",
                    metadata: [
                        "busy_s": "\(String(format: "%.2f", busy))",
                        "cpu_s": "\(String(format: "%.2f", cpu))",
                        "importer_waited_s": "\(String(format: "%.2f", waited))",
                    ])
            }
            return try PoliceImporter(store: store).run(paths: paths, progress: progress)
        }
    }

    static func record(_ report: ImportReport, origin: String, started: Date, on sql: any SQLDatabase) async throws {
        let iso = ISO8601DateFormatter()
        let status =
            report.filesRefused > 0
            ? (report.filesImported > 0 ? "partly refused" : "refused")
            : (report.rejected > 0 ? "imported with rejected rows" : "imported")
        let message = report.summary
        let id =
            try await sql.raw(
                """
                INSERT INTO imports (origin, status, started_at, finished_at, files, files_refused, rows_read, inserted,
                  unchanged, updated, rejected, message)
                VALUES (\(bind: origin), \(bind: status), \(bind: iso.string(from: started)), \(bind: iso.string(from: Date())),
                  \(bind: report.filesImported), \(bind: report.filesRefused), \(bind: report.rowsRead), \(bind: report.inserted),
                  \(bind: report.unchanged), \(bind: report.updated), \(bind: report.rejected), \(bind: message))
                RETURNING id
                """
            ).first(decodingColumn: "id", as: Int.self) ?? 0
        for f in report.files {
            try await sql.raw(
                """
                INSERT INTO import_files (import_id, name, kind, status, rows_read, inserted, unchanged, updated, rejected, message)
                VALUES (\(bind: id), \(bind: f.name), \(bind: f.kind), \(bind: f.status), \(bind: f.rowsRead),
                  \(bind: f.inserted), \(bind: f.unchanged), \(bind: f.updated), \(bind: f.rejected), \(bind: f.message))
                """
            ).run()
            for batch in f.rejects.chunks(of: 200) {
                var insert = sql.insert(into: "import_rejects").columns("import_id", "file", "line", "reason")
                for r in batch {
                    insert = insert.values(SQLBind(id), SQLBind(r.file), SQLBind(r.line), SQLBind(r.reason))
                }
                try await insert.run()
            }
        }
    }
}
