//! A blocking HTTP(S) transport for the engine: one POST per request, and streams read line by
//! line. It carries bytes only: what a status or body means is the engine's business.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::Agent;
use xmtp_core::client::Request;

/// Talks to one node.
pub struct Transport {
    base: String,
    agent: Agent,
    stream_agent: Agent,
}

/// A stream that could not be opened: the HTTP status (0 when no response came) and body.
#[derive(Debug)]
pub struct OpenFailed {
    /// The status.
    pub status: u16,
    /// The body, or the transport's reason.
    pub body: Vec<u8>,
}

fn agent(timeout: Option<Duration>, roots: &RootCerts) -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(timeout)
        .timeout_connect(Some(Duration::from_secs(5)))
        .tls_config(TlsConfig::builder().root_certs(roots.clone()).build())
        .build()
        .into()
}

impl Transport {
    /// A transport for the node at `base` (e.g. `http://127.0.0.1:5555` or
    /// `https://dev.xmtp.network`). `https://` nodes are verified against the Mozilla roots, or
    /// only against `ca_pem` (PEM certificates) when given, for a node with a private CA.
    pub fn new(base: &str, ca_pem: Option<&[u8]>) -> Result<Self, String> {
        let roots = match ca_pem {
            None => RootCerts::WebPki,
            Some(pem) => {
                let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem)
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                        Ok(_) => None,
                        Err(e) => Some(Err(e)),
                    })
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("cannot read the CA certificates: {e}"))?;
                if certs.is_empty() {
                    return Err("the CA file holds no PEM certificate".into());
                }
                RootCerts::new_with_certs(&certs)
            }
        };
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            agent: agent(Some(Duration::from_secs(30)), &roots),
            stream_agent: agent(None, &roots),
        })
    }

    /// The node's URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn post(&self, agent: &Agent, request: &Request) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let mut call = agent.post(format!("{}{}", self.base, request.path()));
        for (name, value) in request.headers() {
            call = call.header(name, value);
        }
        call.send(request.body())
    }

    /// Perform a call: the HTTP status and body, or status 0 and the reason when no response
    /// came (what the engine's `handle_http` takes).
    pub fn call(&self, request: &Request) -> (u16, Vec<u8>) {
        let mut response = match self.post(&self.agent, request) {
            Ok(r) => r,
            Err(e) => return (0, e.to_string().into_bytes()),
        };
        let status = response.status().as_u16();
        match response.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec() {
            Ok(body) => (status, body),
            Err(e) => (0, e.to_string().into_bytes()),
        }
    }

    /// Open a subscription; the reader yields its newline-delimited lines.
    pub fn subscribe(&self, request: &Request) -> Result<Box<dyn BufRead + Send>, OpenFailed> {
        let response = self
            .post(&self.stream_agent, request)
            .map_err(|e| OpenFailed { status: 0, body: e.to_string().into_bytes() })?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let mut response = response;
            let body = response.body_mut().with_config().limit(64 * 1024).read_to_vec().unwrap_or_default();
            return Err(OpenFailed { status, body });
        }
        Ok(Box::new(BufReader::new(response.into_body().into_reader())))
    }
}
