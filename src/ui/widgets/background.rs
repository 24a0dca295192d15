//! [`BackgroundRead`]: a screen's data read from the file by a [`Job`] on its own
//! connection, so that a big file never stalls a frame. The screen keeps showing what it
//! had (with a spinner) until the new read arrives. The job's error is the store's own;
//! this is where it becomes the Chinese message the screen shows.

use std::path::PathBuf;
use std::sync::Arc;

use crate::jobs::{Job, JobError};
use crate::store::{Store, StoreError};

/// A read of `T` that may be running. See the module doc.
pub struct BackgroundRead<T> {
    job: Option<Job<T, StoreError>>,
}

impl<T> Default for BackgroundRead<T> {
    fn default() -> Self {
        BackgroundRead { job: None }
    }
}

impl<T: Send + 'static> BackgroundRead<T> {
    /// Starts reading `db` with `read` (replacing a read still running); `ctx` is woken
    /// when it is done.
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        db: PathBuf,
        what: &str,
        read: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) {
        let ctx = ctx.clone();
        self.job = Some(Job::spawn(
            what,
            Arc::new(move || ctx.request_repaint()),
            move |_| {
                let store = Store::open(&db).map_err(JobError::Failed)?;
                read(&store).map_err(JobError::Failed)
            },
        ));
    }

    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// The result, once, when the read has finished (a Chinese message when it failed).
    pub fn poll(&mut self) -> Option<Result<T, String>> {
        let result = self.job.as_mut()?.poll()?;
        self.job = None;
        Some(result.map_err(|e| e.to_string()))
    }

    /// Waits for the read (tests only; screens poll).
    pub fn wait(&mut self) -> Option<Result<T, String>> {
        let job = self.job.take()?;
        Some(job.wait().map_err(|e| e.to_string()))
    }
}
