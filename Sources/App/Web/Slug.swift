import CrimeData

/// Short names used in paths: lower-case letters, digits and single hyphens.
enum Slug {
    /// A slug made from a name, as campaigns and crime categories make theirs.
    static func make(_ name: String) -> String { CrimeCategory.slug(forName: name) }

    static func isValid(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 80 && !s.hasPrefix("-") && !s.hasSuffix("-") && !s.contains("--")
            && s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
