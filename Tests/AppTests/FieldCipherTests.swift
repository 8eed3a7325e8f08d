@testable import App
import Foundation
import Testing

/// Encryption at rest for victims' details: AES-256-GCM, key ids for rotation, the field
/// bound in, and every way a stored value can be wrong refused with its own error.
@Suite("field encryption")
struct FieldCipherTests {
    static let keyA = "a=" + Data(repeating: 1, count: 32).base64EncodedString()
    static let keyB = "b=" + Data(repeating: 2, count: 32).base64EncodedString()

    @Test("sealed values open, never show the plaintext, and differ each time (random nonce)")
    func roundTrip() throws {
        let cipher = try FieldCipher.parse(Self.keyA)
        let one = try cipher.seal("07700 900123", field: "victims.phone/1")
        let two = try cipher.seal("07700 900123", field: "victims.phone/1")
        #expect(one != two && one.hasPrefix("enc1:a:"))
        #expect(!one.contains("07700") && !one.contains("900123"))
        #expect(try cipher.open(one, field: "victims.phone/1") == "07700 900123")
        #expect(try cipher.open(try cipher.seal("", field: "x"), field: "x") == "")
        let long = String(repeating: "Ünïcödé ✓ ", count: 500)
        #expect(try cipher.open(try cipher.seal(long, field: "notes/9"), field: "notes/9") == long)
    }

    @Test("a value moved to another field or record, changed, cut or sealed with an unknown key is refused")
    func refusals() throws {
        let cipher = try FieldCipher.parse(Self.keyA)
        let sealed = try cipher.seal("Jo Bloggs", field: "victims.name/1")
        #expect(throws: FieldCipher.Failure.notAuthentic) { try cipher.open(sealed, field: "victims.name/2") }
        #expect(throws: FieldCipher.Failure.notAuthentic) { try cipher.open(sealed, field: "victims.phone/1") }
        var bytes = Array(sealed.utf8)
        let k = bytes.count - 5
        bytes[k] = bytes[k] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: FieldCipher.Failure.notAuthentic) {
            try cipher.open(String(decoding: bytes, as: UTF8.self), field: "victims.name/1")
        }
        #expect(throws: FieldCipher.Failure.malformed) { try cipher.open("Jo Bloggs", field: "victims.name/1") }
        #expect(throws: FieldCipher.Failure.malformed) { try cipher.open("enc1:a:AAAA", field: "victims.name/1") }
        let other = try FieldCipher.parse(Self.keyB)
        #expect(throws: FieldCipher.Failure.unknownKey("a")) { try other.open(sealed, field: "victims.name/1") }
    }

    @Test("rotation: with the new key first, old values still open, new ones take the new key")
    func rotation() throws {
        let old = try FieldCipher.parse(Self.keyA)
        let sealed = try old.seal("Flat 2, 10 Any Street", field: "victims.address/7")
        let rotated = try FieldCipher.parse("\(Self.keyB),\(Self.keyA)")
        #expect(try rotated.open(sealed, field: "victims.address/7") == "Flat 2, 10 Any Street")
        #expect(rotated.needsRotation(sealed))
        let resealed = try rotated.seal("Flat 2, 10 Any Street", field: "victims.address/7")
        #expect(resealed.hasPrefix("enc1:b:") && !rotated.needsRotation(resealed))
        #expect(throws: FieldCipher.Failure.unknownKey("b")) { try old.open(resealed, field: "victims.address/7") }
    }

    @Test("the configuration is checked: key length, ids, duplicates, emptiness; a new key parses")
    func configuration() throws {
        for bad in [
            "", "a=short", "bad id=" + Data(repeating: 1, count: 32).base64EncodedString(), "\(Self.keyA),\(Self.keyA)",
        ] {
            #expect(throws: FieldCipher.Failure.self) { try FieldCipher.parse(bad) }
        }
        let made = FieldCipher.newKeyText(id: "demo")
        #expect(try FieldCipher.parse(made).current.id == "demo")
    }
}
