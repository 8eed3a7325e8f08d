import Vapor

/// A file to save rather than a page to show.
func download(_ body: String, type: String, name: String) -> Response {
    var headers = HTTPHeaders()
    headers.replaceOrAdd(name: .contentType, value: type)
    headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
    return Response(status: .ok, headers: headers, body: .init(string: body))
}
