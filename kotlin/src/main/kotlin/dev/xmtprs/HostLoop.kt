package dev.xmtprs

import dev.xmtprs.ffi.Client as FfiClient
import dev.xmtprs.ffi.Event
import dev.xmtprs.ffi.HttpRequest
import dev.xmtprs.ffi.eventOp
import java.io.BufferedReader
import java.io.InputStreamReader
import java.nio.charset.StandardCharsets
import java.util.concurrent.CopyOnWriteArrayList
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull

/** The current time as the library counts it: Unix nanoseconds. */
internal fun nowNs(): ULong = (System.currentTimeMillis() * 1_000_000L).toULong()

/** The request's headers as a transport takes them. */
private val HttpRequest.headerPairs: List<Pair<String, String>> get() = headers.map { it.name to it.value }

/** Performs [r] with [transport]: status and body, or status 0 and what failed (the library retries). */
internal fun HttpTransport.perform(r: HttpRequest): Pair<Int, ByteArray> = try {
    val resp = call(r.url, r.headerPairs, r.body)
    resp.status to resp.body
} catch (e: Exception) {
    0 to (e.message ?: e.javaClass.simpleName).toByteArray()
}

/**
 * The one host loop of a client: a coroutine on [Dispatchers.IO] that takes the library's
 * requests, performs them, hands back their outcomes, carries the stream, and dispatches
 * events — an operation's final event completes its caller, the others go to the streams.
 */
internal class HostLoop(private val ffi: FfiClient, private val transport: HttpTransport) {
    @Volatile private var closed = false

    // After close, calls on the destroyed client fail in coroutines still finishing: ignored.
    private val scope = CoroutineScope(
        SupervisorJob() + Dispatchers.IO + CoroutineExceptionHandler { _, e -> if (!closed) throw e },
    )
    private val wake = Channel<Unit>(Channel.CONFLATED)
    private val lock = Any()
    private val waiting = HashMap<ULong, CompletableDeferred<Event>>()
    private val early = HashMap<ULong, Event>()
    private val listeners = CopyOnWriteArrayList<(Event) -> Unit>()
    private var stream: Pair<ULong, Job>? = null
    private var streamBody: HttpTransport.Stream? = null
    private var subscribers = 0
    private val connected = MutableStateFlow(false)

    /** Whether the stream is open (from then on nothing is missed). */
    val streamConnected: StateFlow<Boolean> get() = connected

    private val loopJob = scope.launch { run() }

    /** Wakes the loop (new work was queued). */
    fun poke() {
        wake.trySend(Unit)
    }

    /** Starts an operation with [start] and waits for its final event. */
    suspend fun operation(start: () -> ULong): Event {
        val deferred = CompletableDeferred<Event>()
        synchronized(lock) {
            val op = ffi { start() }
            val done = early.remove(op)
            if (done != null) deferred.complete(done) else waiting[op] = deferred
        }
        poke()
        return deferred.await()
    }

    /** Adds a receiver of events that end no operation; returns its removal. */
    fun listen(f: (Event) -> Unit): () -> Unit {
        listeners.add(f)
        return { listeners.remove(f) }
    }

    /** One more stream wanted: subscribes on the first. */
    fun acquireStream() {
        synchronized(lock) {
            subscribers++
            if (subscribers == 1) ffi { ffi.subscribe() }
        }
        poke()
    }

    /** One stream fewer: unsubscribes and closes the stream after the last. */
    fun releaseStream() {
        synchronized(lock) {
            subscribers--
            if (subscribers == 0) {
                ffi.unsubscribe()
                closeStream()
                connected.value = false
            }
        }
        poke()
    }

    private fun closeStream() {
        val (id, job) = stream ?: return
        stream = null
        runCatching { streamBody?.close() }
        streamBody = null
        job.cancel()
        ffi.streamClosed(id, nowNs())
    }

    /** Stops the loop and the stream. */
    fun close() {
        synchronized(lock) { closeStream() }
        closed = true
        scope.cancel()
        // The loop makes no blocking call but the library's: it ends at once.
        runBlocking { withTimeoutOrNull(5_000) { loopJob.join() } }
        synchronized(lock) {
            waiting.values.forEach { it.cancel() }
            waiting.clear()
        }
    }

    private suspend fun run() {
        while (scope.isActive && !closed) {
            val now = nowNs()
            var progressed = false
            while (true) {
                val r = ffi.pollRequest(now) ?: break
                progressed = true
                if (r.isStream) openStream(r) else scope.launch { perform(r) }
            }
            while (true) {
                val e = ffi.pollEvent() ?: break
                progressed = true
                dispatch(e)
            }
            if (progressed) continue
            val deadline = ffi.nextDeadline()
            val waitMs = if (deadline == null) 60_000L else ((deadline.toLong() - now.toLong()) / 1_000_000L).coerceIn(1L, 60_000L)
            withTimeoutOrNull(waitMs) { wake.receive() }
        }
    }

    private fun perform(r: HttpRequest) {
        val (status, body) = transport.perform(r)
        if (closed) return
        ffi.handleHttp(r.id, status.toUShort(), body, nowNs())
        poke()
    }

    private fun openStream(r: HttpRequest) {
        synchronized(lock) {
            closeStream()
            val job = scope.launch { carry(r) }
            stream = r.id to job
        }
    }

    private fun carry(r: HttpRequest) {
        try {
            val resp = transport.open(r.url, r.headerPairs, r.body)
            if (resp.status != 200) {
                resp.close()
                return
            }
            synchronized(lock) {
                if (stream?.first != r.id) { resp.close(); return }
                streamBody = resp
            }
            ffi.streamOpened(r.id, nowNs())
            poke()
            BufferedReader(InputStreamReader(resp.body, StandardCharsets.UTF_8)).use { reader ->
                while (true) {
                    val line = reader.readLine() ?: break
                    if (line.isBlank()) continue
                    if (closed) break
                    ffi.streamLine(r.id, line.toByteArray(StandardCharsets.UTF_8), nowNs())
                    poke()
                }
            }
        } catch (_: Exception) {
            // Closed by us or dropped: reported below.
        } finally {
            val current = synchronized(lock) {
                val mine = stream?.first == r.id
                if (mine) { stream = null; streamBody = null }
                mine
            }
            if (current && !closed) ffi.streamClosed(r.id, nowNs())
            poke()
        }
    }

    private fun dispatch(e: Event) {
        when (e) {
            is Event.StreamConnected -> connected.value = true
            is Event.StreamInterrupted -> connected.value = false
            else -> {}
        }
        val op = eventOp(e)
        if (op != null) {
            val d = synchronized(lock) {
                waiting.remove(op) ?: run { early[op] = e; null }
            }
            if (d != null) { d.complete(e); return }
            // An operation nobody awaits (e.g. an implicit consent publish): drop it after a while.
            synchronized(lock) { if (early.size > 1000) early.clear() }
            return
        }
        listeners.forEach { runCatching { it(e) } }
    }
}
