//! Running a node until the process's stop signal (SIGINT or SIGTERM; Ctrl-C elsewhere), for the
//! binaries that host one.

use crate::{Config, Node, NodeHandle};

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, not when
/// polled, so a signal arriving right after start-up is not missed.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Start a node with `config`, call `on_start` with it (e.g. to print its URL), serve until the
/// stop signal, then shut down gracefully.
pub fn run_until_stop_signal(config: Config, on_start: impl FnOnce(&NodeHandle)) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let node = runtime.block_on(async {
        let stop = stop_signal().map_err(|e| format!("cannot handle signals: {e}"))?;
        let node = Node::start(config).map_err(|e| format!("cannot start: {e}"))?;
        on_start(&node);
        stop.await;
        Ok::<_, String>(node)
    })?;
    node.shutdown();
    Ok(())
}
