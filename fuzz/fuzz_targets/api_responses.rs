//! The message API's answers as the client reads them: `/query` and `/batch-query` bodies and
//! subscription stream lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_core::client::{parse_batch_response, parse_query_response, parse_stream_line};

fuzz_target!(|data: &[u8]| {
    let _ = parse_query_response(data);
    let _ = parse_batch_response(data);
    let _ = parse_stream_line(data);
});
