import Analytics
import CrimeData
import Foundation

/// Decides, row by row, what one file changes: insert a new row, leave an identical one,
/// or update a changed one; and keeps the aggregate deltas. Works against any
/// ``ImportStore`` inside the file's transaction.
///
/// Its state is touched by the importing thread alone, so the properties on the per-row
/// path skip the runtime exclusivity checks.
final class ImportSink: PoliceRecordSink {
    struct Totals: Sendable, Equatable {
        var inserted = 0
        var unchanged = 0
        var updated = 0
    }

    private let store: any ImportStore
    private let stopForce: String?
    private let now: String
    @exclusivity(unchecked) private(set) var totals = Totals()
    /// The first 1,000 rejected rows (the reader counts them all).
    private(set) var rejects: [(line: Int, reason: String)] = []
    private var kind: PoliceFileKind = .street

    private var slices: [SliceKey: SliceState]
    private var forces: [String: String]
    private var categories: [String: Int]
    /// Per slice touched by this file.
    private var work: [Int64: SliceWork] = [:]
    @exclusivity(unchecked) private var byLSOA = CountTable(capacity: 1 << 15)
    private var byForce: [PlaceCountKey: Int64] = [:]
    /// LSOA (packed) → local authority district code, for `counts_by_district`.
    private let districts: [UInt64: String]
    /// Last-used lookups, since consecutive rows nearly always share force and month.
    @exclusivity(unchecked) private var lastForceName: [UInt8] = []
    @exclusivity(unchecked) private var lastForceID = ""
    @exclusivity(unchecked) private var gridCache = BritishNationalGrid.Cache()
    /// The slice the previous row belonged to: when rows move on to another slice, the
    /// per-slice lookup state of the old one is dropped, so memory follows the size of
    /// one force-month rather than of the whole file.
    @exclusivity(unchecked) private var currentWork: SliceWork?

    final class SliceWork {
        let id: Int64
        let forceID: String
        let month: Int
        /// True while every row of the slice has come from this file, in one run:
        /// nothing stored to compare with.
        @exclusivity(unchecked) var isNew: Bool
        @exclusivity(unchecked) var stored: [Int64: StoredRow]?
        @exclusivity(unchecked) var seen = KeyCounter()
        @exclusivity(unchecked) var rows: Int64 = 0
        /// Whether this file inserted or updated any row of the slice.
        @exclusivity(unchecked) var changed = false
        /// Rows added per category id, for `counts_by_force`.
        @exclusivity(unchecked) var byCategory: [Int64] = []
        init(id: Int64, forceID: String, month: Int, isNew: Bool) {
            self.forceID = forceID
            self.month = month
            self.id = id
            self.isNew = isNew
        }
    }

    init(
        store: any ImportStore, slices: [SliceKey: SliceState], forces: [String: String],
        categories: [String: Int], districts: [UInt64: String], stopForce: String?, now: String
    ) {
        self.store = store
        self.districts = districts
        self.slices = slices
        self.forces = forces
        self.categories = categories
        self.stopForce = stopForce
        self.now = now
    }

    func begin(kind: PoliceFileKind) throws { self.kind = kind }

    func reject(line: Int, reason: String) {
        if rejects.count < 1000 { rejects.append((line, reason)) }
    }

    // MARK: rows

    func incident(_ r: IncidentRow, key: Int64, hash: Int64) throws {
        let forceID = try force(r.fallsWithin)
        let slice = try sliceWork(force: forceID, month: r.month)
        let category = try category(r.crimeType)
        let lsoa = IncidentCounter.packLSOA(r.lsoaCode)
        var grid = r.grid
        if grid == nil, let p = r.position { grid = gridCache.grid(from: p) }
        let reportedBy: UnsafeBufferPointer<UInt8>? =
            ByteParsing.equal(r.reportedBy, r.fallsWithin) ? nil : r.reportedBy
        let values = IncidentValues(
            slice: slice.id, key: key, hash: hash, crimeID: r.crimeID, month: r.month, category: category,
            position: r.position, grid: grid, location: r.location, lsoa: r.lsoaCode, lastOutcome: r.lastOutcome,
            context: r.context, reportedBy: reportedBy)
        switch try classify(slice, key: key, hash: hash) {
        case .insert:
            try store.insertIncident(values)
            count(slice, lsoa: lsoa, category: category, by: 1)
        case .update(let old):
            try store.updateIncident(id: old.id, values)
            count(slice, lsoa: old.lsoa, category: old.category, by: -1)
            count(slice, lsoa: lsoa, category: category, by: 1)
        case .unchanged:
            break
        }
    }

    func outcome(_ r: OutcomeRow, key: Int64, hash: Int64) throws {
        let forceID = try force(r.fallsWithin)
        let slice = try sliceWork(force: forceID, month: r.month)
        let values = OutcomeValues(
            slice: slice.id, key: key, hash: hash, crimeID: r.crimeID, month: r.month, outcome: r.outcomeType,
            position: r.position, lsoa: r.lsoaCode)
        switch try classify(slice, key: key, hash: hash) {
        case .insert: try store.insertOutcome(values)
        case .update(let old): try store.updateOutcome(id: old.id, values)
        case .unchanged: break
        }
    }

    func stop(_ row: borrowing CSVRow, decoded: StopRow, key: Int64, hash: Int64) throws {
        let forceID = stopForce ?? "unknown"
        if forces[forceID] == nil {
            let name = PoliceForce.forID(forceID)?.name ?? forceID
            try store.createForce(id: forceID, name: name)
            forces[forceID] = name
        }
        let slice = try sliceWork(force: forceID, month: decoded.month)
        switch try classify(slice, key: key, hash: hash) {
        case .insert: try store.insertStop(row, slice: slice.id, key: key, hash: hash, month: decoded.month)
        case .update(let old):
            try store.updateStop(id: old.id, row, slice: slice.id, key: key, hash: hash, month: decoded.month)
        case .unchanged: break
        }
    }

    // MARK: finishing

    /// Writes the aggregate deltas and slice states. Call before commit. A slice this
    /// file changed (or that has no fingerprint yet) takes the file's `fingerprint`;
    /// one it left untouched keeps its own, so an earlier identical file stays skippable.
    func finish(fingerprint: Int64) throws {
        for (_, w) in work {
            for (category, n) in w.byCategory.enumerated() where n != 0 {
                byForce[PlaceCountKey(place: w.forceID, month: w.month, category: category), default: 0] += n
            }
        }
        var byDistrict: [PlaceCountKey: Int64] = [:]
        byLSOA.forEach { k, v in
            guard v != 0, let district = districts[k.lsoa] else { return }
            byDistrict[PlaceCountKey(place: district, month: Int(k.month), category: Int(k.category)), default: 0] +=
                Int64(v)
        }
        try store.applyCounts(byLSOA: byLSOA, byForce: byForce, byDistrict: byDistrict)
        for (key, state) in slices {
            guard let w = work[state.id] else { continue }
            let rowCount = state.rowCount + w.rows
            let source = w.changed || state.sourceHash == 0 ? fingerprint : state.sourceHash
            try store.updateSlice(id: w.id, rowCount: rowCount, sourceHash: source, updatedAt: now)
            slices[key] = SliceState(id: state.id, rowCount: rowCount, sourceHash: source)
        }
    }

    // MARK: helpers

    private enum Action {
        case insert
        case update(StoredRow)
        case unchanged
    }

    @inline(__always)
    private func classify(_ slice: SliceWork, key: Int64, hash: Int64) throws -> Action {
        guard slice.seen.increment(UInt64(bitPattern: key)) == 1 else {
            // The same row twice in one file (a repeated Crime ID): already handled.
            totals.unchanged += 1
            return .unchanged
        }
        if !slice.isNew {
            let stored: [Int64: StoredRow]
            if let loaded = slice.stored {
                stored = loaded
            } else {
                try store.flush()
                stored = try store.loadRows(slice: slice.id, kind: kind)
                slice.stored = stored
            }
            if let old = stored[key] {
                if old.hash == hash {
                    totals.unchanged += 1
                    return .unchanged
                }
                totals.updated += 1
                slice.changed = true
                return .update(old)
            }
        }
        totals.inserted += 1
        slice.rows += 1
        slice.changed = true
        return .insert
    }

    private func force(_ name: UnsafeBufferPointer<UInt8>) throws -> String {
        if lastForceName.withUnsafeBufferPointer({ ByteParsing.equal($0, name) }) { return lastForceID }
        let text = String(decoding: name, as: UTF8.self)
        let force = PoliceForce.forName(text)
        if forces[force.id] == nil {
            try store.createForce(id: force.id, name: force.name)
            forces[force.id] = force.name
        }
        lastForceName = Array(name)
        lastForceID = force.id
        return force.id
    }

    private func sliceWork(force: String, month: Int) throws -> SliceWork {
        if let w = currentWork, w.month == month, w.forceID == force { return w }
        if let previous = currentWork {
            // Moving on: drop the old slice's lookups. If its rows come back later in
            // the file, they are compared with what is then stored (flushed first).
            previous.stored = nil
            previous.seen = KeyCounter(capacity: 0)
            previous.isNew = false
        }
        let w = try lookUpSlice(force: force, month: month)
        currentWork = w
        return w
    }

    private func lookUpSlice(force: String, month: Int) throws -> SliceWork {
        let key = SliceKey(kind: kind == .legacyStreet ? .street : kind, forceID: force, month: month)
        let w: SliceWork
        if let state = slices[key] {
            if let existing = work[state.id] {
                w = existing
            } else {
                w = SliceWork(id: state.id, forceID: force, month: month, isNew: false)
                work[state.id] = w
            }
        } else {
            let id = try store.createSlice(key, updatedAt: now)
            slices[key] = SliceState(id: id, rowCount: 0, sourceHash: 0)
            w = SliceWork(id: id, forceID: force, month: month, isNew: true)
            work[id] = w
        }
        return w
    }

    private func category(_ name: UnsafeBufferPointer<UInt8>) throws -> Int {
        let (index, isNew) = categoryNames.id(name)
        if !isNew { return storedCategoryIDs[index] }
        let text = String(decoding: name, as: UTF8.self)
        let id: Int
        if let known = categories[text] {
            id = known
        } else {
            id = (categories.values.max() ?? 0) + 1
            try store.createCategory(id: id, name: text, slug: CrimeCategory.slug(forName: text))
            categories[text] = id
        }
        storedCategoryIDs.append(id)
        return id
    }
    /// The crime types met in this file, and the stored id of each.
    private let categoryNames = ByteNameTable()
    @exclusivity(unchecked) private var storedCategoryIDs: [Int] = []

    @inline(__always)
    private func count(_ slice: SliceWork, lsoa: UInt64, category: Int, by delta: Int64) {
        byLSOA.add(IncidentCounter.Key(lsoa: lsoa, month: Int32(slice.month), category: UInt16(category)), Int(delta))
        if category >= slice.byCategory.count {
            slice.byCategory += Array(repeating: 0, count: category + 1 - slice.byCategory.count)
        }
        slice.byCategory[category] += delta
    }

    /// The slices this file wrote to.
    var touchedSlices: [Int64] { work.keys.sorted() }

    /// Slice states after this file, for the next file of the same import.
    var sliceStates: [SliceKey: SliceState] { slices }
    var forceNames: [String: String] { forces }
    var categoryIDs: [String: Int] { categories }
}
