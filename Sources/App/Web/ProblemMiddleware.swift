import AsyncKit
import Vapor

/// The one place errors become HTTP: `application/problem+json` for API paths and
/// clients that ask for JSON, a plain error page otherwise. No stack traces or SQL.
struct ProblemMiddleware: AsyncMiddleware {
    let environment: Environment

    struct Problem: Content {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String?
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let status: HTTPResponseStatus
            let detail: String?
            var extraHeaders = HTTPHeaders()
            if let abort = error as? any AbortError, abort.status.code < 500 || abort.status == .serviceUnavailable {
                status = abort.status
                detail = abort.reason
                extraHeaders = abort.headers  // e.g. WWW-Authenticate on a 401, Retry-After on a 503
            } else if error is ConnectionPoolTimeoutError {
                // Every database connection busy for the whole wait: the server is overloaded,
                // not broken. Say so, and when to try again.
                status = .serviceUnavailable
                detail = "The service is busy. Try again in a few seconds."
                extraHeaders.replaceOrAdd(name: .retryAfter, value: "5")
                request.logger.warning("database connections all busy: answered 503")
            } else if let abort = error as? any AbortError {
                // A server-side failure that calls itself an AbortError (Leaf's "template not
                // found" among them) may name files or queries: logged, never shown.
                status = abort.status
                detail = nil
                request.logger.error(
                    "server error", metadata: ["type": "\(type(of: error))", "status": "\(abort.status.code)"])
            } else {
                status = .internalServerError
                detail = nil
                request.logger.error("unhandled error", metadata: ["type": "\(type(of: error))"])
            }
            let wantsJSON =
                request.url.path.hasPrefix("/api/")
                || (request.headers.first(name: .accept)?.contains("json") ?? false)
            if wantsJSON {
                let problem = Problem(title: status.reasonPhrase, status: Int(status.code), detail: detail)
                var headers = extraHeaders
                headers.contentType = .problemJSON
                return Response(status: status, headers: headers, body: .init(data: try JSONEncoder().encode(problem)))
            }
            let page = ErrorPage(
                title: status.reasonPhrase, status: Int(status.code),
                detail: detail ?? "Something went wrong on our side. Nothing you entered was lost.")
            let response: Response
            do {
                response = try await request.view.render("errors/error", page).encodeResponse(for: request)
            } catch {
                // A missing or broken template must never drop the connection: log why and
                // answer in plain text.
                request.logger.error("error page could not be rendered", metadata: ["reason": "\(error)"])
                response = Self.plain(status: status, detail: page.detail)
            }
            response.status = status
            for (name, value) in extraHeaders where name.lowercased() != "content-type" {
                response.headers.replaceOrAdd(name: name, value: value)
            }
            return response
        }
    }
}

extension ProblemMiddleware {
    /// A plain-text answer, for when even the error page cannot be rendered.
    static func plain(status: HTTPResponseStatus, detail: String? = nil) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .plainText
        return Response(
            status: status, headers: headers,
            body: .init(string: "\(status.code) \(status.reasonPhrase)\n" + (detail.map { $0 + "\n" } ?? "")))
    }
}

struct ErrorPage: Encodable {
    var title: String
    var status: Int
    var detail: String
}

extension HTTPMediaType {
    /// RFC 9457 problem details, the body of every API error.
    static let problemJSON = HTTPMediaType(
        type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
}
