import Vapor

extension Request {
    /// Renders a page model with its template: the one way controllers answer with a page.
    func render<Page: Encodable>(_ template: String, _ page: Page, status: HTTPStatus = .ok) async throws -> Response {
        let response = try await view.render(template, page).encodeResponse(for: self)
        response.status = status
        return response
    }
}
