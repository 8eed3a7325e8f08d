@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The link crawl: from the home page, every link (`href`, `src`) on every page of the demo
/// is followed as the public and as each demo account, and every form's `action` is
/// checked against the registered routes. A link that answers 404 or 5xx, or a form that
/// posts to no route, fails the test with the page it was found on.
struct LinkCrawl {
    struct Found: Hashable { var url: String; var from: String }

    /// Pages fetched per identity at most, and distinct URLs per route pattern (the query
    /// strings of analysis pages would otherwise multiply without end).
    var pageLimit = 400
    var perPattern = 3

    /// Runs the crawl as each identity; returns a line per broken link (empty when none).
    func run(_ app: Application, identities: [(String, Session?)]) async throws -> (broken: [String], fetched: Int) {
        var broken: [String] = []
        var fetched = 0
        for (who, session) in identities {
            var queue: [Found] = [Found(url: SiteURL.home(), from: "(start)")]
            var seen: Set<String> = [SiteURL.home()]
            var perRoute: [String: Int] = [:]
            while !queue.isEmpty, fetched < pageLimit * identities.count {
                let next = queue.removeFirst()
                var status: HTTPResponseStatus = .ok
                var html = ""
                try await app.testing().test(.GET, next.url, headers: session?.headers ?? [:]) { res async in
                    status = res.status
                    if res.headers.contentType?.subType == "html" { html = res.body.string }
                }
                fetched += 1
                if status.code >= 400 {
                    broken.append("\(who): GET \(next.url) → \(status.code) (linked from \(next.from))")
                    continue
                }
                for (kind, target) in Self.links(in: html) {
                    guard let path = Self.sitePath(target) else { continue }
                    if kind == "action" {
                        if !Self.routeExists(app, method: .POST, path: path)
                            && !Self.routeExists(app, method: .GET, path: path)
                        {
                            broken.append("\(who): form action \(path) has no route (on \(next.url))")
                        }
                        continue
                    }
                    // PDFs are rendered by Chromium (the report test fetches one); the route must exist.
                    if path.hasSuffix(".pdf") || path == SiteURL.logout() {
                        if !Self.routeExists(app, method: .GET, path: path) && path != SiteURL.logout() {
                            broken.append("\(who): \(path) has no route (on \(next.url))")
                        }
                        continue
                    }
                    guard !seen.contains(target) else { continue }
                    seen.insert(target)
                    let pattern = Self.pattern(app, path: path) ?? path
                    perRoute[pattern, default: 0] += 1
                    guard perRoute[pattern, default: 0] <= perPattern else { continue }
                    queue.append(Found(url: target, from: next.url))
                }
            }
        }
        return (broken, fetched)
    }

    /// Every `href`, `src` and `action` of a page, HTML entities decoded.
    static func links(in html: String) -> [(String, String)] {
        var out: [(String, String)] = []
        for attribute in ["href", "src", "action"] {
            var rest = html[...]
            let marker = " \(attribute)=\""
            while let r = rest.range(of: marker) {
                let value = rest[r.upperBound...].prefix { $0 != "\"" }
                out.append((attribute, decode(String(value))))
                rest = rest[r.upperBound...]
            }
        }
        return out
    }

    static func decode(_ s: String) -> String {
        s.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&quot;", with: "\"")
    }

    /// A link to this site as the path and query to request, without its fragment; nil for
    /// other sites, fragments alone and `mailto:`.
    static func sitePath(_ link: String) -> String? {
        let noFragment = String(link.prefix { $0 != "#" })
        guard noFragment.hasPrefix("/"), !noFragment.hasPrefix("//") else { return nil }
        return noFragment
    }

    static func segments(_ path: String) -> [String] {
        String(path.prefix { $0 != "?" }).split(separator: "/").map { String($0).removingPercentEncoding ?? "" }
    }

    static func pattern(_ app: Application, path: String) -> String? {
        matching(app, path: path).first.map { "/" + $0.path.map(\.description).joined(separator: "/") }
    }

    static func routeExists(_ app: Application, method: HTTPMethod, path: String) -> Bool {
        matching(app, path: path).contains { $0.method == method }
    }

    /// Routes whose pattern matches the path (constants equal, parameters anything).
    static func matching(_ app: Application, path: String) -> [Route] {
        let parts = segments(path)
        return app.routes.all.filter { route in
            guard route.path.count == parts.count else { return false }
            return zip(route.path, parts).allSatisfy { component, part in
                switch component {
                case .constant(let c): c == part
                case .parameter: !part.isEmpty
                case .anything, .catchall: true
                }
            }
        }
    }
}
