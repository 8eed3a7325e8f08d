import Foundation

/// The words of every message the product sends. A message holds a link at most: never a
/// password, never a token outside its link, never a victim's details.
enum MailTexts {
    static func passwordReset(email: String, link: String) -> (subject: String, body: String) {
        (
            "Set a new SaferStreets password",
            """
            Someone, we hope you, asked to set a new password for the SaferStreets account \(email).

            To choose a new password, open this link within \(PasswordLinks.Purpose.reset.lifetimeText). It works once:

            \(link)

            If you did not ask, you need do nothing: your password has not changed and the link will expire.

            SaferStreets
            """
        )
    }

    static func welcome(
        name: String, email: String, role: String, organisation: String, madeBy: String, link: String,
        forgotLink: String
    ) -> (subject: String, body: String) {
        (
            "Your SaferStreets account",
            """
            Hello \(name),

            \(madeBy) has made you a SaferStreets account as \(role) of \(organisation). You sign in with \(email).

            To choose your password, open this link within \(PasswordLinks.Purpose.welcome.lifetimeText). It works once:

            \(link)

            If it has expired, ask for a new link at \(forgotLink)

            SaferStreets
            """
        )
    }

    static func test(by name: String, settings: String) -> (subject: String, body: String) {
        (
            "SaferStreets test message",
            """
            \(name) sent this test message from SaferStreets' mail page to check that e-mail arrives.

            Mail is \(settings).

            SaferStreets
            """
        )
    }
}
