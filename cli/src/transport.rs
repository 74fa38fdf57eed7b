//! A blocking HTTP transport for the engine: one POST per request, and line-by-line streams.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use ureq::Agent;
use xmtp_core::client::{ApiError, Request};

/// Talks to one node.
pub struct Transport {
    base: String,
    agent: Agent,
    stream_agent: Agent,
}

fn agent(timeout: Option<Duration>) -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(timeout)
        .timeout_connect(Some(Duration::from_secs(5)))
        .build()
        .into()
}

impl Transport {
    /// A transport for the node at `base` (e.g. `http://127.0.0.1:5555`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            agent: agent(Some(Duration::from_secs(30))),
            stream_agent: agent(None),
        }
    }

    /// The node's URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Perform a unary request: the response body, or the error the engine should handle.
    pub fn perform(&self, request: &Request) -> Result<Vec<u8>, ApiError> {
        let mut call = self
            .agent
            .post(format!("{}{}", self.base, request.path()))
            .header("Content-Type", "application/json")
            .header("X-Client-Version", concat!("xmtp-rs/", env!("CARGO_PKG_VERSION")));
        if let Some(auth) = request.authorization() {
            call = call.header("Authorization", auth);
        }
        let mut response = call.send(request.body()).map_err(|e| ApiError::transport(&e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| ApiError::transport(&e.to_string()))?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(ApiError::from_http(status, &body))
        }
    }

    /// Open a subscription; the reader yields its newline-delimited lines.
    pub fn subscribe(&self, body: &str) -> Result<Box<dyn BufRead + Send>, ApiError> {
        let response = self
            .stream_agent
            .post(format!("{}/message/v1/subscribe", self.base))
            .header("Content-Type", "application/json")
            .send(body)
            .map_err(|e| ApiError::transport(&e.to_string()))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let mut response = response;
            let body = response.body_mut().read_to_vec().unwrap_or_default();
            return Err(ApiError::from_http(status, &body));
        }
        Ok(Box::new(BufReader::new(response.into_body().into_reader())))
    }
}
