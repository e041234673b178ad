//! Reads the Engine API: version, info, containers (inspected concurrently),
//! images with history, networks and swarm state.

use super::engine_client::{negotiate, Client, Conn, EngineError};
use super::procs::ProcTable;
use crate::redact;
use crate::snapshot::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Concurrent connections used for per-object requests.
const WORKERS: usize = 8;

#[derive(serde::Deserialize)]
struct ListItem {
    #[serde(rename = "Id")]
    id: String,
}

/// Everything from the Engine API, or the first error that stopped us.
pub fn read_engine(
    client: &mut Client,
    all: bool,
    procs: Option<&ProcTable>,
) -> Result<Engine, EngineError> {
    let mut conn = client.connect()?;
    // Unversioned ping: the daemon's API version is in a header.
    let ping = conn.get("/_ping")?;
    let server_api = match ping.api_version {
        Some(v) => v,
        None => {
            let v: Version = conn.get_json("/version")?;
            v.api_version
        }
    };
    let (maj, min) = negotiate(&server_api).map_err(EngineError)?;
    client.prefix = format!("/v{maj}.{min}");
    let mut conn = client.connect()?;
    let version: Version = conn.get_json("/version")?;
    let info: Info = conn.get_json("/info")?;
    let list: Vec<ListItem> = conn.get_json(if all {
        "/containers/json?all=1"
    } else {
        "/containers/json"
    })?;
    let image_list: Vec<ListItem> = conn.get_json("/images/json")?;
    let networks: Vec<Network> = conn.get_json("/networks")?;
    let is_manager = info.swarm.is_active() && info.swarm.control_available;
    let (swarm, swarm_secrets) = if is_manager {
        let s: SwarmSpecInfo = conn.get_json("/swarm")?;
        let secrets: Vec<serde_json::Value> = conn.get_json("/secrets")?;
        (Some(s), Some(secrets.len()))
    } else {
        (None, None)
    };
    drop(conn);

    let containers = parallel(
        client,
        list.iter().map(|c| c.id.clone()).collect(),
        |conn, id| inspect_container(conn, &id, procs),
    )?;
    let images = parallel(
        client,
        image_list.iter().map(|i| i.id.clone()).collect(),
        |conn, id| inspect_image(conn, &id),
    )?;

    Ok(Engine {
        endpoint: format!("unix://{}", client.socket.display()),
        api_version: format!("{maj}.{min}"),
        version,
        info,
        containers: containers.into_iter().flatten().collect(),
        images: images.into_iter().flatten().collect(),
        networks,
        swarm,
        swarm_secrets,
        all_containers: all,
    })
}

/// GET an object that may disappear while we read it (removed by someone
/// else between list and inspect): 404 means gone (`None`); a server error
/// or conflict is retried once, since removal in progress reports those.
fn get_object<T: serde::de::DeserializeOwned>(
    conn: &mut Conn,
    path: &str,
) -> Result<Option<T>, EngineError> {
    let mut retried = false;
    loop {
        match conn.get_json(path) {
            Ok(v) => return Ok(Some(v)),
            Err(e) if e.0.contains("HTTP 404") => return Ok(None),
            Err(e) if !retried && (e.0.contains("HTTP 5") || e.0.contains("HTTP 409")) => {
                retried = true;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Environment values often hold credentials, and snapshots travel, so only
/// the names are kept; a set value becomes `***` (checks only need to know
/// that it is set).
pub fn redact_env(env: &mut [String]) {
    for e in env.iter_mut() {
        if let Some((name, value)) = e.split_once('=') {
            if !value.is_empty() {
                *e = format!("{name}=***");
            }
        }
    }
}

/// Remove secret values from an inspected container: environment values,
/// secret-like labels, secret-bearing arguments of the command, entrypoint
/// and health check, and URL credentials anywhere in them.
pub fn scrub_container(c: &mut Container) {
    redact_env(&mut c.config.env);
    redact::redact_labels(&mut c.config.labels);
    redact::redact_argv(&mut c.config.cmd);
    redact::redact_argv(&mut c.config.entrypoint);
    if let Some(h) = &mut c.config.healthcheck {
        redact::redact_argv(&mut h.test);
    }
}

/// Redact a whole engine section, e.g. of a snapshot written by an older
/// version or by hand, before anything is rendered from it.
pub fn scrub_engine(engine: &mut Engine) {
    for c in &mut engine.containers {
        scrub_container(c);
        if let Some(Probe::Ok(list)) = &mut c.processes {
            *list = scrub_processes(std::mem::take(list));
        }
    }
    for img in &mut engine.images {
        redact_env(&mut img.config.env);
        redact::redact_labels(&mut img.config.labels);
        if let Some(h) = &mut img.config.healthcheck {
            redact::redact_argv(&mut h.test);
        }
        if let Some(Probe::Ok(h)) = &mut img.history {
            for e in h {
                e.created_by = redact::redact_history(&e.created_by);
                e.comment = redact::redact_text(&e.comment);
            }
        }
    }
}

/// Process command lines lose secret-bearing arguments.
pub fn scrub_processes(mut list: Vec<ProcessInfo>) -> Vec<ProcessInfo> {
    for p in &mut list {
        p.args = redact::redact_text(&p.args);
    }
    list
}

/// `None` when the container vanished between list and inspect.
fn inspect_container(
    conn: &mut Conn,
    id: &str,
    procs: Option<&ProcTable>,
) -> Result<Option<Container>, EngineError> {
    let Some(mut c) = get_object::<Container>(conn, &format!("/containers/{id}/json"))? else {
        return Ok(None);
    };
    scrub_container(&mut c);
    if c.state.running {
        let from_proc = procs.and_then(|t| t.container_processes(c.state.pid, &c.id));
        c.processes = Some(match from_proc {
            Some(list) => Probe::Ok(scrub_processes(list)),
            None => match top(conn, id) {
                Ok(list) => Probe::Ok(scrub_processes(list)),
                Err(e) => Probe::Error(e.0),
            },
        });
    }
    Ok(Some(c))
}

/// `GET /containers/{id}/top`: the daemon lists the container's processes.
fn top(conn: &mut Conn, id: &str) -> Result<Vec<ProcessInfo>, EngineError> {
    #[derive(serde::Deserialize)]
    struct Top {
        #[serde(rename = "Titles", default)]
        titles: Vec<String>,
        #[serde(rename = "Processes", default)]
        processes: Option<Vec<Vec<String>>>,
    }
    let t: Top = conn.get_json(&format!("/containers/{id}/top?ps_args=-eo%20pid,comm,args"))?;
    let col = |name: &str| t.titles.iter().position(|x| x.eq_ignore_ascii_case(name));
    let (pid_i, comm_i, args_i) = (col("PID"), col("COMMAND"), col("CMD").or(col("COMMAND")));
    Ok(t.processes
        .unwrap_or_default()
        .into_iter()
        .map(|row| {
            let get = |i: Option<usize>| i.and_then(|i| row.get(i)).cloned().unwrap_or_default();
            let args = get(args_i);
            let comm = match comm_i {
                Some(_) => get(comm_i),
                None => args.split_whitespace().next().unwrap_or("").to_string(),
            };
            ProcessInfo {
                pid: get(pid_i).parse().unwrap_or(0),
                comm: comm.rsplit('/').next().unwrap_or(&comm).to_string(),
                args,
            }
        })
        .collect())
}

fn inspect_image(conn: &mut Conn, id: &str) -> Result<Option<Image>, EngineError> {
    let Some(mut img) = get_object::<Image>(conn, &format!("/images/{id}/json"))? else {
        return Ok(None);
    };
    redact_env(&mut img.config.env);
    redact::redact_labels(&mut img.config.labels);
    if let Some(h) = &mut img.config.healthcheck {
        redact::redact_argv(&mut h.test);
    }
    img.history = Some(
        match conn.get_json::<Vec<HistoryEntry>>(&format!("/images/{id}/history")) {
            Ok(mut h) => {
                for e in &mut h {
                    e.created_by = redact::redact_history(&e.created_by);
                    e.comment = redact::redact_text(&e.comment);
                }
                Probe::Ok(h)
            }
            Err(e) => Probe::Error(e.0),
        },
    );
    Ok(Some(img))
}

/// Run `f` over `items` on up to [`WORKERS`] connections at once, keeping the
/// input order. The first error wins.
fn parallel<T, R, F>(client: &Client, items: Vec<T>, f: F) -> Result<Vec<R>, EngineError>
where
    T: Send + Sync,
    R: Send,
    F: Fn(&mut Conn, T) -> Result<R, EngineError> + Sync,
    T: Clone,
{
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let workers = WORKERS.min(items.len());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<R, EngineError>>>> =
        Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut conn = match client.connect() {
                    Ok(c) => c,
                    Err(e) => {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i < items.len() {
                            results.lock().unwrap()[i] = Some(Err(e));
                        }
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= items.len() {
                        break;
                    }
                    let r = f(&mut conn, items[i].clone());
                    let failed = r.is_err();
                    results.lock().unwrap()[i] = Some(r);
                    if failed {
                        // The connection may be in a bad state; open another.
                        match client.connect() {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap();
    // Report a real error in preference to items no worker reached.
    if let Some(Some(Err(e))) = results.iter().find(|r| matches!(r, Some(Err(_)))) {
        return Err(e.clone());
    }
    results
        .into_iter()
        .map(|r| match r {
            Some(Ok(v)) => Ok(v),
            _ => Err(EngineError(
                "the daemon stopped accepting connections mid-collection".into(),
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn env_values_are_redacted_but_names_and_emptiness_kept() {
        let mut env = vec![
            "DB_PASSWORD=hunter2".to_string(),
            "EMPTY=".into(),
            "PATH=/usr/bin".into(),
            "FLAG".into(),
        ];
        super::redact_env(&mut env);
        assert_eq!(env, vec!["DB_PASSWORD=***", "EMPTY=", "PATH=***", "FLAG"]);
    }
}
