/// One choice in a `<select>`, radio group or checkbox list.
struct SelectOption: Encodable, Sendable {
    var value: String
    var label: String
    var selected = false
}
