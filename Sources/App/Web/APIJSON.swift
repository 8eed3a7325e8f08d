import Vapor

/// The JSON API's conventions, in one place (README, "API conventions"; the OpenAPI
/// document at /api/v1/openapi.json): keys in sorted order, `application/json`.
enum APIJSON {
    /// `value` as JSON, or as `application/problem+json` for an error with details.
    static func response<T: Encodable>(_ value: T, status: HTTPStatus = .ok, problem: Bool = false) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPHeaders()
        headers.contentType = problem ? .problemJSON : .json
        return Response(status: status, headers: headers, body: .init(data: try encoder.encode(value)))
    }
}

extension APIJSON {
    /// A batch body decoded as `T`, or a 400 saying where it is not that shape (`example` is
    /// the shape to send, e.g. `{"records": [ … ]}`); nothing is saved either way.
    static func batch<T: Decodable>(
        _ type: T.Type, from req: Request, example: String, snakeCaseKeys: Bool = false
    ) throws -> T {
        let decoder = JSONDecoder()
        if snakeCaseKeys { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        do {
            return try decoder.decode(T.self, from: Data(req.body.data.map { Array($0.readableBytesView) } ?? []))
        } catch {
            let detail =
                switch error {
                case DecodingError.keyNotFound(let key, _): "the body has no “\(key.stringValue)” list"
                case DecodingError.typeMismatch(_, let c), DecodingError.dataCorrupted(let c),
                    DecodingError.valueNotFound(_, let c):
                    "at \(c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()): \(c.debugDescription)"
                default: "the body is not JSON"
                }
            throw Abort(.badRequest, reason: "Send \(example) as JSON: \(detail). Nothing was saved.")
        }
    }
}

/// Pagination of the JSON API's lists: `limit` (1–1000, default 100) and `offset` (from
/// 0); the answer is `{items, total, limit, offset}`. A bad value is a 400 problem.
struct APIPage: Sendable {
    var limit: Int
    var offset: Int

    init(_ req: Request, defaultLimit: Int = 100, maxLimit: Int = 1000) throws {
        func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = req.query[String.self, at: name] else { return value }
            guard let n = Int(text), range.contains(n) else {
                throw Abort(
                    .badRequest,
                    reason:
                        "\(name): give a whole number from \(range.lowerBound) to \(range.upperBound) (got “\(text)”)")
            }
            return n
        }
        limit = try int("limit", default: defaultLimit, range: 1...maxLimit)
        offset = try int("offset", default: 0, range: 0...Int(Int32.max))
    }

    func slice<T>(_ all: [T]) -> ArraySlice<T> {
        all.dropFirst(offset).prefix(limit)
    }

    struct Envelope<T: Encodable & Sendable>: Encodable, Sendable {
        var items: [T]
        var total: Int
        var limit: Int
        var offset: Int

        init(items: [T], total: Int, page: APIPage) {
            self.items = items
            self.total = total
            limit = page.limit
            offset = page.offset
        }
    }
}

/// One record's problem in a refused batch: its index (from 0 or 1, as the route says),
/// the field and what was wrong.
struct APIRecordError: Content { var record: Int; var field: String; var message: String }

/// A batch refused as a whole (RFC 9457 problem, 422): nothing was saved.
struct APIRefusal: Content {
    var type = "about:blank"
    var title = "Unprocessable Content"
    var status = 422
    var detail: String
    var errors: [APIRecordError]

    /// The refusal of a batch with these problems (the first 1,000 listed).
    init(problems: [APIRecordError]) {
        detail =
            "\(Format.counted(problems.count, "problem", "problems")) in "
            + "\(Format.counted(Set(problems.map(\.record)).count, "record", "records")). "
            + "Nothing was saved; correct them and send the whole batch again."
        errors = Array(problems.prefix(1000))
    }
}
