//! `https://` nodes: the client verifies the node's certificate (here a test CA given with
//! `--ca-cert`, through a TLS proxy on loopback in front of a local node), refuses a node it
//! cannot verify, and reports an unreachable node as such.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use tokio_rustls::rustls;
use xmtp_devnode::{Config, Node, Storage};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xmtp-tls-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn xmtp(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xmtp"))
        .args(["--home", home.to_str().unwrap()])
        .args(args)
        .env_remove("XMTP_NODE")
        .env_remove("XMTP_ENV")
        .env_remove("XMTP_CA_CERT")
        .output()
        .expect("run xmtp")
}

/// A TLS proxy on 127.0.0.1 in front of `backend`, with a fresh certificate for 127.0.0.1;
/// returns its port and the certificate (PEM). It runs until the test process ends.
fn tls_proxy(backend: std::net::SocketAddr) -> (u16, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("a certificate");
    let pem = cert.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else { return };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
    });
    (port, pem)
}

#[test]
fn an_https_node_with_a_private_ca() {
    let node = Node::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        storage: Storage::Memory,
        log: false,
        ..Config::default()
    })
    .expect("node starts");
    let backend: std::net::SocketAddr = node.url().trim_start_matches("http://").parse().unwrap();
    let (port, pem) = tls_proxy(backend);
    let dir = scratch("ca");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pem).unwrap();
    let url = format!("https://127.0.0.1:{port}");
    let (a, b) = (dir.join("a"), dir.join("b"));
    let ca = ca.to_str().unwrap();

    // Two identities talk over TLS.
    let init = |home: &Path| {
        let out = xmtp(&["--node", &url, "--ca-cert", ca, "init"], home);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let (a_addr, b_addr) = (init(&a), init(&b));
    let out = xmtp(&["--node", &url, "--ca-cert", ca, "send", &b_addr, "over TLS"], &a);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = xmtp(&["--node", &url, "--ca-cert", ca, "read", &a_addr], &b);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("over TLS"));

    // Without the CA the certificate is not trusted: a clear failure, exit status 2.
    let out = xmtp(&["--node", &url, "can-message", &a_addr], &b);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach the node at https://127.0.0.1"), "{err}");
    assert!(!err.contains("TLS required"), "{err}");
}

#[test]
fn an_unreachable_https_node_and_network_names() {
    let dir = scratch("unreachable");
    let home = dir.join("p");
    // Keys exist, so the command gets as far as the network.
    let node = Node::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        storage: Storage::Memory,
        log: false,
        ..Config::default()
    })
    .unwrap();
    assert!(xmtp(&["--node", &node.url(), "init"], &home).status.success());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("https://127.0.0.1:{closed}");
    let out = xmtp(&["--node", &url, "can-message", "0x000000000000000000000000000000000000dEaD"], &home);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cannot reach the node at {url}")), "{err}");

    let out = xmtp(&["--env", "mainnet", "whoami"], &home);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown network"));
}
