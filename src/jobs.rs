//! Long work off the UI thread (after gitui's `asyncgit`): an import, creating the demo,
//! anything that may take longer than a frame runs as a [`Job`] on its own thread and
//! sends [`Progress`] and finally its result over a channel; the UI polls the job each
//! frame, shows a progress bar and never waits.
//!
//! A job owns whatever it works on: one that writes opens its own `Store` connection on
//! the same file (SQLite serialises writers), so the UI's connection is never shared
//! across threads. Must never: touch egui state or block the caller.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

/// How far a job has got: `done` of `total` steps of `what`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub what: String,
}

impl Progress {
    /// Between 0 and 1 (0 while the total is unknown).
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f32 / self.total as f32).clamp(0.0, 1.0)
        }
    }
}

/// Called whenever a job has news, so the UI wakes up (e.g. `egui::Context::request_repaint`).
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// What a running job reports through.
pub struct Reporter {
    tx: Sender<Progress>,
    wake: Wake,
}

impl Reporter {
    /// Reports progress; cheap, may be called often.
    pub fn report(&self, done: usize, total: usize, what: &str) {
        let _ = self.tx.send(Progress {
            done,
            total,
            what: what.to_string(),
        });
        (self.wake)();
    }
}

/// A running (or finished) piece of work that ends in a `T`.
pub struct Job<T> {
    progress_rx: Receiver<Progress>,
    done_rx: Receiver<T>,
    progress: Progress,
    handle: Option<JoinHandle<()>>,
    finished: bool,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a new thread.
    pub fn spawn(
        what: &str,
        wake: Wake,
        work: impl FnOnce(&Reporter) -> T + Send + 'static,
    ) -> Job<T> {
        let (progress_tx, progress_rx) = channel();
        let (done_tx, done_rx) = channel();
        let reporter = Reporter {
            tx: progress_tx,
            wake: wake.clone(),
        };
        let handle = std::thread::Builder::new()
            .name(format!("job: {what}"))
            .spawn(move || {
                let result = work(&reporter);
                let _ = done_tx.send(result);
                wake();
            })
            .ok();
        let finished = handle.is_none();
        Job {
            progress_rx,
            done_rx,
            progress: Progress {
                done: 0,
                total: 0,
                what: what.to_string(),
            },
            handle,
            finished,
        }
    }

    /// Takes the news since the last poll. Returns the result once, when the job is
    /// done; `Some(Err(..))` when the job's thread died (a bug) or could not start.
    pub fn poll(&mut self) -> Option<Result<T, String>> {
        while let Ok(p) = self.progress_rx.try_recv() {
            self.progress = p;
        }
        if self.finished {
            return None;
        }
        match self.done_rx.try_recv() {
            Ok(result) => {
                self.finished = true;
                if let Some(h) = self.handle.take() {
                    let _ = h.join();
                }
                Some(Ok(result))
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                if self.handle.as_ref().is_some_and(|h| h.is_finished()) {
                    // Finished without sending: it panicked. Take one more look first.
                    if let Ok(result) = self.done_rx.try_recv() {
                        self.finished = true;
                        return Some(Ok(result));
                    }
                    self.finished = true;
                    return Some(Err("后台任务意外中止（程序错误）".into()));
                }
                None
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.finished = true;
                Some(Err("后台任务意外中止（程序错误）".into()))
            }
        }
    }

    /// The latest progress reported.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Waits for the job (tests and the command line only; the UI polls).
    pub fn wait(mut self) -> Result<T, String> {
        loop {
            if let Some(r) = self.poll() {
                return r;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_progress_and_result() {
        let job = Job::spawn("count", Arc::new(|| {}), |r| {
            for i in 0..=10 {
                r.report(i, 10, "count");
            }
            42
        });
        assert_eq!(job.wait(), Ok(42));
    }

    #[test]
    fn a_panicking_job_is_an_error_not_a_hang() {
        let job: Job<()> = Job::spawn("boom", Arc::new(|| {}), |_| panic!("boom"));
        assert!(job.wait().is_err());
    }
}
