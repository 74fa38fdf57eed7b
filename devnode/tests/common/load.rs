//! A load run against a node: many live subscribers, sustained publishes from several threads,
//! then a check that every subscriber saw exactly the acknowledged envelopes of its topics.
//! Shared by the load test and the `load` example.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead as _, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Base URL of the node.
    pub url: String,
    /// Subscribers to one topic each (the publishes go round-robin over these topics).
    pub topic_subscribers: usize,
    /// Subscribers to every topic (`/subscribe-all`).
    pub all_subscribers: usize,
    /// Publishing threads, each with its own keep-alive connection.
    pub publishers: usize,
    /// How long to publish.
    pub duration: Duration,
    /// Envelopes per publish call.
    pub batch: usize,
    /// Message size in bytes.
    pub message_bytes: usize,
    /// `Authorization` header value for publishes.
    pub auth: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Envelopes whose publish was acknowledged (HTTP 200).
    pub acked: usize,
    /// Publish calls that failed.
    pub failed_calls: usize,
    /// Publish time.
    pub elapsed: Duration,
    /// Envelopes delivered to subscribers, over all subscribers.
    pub delivered: usize,
    /// Acknowledged envelopes some subscriber of their topic never saw.
    pub missing: usize,
    /// Envelopes a subscriber saw twice.
    pub duplicates: usize,
    /// Envelopes a subscriber saw that were never acknowledged or are not of its topics.
    pub unexpected: usize,
    /// Subscribers whose stream broke before the end.
    pub broken_streams: usize,
}

impl LoadReport {
    /// Acknowledged envelopes per second.
    pub fn per_second(&self) -> f64 {
        self.acked as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn topic(i: usize) -> String {
    format!("/xmtp/0/m-load{i:03}/proto")
}

const DONE: &str = "done";

fn agent(read_timeout: Option<Duration>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_recv_response(Some(Duration::from_secs(30)))
        .timeout_per_read(read_timeout)
        .build()
        .into()
}

/// One subscriber: reads until it has seen the end marker of each of its topics.
fn subscriber(url: String, topics: Option<Vec<String>>, n_topics: usize, ready: Arc<Barrier>) -> (Vec<String>, bool) {
    let (path, body) = match &topics {
        Some(t) => ("/message/v1/subscribe", json!({ "contentTopics": t })),
        None => ("/message/v1/subscribe-all", json!({})),
    };
    let resp = agent(Some(Duration::from_secs(30))).post(format!("{url}{path}")).send(body.to_string().as_bytes());
    ready.wait();
    let Ok(resp) = resp else { return (Vec::new(), false) };
    if resp.status() != 200 {
        return (Vec::new(), false);
    }
    let mut reader = BufReader::new(resp.into_body().into_reader());
    let mut seen = Vec::new();
    let mut done = 0;
    let mut line = String::new();
    while done < n_topics {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return (seen, false),
            Ok(_) => {}
        }
        let Ok(v) = serde_json::from_str::<Value>(line.trim_end()) else { return (seen, false) };
        let Some(m) = v["result"]["message"].as_str() else { return (seen, false) };
        let text = String::from_utf8(STANDARD.decode(m).unwrap_or_default()).unwrap_or_default();
        if text == DONE {
            done += 1;
        } else {
            seen.push(text);
        }
    }
    (seen, true)
}

fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(0))
}

fn publish(agent: &ureq::Agent, o: &LoadOptions, envelopes: &[Value]) -> bool {
    let mut req =
        agent.post(format!("{}/message/v1/publish", o.url)).header("Content-Type", "text/plain;charset=UTF-8");
    if let Some(a) = &o.auth {
        req = req.header("Authorization", a);
    }
    match req.send(json!({ "envelopes": envelopes }).to_string().as_bytes()) {
        Ok(mut resp) => {
            let ok = resp.status() == 200;
            let _ = resp.body_mut().read_to_vec();
            ok
        }
        Err(_) => false,
    }
}

/// Run the load and check the deliveries.
pub fn run(o: &LoadOptions) -> LoadReport {
    let n_topics = o.topic_subscribers.max(1);
    let topics: Vec<String> = (0..n_topics).map(topic).collect();
    let ready = Arc::new(Barrier::new(o.topic_subscribers + o.all_subscribers + 1));
    let mut subs = Vec::new();
    for (i, t) in topics.iter().enumerate().take(o.topic_subscribers) {
        let (url, t, ready) = (o.url.clone(), vec![t.clone()], Arc::clone(&ready));
        subs.push((Some(i), std::thread::spawn(move || subscriber(url, Some(t), 1, ready))));
    }
    for _ in 0..o.all_subscribers {
        let (url, ready) = (o.url.clone(), Arc::clone(&ready));
        subs.push((None, std::thread::spawn(move || subscriber(url, None, n_topics, ready))));
    }
    // Every subscription is registered once its response headers are in.
    ready.wait();

    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let publishers: Vec<_> = (0..o.publishers)
        .map(|p| {
            let (o, stop, topics) = (o.clone(), Arc::clone(&stop), topics.clone());
            std::thread::spawn(move || {
                let agent = agent(None);
                let mut acked: Vec<(usize, String)> = Vec::new();
                let mut failed = 0usize;
                let mut seq = 0usize;
                let pad = "x".repeat(o.message_bytes.saturating_sub(24));
                while !stop.load(Ordering::Relaxed) {
                    let batch: Vec<(usize, String)> = (0..o.batch.max(1))
                        .map(|_| {
                            seq += 1;
                            ((p + seq) % topics.len(), format!("{p}:{seq}:{pad}"))
                        })
                        .collect();
                    let envelopes: Vec<Value> = batch
                        .iter()
                        .map(|(t, m)| {
                            json!({"contentTopic": topics[*t], "timestampNs": now_ns().to_string(),
                                   "message": STANDARD.encode(m)})
                        })
                        .collect();
                    if publish(&agent, &o, &envelopes) {
                        acked.extend(batch);
                    } else {
                        failed += 1;
                    }
                }
                (acked, failed)
            })
        })
        .collect();
    std::thread::sleep(o.duration);
    stop.store(true, Ordering::Relaxed);
    let mut report = LoadReport::default();
    let mut by_topic: HashMap<usize, HashSet<String>> = HashMap::new();
    for handle in publishers {
        let (acked, failed) = handle.join().unwrap_or_default();
        report.acked += acked.len();
        report.failed_calls += failed;
        for (t, m) in acked {
            by_topic.entry(t).or_default().insert(m);
        }
    }
    report.elapsed = started.elapsed();

    // End markers, one per topic, after everything else.
    let marker_agent = agent(None);
    for t in &topics {
        let e = json!({"contentTopic": t, "timestampNs": now_ns().to_string(), "message": STANDARD.encode(DONE)});
        if !publish(&marker_agent, o, &[e]) {
            report.failed_calls += 1;
        }
    }

    let all: HashSet<&String> = by_topic.values().flatten().collect();
    for (which, handle) in subs {
        let (seen, complete) = handle.join().unwrap_or_default();
        if !complete {
            report.broken_streams += 1;
        }
        report.delivered += seen.len();
        let unique: HashSet<&String> = seen.iter().collect();
        report.duplicates += seen.len() - unique.len();
        let empty = HashSet::new();
        let expected: HashSet<&String> = match which {
            Some(i) => by_topic.get(&i).unwrap_or(&empty).iter().collect(),
            None => all.clone(),
        };
        report.missing += expected.difference(&unique).count();
        report.unexpected += unique.difference(&expected).count();
    }
    report
}
