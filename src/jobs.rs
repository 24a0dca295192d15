//! Long work off the UI thread (after gitui's `asyncgit`): an import, creating the demo,
//! approving a draft, anything that may take longer than a frame runs as a [`Job`] on
//! its own thread and sends [`Progress`] and finally its typed result over a channel; the
//! UI polls the job each frame, shows a progress bar with a 取消 button and never waits.
//!
//! Cancel is cooperative: [`Job::cancel`] raises a flag that the work checks between
//! steps ([`Reporter::step`] returns [`JobError::Cancelled`] once it is raised), so a job
//! stops at a step boundary and never halfway through a write — a write is one store
//! transaction that either commits before the next step or is rolled back.
//!
//! A job owns whatever it works on: one that writes opens its own `Store` connection on
//! the same file (SQLite serialises writers), so the UI's connection is never shared
//! across threads. Must never: touch egui state or block the caller.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// How a job ended other than with its result: its own typed error, a cancel, or a
/// crash. Messages are Chinese; `Failed` shows the job's own error as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError<E> {
    #[error("{0}")]
    Failed(E),
    #[error("已取消")]
    Cancelled,
    /// The job's thread died without an answer (a bug) or could not be started.
    #[error("后台任务意外中止（程序错误）")]
    Crashed,
}

impl<E> JobError<E> {
    /// The job's own error, if it failed with one.
    pub fn failed(&self) -> Option<&E> {
        match self {
            JobError::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// Called whenever a job has news, so the UI wakes up (e.g. `egui::Context::request_repaint`).
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// What a running job reports through, and asks whether it should stop.
pub struct Reporter {
    tx: Sender<Progress>,
    wake: Wake,
    cancel: Arc<AtomicBool>,
}

impl Reporter {
    /// Reports progress; cheap, may be called often (also from inside a transaction,
    /// where stopping is not allowed).
    pub fn report(&self, done: usize, total: usize, what: &str) {
        let _ = self.tx.send(Progress {
            done,
            total,
            what: what.to_string(),
        });
        (self.wake)();
    }

    /// Starts a step: reports it, or returns `Cancelled` when the job was asked to stop
    /// (use with `?` between steps).
    pub fn step<E>(&self, done: usize, total: usize, what: &str) -> Result<(), JobError<E>> {
        if self.cancelled() {
            return Err(JobError::Cancelled);
        }
        self.report(done, total, what);
        Ok(())
    }

    /// Whether [`Job::cancel`] was called.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// A running (or finished) piece of work that ends in a `T` or an `E`.
pub struct Job<T, E> {
    progress_rx: Receiver<Progress>,
    done_rx: Receiver<Result<T, JobError<E>>>,
    progress: Progress,
    handle: Option<JoinHandle<()>>,
    cancel: Arc<AtomicBool>,
    finished: bool,
}

impl<T: Send + 'static, E: Send + 'static> Job<T, E> {
    /// Starts `work` on a new thread. The work returns its own error as
    /// `JobError::Failed` and stops at a [`Reporter::step`] when cancelled.
    pub fn spawn(
        what: &str,
        wake: Wake,
        work: impl FnOnce(&Reporter) -> Result<T, JobError<E>> + Send + 'static,
    ) -> Job<T, E> {
        let (progress_tx, progress_rx) = channel();
        let (done_tx, done_rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let reporter = Reporter {
            tx: progress_tx,
            wake: wake.clone(),
            cancel: cancel.clone(),
        };
        let handle = std::thread::Builder::new()
            .name(format!("job: {what}"))
            .spawn(move || {
                let result = work(&reporter);
                let _ = done_tx.send(result);
                wake();
            })
            // A thread that cannot start drops `done_tx`: the first poll says `Crashed`.
            .ok();
        Job {
            progress_rx,
            done_rx,
            progress: Progress {
                done: 0,
                total: 0,
                what: what.to_string(),
            },
            handle,
            cancel,
            finished: false,
        }
    }

    /// Asks the job to stop at its next step; it then ends in `JobError::Cancelled`
    /// (or its result, if it had already finished its last step).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether [`Job::cancel`] was called.
    pub fn cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Takes the news since the last poll. Returns the result once, when the job is
    /// done; `Some(Err(JobError::Crashed))` when the job's thread died (a bug).
    pub fn poll(&mut self) -> Option<Result<T, JobError<E>>> {
        while let Ok(p) = self.progress_rx.try_recv() {
            self.progress = p;
        }
        if self.finished {
            return None;
        }
        let result = match self.done_rx.try_recv() {
            Ok(result) => result,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                if !self.handle.as_ref().is_some_and(|h| h.is_finished()) {
                    return None;
                }
                // Finished without sending: it panicked. Take one more look first.
                self.done_rx.try_recv().unwrap_or(Err(JobError::Crashed))
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Err(JobError::Crashed),
        };
        self.finished = true;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        Some(result)
    }

    /// The latest progress reported.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Waits for the job (tests and the command line only; the UI polls).
    pub fn wait(mut self) -> Result<T, JobError<E>> {
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
        let job: Job<i32, String> = Job::spawn("count", Arc::new(|| {}), |r| {
            for i in 0..=10 {
                r.step(i, 10, "count")?;
            }
            Ok(42)
        });
        assert_eq!(job.wait(), Ok(42));
    }

    #[test]
    fn a_failing_job_hands_back_its_own_error() {
        let job: Job<(), std::num::ParseIntError> = Job::spawn("parse", Arc::new(|| {}), |_| {
            "约800".parse::<u32>().map_err(JobError::Failed)?;
            Ok(())
        });
        let err = job.wait().unwrap_err();
        assert_eq!(
            err.failed().map(ToString::to_string),
            Some("invalid digit found in string".to_string())
        );
    }

    #[test]
    fn a_cancelled_job_stops_at_its_next_step() {
        let (go_tx, go_rx) = channel::<()>();
        let steps = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = steps.clone();
        let job: Job<(), String> = Job::spawn("slow", Arc::new(|| {}), move |r| {
            for i in 0..100 {
                r.step(i, 100, "slow")?;
                counted.fetch_add(1, Ordering::SeqCst);
                // Wait for the test after the first step, so the cancel lands mid-way.
                if i == 0 {
                    let _ = go_rx.recv();
                }
            }
            Ok(())
        });
        job.cancel();
        assert!(job.cancelling());
        let _ = go_tx.send(());
        assert_eq!(job.wait(), Err(JobError::Cancelled));
        assert!(
            steps.load(Ordering::SeqCst) <= 1,
            "stopped at the next step"
        );
    }

    #[test]
    fn a_panicking_job_is_an_error_not_a_hang() {
        let job: Job<(), String> = Job::spawn("boom", Arc::new(|| {}), |_| panic!("boom"));
        assert_eq!(job.wait(), Err(JobError::Crashed));
    }
}
