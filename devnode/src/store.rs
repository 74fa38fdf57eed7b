//! Envelope storage in SQLite.
//!
//! One writer thread owns the write connection and commits publishes in groups: it takes every
//! publish waiting, writes them in one transaction, commits (WAL, `synchronous=FULL`: durable once
//! `COMMIT` returns), relays the new envelopes to subscribers and only then acknowledges each
//! publish. Queries run on a small pool of read connections (in memory, on the one connection).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension as _};
use sha2::{Digest as _, Sha256};
use tokio::sync::{oneshot, Semaphore};
use xmtp_proto::message_api::v1::Envelope;

use crate::config::Storage;
use crate::pubsub::Hub;
use crate::status::{ApiError, Code};
use crate::Error;

/// Name of the database file in a data directory.
pub const DB_FILE: &str = "envelopes.db";
/// Envelopes committed in one transaction at most.
const MAX_GROUP_ENVELOPES: usize = 2000;
/// Message bytes committed in one transaction at most (a group always takes one publish).
const MAX_GROUP_BYTES: usize = 64 * 1024 * 1024;
/// Read connections of an on-disk database.
const READERS: usize = 4;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS envelopes (
    seq INTEGER PRIMARY KEY,
    digest BLOB NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    ts INTEGER NOT NULL,
    message BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS envelopes_by_topic ON envelopes (topic, ts, digest);
";

/// `sha256(content_topic ‖ message)`: the row id of a stored envelope.
pub(crate) fn digest(topic: &str, message: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(topic.as_bytes());
    h.update(message);
    h.finalize().into()
}

/// Whether envelopes on this topic are relayed but never stored (`mE-`, `dmE-`).
pub(crate) fn is_ephemeral(topic: &str) -> bool {
    xmtp_core::topic::kind(topic).is_ephemeral()
}

/// SQLite integers are signed: flip the top bit so that u64 order is i64 order.
fn ts_to_sql(ts: u64) -> i64 {
    (ts ^ (1 << 63)) as i64
}

fn ts_from_sql(v: i64) -> u64 {
    (v as u64) ^ (1 << 63)
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(Code::Internal, format!("storage error: {e}"))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One query, validated.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub topics: Vec<String>,
    /// Inclusive lower bound on the timestamp.
    pub start: u64,
    /// Inclusive upper bound on the timestamp.
    pub end: u64,
    pub limit: u32,
    pub ascending: bool,
    /// Continue strictly after `(timestamp, digest)` in the query's direction.
    pub after: Option<(u64, Vec<u8>)>,
}

/// One stored envelope as a query returns it.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub envelope: Envelope,
    pub digest: Vec<u8>,
}

/// A publish waiting for the writer.
struct WriteJob {
    envelopes: Vec<Envelope>,
    reply: oneshot::Sender<Result<(), ApiError>>,
}

/// The storage of a running node.
pub(crate) struct Store {
    writer: Mutex<Option<mpsc::Sender<WriteJob>>>,
    writer_thread: Mutex<Option<JoinHandle<()>>>,
    readers: Vec<Arc<Mutex<Connection>>>,
    reader_slots: Semaphore,
    next_reader: AtomicUsize,
}

fn configure(conn: &Connection, on_disk: bool) -> Result<(), Error> {
    if on_disk {
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Storage(format!("cannot switch the database to WAL (journal_mode is {mode})")));
        }
        conn.execute_batch("PRAGMA synchronous=FULL;")?;
    }
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl Store {
    /// Open (creating if needed) the database and start the writer thread.
    pub(crate) fn open(storage: &Storage, hub: Arc<Hub>) -> Result<Self, Error> {
        let (writer_conn, readers) = match storage {
            Storage::Memory => {
                let conn = Connection::open_in_memory()?;
                configure(&conn, false)?;
                conn.execute_batch(SCHEMA)?;
                let conn = Arc::new(Mutex::new(conn));
                (Arc::clone(&conn), vec![conn])
            }
            Storage::Dir(dir) => {
                std::fs::create_dir_all(dir).map_err(Error::Io)?;
                let path = dir.join(DB_FILE);
                let conn = Connection::open(&path)?;
                configure(&conn, true)?;
                conn.execute_batch(SCHEMA)?;
                let readers = (0..READERS)
                    .map(|_| open_reader(&path).map(|c| Arc::new(Mutex::new(c))))
                    .collect::<Result<Vec<_>, _>>()?;
                (Arc::new(Mutex::new(conn)), readers)
            }
        };
        let (tx, rx) = mpsc::channel::<WriteJob>();
        let thread = std::thread::Builder::new()
            .name("xmtp-devnode-writer".into())
            .spawn(move || writer_loop(&writer_conn, &rx, &hub))
            .map_err(Error::Io)?;
        Ok(Self {
            writer: Mutex::new(Some(tx)),
            writer_thread: Mutex::new(Some(thread)),
            reader_slots: Semaphore::new(readers.len()),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    /// Store (and relay) the envelopes of one publish; resolves once they are durable.
    pub(crate) async fn publish(&self, envelopes: Vec<Envelope>) -> Result<(), ApiError> {
        let (reply, done) = oneshot::channel();
        let sent = match lock(&self.writer).as_ref() {
            Some(tx) => tx.send(WriteJob { envelopes, reply }).is_ok(),
            None => false,
        };
        if !sent {
            return Err(ApiError::new(Code::Unavailable, "node is shutting down"));
        }
        done.await.unwrap_or_else(|_| Err(ApiError::new(Code::Internal, "storage writer stopped")))
    }

    /// Run queries on one read connection, in order.
    pub(crate) async fn query(self: &Arc<Self>, queries: Vec<Query>) -> Result<Vec<Vec<Row>>, ApiError> {
        let _slot = self.reader_slots.acquire().await.map_err(|_| ApiError::new(Code::Unavailable, "closed"))?;
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let conn = this.reader();
            queries.iter().map(|q| run_query(&conn, q).map_err(internal)).collect()
        })
        .await
        .unwrap_or_else(|e| Err(internal(e)))
    }

    /// Number of stored envelopes.
    pub(crate) fn count(&self) -> Result<u64, ApiError> {
        let conn = self.reader();
        conn.query_row("SELECT COUNT(*) FROM envelopes", [], |r| r.get::<_, i64>(0))
            .map(|n| n.unsigned_abs())
            .map_err(internal)
    }

    /// A free read connection (the semaphore keeps them at most as many users as connections;
    /// in memory the writer may hold the only one for a moment).
    fn reader(&self) -> MutexGuard<'_, Connection> {
        let n = self.readers.len();
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            if let Ok(guard) = self.readers[(start + i) % n].try_lock() {
                return guard;
            }
        }
        lock(&self.readers[start])
    }

    /// Refuse new publishes, finish the waiting ones and stop the writer.
    pub(crate) fn close(&self) {
        drop(lock(&self.writer).take());
        if let Some(thread) = lock(&self.writer_thread).take() {
            let _ = thread.join();
        }
    }
}

fn open_reader(path: &Path) -> Result<Connection, Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn writer_loop(conn: &Mutex<Connection>, rx: &mpsc::Receiver<WriteJob>, hub: &Hub) {
    while let Ok(first) = rx.recv() {
        let mut count = first.envelopes.len();
        let mut bytes: usize = first.envelopes.iter().map(|e| e.message.len()).sum();
        let mut jobs = vec![first];
        while count < MAX_GROUP_ENVELOPES && bytes < MAX_GROUP_BYTES {
            match rx.try_recv() {
                Ok(job) => {
                    count += job.envelopes.len();
                    bytes += job.envelopes.iter().map(|e| e.message.len()).sum::<usize>();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let result = commit_group(&lock(conn), &jobs);
        match result {
            Ok(fresh) => {
                // Relay in commit order, before any acknowledgement: a subscriber registered
                // before a publish is acknowledged receives it.
                let mut fresh = fresh.into_iter();
                for job in &jobs {
                    for e in &job.envelopes {
                        if fresh.next().unwrap_or(false) {
                            hub.relay(e);
                        }
                    }
                }
                for job in jobs {
                    let _ = job.reply.send(Ok(()));
                }
            }
            Err(e) => {
                let err = internal(e);
                for job in jobs {
                    let _ = job.reply.send(Err(err.clone()));
                }
            }
        }
    }
}

/// Write a group in one transaction. Returns, per envelope in order, whether it is new (and so
/// to be relayed): ephemeral envelopes always are, stored ones unless a duplicate.
fn commit_group(conn: &Connection, jobs: &[WriteJob]) -> rusqlite::Result<Vec<bool>> {
    let mut fresh = Vec::new();
    let any_stored = jobs.iter().flat_map(|j| &j.envelopes).any(|e| !is_ephemeral(&e.content_topic));
    if !any_stored {
        fresh.resize(jobs.iter().map(|j| j.envelopes.len()).sum(), true);
        return Ok(fresh);
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let mut insert = conn.prepare_cached(
            "INSERT INTO envelopes (digest, topic, ts, message) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (digest) DO NOTHING",
        )?;
        for e in jobs.iter().flat_map(|j| &j.envelopes) {
            if is_ephemeral(&e.content_topic) {
                fresh.push(true);
                continue;
            }
            let d = digest(&e.content_topic, &e.message);
            let n = insert.execute(params![&d[..], e.content_topic, ts_to_sql(e.timestamp_ns), e.message])?;
            fresh.push(n == 1);
        }
        Ok::<_, rusqlite::Error>(())
    })();
    match result.and_then(|()| conn.execute_batch("COMMIT")) {
        Ok(()) => Ok(fresh),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn run_query(conn: &Connection, q: &Query) -> rusqlite::Result<Vec<Row>> {
    let (cmp, order) = if q.ascending { (">", "ASC") } else { ("<", "DESC") };
    let topic_clause = if q.topics.len() == 1 { "topic = ?1" } else { "topic IN (SELECT value FROM json_each(?1))" };
    let cursor_clause = if q.after.is_some() { format!("AND (ts, digest) {cmp} (?4, ?5)") } else { String::new() };
    let sql = format!(
        "SELECT topic, ts, message, digest FROM envelopes WHERE {topic_clause} AND ts >= ?2 AND ts <= ?3 \
         {cursor_clause} ORDER BY ts {order}, digest {order} LIMIT ?6"
    );
    let topics =
        if q.topics.len() == 1 { q.topics[0].clone() } else { serde_json::Value::from(q.topics.clone()).to_string() };
    let (after_ts, after_digest) = match &q.after {
        Some((ts, d)) => (ts_to_sql(*ts), d.clone()),
        None => (0, Vec::new()),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows =
        stmt.query(params![topics, ts_to_sql(q.start), ts_to_sql(q.end), after_ts, after_digest, i64::from(q.limit)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(Row {
            envelope: Envelope {
                content_topic: row.get(0)?,
                timestamp_ns: ts_from_sql(row.get(1)?),
                message: row.get(2)?,
            },
            digest: row.get(3)?,
        });
    }
    Ok(out)
}

/// Whether a directory holds a database already (for start-up logs).
pub(crate) fn exists(dir: &Path) -> bool {
    dir.join(DB_FILE).is_file()
}

/// Magic numbers of an SQLite write-ahead log header (the low bit chooses the checksum's byte
/// order: 1 = big-endian).
const WAL_MAGIC: [u32; 2] = [0x377f_0682, 0x377f_0683];
/// The WAL format version SQLite writes.
const WAL_VERSION: u32 = 3_007_000;
const WAL_HEADER: usize = 32;
const WAL_FRAME_HEADER: usize = 24;

/// SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing from `(s0, s1)`.
fn wal_checksum(data: &[u8], big_endian: bool, (mut s0, mut s1): (u32, u32)) -> (u32, u32) {
    let word = |b: &[u8]| {
        let b = [b[0], b[1], b[2], b[3]];
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    for pair in data.chunks_exact(8) {
        s0 = s0.wrapping_add(word(&pair[..4])).wrapping_add(s1);
        s1 = s1.wrapping_add(word(&pair[4..])).wrapping_add(s0);
    }
    (s0, s1)
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// What is wrong with a write-ahead log SQLite would silently ignore, if anything: a header
/// that is not a WAL header, a bad header checksum, or a first frame that does not belong to
/// it. (A WAL is read up to its first invalid frame: a valid first frame means SQLite recovers
/// at least that much.)
fn wal_problem(wal: &[u8]) -> Option<String> {
    if wal.is_empty() {
        return None;
    }
    if wal.len() < WAL_HEADER {
        return Some(format!("is {} bytes, shorter than a WAL header", wal.len()));
    }
    let magic = be32(wal, 0);
    if !WAL_MAGIC.contains(&magic) {
        return Some("does not start with the SQLite WAL magic number".into());
    }
    if be32(wal, 4) != WAL_VERSION {
        return Some(format!("has an unknown WAL format version {}", be32(wal, 4)));
    }
    let big_endian = magic & 1 == 1;
    let header_sum = wal_checksum(&wal[..24], big_endian, (0, 0));
    if header_sum != (be32(wal, 24), be32(wal, 28)) {
        return Some("has a WAL header whose checksum is wrong".into());
    }
    let page_size = match be32(wal, 8) {
        1 => 65_536,
        n => usize::try_from(n).unwrap_or(0),
    };
    if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() {
        return Some(format!("has an invalid page size {page_size}"));
    }
    let frame = &wal[WAL_HEADER..];
    if frame.is_empty() {
        return None;
    }
    if frame.len() < WAL_FRAME_HEADER + page_size {
        return Some("ends inside its first frame".into());
    }
    let salts_match = frame[8..16] == wal[16..24];
    let sum = wal_checksum(&frame[..8], big_endian, header_sum);
    let sum = wal_checksum(&frame[WAL_FRAME_HEADER..WAL_FRAME_HEADER + page_size], big_endian, sum);
    if !salts_match || sum != (be32(frame, 16), be32(frame, 20)) {
        return Some("has a first frame that does not match its header (no valid frame)".into());
    }
    None
}

/// Warnings about the files of a data directory before it is opened: cases in which SQLite
/// starts without complaint but without the envelopes the files seem to hold.
pub(crate) fn startup_warnings(dir: &Path) -> Vec<String> {
    let mut warnings = Vec::new();
    let db = dir.join(DB_FILE);
    let wal_name = format!("{DB_FILE}-wal");
    let db_len = std::fs::metadata(&db).ok().map(|m| m.len());
    if db_len == Some(0) {
        warnings.push(format!("the database file {DB_FILE} is empty (0 bytes): the node starts with no envelopes"));
    }
    match std::fs::read(dir.join(&wal_name)) {
        Ok(wal) if !wal.is_empty() => {
            if db_len.is_none() {
                warnings.push(format!("{wal_name} exists without {DB_FILE}: SQLite ignores it"));
            }
            if let Some(problem) = wal_problem(&wal) {
                warnings.push(format!(
                    "the write-ahead log {wal_name} {problem}: SQLite ignores it, and any envelopes it held are lost"
                ));
            }
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => warnings.push(format!("cannot read {wal_name}: {e}")),
    }
    warnings
}

/// The SQLite library version (for start-up logs).
pub(crate) fn sqlite_version() -> String {
    Connection::open_in_memory()
        .and_then(|c| c.query_row("SELECT sqlite_version()", [], |r| r.get::<_, String>(0)).optional())
        .ok()
        .flatten()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_mapping_keeps_order() {
        let values = [0, 1, 1 << 62, (1 << 63) - 1, 1 << 63, u64::MAX - 1, u64::MAX];
        for w in values.windows(2) {
            assert!(ts_to_sql(w[0]) < ts_to_sql(w[1]));
        }
        for v in values {
            assert_eq!(ts_from_sql(ts_to_sql(v)), v);
        }
    }

    /// A WAL header (and optionally one frame) as SQLite writes it.
    fn wal(big_endian: bool, frame: bool) -> Vec<u8> {
        let magic = if big_endian { WAL_MAGIC[1] } else { WAL_MAGIC[0] };
        let mut w = Vec::new();
        for v in [magic, WAL_VERSION, 4096, 0, 0x1234_5678, 0x9abc_def0] {
            w.extend_from_slice(&v.to_be_bytes());
        }
        let sum = wal_checksum(&w, big_endian, (0, 0));
        w.extend_from_slice(&sum.0.to_be_bytes());
        w.extend_from_slice(&sum.1.to_be_bytes());
        if frame {
            let mut f = Vec::new();
            f.extend_from_slice(&1u32.to_be_bytes());
            f.extend_from_slice(&1u32.to_be_bytes());
            f.extend_from_slice(&w[16..24]);
            let page = vec![7u8; 4096];
            let s = wal_checksum(&f[..8], big_endian, sum);
            let s = wal_checksum(&page, big_endian, s);
            f.extend_from_slice(&s.0.to_be_bytes());
            f.extend_from_slice(&s.1.to_be_bytes());
            f.extend_from_slice(&page);
            w.extend_from_slice(&f);
        }
        w
    }

    #[test]
    fn a_real_wal_passes_the_checks() {
        let dir = std::env::temp_dir().join(format!("xmtp-devnode-wal-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let conn = Connection::open(dir.join(DB_FILE)).unwrap();
        configure(&conn, true).unwrap();
        conn.execute_batch("PRAGMA wal_autocheckpoint=0;").unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute("INSERT INTO envelopes (digest, topic, ts, message) VALUES (x'01', 't', 1, x'02')", []).unwrap();
        // Read while the connection is open: nothing is checkpointed yet.
        let wal = std::fs::read(dir.join(format!("{DB_FILE}-wal"))).unwrap();
        assert!(wal.len() > WAL_HEADER + WAL_FRAME_HEADER);
        assert_eq!(wal_problem(&wal), None);
        assert!(startup_warnings(&dir).is_empty());
        let mut bad = wal.clone();
        bad[40] ^= 0xff;
        assert!(wal_problem(&bad).is_some());
        drop(conn);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn wal_checks() {
        for be in [false, true] {
            assert_eq!(wal_problem(&wal(be, false)), None);
            assert_eq!(wal_problem(&wal(be, true)), None);
            let mut bad = wal(be, true);
            bad[WAL_HEADER + WAL_FRAME_HEADER + 5] ^= 1;
            assert!(wal_problem(&bad).unwrap().contains("first frame"));
            let mut bad = wal(be, false);
            bad[12] ^= 1;
            assert!(wal_problem(&bad).unwrap().contains("checksum"));
        }
        assert_eq!(wal_problem(&[]), None);
        assert!(wal_problem(&[0u8; 10]).unwrap().contains("shorter"));
        assert!(wal_problem(&[0xAAu8; 5000]).unwrap().contains("magic"));
    }

    #[test]
    fn ephemeral_topics() {
        assert!(is_ephemeral("/xmtp/0/mE-abc/proto"));
        assert!(is_ephemeral("/xmtp/0/dmE-a-b/proto"));
        assert!(!is_ephemeral("/xmtp/0/m-abc/proto"));
        assert!(!is_ephemeral("/xmtp/0/dm-a-b/proto"));
    }
}
