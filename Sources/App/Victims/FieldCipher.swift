import Crypto
import Foundation

/// Encryption at rest for the fields of a victim's record that name or describe them
/// (contact details, free text): AES-256-GCM with a random 96-bit nonce per value, the key's
/// id stored with the value so keys can rotate (new values take the current key; old ones
/// stay readable while their key is configured), and the field's name bound in as associated
/// data so a value copied into another field or another record's field does not open.
///
/// Stored form: `enc1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`.
struct FieldCipher: Sendable {
    struct Key: Sendable {
        var id: String
        var key: SymmetricKey
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case configuration(String)
        case unknownKey(String)
        case malformed
        case notAuthentic

        var description: String {
            switch self {
            case .configuration(let m): m
            case .unknownKey(let id): "a value was sealed with key “\(id)”, which is not configured"
            case .malformed: "a sealed value is not in the enc1 form"
            case .notAuthentic: "a sealed value failed its check (changed, or moved from another field)"
            }
        }
    }

    /// The key new values are sealed with.
    let current: Key
    private let keys: [String: SymmetricKey]
    /// Keys for `matchTags`, derived from each configured key (the current one's first), so a
    /// match tag never reveals the key that seals values.
    let matchKeys: [(id: String, key: SymmetricKey)]

    init(current: Key, older: [Key] = []) {
        self.current = current
        var all: [String: SymmetricKey] = [:]
        for k in older { all[k.id] = k.key }
        all[current.id] = current.key
        keys = all
        matchKeys = ([current] + older.filter { $0.id != current.id }).map { k in
            let bytes = k.key.withUnsafeBytes { Data($0) }
            return (k.id, SymmetricKey(data: SHA256.hash(data: Data("saferstreets/match/".utf8) + bytes)))
        }
    }

    /// Keys as configured: `id=base64,id=base64,…`, the first the current one; each 32 bytes,
    /// ids of letters, digits, `-` and `_` (up to 32), none twice.
    static func parse(_ text: String) throws -> FieldCipher {
        var parsed: [Key] = []
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, isKeyID(pair[0]) else {
                throw Failure.configuration("each key is id=base64, the id letters, digits, - or _ (up to 32)")
            }
            guard let bytes = Data(base64Encoded: pair[1]), bytes.count == 32 else {
                throw Failure.configuration(
                    "key “\(pair[0])” must be 32 random bytes in base64 (openssl rand -base64 32)")
            }
            guard !parsed.contains(where: { $0.id == pair[0] }) else {
                throw Failure.configuration("key “\(pair[0])” is given twice")
            }
            parsed.append(Key(id: pair[0], key: SymmetricKey(data: bytes)))
        }
        guard let first = parsed.first else { throw Failure.configuration("no key is given") }
        return FieldCipher(current: first, older: Array(parsed.dropFirst()))
    }

    static func isKeyID(_ id: String) -> Bool {
        (1...32).contains(id.count)
            && id.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" }
    }

    /// A new random key in the configured form, for the demo and for `openssl`-less setups.
    static func newKeyText(id: String) -> String {
        "\(id)=" + SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    func seal(_ plaintext: String, field: String) throws -> String {
        let box = try AES.GCM.seal(
            Data(plaintext.utf8), using: current.key, authenticating: Self.context(field, keyID: current.id))
        guard let combined = box.combined else { throw Failure.malformed }
        return "enc1:\(current.id):\(combined.base64EncodedString())"
    }

    func open(_ stored: String, field: String) throws -> String {
        let parts = stored.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "enc1", let combined = Data(base64Encoded: String(parts[2])),
            combined.count >= 28
        else { throw Failure.malformed }
        let id = String(parts[1])
        guard let key = keys[id] else { throw Failure.unknownKey(id) }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plain = try AES.GCM.open(box, using: key, authenticating: Self.context(field, keyID: id))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw Failure.notAuthentic
        }
    }

    /// Whether `stored` was sealed with a key other than the current one (to re-seal on rotation).
    func needsRotation(_ stored: String) -> Bool {
        !stored.hasPrefix("enc1:\(current.id):")
    }

    private static func context(_ field: String, keyID: String) -> Data { Data("saferstreets/\(keyID)/\(field)".utf8) }
}
