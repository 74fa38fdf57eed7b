//! The profile directory: the key bundle (mode 0600) and the engine state.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use xmtp_core::client::Client;
use xmtp_core::content::Registry;
use xmtp_core::keys::PrivateKeyBundle;

/// Where a profile lives.
pub struct Profile {
    dir: PathBuf,
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        f.write_all(data).and_then(|()| f.sync_all()).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

impl Profile {
    /// The profile in `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    fn keys_path(&self) -> PathBuf {
        self.dir.join("keys")
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    /// Store keys (base64 of the encoded bundle, file mode 0600) and forget old state.
    pub fn save_keys(&self, keys: &PrivateKeyBundle) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        write_private(&self.keys_path(), STANDARD.encode(keys.export()).as_bytes())?;
        let _ = std::fs::remove_file(self.state_path());
        Ok(())
    }

    /// The stored keys.
    pub fn keys(&self) -> Result<PrivateKeyBundle, String> {
        let data = std::fs::read(self.keys_path())
            .map_err(|_| format!("no identity in {} (run `xmtp init` first)", self.dir.display()))?;
        crate::decode::load_keys(&data)
    }

    /// An engine with the stored keys and state.
    pub fn client(&self) -> Result<Client, String> {
        let rng = Box::new(rand_core::OsRng);
        if let Ok(blob) = std::fs::read_to_string(self.state_path()) {
            if let Ok(client) = Client::import_state(&blob, Registry::new(), rng) {
                return Ok(client);
            }
        }
        Ok(Client::new(self.keys()?, Box::new(rand_core::OsRng)))
    }

    /// Persist the engine state (mode 0600: it holds secrets).
    pub fn save(&self, client: &Client) -> Result<(), String> {
        write_private(&self.state_path(), client.export_state().as_bytes())
    }
}
