import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
internal import XmtpFFI

/// The current time as the library counts it: Unix nanoseconds.
func nowNs() -> UInt64 {
    UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000_000))
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func with<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Performs the library's HTTP calls with `URLSession` (status 0 and the reason when the
/// transport failed).
final class Transport: Sendable {
    static let shared = Transport()

    private let session: URLSession

    init() {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 30
        config.httpMaximumConnectionsPerHost = 8
        session = URLSession(configuration: config)
    }

    static func urlRequest(_ r: XmtpFFI.HttpRequest, timeout: TimeInterval) -> URLRequest? {
        guard let url = URL(string: r.url) else { return nil }
        var req = URLRequest(url: url, timeoutInterval: timeout)
        req.httpMethod = r.method
        req.httpBody = r.body
        for h in r.headers {
            // URLSession sets these itself.
            let name = h.name.lowercased()
            if name == "content-length" || name == "connection" || name == "host" { continue }
            req.setValue(h.value, forHTTPHeaderField: h.name)
        }
        return req
    }

    /// Performs one call and hands its outcome to `done`.
    func call(_ r: XmtpFFI.HttpRequest, done: @escaping @Sendable (UInt16, Data) -> Void) {
        guard let req = Transport.urlRequest(r, timeout: 30) else {
            done(0, Data("invalid URL".utf8))
            return
        }
        session.dataTask(with: req) { data, response, error in
            if let error {
                done(0, Data(error.localizedDescription.utf8))
            } else if let http = response as? HTTPURLResponse {
                done(UInt16(clamping: http.statusCode), data ?? Data())
            } else {
                done(0, Data("no HTTP response".utf8))
            }
        }.resume()
    }

    /// Performs one call.
    func call(_ r: XmtpFFI.HttpRequest) async -> (UInt16, Data) {
        await withCheckedContinuation { cont in
            call(r) { status, body in cont.resume(returning: (status, body)) }
        }
    }
}

/// One long-lived stream: its lines are split as the bytes arrive (`didReceive data`), never
/// buffered to the end.
final class StreamConnection: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let onOpen: @Sendable (Bool) -> Void
    private let onLine: @Sendable (Data) -> Void
    private let onEnd: @Sendable () -> Void
    private let state = Locked((buffer: Data(), ended: false, session: URLSession?.none))

    init(
        onOpen: @escaping @Sendable (Bool) -> Void,
        onLine: @escaping @Sendable (Data) -> Void,
        onEnd: @escaping @Sendable () -> Void
    ) {
        self.onOpen = onOpen
        self.onLine = onLine
        self.onEnd = onEnd
    }

    func start(_ r: XmtpFFI.HttpRequest) {
        guard let req = Transport.urlRequest(r, timeout: 24 * 3600) else {
            finish()
            return
        }
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 24 * 3600
        config.timeoutIntervalForResource = 7 * 24 * 3600
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: config, delegate: self, delegateQueue: queue)
        // Cancelled before it started: nothing to open.
        let cancelled = state.with { s -> Bool in
            if !s.ended { s.session = session }
            return s.ended
        }
        if cancelled {
            session.invalidateAndCancel()
            return
        }
        session.dataTask(with: req).resume()
    }

    /// Closes the connection (the end is not reported).
    func cancel() {
        let session = state.with { s -> URLSession? in
            s.ended = true
            return s.session
        }
        session?.invalidateAndCancel()
    }

    private func finish() {
        let (first, session) = state.with { s -> (Bool, URLSession?) in
            defer { s.ended = true }
            return (!s.ended, s.session)
        }
        if first { onEnd() }
        session?.finishTasksAndInvalidate()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let ok = (response as? HTTPURLResponse)?.statusCode == 200
        completionHandler(ok ? .allow : .cancel)
        if ok { onOpen(true) }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let lines = state.with { s -> [Data] in
            if s.ended { return [] }
            s.buffer.append(data)
            var lines: [Data] = []
            while let nl = s.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = s.buffer[s.buffer.startIndex..<nl]
                s.buffer.removeSubrange(s.buffer.startIndex...nl)
                if !line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { lines.append(Data(line)) }
            }
            return lines
        }
        for line in lines { onLine(line) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        finish()
    }
}

/// What the host loop knows, behind its lock.
private struct LoopState {
    var closed = false
    var waiting: [UInt64: CheckedContinuation<XmtpFFI.Event, Never>] = [:]
    var early: [UInt64: XmtpFFI.Event] = [:]
    var listeners: [UInt64: @Sendable (XmtpFFI.Event) -> Void] = [:]
    var finishers: [UInt64: @Sendable () -> Void] = [:]
    var nextListener: UInt64 = 0
    var subscribers = 0
    var stream: (id: UInt64, connection: StreamConnection)?
    var connected = false
    var streamsOpened = 0
    var streamsClosed = 0
}

/// The one host loop of a client: a thread that takes the library's requests, performs them
/// (calls concurrently through `URLSession`, one stream at a time), hands back their outcomes,
/// carries the stream, sleeps until the library's next deadline or new work, and dispatches
/// events: an operation's final event resumes its caller, the others go to the streams.
final class HostLoop: @unchecked Sendable {
    let ffi: XmtpFFI.Client
    private let transport: Transport
    private let state = Locked(LoopState())
    private let wake = NSCondition()
    private var woken = false
    private var thread: Thread?

    init(ffi: XmtpFFI.Client, transport: Transport = .shared) {
        self.ffi = ffi
        self.transport = transport
        let thread = Thread { [weak self] in self?.run() }
        thread.name = "xmtp-host-loop"
        self.thread = thread
        thread.start()
    }

    /// Wakes the loop (new work was queued).
    func poke() {
        wake.lock()
        woken = true
        wake.signal()
        wake.unlock()
    }

    /// Starts an operation with `start` and waits for its final event.
    func operation(_ start: () throws -> UInt64) async throws(XmtpError) -> XmtpFFI.Event {
        let op: UInt64 = try mapErrors(start)
        let event = await withCheckedContinuation { (cont: CheckedContinuation<XmtpFFI.Event, Never>) in
            let early = state.with { s -> XmtpFFI.Event? in
                if let e = s.early.removeValue(forKey: op) { return e }
                if s.closed { return .failed(op: op, error: .Internal(code: "internal.panic", message: "the client is closed")) }
                s.waiting[op] = cont
                return nil
            }
            if let early { cont.resume(returning: early) }
            poke()
        }
        if case .failed(_, let error) = event { throw XmtpError.from(error) }
        return event
    }

    /// Adds a receiver of the events that end no operation; returns its key for ``unlisten(_:)``.
    func listen(_ f: @escaping @Sendable (XmtpFFI.Event) -> Void) -> UInt64 {
        state.with { s in
            s.nextListener += 1
            s.listeners[s.nextListener] = f
            return s.nextListener
        }
    }

    /// Has `f` called when the client closes while the receiver `key` is still there.
    func onClose(_ key: UInt64, _ f: @escaping @Sendable () -> Void) {
        let closed = state.with { s -> Bool in
            if !s.closed { s.finishers[key] = f }
            return s.closed
        }
        if closed { f() }
    }

    /// Removes a receiver.
    func unlisten(_ key: UInt64) {
        state.with { s in
            s.listeners.removeValue(forKey: key)
            s.finishers.removeValue(forKey: key)
        }
    }

    /// One more stream wanted: subscribes on the first.
    func acquireStream() {
        state.with { s in
            s.subscribers += 1
            if s.subscribers == 1 { _ = try? ffi.subscribe() }
        }
        poke()
    }

    /// One stream fewer: after the last, unsubscribes and closes the connection.
    func releaseStream() {
        state.with { s in
            s.subscribers -= 1
            if s.subscribers == 0 {
                ffi.unsubscribe()
                closeStream(&s)
                s.connected = false
            }
        }
        poke()
    }

    /// Whether the stream is open (from then on nothing is missed).
    var streamConnected: Bool { state.with { $0.connected } }

    /// How many stream connections were opened and how many of them closed so far.
    var streamCounts: (opened: Int, closed: Int) { state.with { ($0.streamsOpened, $0.streamsClosed) } }

    private func closeStream(_ s: inout LoopState) {
        guard let (id, connection) = s.stream else { return }
        s.stream = nil
        s.streamsClosed += 1
        connection.cancel()
        ffi.streamClosed(id: id, nowNs: nowNs())
    }

    /// Stops the loop and the stream; operations still waiting end with an error.
    func close() {
        let (waiting, finishers) = state.with { s in
            s.closed = true
            closeStream(&s)
            defer { s.waiting = [:]; s.listeners = [:]; s.finishers = [:] }
            return (s.waiting, Array(s.finishers.values))
        }
        // The streams end.
        for f in finishers { f() }
        for (op, cont) in waiting {
            cont.resume(returning: .failed(op: op, error: .Internal(code: "internal.panic", message: "the client is closed")))
        }
        poke()
    }

    private func run() {
        while !state.with({ $0.closed }) {
            let now = nowNs()
            var progressed = false
            while let r = ffi.pollRequest(nowNs: now) {
                progressed = true
                if r.isStream { openStream(r) } else { perform(r) }
            }
            while let e = ffi.pollEvent() {
                progressed = true
                dispatch(e)
            }
            if progressed { continue }
            let deadline = ffi.nextDeadline()
            let waitNs = deadline.map { $0 > now ? $0 - now : 1_000_000 } ?? 60_000_000_000
            let until = Date(timeIntervalSinceNow: Double(min(waitNs, 60_000_000_000)) / 1e9)
            wake.lock()
            while !woken {
                if !wake.wait(until: until) { break }
            }
            woken = false
            wake.unlock()
        }
    }

    private func perform(_ r: XmtpFFI.HttpRequest) {
        transport.call(r) { [weak self] status, body in
            guard let self, !self.state.with({ $0.closed }) else { return }
            self.ffi.handleHttp(id: r.id, status: status, body: body, nowNs: nowNs())
            self.poke()
        }
    }

    private func openStream(_ r: XmtpFFI.HttpRequest) {
        let id = r.id
        let connection = StreamConnection(
            onOpen: { [weak self] _ in
                guard let self, self.isCurrent(id) else { return }
                self.ffi.streamOpened(id: id, nowNs: nowNs())
                self.poke()
            },
            onLine: { [weak self] line in
                guard let self, self.isCurrent(id) else { return }
                self.ffi.streamLine(id: id, line: line, nowNs: nowNs())
                self.poke()
            },
            onEnd: { [weak self] in
                guard let self else { return }
                let mine = self.state.with { s -> Bool in
                    guard s.stream?.id == id, !s.closed else { return false }
                    s.stream = nil
                    s.streamsClosed += 1
                    return true
                }
                if mine { self.ffi.streamClosed(id: id, nowNs: nowNs()) }
                self.poke()
            }
        )
        state.with { s in
            closeStream(&s)
            s.stream = (id, connection)
            s.streamsOpened += 1
        }
        connection.start(r)
    }

    private func isCurrent(_ id: UInt64) -> Bool {
        state.with { $0.stream?.id == id && !$0.closed }
    }

    private func dispatch(_ e: XmtpFFI.Event) {
        switch e {
        case .streamConnected: state.with { $0.connected = true }
        case .streamInterrupted: state.with { $0.connected = false }
        default: break
        }
        if let op = eventOp(event: e) {
            let cont = state.with { s -> CheckedContinuation<XmtpFFI.Event, Never>? in
                if let c = s.waiting.removeValue(forKey: op) { return c }
                // An operation nobody awaits (e.g. an implicit consent publish), or one whose
                // caller is about to wait: kept for a while.
                if s.early.count > 1000 { s.early = [:] }
                s.early[op] = e
                return nil
            }
            cont?.resume(returning: e)
            return
        }
        let listeners = state.with { Array($0.listeners.values) }
        for f in listeners { f(e) }
    }
}
