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

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The address of the identity this profile holds, if it holds one (or a keys file that
    /// cannot be read: that counts as an identity too, so it is never overwritten silently).
    pub fn existing_identity(&self) -> Option<String> {
        match std::fs::metadata(self.keys_path()) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            _ => Some(self.keys().map_or_else(|_| "unreadable keys".to_string(), |k| k.address().to_string())),
        }
    }

    /// Make `client`'s identity and state this profile's: both files are written completely
    /// (to temporary files, synced) before either replaces the old one; the state first, so a
    /// crash in between leaves the old keys with a state that is ignored (it belongs to other
    /// keys) rather than new keys with an old state.
    pub fn replace_identity(&self, client: &Client) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let keys = STANDARD.encode(client.keys().export());
        write_private(&self.state_path(), client.export_state().as_bytes())?;
        write_private(&self.keys_path(), keys.as_bytes())
    }

    /// The stored keys.
    pub fn keys(&self) -> Result<PrivateKeyBundle, String> {
        let path = self.keys_path();
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!("no identity in {} (run `xmtp init` first)", self.dir.display()))
            }
            Err(e) => return Err(format!("cannot read the keys file {}: {e}", path.display())),
        };
        crate::decode::load_keys(&data).map_err(|e| format!("the keys file {} is damaged: {e}", path.display()))
    }

    /// An engine with the stored keys and, when it belongs to them, the stored state.
    pub fn client(&self) -> Result<Client, String> {
        let keys = self.keys()?;
        if let Ok(blob) = std::fs::read_to_string(self.state_path()) {
            if let Ok(client) = Client::import_state(&blob, Registry::new(), Box::new(rand_core::OsRng)) {
                if client.address() == keys.address() {
                    return Ok(client);
                }
            }
        }
        Ok(Client::new(keys, Box::new(rand_core::OsRng)))
    }

    /// Persist the engine state (mode 0600: it holds secrets).
    pub fn save(&self, client: &Client) -> Result<(), String> {
        write_private(&self.state_path(), client.export_state().as_bytes())
    }
}
