//! Starting the HTTP server: bind, serve with client addresses, stop gracefully on a signal.

use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
};

use tokio::net::TcpListener;

use crate::{
    app::App,
    telemetry,
    web::{self, AppState, security::RateLimiter},
};

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds `app.config.listen` (port 0 picks a free port) and serves until `shutdown` resolves.
pub async fn start(
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Server> {
    let listener = TcpListener::bind(app.config.listen).await?;
    let addr = listener.local_addr()?;
    let state = AppState {
        limiter: Arc::new(RateLimiter::new(
            app.config.limits.public_submissions_per_minute,
        )),
        metrics: telemetry::metrics_handle(),
        openapi: Arc::new(OnceLock::new()),
        app,
    };
    let (router, _) = web::router(state);
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await
    });
    Ok(Server { addr, task })
}
