import Analytics
import NIOCore
import PostgresNIO

/// The maintained aggregates on PostgreSQL, after a file's rows.
extension PostgresImportStore {
    /// Adds the file's deltas to the LSOA (monthly and yearly), force and district counts, in
    /// key order so that the writes walk each primary key's index from left to right
    /// (1.58 s → 1.23 s for 295,000 keys, measured server-side; a packed LSOA code sorts as
    /// its text).
    ///
    /// Keys the table does not hold yet, nearly all of them when a new month arrives, are
    /// sent as a binary COPY; only the keys it holds are upserted. Which keys it holds is
    /// read first, for the file's LSOAs and months only (not every force's keys of those
    /// months: with 44 forces' files that read grew with each file, 640 s for a national
    /// import): no other import can add one meanwhile, as each holds ``importLock``.
    ///
    /// The deltas go in pieces of at most ``piece`` keys, so the memory this takes does not
    /// grow with the file: with the whole file's keys in arrays at once, importing a
    /// national-shaped file of 5,000,000 rows (1,880,000 monthly keys) peaked at 371–404 MiB.
    func applyCounts(byLSOA: CountTable, byForce: [PlaceCountKey: Int64], byDistrict: [PlaceCountKey: Int64]) throws {
        let order = byLSOA.keyOrder()
        var months = Set<Int>(), codes: [String] = []
        var lastLSOA: UInt64?
        byLSOA.forEach(inOrder: order) { k, _ in
            months.insert(Int(k.month))
            if k.lsoa != lastLSOA {
                codes.append(IncidentCounter.lsoaCode(k.lsoa))
                lastLSOA = k.lsoa
            }
        }
        var stored = Set<IncidentCounter.Key>()
        if !codes.isEmpty {
            for row in try rows(
                """
                SELECT lsoa_code, month, category_id FROM counts_by_lsoa
                WHERE lsoa_code = ANY(\(codes)::text[]) AND month = ANY(\(months.sorted())::int[])
                """)
            {
                var (code, month, category) = try row.decode((String, Int, Int).self)
                let packed = code.withUTF8 { IncidentCounter.packLSOA($0) }
                stored.insert(IncidentCounter.Key(lsoa: packed, month: Int32(month), category: UInt16(category)))
            }
        }
        codes = []
        var upserts = LSOADeltas(), copies = LSOADeltas()
        try byLSOA.forEach(inOrder: order) { k, v in
            if stored.contains(k) {
                upserts.append(k, v)
                if upserts.count >= Self.piece { try upsert(&upserts, table: "counts_by_lsoa", period: "month") }
            } else {
                copies.append(k, v)
                if copies.count >= Self.piece { try copyLSOACounts(&copies) }
            }
        }
        try upsert(&upserts, table: "counts_by_lsoa", period: "month")
        try copyLSOACounts(&copies)
        try byLSOA.forEachYear(inOrder: order) { k, v in
            upserts.append(k, v)
            if upserts.count >= Self.piece { try upsert(&upserts, table: "counts_by_lsoa_year", period: "year") }
        }
        try upsert(&upserts, table: "counts_by_lsoa_year", period: "year")
        try upsert(byForce, table: "counts_by_force", column: "force_id")
        try upsert(byDistrict, table: "counts_by_district", column: "lad_code")
    }

    /// Keys per statement or COPY when writing the LSOA deltas.
    static let piece = 50_000

    /// LSOA deltas gathered for one statement, as the arrays it binds.
    struct LSOADeltas {
        var codes: [String] = [], periods: [Int] = [], categories: [Int] = [], deltas: [Int64] = []
        var count: Int { codes.count }
        mutating func append(_ k: IncidentCounter.Key, _ delta: Int) {
            codes.append(IncidentCounter.lsoaCode(k.lsoa))
            periods.append(Int(k.month))
            categories.append(Int(k.category))
            deltas.append(Int64(delta))
        }
    }

    /// One statement with the deltas as arrays: a few hundred keys, for the force and
    /// district counts by month. `table` and `column` are constants.
    private func upsert(_ deltas: [PlaceCountKey: Int64], table: StaticString, column: StaticString) throws {
        // In key order (place, month, crime type), so the writes walk the index from left to right.
        let rows = deltas.filter { $0.value != 0 }.sorted {
            ($0.key.place, $0.key.month, $0.key.category) < ($1.key.place, $1.key.month, $1.key.category)
        }
        guard !rows.isEmpty else { return }
        let places = rows.map(\.key.place), months = rows.map(\.key.month)
        let categories = rows.map(\.key.category), counts = rows.map(\.value)
        let (t, c) = ("\(table)", "\(column)")
        try run(
            """
            INSERT INTO \(unescaped: t) (\(unescaped: c), month, category_id, count)
            SELECT * FROM unnest(\(places)::text[], \(months)::int[], \(categories)::int[], \(counts)::bigint[])
            ON CONFLICT (\(unescaped: c), month, category_id) DO UPDATE SET count = \(unescaped: t).count + excluded.count
            """)
    }

    /// Adds `rows` to `table` (`counts_by_lsoa` or `counts_by_lsoa_year`, whose period
    /// column is `period`) in one statement, and empties it.
    private func upsert(_ rows: inout LSOADeltas, table: StaticString, period: StaticString) throws {
        guard rows.count > 0 else { return }
        let (t, p) = ("\(table)", "\(period)")
        try run(
            """
            INSERT INTO \(unescaped: t) (lsoa_code, \(unescaped: p), category_id, count)
            SELECT * FROM unnest(\(rows.codes)::text[], \(rows.periods)::int[], \(rows.categories)::int[], \(rows.deltas)::bigint[])
            ON CONFLICT (lsoa_code, \(unescaped: p), category_id) DO UPDATE SET count = \(unescaped: t).count + excluded.count
            """)
        rows = LSOADeltas()
    }

    /// Sends `rows`, keys `counts_by_lsoa` does not hold, as one binary COPY, and empties it.
    private func copyLSOACounts(_ rows: inout LSOADeltas) throws {
        guard rows.count > 0 else { return }
        var data = ByteBuffer(bytes: BinaryCopy.header)
        data.reserveCapacity(rows.count * 40 + 32)
        for i in 0..<rows.count {
            data.writeInteger(Int16(4))
            rows.codes[i].withUTF8 { text in
                data.writeInteger(Int32(text.count))
                data.writeBytes(text)
            }
            data.writeInteger(Int32(4))
            data.writeInteger(Int32(truncatingIfNeeded: rows.periods[i]))
            data.writeInteger(Int32(4))
            data.writeInteger(Int32(truncatingIfNeeded: rows.categories[i]))
            data.writeInteger(Int32(8))
            data.writeInteger(rows.deltas[i])
        }
        data.writeBytes(BinaryCopy.trailer)
        rows = LSOADeltas()
        try sync()
        let connection = self.connection, logger = self.logger, bytes = data
        try blocking {
            try await BinaryCopy.copy(
                on: connection, table: "counts_by_lsoa", columns: ["lsoa_code", "month", "category_id", "count"],
                logger: logger
            ) { writer in try await writer.write(bytes) }
        }
    }
}
