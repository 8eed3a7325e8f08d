import Vapor

extension Request {
    /// The client's address for rate limits: the peer's IP address, or behind a trusted
    /// reverse proxy (`SAFERSTREETS_TRUST_PROXY=1`) the last `X-Forwarded-For` entry, the
    /// one the proxy itself added. "unknown" when neither is known (in-process tests).
    var clientAddress: String {
        if application.appConfig.trustProxy,
            let forwarded = headers.first(name: .xForwardedFor)?.split(separator: ",").last?.trimmingCharacters(
                in: .whitespaces),
            !forwarded.isEmpty, forwarded.utf8.count <= 64
        {
            return forwarded
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}
