//! Running the engine over the blocking transport until an operation finishes.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use xmtp_core::client::{Client, ErrorAction, Event, OpId, RequestKind};

use crate::transport::Transport;

/// The wall clock in nanoseconds (the engine never reads it itself).
pub fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
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

impl Session {
    /// Perform requests until `op` finishes (or the engine has nothing left to do), returning
    /// the events. Subscriptions are not opened here (see the stream command).
    pub fn run(&mut self, op: OpId) -> Result<(Event, Vec<Event>), String> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut seen = Vec::new();
        let mut transport_failures = 0;
        let mut progress = Progress::new();
        loop {
            let now = now_ns();
            while let Some(request) = self.client.poll_request(now) {
                if let RequestKind::Subscribe { .. } = request.kind {
                    continue;
                }
                progress.tick();
                match self.transport.perform(&request) {
                    Ok(body) => self.client.handle_response(request.id, &body, now_ns()),
                    Err(e) => {
                        let action = self.client.handle_error(request.id, &e, now_ns());
                        if e.status == 0 {
                            transport_failures += 1;
                            if transport_failures >= 3 {
                                return Err(format!(
                                    "cannot reach the node at {}: {}",
                                    self.transport.base(),
                                    e.message
                                ));
                            }
                        }
                        if let ErrorAction::Retry { after_ms } = action {
                            if self.verbose || e.status == 429 {
                                eprintln!("xmtp: {} ({}); retrying in {after_ms} ms", e.code(), e.message);
                            }
                        }
                    }
                }
            }
            while let Some(event) = self.client.poll_event() {
                if finishes(&event, op) {
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
            std::thread::sleep(Duration::from_millis(if self.client.is_busy() { 50 } else { 5 }));
        }
    }
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

fn finishes(event: &Event, op: OpId) -> bool {
    match event {
        Event::ContactPublished { op: o, .. }
        | Event::ContactsResolved { op: o, .. }
        | Event::ConversationsSynced { op: o }
        | Event::ConversationStarted { op: o, .. }
        | Event::Messages { op: o, .. }
        | Event::Sent { op: o, .. }
        | Event::ConsentSynced { op: o }
        | Event::Failed { op: o, .. } => *o == op,
        _ => false,
    }
}

/// A clear message for a failure code.
pub fn describe_failure(code: &str, transport: &Transport) -> String {
    match code {
        "api.transport" => format!("cannot reach the node at {}", transport.base()),
        "api.rate_limited" => "the node keeps rate-limiting us; try again later".into(),
        "api.unauthenticated" => "the node refused our publish token".into(),
        "api.permission_denied" => "the node refused: permission denied".into(),
        "client.no_identity" => "that address has no XMTP identity".into(),
        other => format!("failed: {other}"),
    }
}
