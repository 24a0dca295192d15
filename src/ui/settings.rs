//! The app's small settings file (`settings.json` in the user's config folder): the
//! last opened data file. Unreadable settings are ignored, never fatal.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Where the app keeps its files: `ProjectDirs("cn", "nianbao", "Nianbao")`. On Windows
/// the settings go to the roaming `%APPDATA%\nianbao\Nianbao\config` (small, follows
/// the user), data files to the local `%LOCALAPPDATA%\nianbao\Nianbao\data` (a
/// database does not belong in a roaming profile that is copied at every sign-in).
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("cn", "nianbao", "Nianbao")
}

/// Where the demo file is created on first run.
pub fn demo_path() -> PathBuf {
    project_dirs()
        .map(|d| d.data_local_dir().to_path_buf())
        .unwrap_or_else(std::env::temp_dir)
        .join("演示数据.nianbao")
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Settings {
    pub last_db: Option<PathBuf>,
    /// The last database server connected to, without the password
    /// (`postgres://user@host:port/db`).
    #[serde(default)]
    pub last_server: Option<String>,
    /// Where to save; `None` in tests (nothing is written).
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

impl Settings {
    /// Reads the settings file, or defaults.
    pub fn load() -> Settings {
        let file = project_dirs().map(|d| d.config_dir().join("settings.json"));
        let mut s: Settings = file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        s.file = file;
        s
    }

    /// Settings that are never saved (tests).
    pub fn in_memory() -> Settings {
        Settings::default()
    }

    /// Remembers `db` as the last opened file, or as the last server without its
    /// password (which is never stored). Failing to save is not worth an error.
    pub fn remember(&mut self, db: &std::path::Path) {
        match crate::store::server_url(db) {
            Some(url) => {
                // The next start shows the connection form filled in, for the password.
                self.last_db = None;
                self.last_server = crate::store::ServerAddress::parse(url).map(|a| a.remembered());
            }
            None => self.last_db = Some(db.to_path_buf()),
        }
        if let Some(file) = &self.file {
            if let Some(dir) = file.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Ok(json) = serde_json::to_vec_pretty(self) {
                let _ = std::fs::write(file, json);
            }
        }
    }
}
