//! Files we write where the user says (exports): never over the open data file, never
//! half a file.
//!
//! Owns [`write_file`]: the output path is refused when it is the database being read or
//! one of SQLite's files beside it (`-wal`, `-shm`, `-journal`), compared as canonical
//! paths so `./d.db`, `../x/d.db` or a symbolic link to it are caught too; the bytes go
//! to a temporary file in the same folder, which is renamed over the target only when
//! complete, so a failed or interrupted export leaves the previous file as it was.
//! Never: produces the bytes (that is `report` and the exporters).

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum OutputError {
    #[error("不能导出到数据文件本身：{0}（请换一个文件名，数据文件未作改动）")]
    IsTheDatabase(PathBuf),
    #[error("无法写入 {}（{}）；请换一个位置或文件名再导出", .path.display(), crate::input::io_reason(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes `bytes` to `path` through a temporary file in the same folder, refusing a path
/// that is `database` or one of its journal files.
pub fn write_file(path: &Path, bytes: &[u8], database: Option<&Path>) -> Result<(), OutputError> {
    if let Some(db) = database {
        refuse_database(path, db)?;
    }
    let io = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = temp_file_in(folder_of(path), ".part").map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// A new, empty file in `folder` (hidden, named `.nianbao-….suffix`) to be renamed over
/// a target when complete; deleted when dropped unless persisted. Unlike a temporary
/// file's usual owner-only mode, it gets the mode of any new file (`0666` less the
/// umask), since it becomes the user's document.
pub(crate) fn temp_file_in(
    folder: &Path,
    suffix: &str,
) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".nianbao-").suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(folder)
}

/// Refuses `path` when it names the database `db` or one of its journal files: for
/// checking every output of a command before writing any.
pub fn refuse_database(path: &Path, db: &Path) -> Result<(), OutputError> {
    if is_database_file(path, db) {
        Err(OutputError::IsTheDatabase(path.to_path_buf()))
    } else {
        Ok(())
    }
}

/// Whether `path` names the database `db` or its `-wal`, `-shm` or `-journal` file.
fn is_database_file(path: &Path, db: &Path) -> bool {
    let (Some(target), Some(db)) = (canonical(path), canonical(db)) else {
        return false;
    };
    let Some(db_name) = db.file_name() else {
        return false;
    };
    ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
        let mut name = db_name.to_os_string();
        name.push(suffix);
        same_path(&target, &db.with_file_name(name))
    })
}

/// The canonical form of a path that may not exist yet: its folder canonical, its name
/// as given.
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    Some(std::fs::canonicalize(folder_of(path)).ok()?.join(name))
}

/// The folder a file is (to be) in: `.` for a bare file name.
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Windows and macOS file systems ignore case; a name differing only in case is the same
/// file there.
fn same_path(a: &Path, b: &Path) -> bool {
    if cfg!(any(windows, target_os = "macos")) {
        a.to_string_lossy().to_lowercase() == b.to_string_lossy().to_lowercase()
    } else {
        a == b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_and_its_journal_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.db");
        std::fs::write(&db, b"data").unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        for target in [
            db.clone(),
            sub.join("../d.db"),
            dir.path().join("d.db-wal"),
            dir.path().join("d.db-shm"),
            dir.path().join("d.db-journal"),
        ] {
            let err = write_file(&target, b"%PDF", Some(&db)).unwrap_err();
            assert!(matches!(err, OutputError::IsTheDatabase(_)), "{target:?}");
        }
        assert_eq!(std::fs::read(&db).unwrap(), b"data");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.pdf");
            std::os::unix::fs::symlink(&db, &link).unwrap();
            assert!(write_file(&link, b"%PDF", Some(&db)).is_err());
            assert_eq!(std::fs::read(&db).unwrap(), b"data");
        }
        let listed: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(listed.len(), 3, "no temporary file left: {listed:?}");
    }

    #[test]
    fn writes_replace_the_target_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("年报.pdf");
        std::fs::write(&out, b"old").unwrap();
        write_file(&out, b"new bytes", Some(&dir.path().join("d.db"))).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new bytes");
        let err = write_file(&dir.path().join("no/such/folder.pdf"), b"x", None).unwrap_err();
        assert!(matches!(err, OutputError::Io { .. }));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let fresh = dir.path().join("新.pdf");
            write_file(&fresh, b"x", None).unwrap();
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
            assert_ne!(
                mode & 0o044,
                0,
                "readable by others as any new file: {mode:o}"
            );
        }
    }
}
