#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Opens `path` read-only, passes its descriptor and size to `body`, and closes it.
/// A missing file is ``InputError/notFound(_:)``; any other failure ``InputError/unreadable(_:_:)``.
public func withReadOnlyFile<T>(_ path: String, _ body: (_ fd: Int32, _ size: Int) throws -> T) throws -> T {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
        if errno == ENOENT { throw InputError.notFound(path) }
        throw InputError.unreadable(path, String(cString: strerror(errno)))
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw InputError.unreadable(path, String(cString: strerror(errno))) }
    return try body(fd, Int(st.st_size))
}
