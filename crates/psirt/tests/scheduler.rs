//! The scheduler and the job table: deduplicated jobs, leases that expire after a crash, a sent
//! message never sent again, two instances on one database never running the same job twice
//! (PostgreSQL: `FOR UPDATE SKIP LOCKED`), and a loop that stops on shutdown.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;
mod support;

use std::collections::HashSet;

use common::TestApp;
use jiff::SignedDuration;
use psirt::{
    app::scheduler::{LEASE, Scheduler},
    storage::{
        jobs::{self, NewJob},
        mail as outbox,
    },
};
use psirt_domain::clock::Clock;
use serde_json::json;
use support::{SmtpSink, queue, with_smtp};

#[tokio::test]
async fn jobs_are_deduplicated_by_key() {
    let t = TestApp::spawn().await;
    let job = |payload| NewJob {
        kind: "test.noop",
        dedup_key: "deadline.remind:PSIRT-2026-0001:fix:warn-1",
        payload,
        run_at: t.clock.now(),
    };
    assert!(
        jobs::enqueue(t.app.db.pool(), &job(json!({"n": 1})))
            .await
            .unwrap()
    );
    assert!(
        !jobs::enqueue(t.app.db.pool(), &job(json!({"n": 2})))
            .await
            .unwrap()
    );
    let claimed = jobs::claim(&t.app.db, t.clock.now(), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].payload, json!({"n": 1}));
    assert!(
        jobs::complete(&t.app.db, &claimed[0], t.clock.now())
            .await
            .unwrap()
    );
    // Done: neither claimable nor enqueueable again under the same key.
    assert!(
        !jobs::enqueue(t.app.db.pool(), &job(json!({"n": 3})))
            .await
            .unwrap()
    );
    t.clock.advance(SignedDuration::from_hours(1));
    assert!(
        jobs::claim(&t.app.db, t.clock.now(), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn future_and_cancelled_jobs_wait() {
    let t = TestApp::spawn().await;
    let later = t.clock.now() + SignedDuration::from_mins(10);
    for key in ["later", "cancelled"] {
        let job = NewJob {
            kind: "test.noop",
            dedup_key: key,
            payload: json!({}),
            run_at: later,
        };
        jobs::enqueue(t.app.db.pool(), &job).await.unwrap();
    }
    assert!(
        jobs::cancel(t.app.db.pool(), "cancelled", t.clock.now())
            .await
            .unwrap()
    );
    assert!(
        jobs::claim(&t.app.db, t.clock.now(), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    t.clock.advance(SignedDuration::from_mins(10));
    let due = jobs::claim(&t.app.db, t.clock.now(), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(
        due.iter().map(|j| j.dedup_key.as_str()).collect::<Vec<_>>(),
        ["later"]
    );
}

#[tokio::test]
async fn a_claim_whose_instance_died_is_claimed_again_after_the_lease() {
    let sink = SmtpSink::start();
    let t = TestApp::spawn().await;
    let app = with_smtp(&t.app, Some(sink.url()));
    queue(&app, "crash:1", "Subject", "Body").await;
    // An instance claims the job and dies before sending.
    let lost = jobs::claim(&app.db, t.clock.now(), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(lost.len(), 1);
    let scheduler = Scheduler::new(app.clone()).unwrap();
    // Counts of jobs run are not asserted: other kinds (periodic sweeps) may run beside mail.
    scheduler.run_due().await.unwrap();
    assert_eq!(sink.received().len(), 0, "held by the lease");
    t.clock.advance(LEASE + SignedDuration::from_secs(1));
    scheduler.run_due().await.unwrap();
    scheduler.run_due().await.unwrap();
    assert_eq!(sink.received().len(), 1);
    let job = jobs::by_dedup_key(&app.db, "mail.deliver:crash:1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((job.attempts, job.done_at.is_some()), (2, true));
    // The dead instance's late report cannot overwrite the new claim's outcome.
    assert!(
        !jobs::complete(&app.db, &lost[0], t.clock.now())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_message_marked_sent_is_never_sent_again() {
    let sink = SmtpSink::start();
    let t = TestApp::spawn().await;
    let app = with_smtp(&t.app, Some(sink.url()));
    queue(&app, "crash:2", "Subject", "Body").await;
    let scheduler = Scheduler::new(app.clone()).unwrap();
    scheduler.run_due().await.unwrap();
    assert_eq!(sink.received().len(), 1);
    // A crash after the row was marked sent but before the job was recorded done.
    sqlx::query("UPDATE jobs SET done_at = NULL WHERE kind = 'mail.deliver'")
        .execute(app.db.pool())
        .await
        .unwrap();
    scheduler.run_due().await.unwrap();
    assert_eq!(sink.received().len(), 1, "the message is not sent again");
    let job = jobs::by_dedup_key(&app.db, "mail.deliver:crash:2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (job.attempts, job.done_at.is_some()),
        (2, true),
        "the job ran again"
    );
    let row = outbox::by_key(&app.db, "crash:2").await.unwrap().unwrap();
    assert_eq!(row.attempts, 1);
}

#[tokio::test]
async fn two_instances_never_claim_the_same_job() {
    let a = TestApp::spawn().await;
    let b = a.sibling().await;
    for n in 0..60 {
        let key = format!("race:{n}");
        let job = NewJob {
            kind: "test.noop",
            dedup_key: &key,
            payload: json!({}),
            run_at: a.clock.now(),
        };
        jobs::enqueue(a.app.db.pool(), &job).await.unwrap();
    }
    let drain = |t: &TestApp| {
        let (db, now) = (t.app.db.clone(), t.clock.now());
        async move {
            let mut ids = Vec::new();
            loop {
                let claimed = jobs::claim(&db, now, LEASE, 3).await.unwrap();
                if claimed.is_empty() {
                    return ids;
                }
                ids.extend(claimed.into_iter().map(|j| j.id));
                tokio::task::yield_now().await;
            }
        }
    };
    let (from_a, from_b) = tokio::join!(tokio::spawn(drain(&a)), tokio::spawn(drain(&b)));
    let (from_a, from_b) = (from_a.unwrap(), from_b.unwrap());
    let all: HashSet<_> = from_a.iter().chain(&from_b).collect();
    assert_eq!(from_a.len() + from_b.len(), 60, "a job was claimed twice");
    assert_eq!(all.len(), 60);
    eprintln!(
        "instance a claimed {}, instance b {}",
        from_a.len(),
        from_b.len()
    );
}

#[tokio::test]
async fn two_schedulers_send_each_message_once() {
    let sink = SmtpSink::start();
    let a = TestApp::spawn().await;
    let b = a.sibling().await;
    let (app_a, app_b) = (
        with_smtp(&a.app, Some(sink.url())),
        with_smtp(&b.app, Some(sink.url())),
    );
    for n in 0..24 {
        queue(
            &app_a,
            &format!("pair:{n}"),
            &format!("Message {n}"),
            "Body",
        )
        .await;
    }
    let (sa, sb) = (
        Scheduler::new(app_a).unwrap(),
        Scheduler::new(app_b).unwrap(),
    );
    let (ran_a, ran_b) = tokio::join!(
        tokio::spawn(async move { sa.run_due().await.unwrap() }),
        tokio::spawn(async move { sb.run_due().await.unwrap() })
    );
    eprintln!(
        "scheduler a ran {} jobs, b {}",
        ran_a.unwrap(),
        ran_b.unwrap()
    );
    // A job claimed twice would show two attempts.
    let twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'mail.deliver' AND attempts <> 1",
    )
    .fetch_one(a.app.db.pool())
    .await
    .unwrap();
    assert_eq!(twice, 0);
    let got = sink.received();
    let ids: HashSet<_> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap().to_owned())
        .collect();
    assert_eq!((got.len(), ids.len()), (24, 24));
}

#[tokio::test]
async fn the_loop_delivers_and_stops_on_shutdown() {
    let sink = SmtpSink::start();
    let t = TestApp::spawn().await;
    let app = with_smtp(&t.app, Some(sink.url()));
    queue(&app, "loop:1", "Subject", "Body").await;
    let handle = Scheduler::new(app.clone()).unwrap().spawn();
    sink.wait_for(1).await;
    tokio::time::timeout(std::time::Duration::from_secs(10), handle.stop())
        .await
        .expect("the loop stops");
    // Stopped: a message queued now stays queued.
    queue(&app, "loop:2", "Subject", "Body").await;
    tokio::time::sleep(psirt::app::scheduler::POLL * 2).await;
    assert_eq!(sink.received().len(), 1);
    assert_eq!(outbox::pending_count(&app.db).await.unwrap(), 1);
}
