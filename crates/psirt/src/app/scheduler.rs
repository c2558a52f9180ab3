//! The background scheduler: every few seconds it claims the due jobs of the job table (leased,
//! exclusive across instances) and runs each by kind in [`dispatch`]. Outbound mail is one kind
//! (`mail.deliver`, one job per outbox row). Time comes only from `app.clock`.
//!
//! Errors from a job are recorded on it (`last_error`) and retried with back-off; they never
//! stop the loop. The loop stops when its [`SchedulerHandle`] is stopped (on shutdown).

use std::{sync::Arc, time::Duration};

use futures_util::future::join_all;
use jiff::SignedDuration;
use tokio::{sync::watch, task::JoinHandle};

use super::{App, AppError, advisories, cases, mail};
use crate::storage::{
    jobs::{self, Job},
    mailer::Mailer,
};

/// How often the scheduler looks for due jobs when the last round found none to spare.
pub const POLL: Duration = Duration::from_secs(2);
/// Jobs claimed per round; they run concurrently.
const BATCH: i64 = 8;
/// How long a claim holds: a job still unfinished after this (its instance died) runs again.
/// It must exceed the longest job (SMTP steps time out after `mail.timeout_seconds`).
pub const LEASE: SignedDuration = SignedDuration::from_secs(300);

/// Publishes approved advisories whose embargo ended (one per five-minute slot).
pub const PUBLISH_DUE: &str = "advisories.publish_due";

/// Enqueues the periodic jobs of the current five-minute slot (once per slot cluster-wide: the
/// dedup key names the slot).
async fn enqueue_periodic(app: &App) -> Result<(), AppError> {
    let now = app.clock.now();
    let slot = now.as_second().div_euclid(300);
    for (kind, key) in [
        (cases::reminders::SWEEP, cases::reminders::sweep_key(now)),
        (PUBLISH_DUE, format!("{PUBLISH_DUE}:{slot}")),
    ] {
        let job = jobs::NewJob {
            kind,
            dedup_key: &key,
            payload: serde_json::json!({}),
            run_at: now,
        };
        jobs::enqueue(app.db.pool(), &job).await?;
    }
    Ok(())
}

/// Runs the job kinds. Cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    app: App,
    mailer: Arc<Mailer>,
    /// The five-minute slot whose periodic jobs this instance last enqueued.
    last_slot: Arc<std::sync::atomic::AtomicI64>,
}

/// A running scheduler loop.
pub struct SchedulerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Runs one claimed job by its kind. Add a kind here with a handler of the shape
/// `async fn(&App, &Job) -> Result<(), AppError>`; an unknown kind fails (and is retried, so a
/// newer instance that knows it may run it).
async fn dispatch(scheduler: &Scheduler, job: &Job) -> Result<(), AppError> {
    let app = &scheduler.app;
    match job.kind.as_str() {
        mail::DELIVER => mail::deliver(app, &scheduler.mailer, job).await,
        cases::reminders::SWEEP => cases::reminders::sweep(app, job).await,
        PUBLISH_DUE => advisories::publish::publish_due(app).await.map(|_| ()),
        other => Err(AppError::Unavailable(format!(
            "no handler for job kind {other:?}"
        ))),
    }
}

impl Scheduler {
    /// A scheduler sending mail the way `app.config.mail` says.
    pub fn new(app: App) -> Result<Self, AppError> {
        let mailer = Mailer::from_config(&app.config.mail, &app.config.data_dir)
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        Ok(Self {
            app,
            mailer: Arc::new(mailer),
            last_slot: Arc::new(std::sync::atomic::AtomicI64::new(i64::MIN)),
        })
    }

    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// One round: claims up to a batch of due jobs and runs them; returns how many ran.
    pub async fn tick(&self) -> Result<usize, AppError> {
        let slot = self.app.clock.now().as_second().div_euclid(300);
        if self
            .last_slot
            .swap(slot, std::sync::atomic::Ordering::Relaxed)
            != slot
        {
            enqueue_periodic(&self.app).await?;
        }
        let claimed = jobs::claim(&self.app.db, self.app.clock.now(), LEASE, BATCH).await?;
        let count = claimed.len();
        join_all(claimed.iter().map(|job| self.run(job))).await;
        Ok(count)
    }

    /// Rounds until nothing is due (a round that claims no job).
    pub async fn run_due(&self) -> Result<usize, AppError> {
        let mut total = 0;
        loop {
            match self.tick().await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    async fn run(&self, job: &Job) {
        let outcome = dispatch(self, job).await;
        let now = self.app.clock.now();
        let recorded = match &outcome {
            Ok(()) => jobs::complete(&self.app.db, job, now).await,
            Err(e) => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = %e, "job failed");
                jobs::fail(&self.app.db, job, now, &e.to_string()).await
            }
        };
        let result = if outcome.is_ok() { "ok" } else { "error" };
        metrics::counter!("psirt_jobs_total", "kind" => job.kind.clone(), "result" => result)
            .increment(1);
        match recorded {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job = %job.id, kind = %job.kind, "job lease expired before it finished")
            }
            Err(e) => tracing::error!(job = %job.id, error = %e, "cannot record a job's outcome"),
        }
    }

    /// Starts the loop in the background.
    pub fn spawn(self) -> SchedulerHandle {
        let (stop, mut stopped) = watch::channel(false);
        tracing::info!(mail = %self.mailer.describe(), "scheduler started");
        let task = tokio::spawn(async move {
            loop {
                let full = match self.tick().await {
                    Ok(n) => n >= usize::try_from(BATCH).unwrap_or(usize::MAX),
                    Err(e) => {
                        tracing::warn!(error = %e, "scheduler round failed");
                        false
                    }
                };
                if *stopped.borrow() {
                    break;
                }
                if full {
                    continue;
                }
                tokio::select! {
                    _ = stopped.changed() => break,
                    () = tokio::time::sleep(POLL) => {}
                }
            }
            tracing::info!("scheduler stopped");
        });
        SchedulerHandle { stop, task }
    }
}

impl SchedulerHandle {
    /// Stops the loop after the round in progress and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the scheduler task failed");
        }
    }
}
