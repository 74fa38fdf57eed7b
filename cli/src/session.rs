//! The host loop of the core's engine over the blocking transport: perform the requests the
//! engine asks for, hand back status and body, feed stream lines, sleep until the engine's next
//! deadline. No protocol rule lives here: retries, token refreshes, reconnects and gap filling
//! are the engine's.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use xmtp_core::client::{Bootstrap, Client, ErrorAction, Event, OpId, Request, RequestId};
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};

use crate::transport::Transport;

/// The wall clock in nanoseconds (the engine never reads it itself).
pub fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// How long to sleep for a deadline (Unix ns), at most `cap`.
fn until(deadline: Option<u64>, cap: Duration) -> Duration {
    deadline.map_or(cap, |d| Duration::from_nanos(d.saturating_sub(now_ns())).min(cap))
}

/// An engine, its transport and the events it produced.
pub struct Session {
    /// The engine.
    pub client: Client,
    /// The transport.
    pub transport: Transport,
    /// Report retries on standard error.
    pub verbose: bool,
}

thread_local! {
    /// Why the last call without a response failed (for the error message).
    static LAST_TRANSPORT_ERROR: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

fn note_transport_error(status: u16, body: &[u8]) {
    if status == 0 {
        let reason = String::from_utf8_lossy(body).chars().take(200).collect();
        LAST_TRANSPORT_ERROR.with(|e| *e.borrow_mut() = Some(reason));
    }
}

/// What a stream's reader thread reports.
enum StreamInput {
    Line(RequestId, Vec<u8>),
    Closed(RequestId),
}

impl Session {
    /// Perform one call and hand its outcome to the engine.
    fn perform(&mut self, request: &Request) {
        let (status, body) = self.transport.call(request);
        note_transport_error(status, &body);
        let action = self.client.handle_http(request.id, status, &body, now_ns());
        if let Some(ErrorAction::Retry { after_ms }) = action {
            if self.verbose || status == 429 {
                let reason = if status == 0 { String::from_utf8_lossy(&body).into_owned() } else { status.to_string() };
                eprintln!("xmtp: request failed ({reason}); retrying in {after_ms} ms");
            }
        }
    }

    /// Perform requests until `op` finishes, returning its final event and the events seen
    /// before it. Streams are not opened here (see [`Session::stream`]).
    pub fn run(&mut self, op: OpId) -> Result<(Event, Vec<Event>), String> {
        let deadline = Instant::now() + Duration::from_secs(300);
        let mut seen = Vec::new();
        let mut progress = Progress::new();
        loop {
            while let Some(request) = self.client.poll_request(now_ns()) {
                if request.is_stream() {
                    continue;
                }
                progress.tick();
                self.perform(&request);
            }
            while let Some(event) = self.client.poll_event() {
                if event.op() == Some(op) {
                    progress.clear();
                    if let Event::Failed { error, .. } = &event {
                        return Err(describe_failure(error.code(), &self.transport));
                    }
                    return Ok((event, seen));
                }
                seen.push(event);
            }
            if Instant::now() > deadline {
                return Err("the operation did not finish in time".into());
            }
            std::thread::sleep(until(self.client.next_deadline(), Duration::from_millis(250)));
        }
    }

    /// Stream everything until `stop_at` or until `on_event` returns true: the engine says when
    /// to (re)open the stream and what to query; each stream is read on its own thread.
    pub fn stream(&mut self, stop_at: Option<Instant>, mut on_event: impl FnMut(&Event) -> bool) -> Result<(), String> {
        let (tx, rx) = mpsc::channel::<StreamInput>();
        let mut reading: Option<Arc<AtomicBool>> = None;
        self.client.subscribe();
        let result = loop {
            while let Some(request) = self.client.poll_request(now_ns()) {
                if !request.is_stream() {
                    self.perform(&request);
                    continue;
                }
                // A new stream replaces the one being read.
                if let Some(stale) = reading.take() {
                    stale.store(true, Ordering::Relaxed);
                }
                match self.transport.subscribe(&request) {
                    Ok(reader) => {
                        self.client.stream_opened(request.id, now_ns());
                        let stale = Arc::new(AtomicBool::new(false));
                        reading = Some(stale.clone());
                        let (tx, id) = (tx.clone(), request.id);
                        std::thread::spawn(move || read_lines(reader, id, &stale, &tx));
                    }
                    Err(failed) => {
                        self.client.handle_http(request.id, failed.status, &failed.body, now_ns());
                    }
                }
            }
            let mut stop = false;
            while let Some(event) = self.client.poll_event() {
                if let (Event::StreamInterrupted { retry_after_ms }, true) = (&event, self.verbose) {
                    eprintln!("xmtp: the stream dropped; reconnecting in {retry_after_ms} ms");
                }
                stop = stop || on_event(&event);
            }
            if stop || stop_at.is_some_and(|t| Instant::now() >= t) {
                break Ok(());
            }
            let mut wait = until(self.client.next_deadline(), Duration::from_secs(1));
            if let Some(t) = stop_at {
                wait = wait.min(t.saturating_duration_since(Instant::now()));
            }
            let mut input = rx.recv_timeout(wait).ok();
            while let Some(i) = input {
                match i {
                    StreamInput::Line(id, line) => self.client.stream_line(id, &line, now_ns()),
                    StreamInput::Closed(id) => self.client.stream_closed(id, now_ns()),
                }
                input = rx.try_recv().ok();
            }
        };
        if let Some(stale) = reading {
            stale.store(true, Ordering::Relaxed);
        }
        self.client.unsubscribe();
        result
    }
}

fn read_lines(
    mut reader: Box<dyn std::io::BufRead + Send>,
    id: RequestId,
    stale: &AtomicBool,
    tx: &mpsc::Sender<StreamInput>,
) {
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if stale.load(Ordering::Relaxed) || tx.send(StreamInput::Line(id, line)).is_err() {
                    return;
                }
            }
        }
    }
    let _ = tx.send(StreamInput::Closed(id));
}

/// Load or create the wallet's identity on the node (the wallet signs locally).
pub fn bootstrap(transport: &Transport, wallet: &LocalWallet) -> Result<PrivateKeyBundle, String> {
    let mut b = Bootstrap::new(wallet.address(), Box::new(rand_core::OsRng), now_ns());
    let deadline = Instant::now() + Duration::from_secs(120);
    while !b.is_finished() {
        if let Some(request) = b.poll_request(now_ns()) {
            let (status, body) = transport.call(&request);
            note_transport_error(status, &body);
            b.handle_http(request.id, status, &body, now_ns());
        } else if let Some(request) = b.signature_request() {
            b.provide_signature(&wallet.sign(&request), now_ns()).map_err(|e| format!("failed: {}", e.code()))?;
        } else if Instant::now() > deadline {
            return Err("the identity could not be set up in time".into());
        } else {
            std::thread::sleep(until(b.next_deadline(), Duration::from_millis(250)));
        }
    }
    if let Some(e) = b.error() {
        return Err(describe_failure(e.code(), transport));
    }
    b.keys().cloned().ok_or_else(|| "the identity could not be set up".to_string())
}

/// A one-line progress counter on standard error, shown only on a terminal and only once an
/// operation has taken more than a second.
struct Progress {
    started: Instant,
    requests: usize,
    shown: bool,
    enabled: bool,
}

impl Progress {
    fn new() -> Self {
        use std::io::IsTerminal;
        Self { started: Instant::now(), requests: 0, shown: false, enabled: std::io::stderr().is_terminal() }
    }

    fn tick(&mut self) {
        self.requests += 1;
        if self.enabled && self.started.elapsed() > Duration::from_secs(1) {
            eprint!("\rsyncing… {} requests, {:.1} s", self.requests, self.started.elapsed().as_secs_f64());
            self.shown = true;
        }
    }

    fn clear(&mut self) {
        if self.shown {
            eprint!("\r{:60}\r", "");
            self.shown = false;
        }
    }
}

/// A clear message for a failure code.
pub fn describe_failure(code: &str, transport: &Transport) -> String {
    match code {
        "api.transport" => match LAST_TRANSPORT_ERROR.with(|e| e.borrow().clone()) {
            Some(reason) => format!("cannot reach the node at {}: {reason}", transport.base()),
            None => format!("cannot reach the node at {}", transport.base()),
        },
        "api.rate_limited" => "the node keeps rate-limiting us; try again later".into(),
        "api.unavailable" => {
            format!("the node at {} is unavailable (or no longer accepts this call)", transport.base())
        }
        "api.unauthenticated" => "the node refused our publish token".into(),
        "api.permission_denied" => "the node refused: permission denied".into(),
        "client.no_identity" => "that address has no XMTP identity".into(),
        other => format!("failed: {other}"),
    }
}
