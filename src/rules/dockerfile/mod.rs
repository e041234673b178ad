//! Dockerfile rules (`DF-*`), mapped to CIS Docker Benchmark 1.6 section 4
//! (and the section 5 runtime checks a Dockerfile decides, such as sshd).

mod access;
mod add;
mod base_image;
mod healthcheck;
mod hygiene;
mod packages;
mod secrets;
mod shell;
mod ssh;
mod user;

use crate::manifest::dockerfile::{shell_commands, Command, Dockerfile, Instruction};
use crate::rules::manifest::Rule;

pub static RULES: &[&Rule] = &[
    &user::NO_USER,
    &user::ROOT_USER,
    &add::ADD_LOCAL,
    &add::ADD_REMOTE,
    &base_image::BASE_TAG,
    &secrets::ENV_ARG_SECRETS,
    &shell::CURL_PIPE_SHELL,
    &shell::CHMOD_WORLD,
    &shell::SUDO,
    &healthcheck::NO_HEALTHCHECK,
    &packages::UNPINNED,
    &packages::NO_CACHE_CLEANUP,
    &packages::UPDATE_ALONE,
    &ssh::SSHD,
    &ssh::EXPOSE_22,
    &access::URL_CREDENTIALS,
    &access::AUTH_OFF,
    &access::INSECURE,
    &access::SUDO_NOPASSWD,
    &access::ROOT_PASSWORD,
    &access::ROOT_LOGIN,
    &hygiene::APT_FLAGS,
    &hygiene::UPGRADE,
    &hygiene::PIPEFAIL,
    &hygiene::MAINTAINER,
    &hygiene::RELATIVE_WORKDIR,
    &hygiene::NPM_INSTALL,
    &hygiene::CD_IN_RUN,
    &hygiene::SHELL_FORM,
    &hygiene::REPEATED_CMD,
    &hygiene::LEGACY_ENV,
    &hygiene::EOL_BASE,
    &hygiene::FLOATING_TAG,
    &hygiene::ADD_ARCHIVE,
];

/// Every RUN instruction with its parsed shell commands.
pub(crate) fn runs(df: &Dockerfile) -> impl Iterator<Item = (&Instruction, &[Command])> {
    df.instructions
        .iter()
        .filter(|i| i.keyword == "RUN")
        .map(|i| (i, i.commands()))
}

/// The `KEY`/value pairs of an `ENV` or `ARG` instruction with each key's
/// byte offset in `args`; the legacy `ENV KEY value with spaces` form is one
/// pair. An `ARG` without a default has no value.
pub(crate) fn env_pairs(i: &Instruction) -> Vec<(String, Option<String>, usize)> {
    let words: Vec<(String, usize)> = shell_commands(&i.args)
        .into_iter()
        .flat_map(|c| c.words)
        .collect();
    if i.keyword == "ENV" && words.first().is_some_and(|(w, _)| !w.contains('=')) {
        let (k, off) = words[0].clone();
        let v = words[1..]
            .iter()
            .map(|(w, _)| w.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return vec![(k, Some(v), off)];
    }
    words
        .into_iter()
        .map(|(w, off)| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string()), off),
            None => (w, None, off),
        })
        .collect()
}
