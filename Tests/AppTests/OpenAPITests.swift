@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The OpenAPI document describes exactly the JSON API the app serves. (Its conformance
/// under fuzzing is checked by schemathesis against a running server in CI.)
@Suite("the OpenAPI document")
struct OpenAPITests {
    @Test("is served, is OpenAPI 3.1, and lists every /api/v1 route with its method, and nothing else")
    func matchesTheRoutes() async throws {
        try await withTestApp { app in
            var body = Data()
            try await app.testing().test(.GET, "/api/v1/openapi.json") { res async in
                #expect(res.status == .ok)
                #expect(res.headers.contentType == .json)
                body = Data(buffer: res.body)
            }
            let doc = try JSONValue.parse(body)
            #expect(doc["openapi"] == .string("3.1.0"))
            guard case .object(let paths)? = doc["paths"] else { Issue.record("no paths"); return }
            var documented = Set<String>()
            for (path, item) in paths {
                guard case .object(let operations) = item else { continue }
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            let served = Set(
                app.routes.all.compactMap { route -> String? in
                    let parts = route.path.map { component -> String in
                        if case .parameter(let name) = component { return "{\(name)}" }
                        return component.description
                    }
                    guard parts.count >= 2, parts[0] == "api", parts[1] == "v1" else { return nil }
                    return "\(route.method.rawValue) /\(parts.joined(separator: "/"))"
                })
            #expect(
                documented == served,
                "documented but not served: \(documented.subtracting(served).sorted()); served but not documented: \(served.subtracting(documented).sorted())"
            )

            // Every operation that needs a caller says so and documents the 401.
            for (path, item) in paths {
                guard case .object(let operations) = item else { continue }
                for (method, operation) in operations where operation["security"] != nil {
                    #expect(operation["responses"]?["401"] != nil, "\(method) \(path) has no 401")
                }
            }
            // The activity types the document lists are the app's.
            let types = doc["components"]?["schemas"]?["ActivityIn"]?["properties"]?["type"]?["enum"]?.array.compactMap(
                \.string)
            #expect(types == ActivityType.all.map(\.slug))
            // Every $ref resolves.
            let text = String(decoding: body, as: UTF8.self)
            let refs = text.components(separatedBy: "\"$ref\": \"#/components/schemas/").dropFirst().map {
                $0.prefix { $0 != "\"" }
            }
            for name in Set(refs) {
                #expect(doc["components"]?["schemas"]?[String(name)] != nil, "unresolved $ref \(name)")
            }
        }
    }

    @Test("errors under /api/v1 are application/problem+json")
    func problems() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/api/v1/rankings?from=someday") { res async in
                #expect(res.status == .badRequest)
                #expect(res.headers.contentType?.description.hasPrefix("application/problem+json") == true)
                let problem = try? JSONValue.parse(Data(buffer: res.body))
                #expect(problem?["status"] == .integer(400) && problem?["title"] != nil)
            }
            try await app.testing().test(.GET, "/api/v1/activities") { res async in
                #expect(res.status == .unauthorized)
                #expect(res.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            }
        }
    }
}
